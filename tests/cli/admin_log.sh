#!/usr/bin/env bash
# `hitloop log`: the admin action log from the command line. Every admin change made with the CLI
# (project create, add-label, user add/disable/rotate-token, item quarantine/restore, quality
# --set-aggregate/--clear-flag, import, cycle) is an entry with actor cli:LOGIN; a change that
# fails (an unknown item id: all or none; a bad file) leaves none; NAME, --actor, --limit and
# --json select and shape it.
set -euo pipefail
H="$1"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
hl() { USER=ops "$H" --db "$T/h.db" "$@"; }

hl project create p --labels ham,spam >/dev/null
hl project create q --labels a,b >/dev/null
printf '{"id":"x1","text":"one"}\n{"id":"x2","text":"two"}\n' >"$T/items.jsonl"
hl import p "$T/items.jsonl" --detect none >/dev/null
printf '{"id":"x3","text":"three"}\n{"id":' >"$T/bad.jsonl"
if hl import p "$T/bad.jsonl" --detect none >/dev/null 2>&1; then fail "a malformed file was imported"; fi
hl project add-label p eggs >/dev/null
hl user add ann --role annotator --projects p >/dev/null 2>&1
hl user rotate-token ann >/dev/null 2>&1
hl user disable ann >/dev/null
hl item quarantine p x1 >/dev/null
if hl item quarantine p x2 nope >/dev/null 2>&1; then fail "an unknown id was accepted"; fi
hl item restore p x1 >/dev/null
hl quality p --set-aggregate mv >/dev/null
if hl cycle q >/dev/null 2>&1; then fail "a cycle of a project without items succeeded"; fi
hl cycle p >/dev/null

hl log >"$T/all.tsv"
cut -f3,4,5,6 "$T/all.tsv" >"$T/got.tsv"
cat >"$T/want.tsv" <<'TSV'
cli:ops	project.create	p	p
cli:ops	project.create	q	q
cli:ops	import	p	jsonl
cli:ops	label.add	p	eggs
cli:ops	user.create	-	ann
cli:ops	user.rotate-token	-	ann
cli:ops	user.disable	-	ann
cli:ops	items.quarantine	p	1 items
cli:ops	items.restore	p	1 items
cli:ops	project.config	p	aggregate
cli:ops	cycle	p	1
TSV
diff "$T/want.tsv" "$T/got.tsv" || fail "hitloop log lists other entries (above: want, got)"
[ "$(hl log q | wc -l)" = 1 ] || fail "hitloop log q lists $(hl log q | wc -l) entries"
[ "$(hl log --limit 2 | cut -f4 | tr '\n' ' ')" = "project.config cycle " ] || fail "--limit 2"
[ -z "$(hl log --actor root)" ] || fail "--actor root lists cli entries"
hl log p --json --limit 10 | python3 -c '
import json, sys
e = [json.loads(l) for l in sys.stdin if json.loads(l)["action"] == "import"]
assert len(e) == 1, e
assert e[0]["detail"] == {"file": "items.jsonl", "records": 2, "inserted": 2, "existing": 0, "labels": 0,
                          "predictions": 0, "rejected": 0}, e
' || fail "--json of the import"
hl log p --json --limit 1 | python3 -c '
import json, sys
e = json.loads(sys.stdin.readline())
assert e["action"] == "cycle" and e["detail"]["cycle"] == 1 and "audits_queued" in e["detail"], e
' || fail "--json of the cycle"
hl log p --json --limit 2 | head -1 | python3 -c '
import json, sys
e = json.loads(sys.stdin.readline())
assert e["action"] == "project.config" and e["detail"] == {"aggregate": "mv"} and e["actor"] == "cli:ops", e
' || fail "--json"
if hl log nosuch >/dev/null 2>&1; then fail "hitloop log of an unknown project succeeded"; fi
echo "admin log ok"
