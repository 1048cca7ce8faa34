#!/usr/bin/env bash
# The kill test on PostgreSQL (issue 13): two `hitloop serve` on one database under 200 clients,
# 10 minutes of steady load, then for 5 minutes one server is SIGKILLed every 30 s and started
# again while the other keeps serving. One command:
#
#   bench/server/pg_kill.sh build/hitloop [--items 1000000] [--clients 200] [--steady 600]
#                           [--every 30] [--kills 10] [--setup-cache DIR] [--fast-pg]
#
# (--steady 30 --kills 2 --items 20000 is a 90-second form.) It is bench/server/run.sh --db URI
# --servers 2 --kill STEADY,EVERY,KILLS with the load lasting STEADY + EVERY*KILLS s, on a
# throw-away cluster (scripts/pg-test-cluster.sh, durable settings unless --fast-pg). The load
# generator (hl_loadgen) spreads the clients across the two ports; a client whose server died
# goes on with the other one (a submit whose answer was lost is retried there with the same
# Idempotency-Key) and returns to its own server a second after. Checked at the end (loadgen.py
# against the database, then `hitloop db check`): 0 acknowledged labels lost, 0 duplicated, 0
# double assignments, 0 queue entries over their overlap, 0 5xx (from either server; the
# surviving server's statuses are printed on their own), db check ok. Exit 1 otherwise.
# Leases outlive the run (--lease-ttl 1800): an item leased before a kill comes back only through
# its own client, so every second lease of an item is a double assignment (leases of a killed
# server coming back after their expiry are tests/pg/two_servers.py's check).
set -euo pipefail
HITLOOP=$(realpath "${1:?usage: pg_kill.sh <hitloop-binary> [--items N] [--clients C] [--steady S] [--every S] [--kills K]}")
shift
ITEMS=1000000
CLIENTS=200
STEADY=600
EVERY=30
KILLS=10
CACHE=/tmp/hitloop-bench-cache
POOL=24
FAST=0
while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --steady) STEADY=$2; shift 2 ;;
    --every) EVERY=$2; shift 2 ;;
    --kills) KILLS=$2; shift 2 ;;
    --setup-cache) CACHE=$2; shift 2 ;;
    --db-pool-size) POOL=$2; shift 2 ;;
    --fast-pg) FAST=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/hitloop-pgkill-XXXXXX)
PGDIR="$WORK/pg"
chmod 755 "$WORK"  # the cluster runs as nobody under root: it must reach its folder
cleanup() {
  "$ROOT/scripts/pg-test-cluster.sh" stop "$PGDIR" 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
durable=1
[ "$FAST" = 1 ] && durable=0
URI=$(PG_TEST_DURABLE=$durable "$ROOT/scripts/pg-test-cluster.sh" start "$PGDIR")
psql -X -q "$URI" -c "CREATE DATABASE kill" >/dev/null
DB="${URI/\/postgres\?//kill?}"
DURATION=$((STEADY + EVERY * KILLS))
echo "pg_kill: $CLIENTS clients for ${DURATION}s across 2 servers, kill -9 of server 1 every ${EVERY}s" \
  "from +${STEADY}s ($KILLS times); cluster durable=$durable; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
BENCH_DIR="$WORK/run" "$HERE/run.sh" "$HITLOOP" --items "$ITEMS" --clients "$CLIENTS" --duration "$DURATION" \
  --setup-cache "$CACHE" --queue-sql --db "$DB" --servers 2 --db-pool-size "$POOL" --lease-ttl 1800 \
  --kill "$STEADY,$EVERY,$KILLS"
