#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for the tests (scripts/test.sh, docs/POSTGRES.md).
#
#   scripts/pg-test-cluster.sh start [DIR]   initdb in DIR (default: a new mktemp folder) as an
#                                            unprivileged user, start it on a private port that
#                                            listens only on a Unix socket inside DIR, and print
#                                            its conninfo on stdout, a URI hitloop's --db takes:
#                                            postgresql://hitloop@/postgres?host=DIR&port=PORT
#   scripts/pg-test-cluster.sh stop DIR      stop it and remove DIR: nothing is left behind
#
# The cluster runs with fsync=off: it holds test data only and is deleted at the end.
# PG_TEST_DURABLE=1 starts it with PostgreSQL's durable defaults instead (fsync, synchronous_commit
# and full_page_writes on): for benchmarks set beside SQLite's synchronous=FULL
# (bench/server/pg_load.sh, pg_kill.sh).
# PostgreSQL refuses to run as root, so under root the cluster belongs to `nobody`.
set -euo pipefail

PGBIN="${PGBIN:-}"
if [ -z "$PGBIN" ]; then
  for d in /usr/lib/postgresql/15/bin /usr/local/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PGBIN="$d"; break; fi
  done
fi
[ -n "$PGBIN" ] || { echo "pg-test-cluster: no initdb/pg_ctl (install postgresql-15)" >&2; exit 2; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

cmd="${1:-}"
case "$cmd" in
  start)
    dir="${2:-$(mktemp -d /tmp/hitloop-pg.XXXXXX)}"
    mkdir -p "$dir"
    chmod 700 "$dir"
    [ "$(id -u)" = 0 ] && chown nobody "$dir"
    # A private port: derived from the folder's name, so two clusters rarely collide; the
    # socket lives in the folder, and no TCP listener is opened at all.
    port=$(( 20000 + $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 20000 ))
    as_owner "$PGBIN/initdb" -D "$dir/data" -U hitloop --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${PG_TEST_DURABLE:-0}" = 1 ] && durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses='' $durability -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://hitloop@/postgres?host=$dir&port=$port"
    ;;
  stop)
    dir="${2:?usage: pg-test-cluster.sh stop DIR}"
    [ -d "$dir" ] || exit 0
    # Only folders this script made (they hold data/PG_VERSION or initdb.log) are removed.
    [ -f "$dir/initdb.log" ] || { echo "pg-test-cluster: $dir is not a test cluster" >&2; exit 2; }
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-test-cluster.sh start [DIR] | stop DIR" >&2
    exit 2
    ;;
esac
