#!/usr/bin/env bash
# Soak: C annotators for M minutes against one `hitloop serve`, a `hitloop cycle` every K seconds,
# the server's memory sampled throughout; then the ledger checks (issue 18's reliability target:
# 200 clients x 60 minutes, a cycle every 5 minutes: 0 lost, 0 duplicated, 0 double, 0 5xx,
# memory flat).
# Usage: bench/server/soak.sh <hitloop-binary> [--clients 200] [--minutes 60] [--cycle-every 300]
#                             [--items N] [--rate R] [--review-batch B] [--sample-every 10]
#                             [--max-rss-growth 0.05] [--setup-cache DIR]
#   full:  bench/server/soak.sh build/hitloop                      (200 x 60 min, ~65 min in all)
#   short: bench/server/soak.sh build/hitloop --clients 20 --minutes 1 --cycle-every 20   (~2 min)
#
# 1. Set-up by run.sh (--queue-sql): project "load" (labels pos,neg,neu), N items all queued for
#    people, C annotators; 10 s of labelling at the soak's rate so the first cycle has labels.
#    The loop config keeps B review entries queued per cycle (`review_batch`, default: 1.2 x the
#    claims offered between two cycles), so the clients never run dry and every cycle re-ranks
#    and re-queues the pool while they work.
# 2. A fresh `hitloop serve` on a copy of that database (C + 32 threads), and hl_loadgen
#    (loadgen.py --cc) running the C clients for the whole M minutes: each claims, then submits
#    (90%, with an Idempotency-Key), skips (5%) or releases (5%).
# 3. `hitloop cycle load` in its own process at K, 2K, 3K, ... seconds (while t < M minutes; a cycle
#    that outlasts K delays the next, which then starts at once). Each one's start, wall time and
#    exit status go to $WORK/cycles.csv (logs in $WORK/cycle.N.*); every cycle must exit 0.
# 4. Every S seconds the server's /proc/PID/status (VmRSS, RssAnon, RssFile, RssShmem, VmHWM,
#    Threads), its CPU seconds and the 1-minute load average go to $WORK/rss.csv.
# 5. At the end loadgen.py's ledger checks (0 double assignments, 0 items answered twice through
#    two entries (second opinions on audits and adjudications excepted), 0 acknowledged labels lost,
#    0 items with duplicated labels, 0 queue entries over their overlap, 0 5xx, PRAGMA
#    quick_check ok), no 5xx in the server's log, and `hitloop db check` on the stopped database.
#
# RSS growth = mean VmRSS over the last sixth of the run / mean VmRSS over its second sixth - 1,
# i.e. for 60 minutes: mean of minutes 50-60 / mean of minutes 10-20 - 1. The first sixth (10 of 60
# minutes) is the warm-up: the SQLite page caches of the server's connections fill to their
# cache_size, the C + 32 worker threads touch their stacks and malloc arenas, the scope caches fill,
# and the first cycle (at 5 minutes) runs; none of that is a leak. Both windows hold whole cycle
# periods (two 5-minute periods each) so neither is biased by where the cycles fall. The check:
# growth <= --max-rss-growth (0.05), judged only in runs of 30 minutes or more (windows of 5 minutes
# or more); a shorter run prints the figure with "rss_judged": false: its windows (10 s in a
# 1-minute run) hold the warm-up itself and say that the sampling works, not that memory is flat.
#
# --rate R: claims/s offered in total (hl_loadgen's paced schedule; default C/2, one claim per
# client every 2 s, a fast human). A closed loop (--rate 0, ~2,000 round trips/s here) would label
# ~7M items an hour: a project that size makes each cycle outlast 5 minutes, and the ledger and
# its check would need gigabytes. This is a soak for correctness and memory, not throughput
# (bench/server/run.sh measures that).
# Work files stay in $BENCH_DIR if set (else a temporary folder, removed at the end).
# Prints one JSON summary line (stdout); exit 1 if any check failed, 2 on usage errors.
set -euo pipefail
HITLOOP=$(realpath "${1:?usage: soak.sh <hitloop-binary> [--clients C] [--minutes M] [--cycle-every K] [--items N]}")
shift
CLIENTS=200
MINUTES=60
CYCLE_EVERY=300
ITEMS=""
RATE=""
BATCH=""
SAMPLE_EVERY=10
MAX_GROWTH=0.05
CACHE_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) CLIENTS=$2; shift 2 ;;
    --minutes) MINUTES=$2; shift 2 ;;
    --cycle-every) CYCLE_EVERY=$2; shift 2 ;;
    --items) ITEMS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --review-batch) BATCH=$2; shift 2 ;;
    --sample-every) SAMPLE_EVERY=$2; shift 2 ;;
    --max-rss-growth) MAX_GROWTH=$2; shift 2 ;;
    --setup-cache) CACHE_ARGS=(--setup-cache "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
DURATION=$(python3 -c "print(int(round($MINUTES * 60)))")
[ -n "$RATE" ] || RATE=$(python3 -c "print($CLIENTS / 2)")
if [ -z "$BATCH" ]; then
  if [ "$RATE" = 0 ]; then echo "soak.sh: --rate 0 (closed loop) needs --review-batch" >&2; exit 2; fi
  BATCH=$(python3 -c "import math; print(max(100, math.ceil(1.2 * $RATE * $CYCLE_EVERY)))")
fi
# Enough items that the pool still holds a full batch at the last cycle: what the run and its
# set-up can label (+30%), one batch, and 20,000 for the set-up's 10 s.
[ -n "$ITEMS" ] || ITEMS=$(python3 -c "import math; print(max(20000, math.ceil(1.3 * $RATE * ($DURATION + 10)) + $BATCH + 20000))")
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/server/common.sh
. "$HERE/common.sh"
resolve_loadgen soak.sh cc "$HITLOOP" --rate "$RATE"
WORK=${BENCH_DIR:-$(mktemp -d /tmp/hitloop-soak-XXXXXX)}
mkdir -p "$WORK/seed"
SERVER_PID=""
LOADGEN_PID=""
SAMPLER_PID=""
cleanup() {
  [ -z "$SAMPLER_PID" ] || kill "$SAMPLER_PID" 2>/dev/null || true
  [ -z "$LOADGEN_PID" ] || kill "$LOADGEN_PID" 2>/dev/null || true
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  [ -n "${BENCH_DIR:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
# Times in ms since the epoch, in the shell (no process per reading: the machine may be loaded).
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
elapsed() { local ms=$(($(now_ms) - T0)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

echo "soak: $CLIENTS clients x $MINUTES min, a cycle every ${CYCLE_EVERY}s, $RATE claims/s offered," \
  "$ITEMS items, review_batch $BATCH; load average $(cut -d' ' -f1-3 /proc/loadavg); work in $WORK" >&2
BENCH_DIR="$WORK/seed" "$HERE/run.sh" "$HITLOOP" --items "$ITEMS" --clients "$CLIENTS" --duration 10 \
  --queue-sql --rate "$RATE" "${CACHE_ARGS[@]}" >"$WORK/seed.json" 2>"$WORK/seed.err" \
  || { echo "soak.sh: set-up (run.sh) failed:" >&2; cat "$WORK/seed.err" "$WORK/seed.json" >&2; exit 1; }
DB="$WORK/soak.db"
cp "$WORK/seed/load.db" "$DB"
cp "$WORK/seed/tokens" "$WORK/tokens"
echo "{\"review_batch\": $BATCH}" >"$WORK/loop.json"
"$HITLOOP" --db "$DB" loop-config load --set-json "$WORK/loop.json" >/dev/null

PORT=$(free_port)
serve_sqlite "$HITLOOP" "$DB" "$PORT" $((CLIENTS + 32)) "$WORK/serve"
CPU0=$(cpu_s "$SERVER_PID")
T0=$(now_ms)
(
  echo "t_s,vmrss_kb,rss_anon_kb,rss_file_kb,rss_shmem_kb,vmhwm_kb,threads,server_cpu_s,load1"
  while [ -r "/proc/$SERVER_PID/status" ]; do
    row=$(awk '/^(VmRSS|RssAnon|RssFile|RssShmem|VmHWM|Threads):/ {v[$1] = $2}
               END {printf "%s,%s,%s,%s,%s,%s", v["VmRSS:"], v["RssAnon:"], v["RssFile:"], v["RssShmem:"],
                    v["VmHWM:"], v["Threads:"]}' "/proc/$SERVER_PID/status") || break
    echo "$(elapsed),$row,$(cpu_s "$SERVER_PID"),$(cut -d' ' -f1 /proc/loadavg)"
    sleep "$SAMPLE_EVERY"
  done
) >"$WORK/rss.csv" 2>/dev/null &
SAMPLER_PID=$!
rm -f "$WORK/cycles.done"
python3 "$HERE/loadgen.py" --port "$PORT" --project load --labels pos,neg,neu --tokens "$WORK/tokens" \
  --clients "$CLIENTS" --duration "$DURATION" --db "$DB" "${LOADGEN_ARGS[@]}" --ledger "$WORK/ledger.jsonl" \
  --wait-file "$WORK/cycles.done" >"$WORK/loadgen.json" 2>"$WORK/loadgen.err" &
LOADGEN_PID=$!

# The cycles, in this shell, while the clients work.
echo "n,start_s,wall_s,exit" >"$WORK/cycles.csv"
n=1
while [ $((n * CYCLE_EVERY)) -lt "$DURATION" ]; do
  wait_ms=$((T0 + n * CYCLE_EVERY * 1000 - $(now_ms)))
  [ "$wait_ms" -le 0 ] || sleep "$((wait_ms / 1000)).$(printf '%03d' $((wait_ms % 1000)))"
  start_ms=$(now_ms)
  [ $((start_ms - T0)) -lt $((DURATION * 1000)) ] || break
  start=$(elapsed)
  set +e
  "$HITLOOP" --db "$DB" cycle load >"$WORK/cycle.$n.out" 2>"$WORK/cycle.$n.err"
  rc=$?
  set -e
  wall_ms=$(($(now_ms) - start_ms))
  wall=$((wall_ms / 1000)).$((wall_ms % 1000 / 100))
  echo "$n,$start,$wall,$rc" >>"$WORK/cycles.csv"
  echo "cycle $n at +${start}s: ${wall}s, exit $rc; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  n=$((n + 1))
done
touch "$WORK/cycles.done"
set +e
wait "$LOADGEN_PID"
loadgen_rc=$?
set -e
LOADGEN_PID=""
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
CPU1=$(cpu_s "$SERVER_PID")
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
log_5xx=$(grep -c '"status":5' "$WORK/serve.err" || true)
db_check=ok
"$HITLOOP" --db "$DB" db check >"$WORK/db_check.out" 2>&1 || db_check="FAILED: $(tail -3 "$WORK/db_check.out" | tr '\n' ' ')"
grep -h "writer ran" "$WORK/serve.err" >&2 || true
[ "$loadgen_rc" -eq 0 ] || cat "$WORK/loadgen.err" >&2

python3 - "$WORK" "$DURATION" "$MAX_GROWTH" "$loadgen_rc" "$log_5xx" "$db_check" \
  "$(python3 -c "print(round($CPU1 - $CPU0, 1))")" "$LOAD_END" <<'PY'
import csv, json, sys
work, duration, max_growth = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
loadgen_rc, log_5xx, db_check, server_cpu, load_end = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7], sys.argv[8]
failures = []
try:
    lg = json.loads(open(work + "/loadgen.json").read().strip().splitlines()[-1])
except (OSError, ValueError, IndexError) as e:
    lg = {"failures": ["no loadgen summary: %s" % e]}
failures += ["ledger: " + f for f in lg.get("failures", [])]
if loadgen_rc and not lg.get("failures"):
    failures.append("loadgen.py exited %d" % loadgen_rc)
if log_5xx:
    failures.append("server logged %d 5xx" % log_5xx)
if db_check != "ok":
    failures.append("db check " + db_check)
cycles = list(csv.DictReader(open(work + "/cycles.csv")))
walls = [float(c["wall_s"]) for c in cycles]
bad = [c for c in cycles if c["exit"] != "0"]
if not cycles:
    failures.append("no cycle ran")
if bad:
    failures.append("%d cycles failed: %s" % (len(bad), ", ".join("#%s exit %s" % (c["n"], c["exit"]) for c in bad)))
rows = [r for r in csv.DictReader(open(work + "/rss.csv")) if r["vmrss_kb"]]
def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")
def window(lo, hi, key="vmrss_kb"):
    return [float(r[key]) for r in rows if lo <= float(r["t_s"]) < hi]
sixth = duration / 6
judged = duration >= 30 * 60
base, last = window(sixth, 2 * sixth), window(duration - sixth, duration + 1)
growth = mean(last) / mean(base) - 1 if base and last else None
if growth is None:
    failures.append("too few RSS samples (%d) for the two windows" % len(rows))
elif judged and growth > max_growth:
    failures.append("RSS grew %.1f%% (> %.1f%%)" % (100 * growth, 100 * max_growth))
mb = lambda kb: round(kb / 1024, 1)
parts = {k: (mb(mean(window(sixth, 2 * sixth, k))), mb(mean(window(duration - sixth, duration + 1, k))))
         for k in ("rss_anon_kb", "rss_file_kb", "rss_shmem_kb")} if base and last else {}
loads = [float(r["load1"]) for r in rows]
summary = {
    "clients": lg.get("clients"), "seconds": lg.get("seconds"), "offered_rate": lg.get("offered_rate"),
    "round_trips": lg.get("round_trips"), "round_trips_per_s": lg.get("round_trips_per_s"),
    "claims": lg.get("claims"), "empty_claims": lg.get("empty_claims"),
    "claim_ms_p50": lg.get("claim_ms_p50"), "claim_ms_p99": lg.get("claim_ms_p99"),
    "submit_ms_p99": lg.get("submit_ms_p99"),
    "acknowledged_labels": lg.get("acknowledged_labels"), "unknown_outcome_submits": lg.get("unknown_outcome_submits"),
    "double_assignments": lg.get("double_assignments"), "answered_twice": lg.get("answered_twice"),
    "second_opinions": lg.get("second_opinions"), "lost_labels": lg.get("lost_labels"),
    "duplicated_labels": lg.get("duplicated_labels"), "over_overlap": lg.get("over_overlap"),
    "status_counts": lg.get("status_counts"), "errors": lg.get("errors"), "integrity": lg.get("integrity"),
    "server_log_5xx": log_5xx, "db_check": db_check,
    "cycles": len(cycles), "cycles_failed": len(bad),
    "cycle_wall_s": {"min": min(walls), "median": sorted(walls)[len(walls) // 2], "max": max(walls)} if walls else None,
    "rss_samples": len(rows),
    "rss_mb_baseline_window": [round(sixth), round(2 * sixth)], "rss_mb_baseline": mb(mean(base)) if base else None,
    "rss_mb_final_window": [round(duration - sixth), round(duration)], "rss_mb_final": mb(mean(last)) if last else None,
    "rss_growth": round(growth, 4) if growth is not None else None, "rss_judged": judged,
    "rss_mb_parts_baseline_final": parts,
    "rss_mb_min": mb(min(float(r["vmrss_kb"]) for r in rows)) if rows else None,
    "rss_mb_max": mb(max(float(r["vmrss_kb"]) for r in rows)) if rows else None,
    "vmhwm_mb": mb(float(rows[-1]["vmhwm_kb"])) if rows else None,
    "server_cpu_s": float(server_cpu), "load1_min_mean_max": [min(loads), round(mean(loads), 2), max(loads)] if loads else None,
    "load_average_end": load_end,
    "failures": failures,
}
print(json.dumps(summary))
sys.exit(1 if failures else 0)
PY
