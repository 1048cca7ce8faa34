#!/usr/bin/env bash
# Active-learning benchmark suite (label efficiency and cycle latency), one command:
#   bench/al/run.sh [BUILD_DIR] [OUT_DIR]
# Needs bench/data/<name>/{pool,test}.jsonl (bench/data/fetch.sh). Pool caps and label budgets
# below keep the whole suite to well under an hour on the shared 2-core machines; they are part
# of the result and are written into each summary.json ("settings").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
out=${2:-$root/bench/al/out}
hl=$build/hitloop
data=$root/bench/data
mkdir -p "$out"
strategies=${STRATEGIES:-random,margin,entropy,least-confidence,cluster-margin}
repeats=${REPEATS:-5}

run() {  # name max_pool batch max_labels [extra args]
  local name=$1 cap=$2 batch=$3 max=$4
  shift 4
  echo "== $name (pool cap $cap, batch $batch, max labels $max) $(date -u +%FT%TZ)"
  /usr/bin/time -f "wall %e s, max RSS %M KiB" "$hl" simulate al \
    --pool "$data/$name/pool.jsonl" --test "$data/$name/test.jsonl" \
    --strategies "${STRATEGIES:-$strategies}" --repeats "$repeats" --seed-labels 2 --batch "$batch" \
    --max-labels "$max" --max-pool "$cap" --seed 1 --out "$out/$name" "$@" 2>"$out/$name.log"
  tail -1 "$out/$name.log"
}

# Two datasets at a time, one scoring thread each (2 cores). The big pools are capped (a seeded
# shuffled prefix: the converters shuffle) and their test sets too, so that random order can
# reach the targets inside the label budget and the suite ends in about an hour.
big=${BIG_STRATEGIES:-random,margin}
run spam 0 50 1500 --threads 1 &
STRATEGIES=$big run wordnet 10000 100 3000 --max-test 5000 --threads 1 &
wait
STRATEGIES=$big run brown 10000 100 3000 --max-test 5000 --threads 1 &
STRATEGIES=$big run fashion 5000 50 1500 --max-test 5000 --threads 1 &
wait

if [ "${PEERS:-1}" = 1 ]; then
  for d in spam wordnet brown; do
    echo "== fastText peer on $d (full pool)"
    "$root/bench/al/fasttext_peer.sh" "$data/$d/pool.jsonl" "$data/$d/test.jsonl" \
      | tee "$out/$d.fasttext.json"
  done
fi

if [ "${SPEED:-1}" = 1 ]; then
  # Protocol 3 cycle latency: hitloop vs scikit-learn on wordnet, the 117k set, a 1M pool.
  "$root/bench/al/speed.sh" "$build" "$out" | tee "$out/speed.txt"
fi
