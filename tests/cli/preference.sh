#!/usr/bin/env bash
# CLI contract for preference projects: create (pairwise, its old name, ranking), import HH-RLHF /
# TRL / own records, reward train + score, TRL and Label Studio export with ties counted, errors
# with FILE:LINE.
set -euo pipefail
H="$1"
SRC="$2"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
DB="$T/h.db"
hl() { "$H" --db "$DB" "$@"; }
# (outputs go to files before grep: `grep -q` closing a pipe early is SIGPIPE under pipefail)
hl project create pw --type pairwise --criteria harmlessness,helpfulness > "$T/out"
grep -q "pairwise-preference, 2 criteria" "$T/out"
hl project create old --type pairwise-preference >/dev/null
hl project create rk --type ranking >/dev/null
if hl project create bad --type ranking --labels a 2>/dev/null; then echo "--labels accepted on ranking"; exit 1; fi
if hl project create bad2 --criteria a 2>/dev/null; then echo "--criteria accepted on single-label"; exit 1; fi

# HH-RLHF pairs (implicit prompt) plus own records with several annotators.
hl import old "$SRC/tests/data/preference/hh_sample.jsonl" --detect none > "$T/out"
grep -q "3 new" "$T/out"
{
  for i in $(seq 1 30); do
    printf '{"id":"g%d","prompt":"How do I greet someone?","responses":["Hello, nice to meet you, friend %d.","Go away %d."],"answers":[{"annotator":"ann","preference":"A"},{"annotator":"bob","preference":"%s"}]}\n' \
      "$i" "$i" "$i" "$([ $((i % 5)) = 0 ] && echo B || echo A)"
  done
  printf '{"id":"t1","prompt":"x","responses":["same","other"],"preference":"tie"}\n'
} > "$T/own.jsonl"
hl import old "$T/own.jsonl" > "$T/out"
grep -q "31 new" "$T/out"
hl reward train old --holdout 0.2 --seed 3 > "$T/train.txt"
grep -q "held-out pair accuracy" "$T/train.txt" || { cat "$T/train.txt"; exit 1; }
grep -q "inter-annotator agreement    0.8000 on 30 pairs" "$T/train.txt" || { cat "$T/train.txt"; exit 1; }
test -s "$DB.models/old/reward.hlrm"
printf '{"id":"n1","prompt":"Greet me","responses":["Hello, nice to meet you.","Go away."]}\n' > "$T/new.jsonl"
hl reward score old "$T/new.jsonl" --out "$T/rewards.jsonl" 2>/dev/null
/usr/bin/python3 - "$T/rewards.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 1 and rows[0]["id"] == "n1" and len(rows[0]["rewards"]) == 2, rows
assert rows[0]["rewards"][0] > rows[0]["rewards"][1], rows   # the polite greeting wins
PY
# A corrupted model file is refused.
cp "$DB.models/old/reward.hlrm" "$T/m.hlrm"
printf 'X' | dd of="$T/m.hlrm" bs=1 seek=100 conv=notrunc 2>/dev/null
if hl reward score old "$T/new.jsonl" --model "$T/m.hlrm" 2> "$T/err"; then echo "corrupt model loaded"; exit 1; fi
grep -q "checksum" "$T/err" || { cat "$T/err"; exit 1; }

# TRL export: ties left out and counted.
hl export old --format trl --out "$T/trl.jsonl" 2> "$T/err"
grep -q "left out: 1 ties, 0 both bad" "$T/err" || { cat "$T/err"; exit 1; }
test "$(wc -l < "$T/trl.jsonl")" = 63    # 3 HH + 60 own answers
hl export old --format trl-kto > "$T/kto.jsonl" 2>/dev/null
head -1 "$T/kto.jsonl" | grep -q '"label":true'
if hl export old --format csv 2>/dev/null; then echo "csv export of a preference project"; exit 1; fi
# Label Studio: Pairwise results, the tie counted on stderr (no Pairwise result for it).
hl export old --format label-studio --out "$T/ls.json" 2> "$T/err"
grep -q "1 judgement(s) tie or both bad" "$T/err" || { cat "$T/err"; exit 1; }
/usr/bin/python3 - "$T/ls.json" <<'PY'
import json, sys
tasks = json.load(open(sys.argv[1]))
results = [r for t in tasks for a in t["annotations"] for r in a["result"]]
assert len(tasks) == 34 and len(results) == 63, (len(tasks), len(results))
assert all(r["type"] == "pairwise" and r["value"]["selected"] in ("left", "right") for r in results)
PY

# Bad input: FILE:LINE: field, nothing stored.
printf '{"prompt":"p","responses":["a","b"]}\n{"prompt":"p","responses":["a","b","c"]}\n' > "$T/bad.jsonl"
if hl import pw "$T/bad.jsonl" 2> "$T/err"; then echo "bad import succeeded"; exit 1; fi
grep -q "bad.jsonl:2: responses: a pairwise project compares exactly 2" "$T/err" || { cat "$T/err"; exit 1; }
hl status pw --json | grep -q '"items": 0'
hl import rk "$T/bad.jsonl" > "$T/out"
grep -q "2 new" "$T/out"
echo "preference ok"
