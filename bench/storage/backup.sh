#!/usr/bin/env bash
# Backup and restore timings on a project of N items (bench/storage/gen_items.py, 10% labelled,
# 30% pre-labelled) after one `hitloop cycle` (a prediction for every item):
#   hitloop db backup (copy + integrity_check of the copy), the same with --no-verify,
#   SQLite's VACUUM INTO on the same file (the alternative to the backup API, for comparison),
#   hitloop db check, hitloop db restore into a new path and over an existing database (--force).
# Each is run RUNS times; prints wall and CPU (user+sys) seconds per run and the medians.
# usage: bench/storage/backup.sh HITLOOP [--n 100000] [--runs 3]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
H="$(realpath "$1")"; shift
N=100000; RUNS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --n) N="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    *) echo "backup.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
W="$(mktemp -d /tmp/hitloop-backup-bench-XXXXXX)"
trap 'rm -rf "$W"' EXIT
DB="$W/h.db"
python3 "$ROOT/bench/storage/gen_items.py" "$W/items.jsonl" --n "$N" >/dev/null 2>&1
"$H" --db "$DB" project create bench --labels "$(cat "$W/items.jsonl.labels")" >/dev/null
"$H" --db "$DB" import bench "$W/items.jsonl" --detect none >/dev/null
"$H" --db "$DB" cycle bench >/dev/null
echo "# $N items, database $(stat -c %s "$DB") bytes; load average $(cut -d' ' -f1-3 /proc/loadavg)"
# time_it NAME CMD...: one line "NAME wall_s cpu_s"
time_it() {
  local name="$1"; shift
  /usr/bin/time -f "$name %e %U %S" -o "$W/t" "$@" >/dev/null 2>"$W/err" || { cat "$W/err"; exit 1; }
  awk '{printf "%s\t%.2f\t%.2f\n", $1, $2, $3 + $4}' "$W/t" | tee -a "$W/all.tsv"
}
for r in $(seq 1 "$RUNS"); do
  rm -f "$W"/b.db* "$W"/v.db* "$W"/r.db*
  time_it backup "$H" --db "$DB" db backup "$W/b.db"
  time_it backup_no_verify "$H" --db "$DB" db backup "$W/b.db" --force --no-verify
  time_it vacuum_into sqlite3 "$DB" "VACUUM INTO '$W/v.db'"
  time_it check "$H" --db "$DB" db check
  time_it restore_new "$H" --db "$W/r.db" db restore "$W/b.db"
  time_it restore_force "$H" --db "$W/r.db" db restore "$W/b.db" --force
done
echo "# sizes: backup $(stat -c %s "$W/b.db") bytes, VACUUM INTO $(stat -c %s "$W/v.db") bytes"
echo "# medians over $RUNS runs (wall s, CPU s):"
python3 - "$W/all.tsv" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    k, w, c = line.split()
    rows.setdefault(k, []).append((float(w), float(c)))
for k, v in rows.items():
    print("%s\t%.2f\t%.2f" % (k, statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)))
PY
