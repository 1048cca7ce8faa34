#!/usr/bin/env bash
# Browser tests for `hitloop serve`: Debian's chromium driven by npm playwright-core.
# Usage: tests/browser/run.sh <hitloop-binary>
# Never downloads a browser (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1; executablePath is Debian's).
set -euo pipefail
HITLOOP=$(realpath "${1:?usage: run.sh <hitloop-binary>}")
HERE=$(cd "$(dirname "$0")" && pwd)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "browser tests: $CHROMIUM missing (scripts/install-deps.sh installs chromium)" >&2; exit 1; }

cd "$HERE"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

WORK=$(mktemp -d /tmp/hitloop-browser-XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

DB="$WORK/hitloop.db"
ADMIN_TOKEN=$("$HITLOOP" --db "$DB" user add root --role admin 2>/dev/null)
# Ephemeral port: ask the kernel for a free one.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$HITLOOP" --db "$DB" serve --port "$PORT" --no-access-log >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null; then break; fi
  sleep 0.1
done

HITLOOP="$HITLOOP" DB="$DB" BASE="http://127.0.0.1:$PORT" ADMIN_TOKEN="$ADMIN_TOKEN" CHROMIUM="$CHROMIUM" \
  WORK="$WORK" node run.mjs
