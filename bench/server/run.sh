#!/usr/bin/env bash
# Load test / throughput benchmark for `hitloop serve`. The load comes from hl_loadgen
# (bench/server/loadgen.cc, built next to hitloop; not hitloop itself) or, with --loadgen py, from
# bench/server/loadgen.py's Python threads; loadgen.py checks the outcome either way.
# Usage: bench/server/run.sh <hitloop-binary> [--items N] [--clients C] [--duration S]
#                           [--setup-cache DIR] [--loadgen cc|py] [--rate R]
#   CI:    --items 200000 --clients 64 --duration 60
#   bench: --items 1000000 --clients 64 --duration 60   (and --clients 200 --duration 600)
# The database lives in $BENCH_DIR (default: a fresh directory under /tmp, on disk, not tmpfs,
# so every acknowledged submit pays its real fsync).
# --setup-cache DIR: keep a copy of the freshly queued project (database + tokens) in DIR and
# start later runs with the same --items from a copy of it (a 1M-item setup takes minutes).
# --loadgen cc (default): hl_loadgen from the hitloop binary's directory drives the load (~10x less
# CPU per round trip than the Python threads, which cost as much as the server on 2 cores); its
# ledger is left in $WORK/ledger.jsonl. --loadgen py: the Python threads.
# --rate R (cc only): offer R claims/s in total (90% are followed by a submit) on a fixed schedule
# instead of a closed loop;
# claim latency then counts from each claim's scheduled start (the latency at that throughput).
# At the end it prints the server's CPU time and the load average (other work on the machine
# inflates latencies; the CPU time says how much of the run the server itself used).
#
# PostgreSQL (bench/server/pg_load.sh and pg_kill.sh run these; docs/POSTGRES.md):
#   --db URI          serve the EMPTY PostgreSQL database URI (postgresql://...) instead of a SQLite
#                     file: the project is set up on SQLite as above (or taken from --setup-cache),
#                     copied into URI with `hitloop db copy`, served from there, and the run is
#                     checked against URI (loadgen.py reads it with psql), then `hitloop db check`.
#   --servers N       N `hitloop serve` processes on that database (PostgreSQL only), each on its
#                     own port; hl_loadgen spreads the clients across the ports (client k -> port
#                     k mod N, failing over to the next port when its server is down): no load
#                     balancer process, the load generator is the balancer.
#   --db-pool-size K  each server's --db-pool-size (default 24: N servers open at most N*(K+1)
#                     connections; the test cluster allows 200).
#   --lease-ttl S     each server's --lease-ttl (default: serve's).
#   --queue-sql       set-up only: queue the items with one SQL statement on the fresh SQLite file
#                     (the rows the admin API's queue route writes: an open 'review' entry in pool
#                     'general', overlap 1, priority 0, item state 'queued'), then `hitloop db
#                     check` on it, instead of 100 admin API requests. On this 2-core machine shared
#                     with builds the API took ~70 s per 10,000 items (over an hour for 1M).
#   --kill AFTER,EVERY,COUNT  (needs --servers >= 2) after AFTER s of load, SIGKILL the last server
#                     and start it again on the same port, COUNT times, EVERY s apart, while the
#                     load goes on; the other servers keep serving. Printed at the end: how long
#                     each restart took and each port's statuses.
set -euo pipefail
HITLOOP=$(realpath "${1:?usage: run.sh <hitloop-binary> [--items N] [--clients C] [--duration S]}")
shift
ITEMS=20000
CLIENTS=64
DURATION=60
CACHE=""
LOADGEN=cc
RATE=0
PG_URI=""
SERVERS=1
POOL=24
LEASE_TTL=""
KILL=""
QUEUE_SQL=0
while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --setup-cache) CACHE=$2; shift 2 ;;
    --loadgen) LOADGEN=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --db) PG_URI=$2; shift 2 ;;
    --servers) SERVERS=$2; shift 2 ;;
    --db-pool-size) POOL=$2; shift 2 ;;
    --lease-ttl) LEASE_TTL=$2; shift 2 ;;
    --kill) KILL=$2; shift 2 ;;
    --queue-sql) QUEUE_SQL=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "$PG_URI" in
  ""|postgresql://*|postgres://*) ;;
  *) echo "run.sh: --db takes a postgresql:// URI (SQLite runs use a file in \$BENCH_DIR)" >&2; exit 2 ;;
