#!/usr/bin/env bash
# `hitloop review`: a reviewer lists people's answers (all, one annotator's, a seeded sample, the
# unreviewed ones), approves or rejects one with a comment. A rejected answer goes back to its
# annotator's queue (a rework entry only they can claim); the verdicts are in the exports (JSONL
# "reviews", Label Studio annotation "reviews"); a reviewer cannot review their own answer and an
# annotator cannot review at all.
set -euo pipefail
H="$1"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
db="$T/h.db"

"$H" --db "$db" project create p --labels ham,spam >/dev/null
for i in 0 1 2 3 4 5; do echo "{\"id\": \"i$i\", \"text\": \"text <b>$i</b>\"}"; done > "$T/items.jsonl"
"$H" --db "$db" import p "$T/items.jsonl" >/dev/null
"$H" --db "$db" user add rita --role reviewer >/dev/null
"$H" --db "$db" user add alice --role annotator >/dev/null
# People's answers as the server's submit writes them (the API path is tested in tests/http and
# tests/browser): alice answered i0..i3, bob i4, rita i5.
python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
def answer(ext, who, label):
    item, project = c.execute("SELECT id, project_id FROM items WHERE external_id=?", (ext,)).fetchone()
    c.execute("INSERT INTO annotations(project_id, item_id, labels, source, annotator, time_spent_ms, kind, created_at)"
              " VALUES(?,?,?,?,?,?,?,?)", (project, item, f'["{label}"]', "human", who, 1200, "review", 1000))
    c.execute("UPDATE items SET state='labeled', labels=?, label_source='human', label_annotator=? WHERE id=?",
              (f'["{label}"]', who, item))
for i in range(4): answer(f"i{i}", "alice", "spam")
answer("i4", "bob", "ham")
answer("i5", "rita", "ham")
c.commit()
PY

"$H" --db "$db" review p --list --json > "$T/all.json"
python3 - "$T/all.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
rows = j["answers"]
assert len(rows) == 6, rows
assert [r["annotator"] for r in rows] == ["alice"] * 4 + ["bob", "rita"], rows
assert rows[0]["item"] == {"id": "i0", "text": "text <b>0</b>"}, rows[0]
assert rows[0]["labels"] == ["spam"] and rows[0]["reviews"] == [], rows[0]
PY
"$H" --db "$db" review p --list --annotator bob --json | python3 -c "
import json,sys; r=json.load(sys.stdin)['answers']; assert [a['annotator'] for a in r] == ['bob'], r"
"$H" --db "$db" review p --list --sample 3 --seed 7 --json > "$T/s1.json"
"$H" --db "$db" review p --list --sample 3 --seed 7 --json > "$T/s2.json"
cmp -s "$T/s1.json" "$T/s2.json" || fail "the same seed gave another sample"
python3 -c "import json,sys; assert len(json.load(open(sys.argv[1]))['answers']) == 3" "$T/s1.json"
"$H" --db "$db" review p --list | grep -q "alice" || fail "table listing"

ans() { python3 -c "import json,sys; print([a['answer'] for a in json.load(open(sys.argv[1]))['answers'] if a['item']['id']==sys.argv[2]][0])" "$T/all.json" "$1"; }
A0=$(ans i0); A1=$(ans i1); A5=$(ans i5)

# Refusals: no acting user, an annotator, one's own answer, a reject without a comment.
if "$H" --db "$db" review p --approve "$A0" >/dev/null 2>"$T/err"; then fail "a verdict without --as"; fi
if "$H" --db "$db" review p --approve "$A0" --as alice >/dev/null 2>"$T/err"; then fail "an annotator reviewed"; fi
grep -q "annotator cannot review" "$T/err" || { cat "$T/err"; fail "annotator: unclear error"; }
if "$H" --db "$db" review p --approve "$A5" --as rita >/dev/null 2>"$T/err"; then fail "own answer reviewed"; fi
grep -q "own answer" "$T/err" || { cat "$T/err"; fail "own answer: unclear error"; }
if "$H" --db "$db" review p --reject "$A1" --as rita >/dev/null 2>"$T/err"; then fail "a reject without a comment"; fi
if "$H" --db "$db" review p --approve 999999 --as rita >/dev/null 2>"$T/err"; then fail "an unknown answer"; fi

"$H" --db "$db" review p --approve "$A0" --comment "good" --as rita | grep -q "approved answer $A0" || fail "approve output"
"$H" --db "$db" review p --reject "$A1" --comment 'ham: "<script>alert(1)</script>"' --as rita \
  | grep -q "sent back to its annotator" || fail "reject output"

"$H" --db "$db" review p --list --unreviewed --json | python3 -c "
import json,sys; r=json.load(sys.stdin)['answers']; ids=[a['item']['id'] for a in r]
assert ids == ['i2', 'i3', 'i4', 'i5'], ids"
# The rejected answer waits for alice alone: one open rework entry of kind rework:alice.
python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute("SELECT i.external_id, q.pool, q.kind, q.reason FROM queue q JOIN items i ON i.id=q.item_id"
                 " WHERE q.open=1").fetchall()
assert rows == [("i1", "_rework", "rework:alice", "rework")], rows
PY

"$H" --db "$db" export p --format jsonl --out "$T/out.jsonl" >/dev/null
python3 - "$T/out.jsonl" <<'PY'
import json, sys
recs = {r["id"]: r for r in map(json.loads, open(sys.argv[1]))}
assert "reviews" not in recs["i2"], recs["i2"]
r = recs["i1"]["reviews"]
assert len(r) == 1 and r[0]["verdict"] == "reject" and r[0]["reviewer"] == "rita" and r[0]["annotator"] == "alice", r
assert r[0]["labels"] == ["spam"] and r[0]["comment"] == 'ham: "<script>alert(1)</script>"', r
assert recs["i0"]["reviews"][0]["verdict"] == "approve"
PY
"$H" --db "$db" export p --format label-studio --out "$T/out.json" >/dev/null
python3 - "$T/out.json" <<'PY'
import json, sys
tasks = {t["meta"]["hitloop"]["id"]: t for t in json.load(open(sys.argv[1]))}
ann = tasks["i1"]["annotations"]
assert len(ann) == 1 and ann[0]["reviews"][0]["accepted"] is False and ann[0]["reviews"][0]["created_by"] == "rita", ann
assert tasks["i0"]["annotations"][0]["reviews"][0]["accepted"] is True
assert "reviews" not in tasks["i2"]["annotations"][0]
PY
# The exports still import (the reviews are extra fields).
"$H" --db "$T/copy.db" project create p --labels ham,spam >/dev/null
"$H" --db "$T/copy.db" import p "$T/out.jsonl" >/dev/null || fail "the JSONL export with reviews does not import"
echo OK
