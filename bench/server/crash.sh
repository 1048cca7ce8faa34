#!/usr/bin/env bash
# Crash loop for `hitloop serve`: kill -9 under load, restart, check that nothing the
# server acknowledged was lost.
# Usage: bench/server/crash.sh <hitloop-binary> [--items N] [--clients C] [--iterations K]
#                              [--setup-cache DIR] [--seed S] [--loadgen cc|py]
# One copy of a queued project (made by run.sh --setup-cache, created here if missing) is served;
# each iteration: bench/server/loadgen.py runs against the server (its load driven by hl_loadgen,
# built next to hitloop, or with --loadgen py by its own Python threads), the server is killed with
# SIGKILL at a random moment 1-4 s into the load, restarted on the same database (SQLite
# recovers the WAL on open), then the load generator checks its clients' ledger against the
# database (every acknowledged label present, no duplicated or unacknowledged label, no double
# assignment, no 5xx) and `PRAGMA integrity_check` must say ok. The restarted server serves the
# next iteration, so recovery follows recovery. Prints one JSON line per iteration (on stderr)
# and a JSON tally (stdout); exit 1 if any iteration failed a check.
set -euo pipefail
HITLOOP=$(realpath "${1:?usage: crash.sh <hitloop-binary> [--items N] [--clients C] [--iterations K] [--setup-cache DIR] [--seed S]}")
shift
ITEMS=20000
CLIENTS=64
ITERATIONS=50
CACHE=""
SEED=1
LOADGEN=cc
while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --iterations) ITERATIONS=$2; shift 2 ;;
    --setup-cache) CACHE=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --loadgen) LOADGEN=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/server/common.sh
. "$HERE/common.sh"
resolve_loadgen crash "$LOADGEN" "$HITLOOP"
WORK=${BENCH_DIR:-$(mktemp -d /tmp/hitloop-crash-XXXXXX)}
mkdir -p "$WORK"
CACHE=${CACHE:-$WORK/cache}
if [ ! -f "$CACHE/items-$ITEMS.db" ] || [ "$(wc -l <"$CACHE/items-$ITEMS.tokens")" -lt "$CLIENTS" ]; then
  echo "crash: preparing the project with run.sh" >&2
  rm -f "$CACHE/items-$ITEMS.db"
  BENCH_DIR="$WORK/setup" "$HERE/run.sh" "$HITLOOP" --items "$ITEMS" --clients "$CLIENTS" --duration 1 \
    --setup-cache "$CACHE" --loadgen "$LOADGEN" >/dev/null
fi
DB="$WORK/crash.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
cp "$CACHE/items-$ITEMS.db" "$DB"
head -n "$CLIENTS" "$CACHE/items-$ITEMS.tokens" >"$WORK/tokens"
PORT=$(free_port)
SERVER_PID=""
LOADGEN_PID=""
cleanup() {
  [ -z "$LOADGEN_PID" ] || kill "$LOADGEN_PID" 2>/dev/null || true
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  [ -n "${BENCH_DIR:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
start_server() {
  "$HITLOOP" --db "$DB" --log-level info serve --port "$PORT" --threads $((CLIENTS + 32)) --no-access-log \
    >>"$WORK/serve.out" 2>>"$WORK/serve.err" &
  SERVER_PID=$!
  wait_healthy "$PORT" "$SERVER_PID" || { echo "crash: server did not start" >&2; exit 1; }
}

RANDOM=$SEED
start_server
failed=0
summaries="$WORK/summaries.jsonl"
: >"$summaries"
for i in $(seq 1 "$ITERATIONS"); do
  kill_ms=$((1000 + RANDOM % 3001))
  go="$WORK/go.$i"
  rm -f "$go"
  # The load lasts a little longer than the server: the clients also see it die.
  python3 "$HERE/loadgen.py" --port "$PORT" --project load --labels pos,neg,neu --tokens "$WORK/tokens" \
    --clients "$CLIENTS" --duration "$(python3 -c "print($kill_ms / 1000 + 1.0)")" --db "$DB" \
    --seed "$((SEED * 1000 + i))" --wait-file "$go" "${LOADGEN_ARGS[@]}" \
    >"$WORK/loadgen.$i.json" 2>"$WORK/loadgen.$i.err" &
  LOADGEN_PID=$!
  sleep "$(python3 -c "print($kill_ms / 1000)")"
  kill -KILL "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  sleep 1.2  # past the load generator's deadline
  start_server  # opens the database: WAL recovery
  touch "$go"
  set +e
  wait "$LOADGEN_PID"
  lg_rc=$?
  set -e
  LOADGEN_PID=""
  integrity=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])" "$DB")
  line=$(python3 - "$WORK/loadgen.$i.json" "$i" "$kill_ms" "$lg_rc" "$integrity" <<'PY'
import json, sys
path, i, kill_ms, rc, integrity = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
try:
    s = json.loads(open(path).read().strip().splitlines()[-1])
except Exception as e:
    s = {"failures": ["no loadgen summary: %r" % (e,)]}
out = {"iteration": i, "kill_after_ms": kill_ms, "loadgen_rc": rc, "integrity_check": integrity}
for k in ("round_trips", "acknowledged_labels", "unknown_outcome_submits", "lost_labels",
          "duplicated_labels", "double_assignments", "failures"):
    out[k] = s.get(k)
out["fivexx"] = sum(v for k, v in s.get("status_counts", {}).items() if int(k) >= 500)
out["ok"] = rc == 0 and integrity == "ok"
print(json.dumps(out))
PY
)
  echo "$line" >&2
  echo "$line" >>"$summaries"
  case "$line" in *'"ok": true'*) ;; *) failed=$((failed + 1)) ;; esac
done
python3 - "$summaries" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
tally = {"iterations": len(rows), "iterations_failed": sum(not r["ok"] for r in rows)}
for k in ("round_trips", "acknowledged_labels", "unknown_outcome_submits", "lost_labels",
          "duplicated_labels", "double_assignments", "fivexx"):
    tally[k] = sum(r.get(k) or 0 for r in rows)
tally["integrity_not_ok"] = sum(r["integrity_check"] != "ok" for r in rows)
print(json.dumps(tally))
PY
[ "$failed" -eq 0 ]
