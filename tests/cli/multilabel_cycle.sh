#!/usr/bin/env bash
# A multi-label project through the loop from the CLI, on real lines (tests/data/multilabel/README.md:
# Brown-corpus sentences with the grammatical features their hand-assigned tags show): import 200
# labelled and 100 unlabelled sentences, run a cycle; it trains one model per label (no cold start),
# stores each item's predicted label set with per-label probabilities as its pre-label, queues
# reviews and audits, auto-accepts nothing without audits, and writes a multi-label cycle record.
# Then `simulate loop --multi-label` writes its summary.
# usage: multilabel_cycle.sh HITLOOP SOURCE_DIR
set -euo pipefail
H="$1"; SRC="$2"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
DATA="$SRC/tests/data/multilabel/brown_tags_300.jsonl"
DB="$T/h.db"
hl() { "$H" --db "$DB" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

head -n 200 "$DATA" > "$T/labelled.jsonl"
tail -n 100 "$DATA" | /usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line); r.pop("labels", None); print(json.dumps(r))' > "$T/unlabelled.jsonl"
hl project create m --type multi-label --labels past,modal,proper-noun,number,negation >/dev/null
hl import m "$T/labelled.jsonl" >/dev/null
hl import m "$T/unlabelled.jsonl" >/dev/null

hl cycle m --json > "$T/c1.json" || fail "cycle refused the multi-label project: $(cat "$T/c1.json")"
/usr/bin/python3 - "$T/c1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["multi_label"] is True, r
assert r["cold_start"] is False, r
assert r["training_size"] == 200, r["training_size"]
assert [c["label"] for c in r["classes"]] == ["past", "modal", "proper-noun", "number", "negation"], r["classes"]
assert all(c["training"] > 0 for c in r["classes"]), r["classes"]
assert r["auto_accepted"] == 0, r          # no audits yet: nothing certified
assert r["queued_review"] > 0 and r["audits_queued"] > 0, r
assert r["model_path"].endswith(".label0.model"), r["model_path"]
PY

hl export m --format jsonl --out "$T/out.jsonl" >/dev/null
/usr/bin/python3 - "$T/out.jsonl" <<'PY'
import json, sys
labels = ["past", "modal", "proper-noun", "number", "negation"]
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "labels" in r or "label" in r:
        continue  # people's labels
    p = r["prediction"]
    d = p["distribution"]
    assert len(d) == 5 and all(0 <= x <= 1 for x in d), p
    chosen = [l for l, x in zip(labels, d) if x >= 0.5] or [labels[d.index(max(d))]]
    assert p["label"] == ",".join(chosen), p
    n += 1
assert n == 100, n
PY
hl status m >/dev/null
# The export (predicted sets as "past,number") imports again into a multi-label project.
hl project create m2 --type multi-label --labels past,modal,proper-noun,number,negation >/dev/null
hl import m2 "$T/out.jsonl" >/dev/null 2>"$T/reimport.err" || fail "re-import of the export: $(cat "$T/reimport.err")"

"$H" simulate loop --multi-label --pool "$DATA" --repeats 1 --seed 3 --batch 20 --max-cycles 3 \
  --out "$T/sim" >/dev/null 2>&1 || fail "simulate loop --multi-label failed"
/usr/bin/python3 - "$T/sim/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["multi_label"] is True and s["pool_size"] == 300, s
assert 0 < s["human_fraction"] <= 1.5, s["human_fraction"]
assert 0 <= s["final_exact_match"] <= 1, s
assert len(s["runs"]) == 1 and s["runs"][0]["cycles"] <= 3, s["runs"]
PY
echo ok
