#!/usr/bin/env bash
# What the detectors add to `hitloop import` ("rule labelers run on import"): imports the
# same N synthetic ~200-byte items (bench/storage/gen_items.py) with --detect none, each detector
# alone and all three, and prints wall / user CPU seconds and peak RSS per run.
# usage: bench/autolabel/detect_import.sh HITLOOP [N]
set -euo pipefail
H="$(realpath "$1")"; N="${2:-200000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
/usr/bin/python3 "$ROOT/bench/storage/gen_items.py" "$T/items.jsonl" --n "$N" >/dev/null
LABELS="$(cat "$T/items.jsonl.labels")"
echo "items $N; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
printf '%-12s %8s %8s %10s %12s\n' detect wall_s user_s rss_MiB items_per_s
for mode in none format language boilerplate all; do
  rm -f "$T"/h.db*
  "$H" --db "$T/h.db" project create b --labels "$LABELS" >/dev/null
  /usr/bin/time -f "%e %U %M" -o "$T/time" "$H" --db "$T/h.db" import b "$T/items.jsonl" --detect "$mode" >/dev/null
  read -r wall user rss < "$T/time"
  if [ "$mode" = none ]; then base_wall=$wall; fi
  rate=$(/usr/bin/python3 -c "w=$wall-$base_wall; print(round($N/w) if w > 0 else '-')")
  printf '%-12s %8s %8s %10s %12s\n' "$mode" "$wall" "$user" "$((rss / 1024))" "$rate"
done
echo "(items_per_s: N / (wall - wall of --detect none), i.e. the detectors' own throughput)"
