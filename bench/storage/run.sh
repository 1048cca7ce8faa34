#!/usr/bin/env bash
# Storage benchmarks: import / export / status on a 1M-item project, and a kill -9
# crash loop during import.
#
# usage: bench/storage/run.sh [--n 1000000] [--runs 3] [--crash 25] [--seed 42]
#                             [--only import,export,status,crash]
# env:   HITLOOP=path/to/hitloop (default: build-bench/hitloop, built here if missing)
#        COMMIT=the commit HITLOOP was built from (default: this tree's HEAD), for the log
#        OUT=dir (default: bench/out/storage)
# Writes OUT/results.tsv (one line per measurement) and OUT/crash.tsv, and prints a summary.
# Targets: import 1M <= 10 s and <= 1 GiB peak RSS; export 1M <= 5 s; status <= 200 ms;
# after every kill -9 the database opens, integrity_check is ok, and the killed file is wholly
# present or wholly absent.
# Imports run with `--detect none`: this measures storing items. The detectors `hitloop import`
# runs by default afterwards (format, language, boilerplate) are measured in bench/RESULTS.md,
# "Detectors on import".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY=/usr/bin/python3
OUT="${OUT:-$ROOT/bench/out/storage}"
N=1000000; RUNS=3; CRASH=25; SEED=42; ONLY="import,export,status,crash"
while [ $# -gt 0 ]; do
  case "$1" in
    --n) N="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --crash) CRASH="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
want() { [[ ",$ONLY," == *",$1,"* ]]; }

BIN="${HITLOOP:-$ROOT/build-bench/hitloop}"
if [ ! -x "$BIN" ]; then
  cmake -S "$ROOT" -B "$ROOT/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$ROOT/build-bench" hitloop
  BIN="$(find "$ROOT/build-bench" -type f -name hitloop -perm -u+x | head -1)"
fi
mkdir -p "$OUT"
ITEMS="$OUT/items-$N.jsonl"
if [ ! -s "$ITEMS" ] || [ ! -s "$ITEMS.labels" ]; then
  "$PY" "$ROOT/bench/storage/gen_items.py" "$ITEMS" --n "$N"
fi
LABELS="$(cat "$ITEMS.labels")"
DB="$OUT/bench.db"
RES="$OUT/results.tsv"
: > "$RES"

fresh_db() {  # fresh_db PATH: an empty database with the project "bench"
  rm -f "$1" "$1-wal" "$1-shm" "$1-journal"
  "$BIN" --db "$1" project create bench --type single-label --labels "$LABELS" >/dev/null
}

# timev NAME RUN CMD...: runs CMD under /usr/bin/time -v, appends
# "NAME RUN wall_s peak_rss_mib cpu_s(user+sys)" to RES.
timev() {
  local name="$1" run="$2"; shift 2
  local tf; tf="$(mktemp)"
  /usr/bin/time -v -o "$tf" "$@" >/dev/null
  "$PY" - "$tf" "$name" "$run" >>"$RES" <<'PYEOF'
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1).split(":")
wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(m)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
cpu = sum(float(re.search(r"%s time \(seconds\): (\S+)" % k, t).group(1)) for k in ("User", "System"))
print("%s\t%s\t%.3f\t%.1f\t%.3f" % (sys.argv[2], sys.argv[3], wall, rss, cpu))
PYEOF
  tail -1 "$RES"
  rm -f "$tf"
}

status_items() {  # status_items DB -> items count from `hitloop status --json`
  "$BIN" --db "$1" status bench --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["items"])'
}

echo "# storage bench: $(date -u +%FT%TZ) bin=$BIN commit=${COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)}"
echo "# machine: nproc=$(nproc) mem=$(free -g | awk '/^Mem:/{print $2}')GiB cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
echo "# items: $ITEMS ($(wc -l <"$ITEMS") records, $(du -m "$ITEMS" | cut -f1) MiB)"

reuse=no
if ! want import && [ -s "$DB" ] && [ "$(status_items "$DB" 2>/dev/null || echo 0)" = "$N" ]; then
  reuse=yes  # export/status only: the database from an earlier run already holds the N items
fi
if [ "$reuse" = no ] && { want import || want export || want status; }; then
  for r in $(seq 1 "$RUNS"); do
    fresh_db "$DB"
    if want import; then
      timev import "$r" "$BIN" --db "$DB" import bench "$ITEMS" --detect none
    else
      "$BIN" --db "$DB" import bench "$ITEMS" --detect none >/dev/null
    fi
    [ "$r" -lt "$RUNS" ] || break
  done
  got="$(status_items "$DB")"
  [ "$got" = "$N" ] || { echo "run.sh: expected $N items after import, status says $got" >&2; exit 1; }
  echo "db_size_mib	-	$(du -m "$DB" | cut -f1)" | tee -a "$RES"
fi

if want export; then
  for fmt in jsonl csv; do
    for r in $(seq 1 "$RUNS"); do
      timev "export_$fmt" "$r" "$BIN" --db "$DB" export bench --format "$fmt" --out "$OUT/export.$fmt"
    done
    echo "export_${fmt}_lines	-	$(wc -l <"$OUT/export.$fmt")" | tee -a "$RES"
    rm -f "$OUT/export.$fmt"
  done
fi

if want status; then
  for mode in text json; do
    flag=""; [ "$mode" = json ] && flag="--json"
    if command -v hyperfine >/dev/null; then
      hyperfine -N --warmup 3 --runs 20 --export-json "$OUT/status_$mode.json" \
        "$BIN --db $DB status bench $flag" >/dev/null
      "$PY" - "$OUT/status_$mode.json" "status_$mode" >>"$RES" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
