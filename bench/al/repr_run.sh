#!/usr/bin/env bash
# Protocol 1 (BENCHMARKS.md) on the suite with models on representations learnt from the pool
# (model/representation.h), beside today's logreg and the scikit-learn peer, in one run:
#   bench/al/repr_run.sh [BUILD_DIR] [OUT_DIR]
# Same caps, budgets, batches, seeds as bench/al/run.sh (random + margin). Env:
#   TEXT_MODEL (default lsa,ftvec+logreg), IMAGE_MODEL (default rff+logreg), REPEATS (default 5),
#   DATASETS (default "spam wordnet brown fashion"), BASELINE=0 skips the logreg runs,
#   PEER=0 skips scikit-learn. Runs one job at a time under nice (shared 2-core machine).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
out=${2:-$root/bench/al/out_repr}
hl=$build/hitloop
data=$root/bench/data
mkdir -p "$out"
repeats=${REPEATS:-5}
text_model=${TEXT_MODEL:-lsa,ftvec+logreg}
image_model=${IMAGE_MODEL:-rff+logreg}

settings() {  # dataset -> "cap batch max_labels max_test"
  case $1 in
    spam) echo "0 50 1500 0" ;;
    wordnet|brown) echo "10000 100 3000 5000" ;;
    fashion) echo "5000 50 1500 5000" ;;
  esac
}

run() {  # dataset model outdir
  local d=$1 m=$2 o=$3
  read -r cap batch max test <<<"$(settings "$d")"
  echo "== $d $m (cap $cap, batch $batch, budget $max, test cap $test) $(date -u +%FT%TZ)"
  nice -n 10 /usr/bin/time -f "wall %e s, max RSS %M KiB" "$hl" simulate al \
    --pool "$data/$d/pool.jsonl" --test "$data/$d/test.jsonl" --strategies random,margin \
    --repeats "$repeats" --seed-labels 2 --batch "$batch" --max-labels "$max" --max-pool "$cap" \
    --max-test "$test" --seed 1 --threads 2 --model "$m" --out "$o" 2>"$o.log"
  tail -1 "$o.log"
}

for d in ${DATASETS:-spam wordnet brown fashion}; do
  m=$text_model
  [ "$d" = fashion ] && m=$image_model
  run "$d" "$m" "$out/$d"
  [ "${BASELINE:-1}" = 1 ] && run "$d" logreg "$out/base_$d"
  if [ "${PEER:-1}" = 1 ]; then
    read -r cap batch max test <<<"$(settings "$d")"
    echo "== scikit-learn peer on $d $(date -u +%FT%TZ)"
    nice -n 10 /usr/bin/python3 "$root/bench/al/sklearn_peer.py" --pool "$data/$d/pool.jsonl" \
      --test "$data/$d/test.jsonl" --seed-labels 2 --batch "$batch" --max-labels "$max" \
      --max-pool "$cap" --max-test "$test" --seed 1 >"$out/$d.sklearn.json" 2>"$out/$d.sklearn.log"
  fi
done
/usr/bin/python3 "$root/bench/al/repr_report.py" "$out"
