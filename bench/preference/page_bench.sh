#!/usr/bin/env bash
# The annotator page on comparisons: time from the key that submits a pairwise answer to the next
# comparison on screen (bench/preference/page_keys.mjs, Debian chromium), on a project of N real
# dialogues (HH-RLHF harmless-base, /work/shared/data/preferences/hh-harmless-dev.jsonl: 1,600 pairs,
# repeated under new ids up to N), all queued for review. Target: median <= 100 ms.
# usage: bench/preference/page_bench.sh HITLOOP [--items N] [--keys K] [--data FILE]
set -euo pipefail
HITLOOP=$(realpath "${1:?usage: page_bench.sh HITLOOP [--items N] [--keys K] [--data FILE]}")
shift
ITEMS=10000 KEYS=200 DATA=/work/shared/data/preferences/hh-harmless-dev.jsonl
while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS=$2; shift 2 ;;
    --keys) KEYS=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    *) echo "page_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -r "$DATA" ] || { echo "page_bench.sh: $DATA not readable (--data FILE: HH-RLHF jsonl)" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/hl-pref-page-XXXXXX)
DB="$WORK/h.db"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
(cd "$HERE/../../tests/browser" && [ -d node_modules/playwright-core ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

echo "setup: $ITEMS dialogues from $DATA in $WORK" >&2
python3 - "$DATA" "$WORK/items.jsonl" "$ITEMS" <<'PY'
import json, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [json.loads(l) for l in open(src, encoding="utf-8") if l.strip()]
with open(dst, "w", encoding="utf-8") as f:
    for i in range(n):
        r = rows[i % len(rows)]
        f.write(json.dumps({"id": "d%05d" % i, "chosen": r["chosen"], "rejected": r["rejected"]}) + "\n")
PY
"$HITLOOP" --db "$DB" project create prefpage --type pairwise >/dev/null
"$HITLOOP" --db "$DB" import prefpage "$WORK/items.jsonl" --format hh >/dev/null
ADMIN=$("$HITLOOP" --db "$DB" user add prefadmin --role admin 2>/dev/null)
TOKEN=$("$HITLOOP" --db "$DB" user add prefann --role annotator --projects prefpage 2>/dev/null)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$HITLOOP" --db "$DB" serve --port "$PORT" --no-access-log >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 1 300); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null && break
  sleep 0.1
done
python3 - "$PORT" "$ADMIN" "$ITEMS" <<'PY'
import http.client, json, sys
port, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
for s in range(0, n, 10000):
    c.request("POST", "/api/v1/projects/prefpage/queue", body=json.dumps({"items": ["d%05d" % i for i in range(s, min(n, s + 10000))]}),
              headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse(); out = r.read()
    if r.status != 200: sys.exit("queue: %d %s" % (r.status, out[:300]))
PY
echo "next comparison after a key ($KEYS answers):" >&2
node "$HERE/page_keys.mjs" "http://127.0.0.1:$PORT" "$TOKEN" prefpage "$KEYS"
