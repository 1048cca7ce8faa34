#!/usr/bin/env bash
# The loop from the CLI on a real dataset (SpamAssassin slice): a cold-start cycle queues a seed
# batch and audits and auto-accepts nothing; loop-config validates routing rules; a second cycle
# routes by pool; the report is self-contained HTML with the same numbers as JSON; simulate loop
# writes the summary.json contract.
# usage: loop_cycle.sh HITLOOP SOURCE_DIR
set -euo pipefail
H="$1"; SRC="$2"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
if [ ! -f "$SRC/bench/data/spam/pool.jsonl" ]; then "$SRC/bench/data/fetch.sh" spam >/dev/null; fi
DB="$T/h.db"
hl() { "$H" --db "$DB" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

head -n 600 "$SRC/bench/data/spam/pool.jsonl" | /usr/bin/python3 -c '
import json, sys
for i, line in enumerate(sys.stdin):
    r = json.loads(line); r.pop("label", None)
    r["meta"] = {"domain": "medical" if i % 5 == 0 else "general"}
    print(json.dumps(r))' > "$T/pool.jsonl"
head -n 200 "$SRC/bench/data/spam/test.jsonl" > "$T/gold.jsonl"
hl project create s --labels ham,spam >/dev/null
hl import s "$T/pool.jsonl" >/dev/null
hl import s "$T/gold.jsonl" --split gold >/dev/null

out=$(hl cycle s)
echo "$out" | grep -q "cold start" || fail "first cycle is not a cold start: $out"
echo "$out" | grep -q "at least 161 clean audit labels" || fail "audit cost not shown: $out"
echo "$out" | grep -q "auto-accepted 0 " || fail "cold start auto-accepted something: $out"
hl cycle s --json > "$T/c2.json"
/usr/bin/python3 - "$T/c2.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["cycle"] == 2, r["cycle"]
assert r["auto_accepted"] == 0 and r["min_audits_needed"] == 161, r
assert r["audits_queued"] > 0 and r["queued_review"] > 0, r
PY

echo '{"routing": [{"when": {"meta": {"domain": "medical"}}, "pool": "experts", "overlap": 0}]}' > "$T/bad.json"
if hl loop-config s --set-json "$T/bad.json" 2>"$T/err"; then fail "overlap 0 accepted"; fi
grep -q "overlap" "$T/err" || fail "error does not name the field: $(cat "$T/err")"
echo '{"routing": [{"when": {"meta": {"domain": "medical"}}, "pool": "experts", "overlap": 2}]}' > "$T/ok.json"
hl loop-config s --set-json "$T/ok.json" | grep -q '"experts"' || fail "routing rule not stored"
hl cycle s --json > "$T/c3.json"
/usr/bin/python3 - "$T/c3.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["queued_by_pool"].get("experts", 0) > 0, r["queued_by_pool"]
PY

hl report s --out "$T/r.html" >/dev/null
grep -q "<svg" "$T/r.html" || fail "report has no chart"
hl report s --json | /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); assert len(j["cycles"]) == 3, j["cycles"]'
if hl cycle nosuch 2>/dev/null; then fail "unknown project accepted"; fi

head -n 800 "$SRC/bench/data/spam/pool.jsonl" > "$T/sim_pool.jsonl"
"$H" simulate loop --pool "$T/sim_pool.jsonl" --test "$T/gold.jsonl" --target-precision 0.98 \
  --confidence 0.95 --repeats 2 --seed 3 --out "$T/sim" >/dev/null 2>&1
/usr/bin/python3 - "$T/sim/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for k in ["pool_size", "human_labels", "audit_labels", "human_fraction", "auto_accepted", "final_accuracy",
          "auto_accepted_precision", "estimated_precision_lower_bound", "guarantee_held_fraction", "runs", "cycles"]:
    assert k in s, k
assert s["pool_size"] == 800 and len(s["runs"]) == 2, s["pool_size"]
for r in s["runs"]:
    assert abs(r["human_fraction"] - (r["human_labels"] + r["audit_labels"]) / 800) < 1e-9, r
    assert r["human_labels"] + r["audit_labels"] + r["auto_accepted"] >= 800, r
PY
echo ok
