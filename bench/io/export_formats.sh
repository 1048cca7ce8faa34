#!/usr/bin/env bash
# Export of a large project in every format with a writer: wall time, CPU and peak RSS, at two
# project sizes so "memory does not grow with the project" is measured, not assumed.
#
# usage: bench/io/export_formats.sh [--n 1000000] [--small 100000] [--formats LIST]
# env:   HITLOOP=path/to/hitloop (default: build/hitloop)
#        OUT=dir (default: bench/out/io)
# Data: bench/storage/gen_items.py (~200-byte records, 10% labelled, 30% with a prediction),
# imported once per size with --detect none. Target: every format streams 1M items in <= 30 s
# with a peak RSS that does not grow with the item count.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY=/usr/bin/python3
OUT="${OUT:-$ROOT/bench/out/io}"
N=1000000; SMALL=100000; FORMATS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --n) N="$2"; shift 2 ;;
    --small) SMALL="$2"; shift 2 ;;
    --formats) FORMATS="$2"; shift 2 ;;
    *) echo "export_formats.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
BIN="${HITLOOP:-$ROOT/build/hitloop}"
[ -x "$BIN" ] || { echo "no hitloop binary at $BIN (set HITLOOP)" >&2; exit 2; }
[ -n "$FORMATS" ] || FORMATS="jsonl,csv,label-studio,label-studio-csv,prodigy,doccano"
mkdir -p "$OUT"

echo "# export bench: $(date -u +%FT%TZ) bin=$BIN commit=$(git -C "$ROOT" rev-parse --short HEAD)"
echo "# machine: nproc=$(nproc) mem=$(free -g | awk '/^Mem:/{print $2}')GiB loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
printf "items\tformat\twall_s\tcpu_s\tpeak_rss_mib\tbytes\n"
for n in "$SMALL" "$N"; do
  ITEMS="$OUT/items-$n.jsonl"
  if [ ! -s "$ITEMS" ] || [ ! -s "$ITEMS.labels" ]; then
    "$PY" "$ROOT/bench/storage/gen_items.py" "$ITEMS" --n "$n" >/dev/null
  fi
  DB="$OUT/export-$n.db"
  if [ ! -s "$DB" ]; then
    "$BIN" --db "$DB" project create bench --type single-label --labels "$(cat "$ITEMS.labels")" >/dev/null
    "$BIN" --db "$DB" import bench "$ITEMS" --format jsonl --detect none >/dev/null
  fi
  for f in ${FORMATS//,/ }; do
    tf="$(mktemp)"
    /usr/bin/time -v -o "$tf" "$BIN" --db "$DB" export bench --format "$f" --out "$OUT/export-$n.$f" 2>/dev/null
    "$PY" - "$tf" "$n" "$f" "$(stat -c %s "$OUT/export-$n.$f")" <<'PYEOF'
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1).split(":")
wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(m)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
cpu = sum(float(re.search(r"%s time \(seconds\): (\S+)" % k, t).group(1)) for k in ("User", "System"))
print("%s\t%s\t%.2f\t%.2f\t%.1f\t%s" % (sys.argv[2], sys.argv[3], wall, cpu, rss, sys.argv[4]))
PYEOF
    rm -f "$tf" "$OUT/export-$n.$f"
  done
done
