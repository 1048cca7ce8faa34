#!/usr/bin/env bash
# `hitloop item quarantine|delete|restore`: an admin takes items out of a project. A project
# stopped by an item that breaks every cycle (a vector of another length, written by an older
# build's import) runs again once the item is quarantined; quarantined items stay in the export,
# deleted ones leave it; an unknown id changes nothing.
set -euo pipefail
H="$1"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
db="$T/h.db"

"$H" --db "$db" project create p --labels ham,spam >/dev/null
python3 - "$T/items.jsonl" <<'PY'
import json, random, sys
random.seed(1)
ham = "meeting agenda report lunch project minutes budget team".split()
spam = "winner prize casino lottery cheap offer click free".split()
with open(sys.argv[1], "w") as f:
    for i in range(200):
        y = i % 2
        words = " ".join(random.choice(spam if y else ham) for _ in range(6))
        rec = {"id": f"i{i}", "text": words, "vector": [0.5, 0.25, float(y), 1.0]}
        if i < 60:
            rec["label"] = "spam" if y else "ham"
        f.write(json.dumps(rec) + "\n")
PY
"$H" --db "$db" import p "$T/items.jsonl" >/dev/null
# An older build's import stored a 3-dimensional vector among the 4-dimensional ones.
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE items SET vector=zeroblob(12) WHERE external_id='i150'\"); c.commit()" "$db"
if "$H" --db "$db" cycle p >/dev/null 2>"$T/err"; then fail "cycle ran with mixed vector lengths (test premise)"; fi

# Unknown ids: all or nothing.
if "$H" --db "$db" item quarantine p i150 nope >/dev/null 2>"$T/err"; then fail "unknown id accepted"; fi
grep -q "nope" "$T/err" || { cat "$T/err"; fail "unknown id: unclear error"; }
"$H" --db "$db" status p --json | python3 -c "import json,sys; assert json.load(sys.stdin)['quarantined'] == 0"

"$H" --db "$db" item quarantine p i150 | grep -q "quarantined 1 item" || fail "quarantine output"
"$H" --db "$db" cycle p >/dev/null || fail "the cycle still fails after the quarantine"
"$H" --db "$db" status p --json | python3 -c "
import json,sys; s=json.load(sys.stdin); assert s['quarantined'] == 1 and s['items'] == 199, s"
"$H" --db "$db" export p --format jsonl --out "$T/out.jsonl" >/dev/null
grep -q '"id":"i150"' "$T/out.jsonl" || grep -q '"id": "i150"' "$T/out.jsonl" || fail "quarantined item not exported"

"$H" --db "$db" item delete p i150 i3 | grep -q "deleted 2 items" || fail "delete output"
"$H" --db "$db" export p --format jsonl --out "$T/out2.jsonl" >/dev/null
if grep -qE '"id": ?"(i150|i3)"' "$T/out2.jsonl"; then fail "deleted item exported"; fi
[ "$(wc -l < "$T/out2.jsonl")" = 198 ] || fail "export has $(wc -l < "$T/out2.jsonl") lines, not 198"
if "$H" --db "$db" item restore p i3 >/dev/null 2>"$T/err"; then fail "a deleted item was restored"; fi
grep -q "deleted" "$T/err" || { cat "$T/err"; fail "restore of a deleted item: unclear error"; }
"$H" --db "$db" cycle p >/dev/null || fail "cycle after delete"
python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
n = c.execute("SELECT COUNT(*) FROM queue q JOIN items i ON i.id=q.item_id WHERE q.open=1 AND i.hold IS NOT NULL").fetchone()[0]
assert n == 0, f"{n} open queue entries for held items"
t = c.execute("SELECT text FROM items WHERE external_id='i3'").fetchone()[0]
assert t == "", "deleted item kept its text"
PY
echo OK
