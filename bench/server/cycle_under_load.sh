#!/usr/bin/env bash
# A cycle while annotators work: `hitloop cycle` in its own process on a big
# project while hl_loadgen's clients claim and submit, then the same ledger checks as run.sh
# (double assignment, lost/duplicated acknowledged labels, 5xx, quick_check).
# Usage: bench/server/cycle_under_load.sh <hitloop-binary> [--items N] [--clients C]
#                                         [--duration S] [--setup-cache DIR] [--cycles K]
#                                         [--warm-cycles W] [--review-batch B]
# 1. run.sh labels for 30 s so the project has people's labels to train on (copy kept in $WORK);
# 2. a fresh server on that database and C clients for S seconds (default 150);
# 3. 10 s into the load, `hitloop cycle load`, K times in a row (default 1); wall times and
#    records go to $WORK/cycle.*. The first cycle closes every open review entry set-up queued
#    (all N items); later ones replace one cycle's batch. Each cycle prints its step_seconds
#    ("final": the transaction that holds the write lock).
#    --warm-cycles W: W cycles before the server starts (not under load), so the measured ones
#    are steady-state cycles; --review-batch B: the loop keeps B review entries queued per cycle
#    (`review_batch`), so the clients have work after a cycle replaced the set-up's queue.
# Prints loadgen.py's JSON summary (with "slow_claims": [sent at, ms] of every claim over 1 s),
# each cycle's start and end, the slow claims in seconds from the first cycle's start, and the
# writer's statistics; exit 1 if a check failed.
set -euo pipefail
HITLOOP=$(realpath "${1:?usage: cycle_under_load.sh <hitloop-binary> [--items N] [--clients C] [--duration S] [--setup-cache DIR] [--cycles K] [--warm-cycles W] [--review-batch B]}")
shift
ITEMS=1000000
CLIENTS=64
DURATION=150
CYCLES=1
WARM=0
BATCH=""
CACHE_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --setup-cache) CACHE_ARGS=(--setup-cache "$2"); shift 2 ;;
    --cycles) CYCLES=$2; shift 2 ;;
    --warm-cycles) WARM=$2; shift 2 ;;
    --review-batch) BATCH=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/server/common.sh
. "$HERE/common.sh"
WORK=${BENCH_DIR:-$(mktemp -d /tmp/hitloop-cycleload-XXXXXX)}
mkdir -p "$WORK/seed"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  [ -n "${BENCH_DIR:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
echo "cycle_under_load: 30 s of labelling first" >&2
BENCH_DIR="$WORK/seed" "$HERE/run.sh" "$HITLOOP" --items "$ITEMS" --clients "$CLIENTS" --duration 30 \
  "${CACHE_ARGS[@]}" >/dev/null
DB="$WORK/load.db"
cp "$WORK/seed/load.db" "$DB"
cp "$WORK/seed/tokens" "$WORK/tokens"
if [ -n "$BATCH" ]; then
  echo "{\"review_batch\": $BATCH}" >"$WORK/loop.json"
  "$HITLOOP" --db "$DB" loop-config load --set-json "$WORK/loop.json" >/dev/null
fi
for k in $(seq 1 "$WARM"); do
  echo "cycle_under_load: warm cycle $k (no load)" >&2
  "$HITLOOP" --db "$DB" cycle load >"$WORK/warm$k.out" || { echo "warm cycle $k failed" >&2; exit 1; }
  grep 'took ' "$WORK/warm$k.out" >&2 || true
done
PORT=$(free_port)
serve_sqlite "$HITLOOP" "$DB" "$PORT" $((CLIENTS + 32)) "$WORK/serve"
set +e
python3 "$HERE/loadgen.py" --cc "$(dirname "$HITLOOP")/hl_loadgen" --port "$PORT" --project load \
  --labels pos,neg,neu --tokens "$WORK/tokens" --clients "$CLIENTS" --duration "$DURATION" --db "$DB" \
  >"$WORK/loadgen.json" 2>"$WORK/loadgen.err" &
LOADGEN_PID=$!
sleep 10
cycle_rc=0
: >"$WORK/cycle.out"
: >"$WORK/cycle.err"
for k in $(seq 1 "$CYCLES"); do
  echo "cycle $k started at $(date +%s.%N)" >>"$WORK/cycle.err"
  /usr/bin/time -f "cycle $k wall %e s" "$HITLOOP" --db "$DB" cycle load >>"$WORK/cycle.out" 2>>"$WORK/cycle.err" || cycle_rc=1
  echo "cycle $k ended at $(date +%s.%N)" >>"$WORK/cycle.err"
done
wait "$LOADGEN_PID"
rc=$?
set -e
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
cat "$WORK/loadgen.json"
echo "cycle rc=$cycle_rc" >&2
grep -E '^cycle [0-9]+ (wall|started|ended)|took ' "$WORK/cycle.err" "$WORK/cycle.out" >&2 || true
# Claims over 1 s, by when they were sent, in seconds from the first cycle's start.
python3 - "$WORK/loadgen.json" "$WORK/cycle.err" >&2 <<'PY' || true
import json, re, sys
summary = json.load(open(sys.argv[1]))
marks = []
t0 = None
for line in open(sys.argv[2]):
    m = re.match(r"cycle (\d+) (started|ended) at ([0-9.]+)", line)
    if m:
        t0 = float(m.group(3)) if t0 is None else t0
        marks.append((float(m.group(3)), "cycle %s %s" % (m.group(1), m.group(2))))
if t0 is not None:
    print("slow claims (sent at, s from cycle 1's start: ms):",
          ", ".join("%.1f: %.0f" % (at - t0, ms) for at, ms in summary.get("slow_claims", [])) or "none")
    print("marks:", ", ".join("%s %.1f" % (name, at - t0) for at, name in marks))
PY
grep -h "writer ran" "$WORK/serve.err" >&2 || true
[ "$cycle_rc" -eq 0 ] || rc=1
exit $rc
