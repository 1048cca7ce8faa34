#!/usr/bin/env bash
# Several people per item through the CLI: items, then every person's answers (--format answers),
# `hitloop quality` (text and JSON), the project's aggregation setting, exports of every answer
# (JSONL round trip byte for byte, the answers CSV re-imports), and bad answer files.
set -euo pipefail
H="$1"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
DB="$T/h.db"
hl() { "$H" --db "$DB" "$@"; }
hl project create p --labels ham,spam >/dev/null
printf '{"id":"a","text":"one"}\n{"id":"b","text":"two"}\n{"id":"c","text":"three"}\n{"id":"g","text":"gold","label":"spam","split":"gold"}\n' > "$T/items.jsonl"
hl import p "$T/items.jsonl" --detect none >/dev/null
cat > "$T/answers.csv" <<'CSV'
id,annotator,label,time_ms
a,w1,spam,1200
a,w2,spam,800
a,w3,ham,950
b,w1,ham,
b,w2,ham,
b,w3,ham,
c,w1,spam,
c,w2,ham,
c,w3,spam,
g,w1,spam,
g,w2,ham,
g,w3,spam,
CSV
hl import p "$T/answers.csv" --format answers | grep -q "12 answers stored" || { echo "answers not stored"; exit 1; }
hl import p "$T/answers.csv" --format answers | grep -q "0 answers stored, 12 already present"
hl quality p > "$T/q.txt"
grep -q "Krippendorff's alpha, ordinal" "$T/q.txt" || { cat "$T/q.txt"; exit 1; }
hl quality p --json --min-shared 2 > "$T/q.json"
python3 - "$T/q.json" <<'PY'
import json, sys
q = json.load(open(sys.argv[1]))
assert q["items"] == 4 and q["answers"] == 12 and q["annotators"] == 3, q
a = q["agreement"]
assert a["fleiss_kappa"]["value"] is not None and a["fleiss_kappa"]["lower"] <= a["fleiss_kappa"]["value"] <= a["fleiss_kappa"]["upper"]
assert set(a["krippendorff_alpha"]) == {"nominal", "ordinal", "interval", "ratio"}
assert len(a["cohen_kappa_pairs"]) == 3
w2 = [x for x in q["per_annotator"] if x["annotator"] == "w2"][0]
assert w2["gold"]["answered"] == 1 and w2["gold"]["correct"] == 0, w2
w1 = [x for x in q["per_annotator"] if x["annotator"] == "w1"][0]
assert w1["median_time_ms"] == 1200, w1
assert q["aggregation"]["requested"] == "auto"
PY
# The setting, and an export that follows it.
hl quality p --set-aggregate mv --json >/dev/null
hl quality p --json | grep -q '"requested":"mv"'
hl export p --format jsonl --out "$T/a.jsonl" 2>/dev/null
grep -q '"aggregate":"mv","annotations":\[{"annotator":"w1","label":"spam","source":"human","time_ms":1200}' "$T/a.jsonl" || { cat "$T/a.jsonl"; exit 1; }
grep -q '"confidence":0.6666666666666666,"id":"a","label":"spam"' "$T/a.jsonl"
if hl export p --aggregate vote 2>"$T/err"; then echo "bad --aggregate accepted"; exit 1; fi
grep -q "unknown method 'vote'" "$T/err"
# JSONL round trip, byte for byte.
hl project create q --labels ham,spam >/dev/null
hl import q "$T/a.jsonl" --detect none >/dev/null
hl quality q --set-aggregate mv >/dev/null
hl export q --format jsonl --out "$T/b.jsonl" 2>/dev/null
cmp "$T/a.jsonl" "$T/b.jsonl" || { diff "$T/a.jsonl" "$T/b.jsonl"; exit 1; }
# The answers CSV re-imports into a project with the same items.
hl export p --format answers --out "$T/long.csv" 2>/dev/null
head -1 "$T/long.csv" | grep -qx "id,annotator,label,time_ms,source,resolved_label,method,confidence,answer_id,verdict,reviewer,review_comment,reviewed_at_ms"
[ "$(wc -l < "$T/long.csv")" = 13 ]
hl project create r --labels ham,spam >/dev/null
hl import r "$T/items.jsonl" --detect none >/dev/null
hl import r "$T/long.csv" --format answers | grep -q "12 answers stored"
# Bad answer files: FILE:LINE: field: reason, nothing stored.
before=$(hl status r --json | grep '"annotations"')
printf 'id,annotator,label\na,w9,spam\nzz,w9,spam\n' > "$T/bad1.csv"
if hl import r "$T/bad1.csv" --format answers 2>"$T/err"; then echo "unknown id accepted"; exit 1; fi
grep -q "bad1.csv:3: id: no item 'zz'" "$T/err" || { cat "$T/err"; exit 1; }
printf 'id,annotator,label\na,w9,eggs\n' > "$T/bad2.csv"
if hl import r "$T/bad2.csv" --format answers 2>"$T/err"; then echo "unknown label accepted"; exit 1; fi
grep -q "bad2.csv:2: label: unknown label 'eggs'" "$T/err"
[ "$(hl status r --json | grep '"annotations"')" = "$before" ] || { echo "a bad answers file stored something"; exit 1; }
# Imported answers are reviewed like answers given in the app; a rejected one counts for nothing
# (the resolved label and the export follow the others), every verdict is in every export, and an
# item whose every answer was rejected is exported without a label.
hl quality p --set-aggregate mv >/dev/null
hl user add rita --role reviewer >/dev/null
hl review p --list --annotator w1 --json > "$T/w1.json"
python3 - "$T/w1.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["answers"]
assert sorted(r["item"]["id"] for r in rows) == ["a", "b", "c", "g"], rows
assert all(r["kind"] == "answer" for r in rows), rows
PY
id_of() { python3 -c "import json,sys; print([r['answer'] for r in json.load(open(sys.argv[1]))['answers'] if r['item']['id']==sys.argv[2]][0])" "$T/$1.json" "$2"; }
hl review p --list --annotator w2 --json > "$T/w2.json"
# Item c: w1 spam, w2 ham, w3 spam -> spam; rejecting w1 and w3 leaves w2's ham.
hl review p --reject "$(id_of w1 c)" --comment "c is ham" --as rita | grep -q "rejected answer" || { echo "reject failed"; exit 1; }
hl review p --list --annotator w3 --json > "$T/w3.json"
hl review p --reject "$(id_of w3 c)" --comment "c is ham, really" --as rita >/dev/null
hl review p --approve "$(id_of w2 c)" --as rita >/dev/null
# Item b: every answer (all ham) rejected.
for w in w1 w2 w3; do hl review p --reject "$(id_of $w b)" --comment "b: unreadable" --as rita >/dev/null; done
hl export p --format answers --out "$T/rev.csv" 2>/dev/null
python3 - "$T/rev.csv" <<'PY'
import csv, sys
rows = {(r["id"], r["annotator"]): r for r in csv.DictReader(open(sys.argv[1]))}
c1, c2 = rows[("c", "w1")], rows[("c", "w2")]
assert c1["verdict"] == "reject" and c1["reviewer"] == "rita" and c1["review_comment"] == "c is ham", c1
assert c2["verdict"] == "approve" and c1["resolved_label"] == "ham" and c1["method"] == "mv", (c1, c2)
assert rows[("a", "w1")]["verdict"] == "" and rows[("a", "w1")]["answer_id"] != "", rows[("a", "w1")]
b = rows[("b", "w1")]
assert b["method"] == "none" and b["resolved_label"] == "" and b["confidence"] == "", b
PY
hl export p --format jsonl --out "$T/rev.jsonl" 2>/dev/null
python3 - "$T/rev.jsonl" <<'PY'
import json, sys
recs = {r["id"]: r for r in map(json.loads, open(sys.argv[1]))}
c = recs["c"]
assert c["label"] == "ham", c
assert [a.get("verdict") for a in c["annotations"]] == ["reject", "approve", "reject"], c["annotations"]
assert [r["verdict"] for r in c["reviews"]] == ["reject", "reject", "approve"], c["reviews"]
b = recs["b"]
assert "label" not in b and b["aggregate"] == "none" and len(b["reviews"]) == 3, b
PY
hl quality p --json | python3 -c "
import json,sys; q=json.load(sys.stdin); assert q['rejected_answers'] == 5, q['rejected_answers']
w1=[a for a in q['per_annotator'] if a['annotator']=='w1'][0]; assert w1['rejected'] == 2, w1"
echo "crowd ok"
