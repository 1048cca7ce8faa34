#!/usr/bin/env bash
# Cycle latency, hitloop and the scikit-learn peer side by side in ONE run:
#   bench/al/speed.sh [BUILD_DIR] [OUT_DIR]
# One cycle = retrain on the bought labels + score every unlabelled pool item + select 50
# (margin). Both start from 112 labels per class (4,780 labels on wordnet) and buy 50 per cycle
# up to 5,280 labels (10 scored cycles); medians are over the scored cycles, wall and CPU.
#   1. wordnet pool split (94,235 items): hitloop, then sklearn_peer.py (liblinear dual CD).
#   2. all 117,791 wordnet records (pool + test concatenated) as the pool: hitloop (speed only).
#   3. a 1,000,000-item pool resampled from wordnet (gen_pool.py): hitloop, peak RSS.
# Load on the shared machine is printed before each step: compare within a run, quote CPU too.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
out=${2:-$root/bench/al/out}
hl=$build/hitloop
data=$root/bench/data
mkdir -p "$out"
common=(--strategies margin --repeats 1 --seed-labels 112 --batch 50 --max-labels 5280
        --no-full-pool --threads 2)

stamp() { echo "== $1 $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"; }
med() {  # summarise a hitloop curves.csv over scored cycles
  /usr/bin/python3 - "$1" <<'PY'
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if float(r["score_seconds"]) > 0]
m = lambda k: statistics.median(float(r[k]) for r in rows)
print(f"  hitloop: {len(rows)} scored cycles, median wall {m('cycle_seconds'):.3f} s "
      f"(train {m('train_seconds'):.3f}, score {m('score_seconds'):.3f}), "
      f"median CPU {m('cycle_cpu_seconds'):.3f} s, last accuracy {rows[-1]['accuracy']}")
PY
}

stamp "wordnet pool split: hitloop"
/usr/bin/time -f "  wall %e s, user %U s, sys %S s, max RSS %M KiB" "$hl" simulate al \
  --pool "$data/wordnet/pool.jsonl" --test "$data/wordnet/test.jsonl" "${common[@]}" \
  --out "$out/speed_wordnet" 2>"$out/speed_wordnet.log"
tail -1 "$out/speed_wordnet.log"
med "$out/speed_wordnet/curves.csv"

stamp "wordnet pool split: scikit-learn peer"
/usr/bin/time -f "  wall %e s, user %U s, sys %S s, max RSS %M KiB" /usr/bin/python3 \
  "$root/bench/al/sklearn_peer.py" --pool "$data/wordnet/pool.jsonl" \
  --test "$data/wordnet/test.jsonl" --seed-labels 112 --batch 50 --max-labels 5280 --skip-full \
  > "$out/speed_wordnet.sklearn.json" 2>"$out/speed_wordnet.sklearn.log"
tail -1 "$out/speed_wordnet.sklearn.log"
/usr/bin/python3 - "$out/speed_wordnet.sklearn.json" <<'PY'
import json, statistics, sys
j = json.load(open(sys.argv[1]))
c = [p for p in j["curve"] if p["scored"]]
print(f"  sklearn: {len(c)} scored cycles, median wall "
      f"{statistics.median(p['cycle_seconds'] for p in c):.3f} s, median CPU "
      f"{statistics.median(p['cycle_cpu_seconds'] for p in c):.3f} s, features "
      f"{j['features_seconds']:.1f} s, last accuracy {c[-1]['accuracy']:.4f}")
PY

stamp "wordnet all 117,791 records as the pool: hitloop"
cat "$data/wordnet/pool.jsonl" "$data/wordnet/test.jsonl" > "$out/wordnet_all.jsonl"
/usr/bin/time -f "  wall %e s, user %U s, sys %S s, max RSS %M KiB" "$hl" simulate al \
  --pool "$out/wordnet_all.jsonl" --test "$data/wordnet/test.jsonl" --max-test 5000 \
  "${common[@]}" --out "$out/speed_wordnet_all" 2>"$out/speed_wordnet_all.log"
tail -1 "$out/speed_wordnet_all.log"
med "$out/speed_wordnet_all/curves.csv"

stamp "1M-item pool: hitloop"
[ -s "$out/pool1m.jsonl" ] || /usr/bin/python3 "$root/bench/al/gen_pool.py" "$out/pool1m.jsonl" --n 1000000
/usr/bin/time -f "  wall %e s, user %U s, sys %S s, max RSS %M KiB" "$hl" simulate al \
  --pool "$out/pool1m.jsonl" --test "$data/wordnet/test.jsonl" --max-test 5000 \
  "${common[@]}" --out "$out/speed_1m" 2>"$out/speed_1m.log"
tail -1 "$out/speed_1m.log"
med "$out/speed_1m/curves.csv"
stamp "done"
