#!/usr/bin/env bash
# `hitloop model connect|show|disconnect`: a project takes its pre-labels from an external model
# server speaking Label Studio's ML-backend protocol (here a small Python one on 127.0.0.1). A
# loopback backend is refused until the administrator allows it by name; once connected, the
# cycle's model is the backend; disconnected, the cycle trains hitloop's own model again.
set -euo pipefail
H="$1"
T="$(mktemp -d)"
BACKEND_PID=""
cleanup() { [ -n "$BACKEND_PID" ] && kill "$BACKEND_PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
db="$T/h.db"

"$H" --db "$db" project create p --labels ham,spam >/dev/null
python3 - "$T/items.jsonl" <<'PY'
import json, random, sys
random.seed(3)
ham = "meeting agenda report lunch project minutes budget team".split()
spam = "winner prize casino lottery cheap offer click free".split()
with open(sys.argv[1], "w") as f:
    for i in range(120):
        y = i % 2
        rec = {"id": f"i{i}", "text": " ".join(random.choice(spam if y else ham) for _ in range(6))}
        if i < 30:
            rec["label"] = "spam" if y else "ham"
        f.write(json.dumps(rec) + "\n")
PY
"$H" --db "$db" import p "$T/items.jsonl" >/dev/null

cat >"$T/backend.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
SPAM = "winner prize casino lottery cheap offer click free".split()
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self, obj):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        self.reply({"status": "UP", "model_class": "Words"})
    def do_POST(self):
        if self.headers.get("Authorization") != "Basic bHM6cHc=":  # ls:pw
            self.send_response(401); self.end_headers(); return
        data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/setup":
            return self.reply({"model_version": "words-v1"})
        res = []
        for t in data["tasks"]:
            spam = any(w in t["data"]["text"] for w in SPAM)
            res.append({"result": [{"from_name": "label", "to_name": "text", "type": "choices",
                                    "value": {"choices": ["spam" if spam else "ham"]}}],
                        "score": 0.97, "model_version": "words-v1"})
        self.reply({"results": res})
s = HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$T/backend.py" >"$T/port" &
BACKEND_PID=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port")
url="http://127.0.0.1:$port"

# Loopback is refused unless allowed by name; the error says which entry would allow it.
if "$H" --db "$db" model connect p "$url" --auth ls:pw 2>"$T/err"; then fail "loopback backend accepted"; fi
grep -q -- "--allow-outbound 127.0.0.1:$port" "$T/err" || fail "refusal does not name the entry: $(cat "$T/err")"
# Malformed flags are usage errors (exit 2).
set +e
"$H" --db "$db" model connect p "$url" --auth nopass 2>/dev/null; rc=$?
"$H" --db "$db" model connect p "ftp://127.0.0.1:$port" --no-check 2>/dev/null; rc2=$?
set -e
[ "$rc" = 2 ] || fail "--auth without a colon: exit $rc"
[ "$rc2" = 2 ] || fail "ftp URL: exit $rc2"

"$H" --db "$db" model connect p "$url" --auth ls:pw --allow-outbound "127.0.0.1:$port" --as words >/dev/null
"$H" --db "$db" model show p | grep -q "ml backend 'words'" || fail "model show"
"$H" --db "$db" model show p | grep -q "pw" && fail "model show prints the password"
"$H" --db "$db" cycle p --json >"$T/c1.json"
python3 - "$T/c1.json" <<'PY' || fail "cycle with the backend"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["model"] == "mlbackend:words", r["model"]
assert r["model_version"] == "words-v1", r["model_version"]
PY

"$H" --db "$db" model disconnect p >/dev/null
"$H" --db "$db" model show p | grep -q "no ml backend" || fail "still connected after disconnect"
"$H" --db "$db" cycle p --json >"$T/c2.json"
python3 - "$T/c2.json" <<'PY' || fail "cycle after disconnect"
import json, sys
r = json.load(open(sys.argv[1]))
assert not r["model"].startswith("mlbackend:"), r["model"]
PY
echo "model connect: ok"
