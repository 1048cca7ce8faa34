#!/usr/bin/env bash
# Slow-client benchmark: normal annotator throughput with and without SLOW connections from one
# other address (127.0.0.2) that send their request header one byte a second (slowloris) and
# reconnect a second after the server closes them.
# Usage: bench/server/slow_clients.sh <hitloop-binary> [--items N] [--clients C] [--duration S]
#                                     [--slow 200] [--threads T]
# Prints one JSON line: unloaded round trips/s (the mean of a run before and one after), loaded
# round trips/s, their ratio, and how many slow connections were open at the end. Target: the
# ratio >= 0.95 with 200 slow connections. Normal clients come from hl_loadgen (127.0.0.1).
set -euo pipefail
HITLOOP=$(realpath "${1:?usage: slow_clients.sh <hitloop-binary> [options]}")
shift
ITEMS=250000  # three 20 s runs of 32 clients use ~120k; with 100k the last (unloaded) run ran dry and read low
CLIENTS=32
DURATION=30
SLOW=200
THREADS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --slow) SLOW=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$THREADS" != 0 ] || THREADS=$((CLIENTS + 32))
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/server/common.sh
. "$HERE/common.sh"
resolve_loadgen slow_clients.sh cc "$HITLOOP"
WORK=$(mktemp -d /tmp/hitloop-slow-XXXXXX)
DB="$WORK/load.db"
SERVER_PID=""
SLOW_PID=""
cleanup() {
  [ -z "$SLOW_PID" ] || kill "$SLOW_PID" 2>/dev/null || true
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

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
"$HITLOOP" --db "$DB" import load "$WORK/items.jsonl" --detect none >/dev/null
ADMIN=$("$HITLOOP" --db "$DB" user add loadadmin --role admin 2>/dev/null)
: >"$WORK/tokens"
for i in $(seq 1 "$CLIENTS"); do
  "$HITLOOP" --db "$DB" user add "ann$i" --role annotator --projects load 2>/dev/null >>"$WORK/tokens"
done
PORT=$(free_port)
serve_sqlite "$HITLOOP" "$DB" "$PORT" "$THREADS" "$WORK/serve"
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

load() {  # prints round trips/s of one closed-loop run
  python3 "$HERE/loadgen.py" --port "$PORT" --project load --labels pos,neg,neu --tokens "$WORK/tokens" \
    --clients "$CLIENTS" --duration "$DURATION" --db "$DB" "${LOADGEN_ARGS[@]}" --ledger "$WORK/ledger.jsonl" \
    | python3 -c 'import json,sys; s=json.loads(sys.stdin.read().strip().splitlines()[-1]); assert not s["failures"], s["failures"]; print(s["round_trips_per_s"])'
}

BEFORE=$(load)
# The slow clients: SLOW sockets from 127.0.0.2, each sending a header byte a second.
python3 - "$PORT" "$SLOW" "$WORK/slow.state" <<'PY' &
import selectors, socket, sys, time
port, n, state = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
head = b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Slow: "
conns = {}
def connect():
    s = socket.socket()
    s.setblocking(True)
    s.bind(("127.0.0.2", 0))
    s.connect(("127.0.0.1", port))
    s.send(head)
    s.setblocking(False)
    return s
closed = 0
for i in range(n):
    conns[i] = connect()
retry = {}
while True:
    t = time.time()
    for i, s in list(conns.items()):
        if s is None:
            if retry.get(i, 0) <= t:
                try: conns[i] = connect()
                except OSError: retry[i] = t + 1
            continue
        try:
            s.send(b"a")
            try:
                if s.recv(4096) == b"": raise OSError("closed")
            except BlockingIOError:
                pass
        except OSError:
            s.close(); conns[i] = None; retry[i] = t + 1; closed += 1
    with open(state, "w") as f:
        f.write("%d %d\n" % (sum(1 for s in conns.values() if s is not None), closed))
    time.sleep(max(0.0, 1.0 - (time.time() - t)))
PY
SLOW_PID=$!
sleep 3
DURING=$(load)
OPEN_SLOW=$(cut -d' ' -f1 "$WORK/slow.state")
CLOSED_SLOW=$(cut -d' ' -f2 "$WORK/slow.state")
kill "$SLOW_PID"; wait "$SLOW_PID" 2>/dev/null || true; SLOW_PID=""
sleep 1
AFTER=$(load)
python3 - "$BEFORE" "$DURING" "$AFTER" "$SLOW" "$OPEN_SLOW" "$CLOSED_SLOW" "$CLIENTS" "$THREADS" <<'PY'
import json, sys
b, d, a = (float(x) for x in sys.argv[1:4])
unloaded = (b + a) / 2
print(json.dumps({"clients": int(sys.argv[7]), "threads": int(sys.argv[8]), "slow": int(sys.argv[4]),
                  "slow_open_at_end": int(sys.argv[5]), "slow_closed_by_server": int(sys.argv[6]),
                  "unloaded_rt_per_s": [b, a], "with_slow_rt_per_s": d,
                  "ratio": round(d / unloaded, 3) if unloaded else None}))
PY
