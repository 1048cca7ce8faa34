#!/usr/bin/env bash
# CLI contract for bad input: exit code, FILE:LINE: field: reason on stderr, nothing stored;
# --skip-bad stores the good ones.
set -euo pipefail
H="$1"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
DB="$T/h.db"
hl() { "$H" --db "$DB" "$@"; }
hl project create p --labels ham,spam >/dev/null
printf '{"id":"a","text":"ok"}\n{"id":"b","text":"x","label":"eggs"}\n' > "$T/bad.jsonl"
if hl import p "$T/bad.jsonl" 2> "$T/err"; then echo "bad import succeeded"; exit 1; fi
grep -q "bad.jsonl:2: label: unknown label 'eggs'" "$T/err" || { cat "$T/err"; exit 1; }
hl status p --json | grep -q '"items": 0' || { echo "bad file left items behind"; exit 1; }
hl import p "$T/bad.jsonl" --skip-bad "$T/rejects.jsonl" >/dev/null
hl status p --json | grep -q '"items": 1'
grep -q '"line":2' "$T/rejects.jsonl"
# unknown project, unknown format
if hl import nope "$T/bad.jsonl" 2>/dev/null; then exit 1; fi
if hl import p "$T/bad.txt" 2>/dev/null; then exit 1; fi
if hl project create p --labels x 2>/dev/null; then echo "duplicate project accepted"; exit 1; fi
echo "import errors ok"
