#!/usr/bin/env bash
# CLI contract of `hitloop user` and `hitloop serve`: the token is printed once (only its hash is
# stored), serve answers on the given port, signs the token in, and exits 0 on SIGTERM.
set -euo pipefail
H="$1"
T="$(mktemp -d)"; PID=""
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
DB="$T/h.db"
hl() { "$H" --db "$DB" "$@"; }
hl project create p --labels ham,spam >/dev/null
TOKEN=$(hl user add alice --role annotator --pools general,experts --projects p 2>"$T/err")
[ "$(printf '%s' "$TOKEN" | wc -c)" -ge 40 ] || { echo "token too short: $TOKEN"; exit 1; }
grep -q "shown once" "$T/err"
# The token is not in the database (only its hash).
if grep -qa "$TOKEN" "$DB" "$DB-wal" 2>/dev/null; then echo "token stored in clear"; exit 1; fi
if hl user add alice --role annotator 2>/dev/null; then echo "duplicate user accepted"; exit 1; fi
if hl user add bob --role wizard 2>/dev/null; then echo "bad role accepted"; exit 1; fi
hl user list | grep -q "alice	annotator	general,experts"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$H" --db "$DB" serve --host 127.0.0.1 --port "$PORT" >"$T/out" 2>"$T/log" &
PID=$!
for _ in $(seq 1 100); do grep -q "serving" "$T/out" 2>/dev/null && break; sleep 0.1; done
grep -q "http://127.0.0.1:$PORT/" "$T/out"
python3 - "$PORT" "$TOKEN" <<'PY'
import http.client, json, sys
port, token = int(sys.argv[1]), sys.argv[2]
def call(method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = {"Content-Type": "application/json"}; h.update(headers or {})
    c.request(method, path, body=None if body is None else json.dumps(body), headers=h)
    r = c.getresponse(); return r.status, r.getheader("Set-Cookie") or "", r.read()
s, _, b = call("GET", "/api/v1/me", headers={"Authorization": "Bearer " + token})
assert s == 200 and json.loads(b)["user"]["name"] == "alice", (s, b)
s, _, _ = call("GET", "/api/v1/me", headers={"Authorization": "Bearer " + token[:-1]})
assert s == 401, s
s, cookie, _ = call("POST", "/api/v1/session", {"token": token})
assert s == 200 and "HttpOnly" in cookie and "SameSite=Strict" in cookie, cookie
PY
# Structured access log: one JSON object per request, without tokens.
python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]" "$T/log"
if grep -q "$TOKEN" "$T/log"; then echo "token in access log"; exit 1; fi
# A port already taken (here by the server above): a message that says so and names --port.
if "$H" --db "$DB" serve --host 127.0.0.1 --port "$PORT" >/dev/null 2>"$T/taken"; then echo "serve on a taken port succeeded"; exit 1; fi
grep -q "port $PORT is in use" "$T/taken" || { echo "taken port not said plainly:"; cat "$T/taken"; exit 1; }
grep -q -- "--port" "$T/taken"
kill -TERM "$PID"
rc=0; wait "$PID" || rc=$?; PID=""
[ "$rc" -eq 0 ] || { echo "serve exited $rc on SIGTERM"; exit 1; }
grep -q "stopped" "$T/log"
# hitloop user rotate-token: the old token stops working.
NEW=$(hl user rotate-token alice 2>/dev/null)
[ "$NEW" != "$TOKEN" ]
hl user disable alice >/dev/null
echo "serve ok"
