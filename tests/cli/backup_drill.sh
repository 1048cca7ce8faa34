#!/usr/bin/env bash
# Backup drill: `hitloop db backup` while `hitloop serve` takes submits, then `db restore` into a
# new path. The restored database passes `db check`, exports cleanly, every label it holds is in
# the original's final export with the same value, and it holds every label acknowledged before
# the backup began. The load comes from hl_loadgen (bench/server/loadgen.cc, built beside
# hitloop): phase A runs and ends before the backup (its acks must all be in the backup), phase B
# runs during it.
# usage: backup_drill.sh HITLOOP SOURCE_DIR
set -euo pipefail
H="$1"
LOADGEN="$(dirname "$H")/hl_loadgen"
[ -x "$LOADGEN" ] || { echo "FAIL: $LOADGEN not built (cmake --build builds it beside hitloop)"; exit 1; }
T="$(mktemp -d)"; PID=""; LPID=""
cleanup() {
  [ -n "$LPID" ] && kill -9 "$LPID" 2>/dev/null
  [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
DB="$T/h.db"
hl() { "$H" --db "$DB" "$@"; }

N=10000
hl project create p --labels pos,neg,neu >/dev/null
python3 - "$T/items.jsonl" "$N" <<'PY'
import random, sys
path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
words = "the a model label item review queue annotator fast slow good bad text data pool".split()
with open(path, "w") as f:
    for i in range(n):
        f.write('{"id":"i%06d","text":"%s"}\n' % (i, " ".join(rng.choice(words) for _ in range(10))))
PY
hl import p "$T/items.jsonl" --detect none >/dev/null
ADMIN=$(hl user add admin --role admin 2>/dev/null)
: >"$T/tokens"
for i in 1 2 3 4 5 6 7 8; do hl user add "ann$i" --role annotator --projects p 2>/dev/null >>"$T/tokens"; done

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$H" --db "$DB" serve --host 127.0.0.1 --port "$PORT" --no-access-log >"$T/serve.out" 2>"$T/serve.err" &
PID=$!
for _ in $(seq 1 100); do grep -q "serving" "$T/serve.out" 2>/dev/null && break; sleep 0.1; done
grep -q "serving" "$T/serve.out" || { cat "$T/serve.err"; fail "serve did not start"; }
python3 - "$PORT" "$ADMIN" "$N" <<'PY'
import http.client, json, sys
port, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
ids = ["i%06d" % i for i in range(n)]
for s in range(0, n, 10000):
    c.request("POST", "/api/v1/projects/p/queue", body=json.dumps({"items": ids[s:s + 10000]}),
              headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse(); body = r.read()
    if r.status != 200: sys.exit("queue: %d %s" % (r.status, body[:300]))
PY
load() {  # load DURATION LEDGER SEED
  "$LOADGEN" --port "$PORT" --project p --labels pos,neg,neu --tokens "$T/tokens" --clients 8 \
    --duration "$1" --ledger "$2" --seed "$3" >/dev/null 2>"$2.err"
}
# Phase A: acknowledged before the backup begins.
load 2 "$T/a.jsonl" 1 || { cat "$T/a.jsonl.err"; fail "load phase A"; }
# Phase B: submits while the backup runs.
load 4 "$T/b.jsonl" 2 &
LPID=$!
sleep 1
start=$(date +%s.%N)
hl db backup "$T/backup.db" >"$T/backup.out" || fail "db backup during load"
end=$(date +%s.%N)
wait "$LPID" || { cat "$T/b.jsonl.err"; fail "load phase B"; }
LPID=""
kill -TERM "$PID"; wait "$PID" || fail "serve exited non-zero on SIGTERM"; PID=""

[ "$(stat -c %a "$T/backup.db")" = 600 ] || fail "backup mode $(stat -c %a "$T/backup.db"), not 600"
if hl db backup "$T/backup.db" 2>"$T/err"; then fail "db backup overwrote a file without --force"; fi
grep -q -- "--force" "$T/err" || { cat "$T/err"; fail "overwrite refusal: unclear error"; }

R="$T/restored.db"
"$H" --db "$R" db restore "$T/backup.db" >/dev/null || fail "db restore into a new path"
"$H" --db "$R" db check >/dev/null || fail "restored database fails db check"
"$H" --db "$R" export p --format jsonl --out "$T/restored.jsonl" 2>/dev/null || fail "export of the restored db"
hl db check >/dev/null || fail "original fails db check after the drill"
hl export p --format jsonl --out "$T/final.jsonl" 2>/dev/null || fail "export of the original"

python3 - "$T" "$start" "$end" <<'PY'
import json, sys
T, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
def labels(path):
    out = {}
    for line in open(path):
        r = json.loads(line)
        if r.get("label") is not None:
            out[r["id"]] = r["label"]
    return out
def acks(path):
    return {(j["item"], j["label"]) for j in map(json.loads, open(path)) if j.get("t") == "ack"}
restored, final = labels(T + "/restored.jsonl"), labels(T + "/final.jsonl")
a, b = acks(T + "/a.jsonl"), acks(T + "/b.jsonl")
assert a, "phase A acknowledged nothing (test premise)"
assert b, "phase B acknowledged nothing: the backup ran without concurrent submits (test premise)"
extra = {k: v for k, v in restored.items() if final.get(k) != v}
assert not extra, "restored labels not in the original's final export: %s" % list(extra.items())[:5]
lost = [(i, l) for i, l in a if restored.get(i) != l]
assert not lost, "acknowledged before the backup but missing from it: %s" % lost[:5]
b_in = sum(1 for i, l in b if restored.get(i) == l)
print("backup drill: %d labels acknowledged before the backup, all restored; %d acknowledged during "
      "phase B (%d of them in the backup); restored %d labels, final %d; backup took %.2f s under load"
      % (len(a), len(b), b_in, len(restored), len(final), end - start))
PY
cat "$T/backup.out"