# hyperfine keeps only the mean user and system times.
print("%s\tmedian_of_%d\t%.4f\t-\t%.4f(mean)" % (sys.argv[2], len(r["times"]), r["median"],
                                                 r["user"] + r["system"]))
PYEOF
    else
      ts=()
      for r in $(seq 1 20); do
        s=$(date +%s.%N); "$BIN" --db "$DB" status bench $flag >/dev/null; e=$(date +%s.%N)
        ts+=("$(echo "$e - $s" | bc)")
      done
      printf '%s\n' "${ts[@]}" | sort -n | awk -v n="status_$mode" '{a[NR]=$1} END{printf "%s\tmedian_of_%d\t%.4f\t-\n", n, NR, (a[int((NR+1)/2)]+a[int(NR/2)+1])/2}' >>"$RES"
    fi
    tail -1 "$RES"
  done
fi

if want crash; then
  # A project that already holds a committed file A (N/10 items, ids renamed), then a kill -9 at
  # a seeded random moment while importing file B (the N-item file). After each kill: the
  # database opens (hitloop status), PRAGMA integrity_check says ok, A is intact, and B is
  # wholly present or wholly absent (items, labels and pre-labels alike).
  CR="$OUT/crash.tsv"
  A="$OUT/items-a.jsonl"
  head -n $((N / 10)) "$ITEMS" | sed 's/^{"id":"s/{"id":"a/' > "$A"
  NA=$(wc -l <"$A")
  TEMPLATE="$OUT/crash-template.db"
  fresh_db "$TEMPLATE"
  "$BIN" --db "$TEMPLATE" import bench "$A" --detect none >/dev/null
  # Measure one clean import of B on top of A: the kill window and the "present" reference.
  cp "$TEMPLATE" "$OUT/crash-ref.db"
  s=$(date +%s.%N)
  "$BIN" --db "$OUT/crash-ref.db" import bench "$ITEMS" --detect none >/dev/null
  e=$(date +%s.%N)
  T=$(echo "$e - $s" | bc)
  ref="$("$BIN" --db "$OUT/crash-ref.db" status bench --json | "$PY" -c 'import json,sys; j=json.load(sys.stdin); print(j["items"], j["annotations"], j["predictions"])')"
  "$BIN" --db "$TEMPLATE" status bench --json | "$PY" -c 'import json,sys; j=json.load(sys.stdin); print(j["items"], j["annotations"], j["predictions"])' > "$OUT/crash-a.txt"
  base="$(cat "$OUT/crash-a.txt")"
  rm -f "$OUT/crash-ref.db"*
  echo "# crash loop: A=$NA items committed; B=$N items; clean import of B took ${T}s; kills in [0, 1.1*T] (odd runs) and [0.85*T, 1.1*T] (even runs)"
  echo "# reference (items annotations predictions): without B: $base; with B: $ref"
  printf 'run\tkill_after_s\topens\tintegrity\titems\tannotations\tpredictions\tverdict\n' > "$CR"
  fails=0; absent=0; present=0
  # Odd runs kill anywhere in [0, 1.1*T]; even runs aim at the end of the import (commit and
  # fsync), in [0.85*T, 1.1*T].
  delays="$("$PY" -c "import random; r=random.Random($SEED); print(' '.join('%.2f' % (r.uniform(0, 1.1*$T) if i % 2 == 0 else r.uniform(0.85*$T, 1.1*$T)) for i in range($CRASH)))")"
  i=0
  for d in $delays; do
    i=$((i + 1))
    CDB="$OUT/crash.db"
    rm -f "$CDB" "$CDB-wal" "$CDB-shm" "$CDB-journal"
    cp "$TEMPLATE" "$CDB"
    "$BIN" --db "$CDB" import bench "$ITEMS" --detect none >/dev/null 2>&1 &
    pid=$!
    sleep "$d"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    opens=yes; counts="- - -"
    if js="$("$BIN" --db "$CDB" status bench --json 2>/dev/null)"; then
      counts="$(echo "$js" | "$PY" -c 'import json,sys; j=json.load(sys.stdin); print(j["items"], j["annotations"], j["predictions"])')"
    else
      opens=no
    fi
    integ="$(sqlite3 "$CDB" 'PRAGMA integrity_check;' 2>&1 | tr '\n' ' ' | sed 's/ $//')"
    a_ok="$(sqlite3 "$CDB" "SELECT COUNT(*) FROM items WHERE external_id LIKE 'a%';" 2>/dev/null || echo '?')"
    verdict=FAIL
    if [ "$opens" = yes ] && [ "$integ" = ok ] && [ "$a_ok" = "$NA" ]; then
      if [ "$counts" = "$base" ]; then verdict=absent; absent=$((absent + 1))
      elif [ "$counts" = "$ref" ]; then verdict=present; present=$((present + 1))
      fi
    fi
    [ "$verdict" = FAIL ] && fails=$((fails + 1))
    printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$d" "$opens" "$integ" \
      $counts "$verdict" | tee -a "$CR"
  done
  # Recovery: the last killed database takes the same import to completion.
  "$BIN" --db "$CDB" import bench "$ITEMS" --detect none >/dev/null
  after="$("$BIN" --db "$CDB" status bench --json | "$PY" -c 'import json,sys; j=json.load(sys.stdin); print(j["items"], j["annotations"], j["predictions"])')"
  rec=FAIL; [ "$after" = "$ref" ] && rec=ok
  printf 'crash_loop\t%d_runs\t%d_fail\tabsent=%d present=%d recovery_reimport=%s\n' \
    "$CRASH" "$fails" "$absent" "$present" "$rec" | tee -a "$RES"
  rm -f "$CDB"* "$TEMPLATE"* "$A"
fi

echo "# results in $RES"
