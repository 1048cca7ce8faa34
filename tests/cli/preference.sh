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
# Active pairs: the unanswered comparisons the model is least sure of are queued for people.
printf '{"id":"u1","prompt":"Greet me","responses":["Hello there, welcome.","Hello, welcome."]}\n{"id":"u2","prompt":"Greet me","responses":["Hello, nice to meet you, friend.","Go away."]}\n{"id":"u3","prompt":"Hi","responses":["Hi, friend.","Hi."]}\n' > "$T/open.jsonl"
hl import old "$T/open.jsonl" > /dev/null
hl reward queue old --n 2 --pool experts --json > "$T/queue.json"
/usr/bin/python3 - "$T/queue.json" <<'PY'
import json, sys
q = json.load(open(sys.argv[1]))
ids = [i["id"] for i in q["items"]]
assert q["queued"] == 2 and set(ids) <= {"u1", "u2", "u3"}, q
assert "u2" not in ids, q                      # the model is sure about the rude one
assert q["items"][0]["margin"] <= q["items"][1]["margin"], q
PY
if hl reward queue old --pool _gold 2>/dev/null; then echo "reserved pool accepted"; exit 1; fi
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
# Several people per item resolved into one order (Bradley-Terry): 3 HH pairs and the 30 g items
# (ann and bob agree on 24; the 6 where they split resolve to a tie and are left out); the own
# record's tie is left out.
hl export old --format trl --aggregate bt --out "$T/agg.jsonl" 2> "$T/err"
grep -q "left out: 7 ties, 0 both bad (items" "$T/err" || { cat "$T/err"; exit 1; }
test "$(wc -l < "$T/agg.jsonl")" = 27
if hl export old --format trl --aggregate mv 2> "$T/err"; then echo "mv accepted on a preference project"; exit 1; fi
grep -q "use bt" "$T/err" || { cat "$T/err"; exit 1; }
if hl export pw --format jsonl --aggregate bt 2>/dev/null >/dev/null; then :; else echo "bt refused on a pairwise project"; exit 1; fi
# Agreement, position bias, the reward model by strength and the disputed prompts.
hl quality old > "$T/q.txt"
grep -q "pair agreement 0.8000 on 30 pairs" "$T/q.txt" || { cat "$T/q.txt"; exit 1; }
grep -q "most disputed prompts" "$T/q.txt" || { cat "$T/q.txt"; exit 1; }
hl quality old --json > "$T/q.json"
/usr/bin/python3 - "$T/q.json" <<'PY'
import json, sys
q = json.load(open(sys.argv[1]))
c = q["criteria"][0]
assert q["kind"] == "preferences" and c["answers"] == 64 and len(c["disputed"]) == 6, c
assert "reward_model" in c and c["reward_model"]["heldout_pairs"] > 0, c
PY
hl quality pw --json > "$T/q2.json"   # two criteria, no answers yet
/usr/bin/python3 -c 'import json,sys; q=json.load(open(sys.argv[1])); assert [c["criterion"] for c in q["criteria"]] == ["harmlessness","helpfulness"], q' "$T/q2.json"
# Label Studio: Pairwise results, the tie counted on stderr (no Pairwise result for it).
hl export old --format label-studio --out "$T/ls.json" 2> "$T/err"
grep -q "1 judgement(s) tie or both bad" "$T/err" || { cat "$T/err"; exit 1; }
/usr/bin/python3 - "$T/ls.json" <<'PY'
import json, sys
tasks = json.load(open(sys.argv[1]))
results = [r for t in tasks for a in t["annotations"] for r in a["result"]]
assert len(tasks) == 37 and len(results) == 63, (len(tasks), len(results))  # 3 unanswered (u1-u3)
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
