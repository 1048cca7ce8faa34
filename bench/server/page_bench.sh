#!/usr/bin/env bash
# Annotator page benchmarks on a big project: time to first task (warm and cold) and "next task
# after a key", with Debian chromium (bench/server/page_ready.mjs).
# usage: bench/server/page_bench.sh HITLOOP [--items N] [--audits A] [--runs R] [--keys K] [--cache DIR]
# The project: N items (12 random words each) with a model prediction and its distribution, all
# queued for review, plus A of them queued as audits at the cycle's audit priority, so the claims
# take the page's real path (audits interleaved with reviews, server/task_mix.h). --cache DIR keeps
# the prepared database (a 1M-item setup takes minutes) and starts later runs from a copy.
set -euo pipefail
HITLOOP=$(realpath "${1:?usage: page_bench.sh HITLOOP [--items N] [--audits A] [--runs R] [--keys K] [--cache DIR]}")
shift
ITEMS=1000000 AUDITS=200 RUNS=9 KEYS=200 CACHE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS=$2; shift 2 ;;
    --audits) AUDITS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --keys) KEYS=$2; shift 2 ;;
    --cache) CACHE=$2; shift 2 ;;
    *) echo "page_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/hl-page-bench-XXXXXX)
DB="$WORK/h.db"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
(cd "$HERE/../../tests/browser" && [ -d node_modules/playwright-core ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

start_server() {
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$HITLOOP" --db "$DB" serve --port "$PORT" --no-access-log >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null && return
    sleep 0.1
  done
  echo "server did not start" >&2; cat "$WORK/serve.err" >&2; exit 1
}

CACHED="${CACHE:+$CACHE/page-$ITEMS-$AUDITS}"
if [ -n "$CACHED" ] && [ -f "$CACHED.db" ]; then
  echo "setup: from $CACHED.db" >&2
  cp "$CACHED.db" "$DB"
  TOKEN=$(cat "$CACHED.token")
  start_server
else
  echo "setup: $ITEMS items, $AUDITS audits in $WORK" >&2
  "$HITLOOP" --db "$DB" project create page --labels pos,neg,neu >/dev/null
  python3 - "$WORK/items.jsonl" "$ITEMS" <<'PY'
import random, sys
path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(5)
words = "the a model label item review queue annotator fast slow good bad text data pool".split()
labels = ["pos", "neg", "neu"]
with open(path, "w") as f:
    for i in range(n):
        p = [rng.random() + 0.05 for _ in labels]
        s = sum(p)
        p = [x / s for x in p]
        top = max(range(3), key=lambda k: p[k])
        f.write('{"id":"i%07d","text":"%s","prediction":{"label":"%s","score":%.4f,"distribution":[%.4f,%.4f,%.4f]}}\n'
                % (i, " ".join(rng.choice(words) for _ in range(12)), labels[top], p[top], p[0], p[1], p[2]))
PY
  "$HITLOOP" --db "$DB" import page "$WORK/items.jsonl" --detect none >/dev/null
  ADMIN=$("$HITLOOP" --db "$DB" user add pageadmin --role admin 2>/dev/null)
  TOKEN=$("$HITLOOP" --db "$DB" user add pageann --role annotator --projects page 2>/dev/null)
  start_server
  python3 - "$PORT" "$ADMIN" "$ITEMS" "$AUDITS" <<'PY'
import http.client, json, sys
port, token, n, audits = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
def queue(body):
    c.request("POST", "/api/v1/projects/page/queue", body=json.dumps(body),
              headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse(); out = r.read()
    if r.status != 200: sys.exit("queue: %d %s" % (r.status, out[:300]))
for s in range(0, n, 10000):
    queue({"items": ["i%07d" % i for i in range(s, min(n, s + 10000))]})
# Audits of the last items, at the priority the cycle gives them.
queue({"items": ["i%07d" % i for i in range(n - audits, n)], "kind": "audit", "priority": 1e9})
PY
  if [ -n "$CACHED" ]; then
    mkdir -p "$CACHE"
    python3 -c "import sqlite3,sys; s=sqlite3.connect(sys.argv[1]); d=sqlite3.connect(sys.argv[2]); s.backup(d); d.close()" \
      "$DB" "$CACHED.db.tmp"
    echo "$TOKEN" >"$CACHED.token"
    mv "$CACHED.db.tmp" "$CACHED.db"
  fi
fi
BASE="http://127.0.0.1:$PORT"
echo "time to first task, warm:" >&2
node "$HERE/page_ready.mjs" "$BASE" "$TOKEN" page "$RUNS" warm
echo "time to first task, cold:" >&2
node "$HERE/page_ready.mjs" "$BASE" "$TOKEN" page "$RUNS" cold
echo "next task after a key:" >&2
node "$HERE/page_ready.mjs" "$BASE" "$TOKEN" page "$KEYS" keys
