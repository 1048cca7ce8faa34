#!/usr/bin/env bash
# Data-browser latency on a big project: GET /api/v1/projects/P/items pages with a filter and with
# a search, as the admin page's Data view sends them (bench/server/browse_bench.py).
# usage: bench/server/browse_bench.sh HITLOOP [--items N] [--requests R] [--cache DIR] [--db URI]
# The project: N items of 8-30 words from a 20,000-word Zipf vocabulary, each with a model
# prediction (3 labels) and every tenth with an imported label. --cache DIR keeps the prepared
# SQLite database (a 1M-item import takes minutes) and starts later runs from a copy. --db URI
# runs on that (empty) PostgreSQL database instead (no cache).
set -euo pipefail
HITLOOP=$(realpath "${1:?usage: browse_bench.sh HITLOOP [--items N] [--requests R] [--cache DIR] [--db URI]}")
shift
ITEMS=1000000 REQUESTS=1100 CACHE="" DBURI=""
while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --cache) CACHE=$2; shift 2 ;;
    --db) DBURI=$2; shift 2 ;;
    *) echo "browse_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/hl-browse-bench-XXXXXX)
DB="${DBURI:-$WORK/h.db}"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

CACHED="${CACHE:+$CACHE/browse-$ITEMS}"
if [ -z "$DBURI" ] && [ -n "$CACHED" ] && [ -f "$CACHED.db" ]; then
  echo "setup: from $CACHED.db" >&2
  cp "$CACHED.db" "$DB"
  TOKEN=$(cat "$CACHED.token")
else
  echo "setup: $ITEMS items in $DB" >&2
  python3 "$HERE/browse_bench.py" gen "$WORK/items.jsonl" "$ITEMS"
  "$HITLOOP" --db "$DB" project create browse --labels pos,neg,neu >/dev/null
  "$HITLOOP" --db "$DB" import browse "$WORK/items.jsonl" --detect none >/dev/null
  rm -f "$WORK/items.jsonl"
  TOKEN=$("$HITLOOP" --db "$DB" user add browser --role reviewer --projects browse 2>/dev/null)
  if [ -z "$DBURI" ] && [ -n "$CACHED" ]; then
    mkdir -p "$CACHE"
    python3 -c "import sqlite3,sys; s=sqlite3.connect(sys.argv[1]); d=sqlite3.connect(sys.argv[2]); s.backup(d); d.close()" \
      "$DB" "$CACHED.db.tmp"
    echo "$TOKEN" >"$CACHED.token"
    mv "$CACHED.db.tmp" "$CACHED.db"
  fi
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$HITLOOP" --db "$DB" serve --port "$PORT" --no-access-log >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 1 300); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null && break
  sleep 0.1
done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 "$HERE/browse_bench.py" run "http://127.0.0.1:$PORT" "$TOKEN" browse "$ITEMS" "$REQUESTS" "$SERVER_PID"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
