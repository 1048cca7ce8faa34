#!/usr/bin/env bash
# Aggregation and agreement at scale: 1M answers over 100k items (500 annotators, 4 classes,
# bench/quality/gen_scale.py), imported with `import --format answers`; then `hitloop quality`
# (load + resolve + agreement with 1000 bootstrap replicates, 200 per annotator pair) timed, with
# its own phase times (--timing). Targets: resolve + agreement <= 2 s; the whole command <= 5 s.
# usage: bench/quality/scale.sh [ITEMS] [ANSWERS_PER_ITEM] [ANNOTATORS]; HITLOOP=path/to/hitloop
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
H="${HITLOOP:-$ROOT/build/hitloop}"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
labels=$(python3 "$HERE/gen_scale.py" "$T" "${1:-100000}" "${2:-10}" "${3:-500}")
db="$T/s.db"
"$H" --db "$db" project create s --labels "$labels" >/dev/null
"$H" --db "$db" import s "$T/items.jsonl" --detect none >/dev/null
s=$(date +%s.%N)
"$H" --db "$db" import s "$T/answers.csv" --format answers
e=$(date +%s.%N)
echo "import --format answers: $(python3 -c "print(f'{$e-$s:.1f}')") s"
for m in mv ds auto; do
  s=$(date +%s.%N)
  "$H" --db "$db" quality s --json --timing --aggregate "$m" >"$T/q.json" 2>"$T/q.err"
  e=$(date +%s.%N)
  echo "hitloop quality --aggregate $m: $(python3 -c "print(f'{$e-$s:.2f}')") s wall; $(cat "$T/q.err")"
done
python3 -c "
import json; q = json.load(open('$T/q.json')); a = q['agreement']
print('auto picked', q['aggregation']['method'], '-', q['aggregation']['reason'])
print('alpha nominal', a['krippendorff_alpha']['nominal'], '|', len(a['cohen_kappa_pairs']), 'Cohen pairs')"
s=$(date +%s.%N)
"$H" --db "$db" export s --format jsonl --aggregate auto --out "$T/e.jsonl" 2>/dev/null
e=$(date +%s.%N)
echo "export --aggregate auto: $(python3 -c "print(f'{$e-$s:.1f}')") s; accuracy (label vs truth, non-gold items): $(python3 "$HERE/score.py" "$T/e.jsonl" "$T/truth.csv" "$T/gold.txt" | cut -d' ' -f1)"
