#!/bin/bash
# Protocol 4 (BENCHMARKS.md), reward model: pair accuracy on the held-out 20% of seeded splits of
# ../shared/data/preferences/hh-harmless-dev.jsonl, hitloop's reward model beside the
# scikit-learn peer and "the shorter answer wins", plus train+score time for 10,000 pairs.
#
# Usage: bench/preference/reward.sh [HITLOOP] [SEEDS]     (default build/hitloop, 1 2 3 4 5)
# Output: one JSON line per run; medians at the end. Work files under bench/out/preference/.
set -euo pipefail
H=${1:-build/hitloop}
SEEDS=${2:-"1 2 3 4 5"}
DATA=${DATA:-../shared/data/preferences/hh-harmless-dev.jsonl}
OUT=bench/out/preference
mkdir -p "$OUT"
DB=$OUT/reward.db
rm -rf "$DB" "$DB".*
"$H" --db "$DB" project create hh --type pairwise >/dev/null
"$H" --db "$DB" import hh "$DATA" --detect none >/dev/null
accs=()
for s in $SEEDS; do
  line=$("$H" --db "$DB" reward train hh --seed "$s" --holdout 0.2 --no-save --json)
  echo "$line"
  accs+=("$(echo "$line" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["heldout_pair_accuracy"])')")
done
printf '%s\n' "${accs[@]}" | /usr/bin/python3 -c 'import sys,statistics; v=[float(x) for x in sys.stdin]; print({"median_hitloop_reward_model": round(statistics.median(v),4), "runs": len(v)})'
echo "--- peer (same splits) ---"
SEEDS_CSV=$(echo $SEEDS | tr ' ' ',')
/usr/bin/python3 bench/preference/sklearn_peer.py "$DATA" --seeds "$SEEDS_CSV"

echo "--- train + score 10,000 pairs ---"
# 10,000 distinct pairs: the 1,600 real ones, repeated with a numbered suffix on each response.
/usr/bin/python3 - "$DATA" "$OUT/pairs10k.jsonl" "$OUT/score10k.jsonl" <<'PY'
import json, sys
src, pairs, score = sys.argv[1:4]
rows = [json.loads(l) for l in open(src, encoding="utf-8") if l.strip()]
with open(pairs, "w") as p, open(score, "w") as s:
    for i in range(10000):
        r = rows[i % len(rows)]
        k = i // len(rows)
        c, j = r["chosen"] + ("" if k == 0 else f" ({k})"), r["rejected"] + ("" if k == 0 else f" ({k})")
        p.write(json.dumps({"chosen": c, "rejected": j}) + "\n")
        s.write(json.dumps({"id": i, "chosen": c, "rejected": j}) + "\n")
PY
DB2=$OUT/reward10k.db
rm -rf "$DB2" "$DB2".*
"$H" --db "$DB2" project create big --type pairwise >/dev/null
"$H" --db "$DB2" import big "$OUT/pairs10k.jsonl" --detect none >/dev/null
# Wall and CPU seconds of each step (the machine is shared: CPU time is the cost, wall the wait).
TIMEF='{"step": "%C", "wall_s": %e, "user_s": %U, "sys_s": %S}'
/usr/bin/time -f "$TIMEF" "$H" --db "$DB2" reward train big --holdout 0 --json
/usr/bin/time -f "$TIMEF" "$H" --db "$DB2" reward score big "$OUT/score10k.jsonl" --out "$OUT/rewards10k.jsonl"
