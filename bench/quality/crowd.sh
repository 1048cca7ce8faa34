#!/usr/bin/env bash
# Truth inference on the published crowd sets (../shared/data/crowd: product, dog).
#   1. no gold: majority vote (ties to the first label) and Dawid-Skene over every item, next to
#      the README's figures (majority vote's expected accuracy with ties split evenly; DS);
#   2. 10% of the truth given as gold items, 5 seeds: auto vs the better of mv and ds on the
#      other 90%;
#   3. `hitloop quality` wall time on the set.
# usage: bench/quality/crowd.sh [DATASET...]   (default: product dog); HITLOOP=path/to/hitloop
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
H="${HITLOOP:-$ROOT/build/hitloop}"
DATA="${CROWD_DATA:-$ROOT/../shared/data/crowd}"
[ -d "$DATA" ] || DATA=/work/shared/data/crowd  # a worktree under /work/wt
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
sets=("$@"); [ ${#sets[@]} -gt 0 ] || sets=(product dog)
for set in "${sets[@]}"; do
  src="$DATA/$set"
  echo "== $set"
  # 1. No gold.
  labels=$(python3 "$HERE/prepare.py" "$src" "$T/$set-plain" 0 0)
  db="$T/$set-plain.db"
  "$H" --db "$db" project create c --labels "$labels" >/dev/null
  "$H" --db "$db" import c "$T/$set-plain/items.jsonl" --detect none >/dev/null
  "$H" --db "$db" import c "$T/$set-plain/answers.csv" --format answers >/dev/null
  for m in mv ds; do
    "$H" --db "$db" export c --format jsonl --aggregate "$m" --out "$T/$set-$m.jsonl" 2>/dev/null
    read -r acc expected n < <(python3 "$HERE/score.py" "$T/$set-$m.jsonl" "$src/truth.csv")
    if [ "$m" = mv ]; then
      echo "  mv (ties to the first label): accuracy $acc; expected accuracy with ties split evenly $expected ($n items)"
    else
      echo "  ds: accuracy $acc ($n items)"
    fi
  done
  s=$(date +%s.%N)
  "$H" --db "$db" quality c --json --timing >"$T/q.json" 2>"$T/q.err"
  e=$(date +%s.%N)
  echo "  hitloop quality: $(python3 -c "print(f'{$e-$s:.2f}')") s wall ($(cat "$T/q.err"))"
  python3 -c "
import json; q = json.load(open('$T/q.json')); a = q['agreement']
f = lambda e: 'n/a' if e['value'] is None else f\"{e['value']:.3f} [{e['lower']:.3f}, {e['upper']:.3f}]\"
print('  agreement: percent', f(a['percent']), '| Fleiss', f(a['fleiss_kappa']), '| alpha nominal', f(a['krippendorff_alpha']['nominal']), '|', len(a['cohen_kappa_pairs']), 'Cohen pairs')
print('  auto without gold picks:', q['aggregation']['method'])"
  # 2. 10% gold, 5 seeds.
  worst=100
  for seed in 1 2 3 4 5; do
    d="$T/$set-gold$seed"
    python3 "$HERE/prepare.py" "$src" "$d" 0.1 "$seed" >/dev/null
    db="$d.db"
    "$H" --db "$db" project create c --labels "$labels" >/dev/null
    "$H" --db "$db" import c "$d/items.jsonl" --detect none >/dev/null
    "$H" --db "$db" import c "$d/answers.csv" --format answers >/dev/null
    line="  gold 10% seed $seed:"
    declare -A acc=()
    for m in mv ds auto; do
      "$H" --db "$db" export c --format jsonl --aggregate "$m" --out "$d/$m.jsonl" 2>/dev/null
      read -r a _ n < <(python3 "$HERE/score.py" "$d/$m.jsonl" "$src/truth.csv" "$d/gold.txt")
      acc[$m]=$a
      line="$line $m $a"
    done
    picked=$("$H" --db "$db" quality c --json --replicates 0 | python3 -c "import json,sys; print(json.load(sys.stdin)['aggregation']['method'])")
    gap=$(python3 -c "print(f'{(${acc[auto]} - max(${acc[mv]}, ${acc[ds]})) * 100:+.2f}')")
    echo "$line (auto picked $picked; auto - better = $gap points, on $n non-gold items)"
    worst=$(python3 -c "print(min($worst, $gap))")
  done
  echo "  worst auto - better over the seeds: $worst points"
done
