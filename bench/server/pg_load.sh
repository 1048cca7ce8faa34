#!/usr/bin/env bash
# The PostgreSQL load benchmark (issue 13): SQLite, PostgreSQL with 1 server and PostgreSQL with 2
# servers under the same closed-loop load, then 2 servers paced at --rate claims/s, in one run.
#
#   bench/server/pg_load.sh build/hitloop [--items 1000000] [--clients 64] [--duration 60]
#                           [--rate 1000] [--setup-cache DIR] [--db-pool-size 24] [--fast-pg]
#
# Every leg is bench/server/run.sh (same project, same load generator hl_loadgen, same checks:
# no acknowledged label lost, none duplicated, no double assignment, no queue entry over its
# overlap, no 5xx): SQLite on a file in the run's folder, and for each PostgreSQL leg an empty
# database of one throw-away cluster (scripts/pg-test-cluster.sh, started here, stopped at the
# end) into which run.sh copies the project (`hitloop db copy`). Two servers: the load generator
# spreads its clients across the two ports (client k -> port k mod 2); there is no load balancer
# process. The cluster runs with PostgreSQL's durable settings (fsync, synchronous_commit,
# full_page_writes on), the counterpart of SQLite's synchronous=FULL; --fast-pg runs it with them
# off (the test tier's cluster). The 1M-item setup is made once and kept in --setup-cache
# (default /tmp/hitloop-bench-cache).
# Prints each leg's summary (stderr) and a table (stdout); exit 1 if any leg failed its checks.
# The paced leg's target is claim p99 <= 25 ms (printed as a verdict, not an exit status).
set -euo pipefail
HITLOOP=$(realpath "${1:?usage: pg_load.sh <hitloop-binary> [--items N] [--clients C] [--duration S] [--rate R]}")
shift
ITEMS=1000000
CLIENTS=64
DURATION=60
RATE=1000
CACHE=/tmp/hitloop-bench-cache
POOL=24
FAST=0
while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --setup-cache) CACHE=$2; shift 2 ;;
    --db-pool-size) POOL=$2; shift 2 ;;
    --fast-pg) FAST=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/hitloop-pgload-XXXXXX)
PGDIR="$WORK/pg"
chmod 755 "$WORK"  # the cluster runs as nobody under root: it must reach its folder
cleanup() {
  "$ROOT/scripts/pg-test-cluster.sh" stop "$PGDIR" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

durable=1
[ "$FAST" = 1 ] && durable=0
URI=$(PG_TEST_DURABLE=$durable "$ROOT/scripts/pg-test-cluster.sh" start "$PGDIR")
echo "pg_load: cluster $URI (durable=$durable), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

failed=0
: >"$WORK/legs.jsonl"
leg() {  # NAME SERVERS RATE [run.sh args...]
  local name=$1 servers=$2 rate=$3
  shift 3
  local args=(--items "$ITEMS" --clients "$CLIENTS" --duration "$DURATION" --setup-cache "$CACHE" --queue-sql "$@")
  [ "$rate" = 0 ] || args+=(--rate "$rate")
  echo "== $name" >&2
  local load0 rc=0
  load0=$(cut -d' ' -f1 /proc/loadavg)
  BENCH_DIR="$WORK/$name" "$HERE/run.sh" "$HITLOOP" "${args[@]}" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
  cat "$WORK/$name.err" >&2
  [ "$rc" = 0 ] || failed=1
  python3 - "$name" "$servers" "$rate" "$rc" "$load0" "$(cut -d' ' -f1 /proc/loadavg)" "$WORK/$name.out" "$WORK/$name.err" \
    >>"$WORK/legs.jsonl" <<'PY'
import json, re, sys
name, servers, rate, rc, load0, load1, out, err = sys.argv[1:]
s = {}
for line in open(out):
    line = line.strip()
    if line.startswith("{"):
        s = json.loads(line)
cpu = re.search(r"cpu: ([0-9.]+) s during the load", open(err).read())
print(json.dumps({"leg": name, "servers": int(servers), "rate": float(rate), "rc": int(rc),
                  "round_trips_per_s": s.get("round_trips_per_s"), "claim_ms_p50": s.get("claim_ms_p50"),
                  "claim_ms_p99": s.get("claim_ms_p99"), "submit_ms_p99": s.get("submit_ms_p99"),
                  "acknowledged": s.get("acknowledged_labels"), "failures": s.get("failures"),
                  "server_cpu_s": float(cpu.group(1)) if cpu else None, "load": "%s -> %s" % (load0, load1)}))
PY
  # run.sh may leave the database in the run's folder: the next leg starts from the cache again.
  rm -rf "$WORK/$name"
}
pgdb() {  # NAME: a fresh empty database, its URI
  psql -X -q "$URI" -c "CREATE DATABASE $1" >/dev/null
  echo "${URI/\/postgres\?//$1?}"
}

leg sqlite 1 0
leg pg1 1 0 --db "$(pgdb pg1)" --servers 1 --db-pool-size "$POOL"
leg pg2 2 0 --db "$(pgdb pg2)" --servers 2 --db-pool-size "$POOL"
leg pg2_paced 2 "$RATE" --db "$(pgdb pg2_paced)" --servers 2 --db-pool-size "$POOL"

python3 - "$WORK/legs.jsonl" "$ITEMS" "$CLIENTS" "$DURATION" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("%s items, %s clients, %s s a leg" % tuple(sys.argv[2:5]))
print("| leg | servers | offered | round trips/s | claim p50 ms | claim p99 ms | submit p99 ms | servers' CPU s | load average | checks |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    checks = "ok" if r["rc"] == 0 else "FAILED: %s" % "; ".join(r["failures"] or ["exit %d" % r["rc"]])
    print("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        r["leg"], r["servers"], "%g claims/s" % r["rate"] if r["rate"] else "closed loop",
        r["round_trips_per_s"], r["claim_ms_p50"], r["claim_ms_p99"], r["submit_ms_p99"],
        r["server_cpu_s"], r["load"], checks))
paced = [r for r in rows if r["rate"]]
for r in paced:
    p99 = r["claim_ms_p99"]
    print("paced %g claims/s across %d servers: claim p99 %s ms -> target <= 25 ms %s" % (
        r["rate"], r["servers"], p99, "MET" if p99 is not None and p99 <= 25 else "MISSED"))
PY
exit $failed