esac
if [ "$SERVERS" -gt 1 ] && [ -z "$PG_URI" ]; then echo "run.sh: --servers > 1 needs --db postgresql://..." >&2; exit 2; fi
if [ "$SERVERS" -gt 1 ] && [ "$LOADGEN" != cc ]; then echo "run.sh: --servers > 1 needs --loadgen cc" >&2; exit 2; fi
if [ -n "$KILL" ] && [ "$SERVERS" -lt 2 ]; then echo "run.sh: --kill needs --servers >= 2" >&2; exit 2; fi
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/server/common.sh
. "$HERE/common.sh"
if [ "$RATE" != 0 ] && [ "$LOADGEN" != cc ]; then echo "run.sh: --rate needs --loadgen cc" >&2; exit 2; fi
resolve_loadgen run.sh "$LOADGEN" "$HITLOOP" --rate "$RATE"
WORK=${BENCH_DIR:-$(mktemp -d /tmp/hitloop-load-XXXXXX)}
mkdir -p "$WORK"
DB="$WORK/load.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
SERVER_PID=""
SERVER_PIDS=()   # PostgreSQL mode: one per --servers, index k on port PORTS[k]
PORTS=()
LOADGEN_PID=""
cleanup() {
  [ -z "$LOADGEN_PID" ] || kill "$LOADGEN_PID" 2>/dev/null || true
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  local p
  for p in "${SERVER_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [ -n "${BENCH_DIR:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

start_server() {
  PORT=$(free_port)
  THREADS=$((CLIENTS + 32))
  serve_sqlite "$HITLOOP" "$DB" "$PORT" "$THREADS" "$WORK/serve"
}
# PostgreSQL mode: server K (0-based) on PORTS[K], its PID in SERVER_PIDS[K].
start_pg_server() {
  local k=$1 threads=$(( (CLIENTS + SERVERS - 1) / SERVERS + 32 ))
  local extra=()
  [ -z "$LEASE_TTL" ] || extra=(--lease-ttl "$LEASE_TTL")
  "$HITLOOP" --db "$PG_URI" --log-level info serve --port "${PORTS[$k]}" --threads "$threads" --no-access-log \
    --db-pool-size "$POOL" "${extra[@]}" >>"$WORK/serve.$k.out" 2>>"$WORK/serve.$k.err" &
  SERVER_PIDS[$k]=$!
  wait_healthy "${PORTS[$k]}" "${SERVER_PIDS[$k]}"
}
CACHED=""
if [ -n "$CACHE" ] && [ -f "$CACHE/items-$ITEMS.db" ]; then
  CACHED=$CACHE/items-$ITEMS
  echo "setup: $ITEMS items from $CACHED.db" >&2
  cp "$CACHED.db" "$DB"
  cp "$CACHED.tokens" "$WORK/tokens"
  have=$(wc -l <"$WORK/tokens")
  for i in $(seq $((have + 1)) "$CLIENTS"); do
    "$HITLOOP" --db "$DB" user add "ann$i" --role annotator --projects load 2>/dev/null >>"$WORK/tokens"
  done
  start_server
else
  echo "setup: $ITEMS items, $CLIENTS annotators in $WORK" >&2
  "$HITLOOP" --db "$DB" project create load --labels pos,neg,neu >/dev/null
  python3 - "$WORK/items.jsonl" "$ITEMS" <<'PY'
import random, sys
path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(5)
words = "the a model label item review queue annotator fast slow good bad text data pool".split()
with open(path, "w") as f:
    for i in range(n):
        f.write('{"id":"i%07d","text":"%s"}\n' % (i, " ".join(rng.choice(words) for _ in range(12))))
PY
  # --detect none: this benchmark is about claims and submits, not the detectors (bench/autolabel).
  "$HITLOOP" --db "$DB" import load "$WORK/items.jsonl" --detect none >/dev/null
  ADMIN=$("$HITLOOP" --db "$DB" user add loadadmin --role admin 2>/dev/null)
  : >"$WORK/tokens"
  for i in $(seq 1 "$CLIENTS"); do
    "$HITLOOP" --db "$DB" user add "ann$i" --role annotator --projects load 2>/dev/null >>"$WORK/tokens"
  done
  if [ "$QUEUE_SQL" = 1 ]; then
    python3 - "$DB" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time() * 1000)
with db:
    (pid,) = db.execute("SELECT id FROM projects WHERE name='load'").fetchone()
    db.execute("INSERT INTO queue(project_id, item_id, pool, kind, priority, overlap, done, open, created_at,"
               " busy_until, reason) SELECT project_id, id, 'general', 'review', 0, 1, 0, 1, ?, 0, ''"
               " FROM items WHERE project_id=? AND state IN ('unlabeled','auto') ORDER BY id", (now, pid))
    db.execute("UPDATE items SET state='queued' WHERE project_id=? AND state IN ('unlabeled','auto')", (pid,))
db.close()
PY
    "$HITLOOP" --db "$DB" db check >/dev/null
  fi
  start_server
  # Queue every item for people (admin API, 10k per request).
  [ "$QUEUE_SQL" = 1 ] || python3 - "$PORT" "$ADMIN" "$ITEMS" <<'PY'
import http.client, json, sys
port, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
for s in range(0, n, 10000):
    ids = ["i%07d" % i for i in range(s, min(n, s + 10000))]
    c.request("POST", "/api/v1/projects/load/queue", body=json.dumps({"items": ids}),
              headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse(); body = r.read()
    if r.status != 200: sys.exit("queue: %d %s" % (r.status, body[:300]))
PY
  if [ -n "$CACHE" ]; then
    mkdir -p "$CACHE"
    # A consistent copy while the server runs (SQLite online backup).
    python3 -c "import sqlite3,sys; s=sqlite3.connect(sys.argv[1]); d=sqlite3.connect(sys.argv[2]); s.backup(d); d.close()" \
      "$DB" "$CACHE/items-$ITEMS.db.tmp"
    cp "$WORK/tokens" "$CACHE/items-$ITEMS.tokens"
    mv "$CACHE/items-$ITEMS.db.tmp" "$CACHE/items-$ITEMS.db"
  fi
fi
[ "$LOADGEN" = py ] || LOADGEN_ARGS+=(--ledger "$WORK/ledger.jsonl")
if [ -z "$PG_URI" ]; then
  CPU0=$(cpu_s "$SERVER_PID")
  echo "load: $CLIENTS clients for ${DURATION}s ($LOADGEN load generator)" >&2
  set +e
  python3 "$HERE/loadgen.py" --port "$PORT" --project load --labels pos,neg,neu --tokens "$WORK/tokens" \
    --clients "$CLIENTS" --duration "$DURATION" --db "$DB" "${LOADGEN_ARGS[@]}"
  rc=$?
  set -e
  CPU1=$(cpu_s "$SERVER_PID")
  echo "server cpu: $(python3 -c "print(round($CPU1 - $CPU0, 1))") s during the load; load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
  if grep -q '"status":5' "$WORK/serve.err" 2>/dev/null; then echo "server logged 5xx" >&2; rc=1; fi
  exit $rc
fi

# ---- PostgreSQL: copy the SQLite setup into the empty database, serve it with N servers --------
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
if [ -n "$(psql -X -At "$PG_URI" -c "SELECT to_regclass('public.hitloop_schema')")" ]; then
  echo "run.sh: $PG_URI already holds a hitloop database: --db needs an empty one" >&2
  exit 2
fi
t0=$(date +%s.%N)
"$HITLOOP" db copy --from "$DB" --to "$PG_URI" >/dev/null
echo "setup: db copy into PostgreSQL $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s" >&2
psql -X -q "$PG_URI" -c "VACUUM ANALYZE" >/dev/null
for k in $(seq 0 $((SERVERS - 1))); do PORTS[$k]=$(free_port); start_pg_server "$k"; done
PORT_LIST=$(IFS=,; echo "${PORTS[*]}")
cpu_total() { local t=0 p; for p in "${SERVER_PIDS[@]}"; do t=$(python3 -c "print($t + $(cpu_s "$p"))"); done; echo "$t"; }
CPU0=$(cpu_total)
echo "load: $CLIENTS clients for ${DURATION}s across $SERVERS server(s) on ports $PORT_LIST (PostgreSQL)" >&2
python3 "$HERE/loadgen.py" --port "$PORT_LIST" --project load --labels pos,neg,neu --tokens "$WORK/tokens" \
  --clients "$CLIENTS" --duration "$DURATION" --db "$PG_URI" "${LOADGEN_ARGS[@]}" >"$WORK/summary.json" &
LOADGEN_PID=$!
RESTARTS=()
if [ -n "$KILL" ]; then
  IFS=, read -r K_AFTER K_EVERY K_COUNT <<<"$KILL"
  victim=$((SERVERS - 1))
  start=$(date +%s.%N)
  for n in $(seq 1 "$K_COUNT"); do
    at=$(python3 -c "print($K_AFTER + ($n - 1) * $K_EVERY)")
    sleep "$(python3 -c "print(max(0, $start + $at - $(date +%s.%N)))")"
    CPU_DEAD=$(python3 -c "print(${CPU_DEAD:-0} + $(cpu_s "${SERVER_PIDS[$victim]}"))")
    t0=$(date +%s.%N)
    kill -KILL "${SERVER_PIDS[$victim]}"
    wait "${SERVER_PIDS[$victim]}" 2>/dev/null || true
    start_pg_server "$victim"
    RESTARTS+=("$(python3 -c "print(round($(date +%s.%N) - $t0, 2))")")
    echo "kill $n/$K_COUNT at +${at}s: server $victim (port ${PORTS[$victim]}) SIGKILLed, back in ${RESTARTS[-1]} s" >&2
  done
fi
set +e
wait "$LOADGEN_PID"
rc=$?
set -e
LOADGEN_PID=""
CPU1=$(python3 -c "print($(cpu_total) + ${CPU_DEAD:-0})")
cat "$WORK/summary.json"
echo "servers' cpu: $(python3 -c "print(round($CPU1 - $CPU0, 1))") s during the load; load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
[ ${#RESTARTS[@]} -eq 0 ] || echo "restarts (s from SIGKILL to /healthz answering): ${RESTARTS[*]}" >&2
python3 - "$WORK/summary.json" "$PORT_LIST" <<'PY' >&2 || rc=1
import json, sys
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
ports = sys.argv[2].split(",")
bad = 0
for i, p in enumerate(ports):
    st = s.get("status_by_port", {}).get(p, {})
    five = sum(v for k, v in st.items() if int(k) >= 500)
    print("port %s (server %d): statuses %s, 5xx %d" % (p, i, json.dumps(st, sort_keys=True), five))
    bad += five
sys.exit(1 if bad else 0)
PY
for k in "${!SERVER_PIDS[@]}"; do kill -TERM "${SERVER_PIDS[$k]}"; wait "${SERVER_PIDS[$k]}" || true; done
SERVER_PIDS=()
t0=$(date +%s.%N)
if "$HITLOOP" --db "$PG_URI" db check >"$WORK/db_check.out" 2>&1; then
  echo "db check: ok ($(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s)" >&2
else
  echo "db check FAILED:" >&2; cat "$WORK/db_check.out" >&2; rc=1
fi
exit $rc
