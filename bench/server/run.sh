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
set -euo pipefail
HITLOOP=$(realpath "${1:?usage: run.sh <hitloop-binary> [--items N] [--clients C] [--duration S]}")
shift
ITEMS=20000
CLIENTS=64
DURATION=60
CACHE=""
LOADGEN=cc
RATE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --setup-cache) CACHE=$2; shift 2 ;;
    --loadgen) LOADGEN=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
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
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  [ -n "${BENCH_DIR:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

start_server() {
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  THREADS=$((CLIENTS + 32))
  "$HITLOOP" --db "$DB" --log-level info serve --port "$PORT" --threads "$THREADS" --no-access-log >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null && break
    sleep 0.1
  done
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
  start_server
  # Queue every item for people (admin API, 10k per request).
  python3 - "$PORT" "$ADMIN" "$ITEMS" <<'PY'
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
cpu_s() { awk '{printf "%.1f", ($14 + $15) / '"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }
CPU0=$(cpu_s "$SERVER_PID")
echo "load: $CLIENTS clients for ${DURATION}s ($LOADGEN load generator)" >&2
[ "$LOADGEN" = py ] || LOADGEN_ARGS+=(--ledger "$WORK/ledger.jsonl")
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
