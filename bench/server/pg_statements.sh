#!/usr/bin/env bash
# Per-request SQL statements, WAL bytes, hot-row updates and connections of `hitloop serve` on
# PostgreSQL (docs/SCALING.md). Runs on a throw-away cluster (scripts/pg-test-cluster.sh); it
# turns log_statement=all and full_page_writes=on on for its own database/cluster, then:
#   1. PAIRS claim+submit pairs, one client, one after another: statements and WAL per pair;
#   2. CLIENTS clients claiming and submitting for SECONDS: the most connections one server
#      holds (sampled every 0.2 s), with the default pool and with --db-pool-size POOL.
# Usage: bench/server/pg_statements.sh <hitloop-binary> <cluster-dir> <cluster-conninfo>
#        [PAIRS=300] [CLIENTS=32] [SECONDS=5] [POOL=8]
set -euo pipefail
HITLOOP=$(realpath "$1"); DIR=$2; PG=$3
PAIRS=${4:-300}; CLIENTS=${5:-32}; SECONDS_=${6:-5}; POOL=${7:-8}
PSQL=/usr/lib/postgresql/15/bin/psql
DBNAME=hl_stmts_$$
DB=${PG/\/postgres\?//$DBNAME?}
WORK=$(mktemp -d /tmp/hl-stmts.XXXXXX)
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  "$PSQL" "$PG" -qAtc "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
sql() { "$PSQL" "$PG" -qAtc "$1"; }
sqldb() { "$PSQL" "$DB" -qAtc "$1"; }

sql "CREATE DATABASE $DBNAME"
sql "ALTER SYSTEM SET full_page_writes = on" ; sql "SELECT pg_reload_conf()" >/dev/null
N=$((PAIRS + 2000))
python3 -c "
import json
with open('$WORK/items.jsonl','w') as f:
    for i in range($N): f.write(json.dumps({'id':'i%06d'%i,'text':'item number %d'%i})+'\n')"
"$HITLOOP" --db "$DB" project create p --labels a,b >/dev/null
"$HITLOOP" --db "$DB" import p "$WORK/items.jsonl" --detect none >/dev/null
ADMIN=$("$HITLOOP" --db "$DB" user add boss --role admin 2>/dev/null)
: >"$WORK/tokens"
for i in $(seq 1 "$CLIENTS"); do
  "$HITLOOP" --db "$DB" user add "ann$i" --role annotator --projects p 2>/dev/null >>"$WORK/tokens"
done
sql "ALTER DATABASE $DBNAME SET log_statement = 'all'"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_server() {
  "$HITLOOP" --db "$DB" serve --port "$PORT" --threads 96 --no-access-log "$@" >/dev/null 2>"$WORK/serve.err" &
  SERVER=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; cat "$WORK/serve.err" >&2; exit 1
}
stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }

start_server
python3 - "$PORT" "$ADMIN" "$N" <<'PY'
import http.client, json, sys
port, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
c.request("POST", "/api/v1/projects/p/queue", body=json.dumps({"items": ["i%06d" % i for i in range(n)]}),
          headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
r = c.getresponse(); body = r.read()
if r.status != 200: sys.exit("queue: %d %s" % (r.status, body[:300]))
PY

LOG="$DIR/server.log"
mark() { sqldb "SELECT 'hl-mark-$1'" >/dev/null; }
sqldb "CHECKPOINT" >/dev/null 2>&1 || sql "CHECKPOINT" >/dev/null
sqldb "SELECT pg_stat_reset()" >/dev/null
LSN0=$(sqldb "SELECT pg_current_wal_lsn()")
mark start
python3 - "$PORT" "$(head -1 "$WORK/tokens")" "$PAIRS" <<'PY'
import http.client, json, sys
port, token, pairs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
h = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
for _ in range(pairs):
    c.request("POST", "/api/v1/projects/p/tasks/next", headers=h); r = c.getresponse(); body = r.read()
    if r.status != 200: sys.exit("next: %d %s" % (r.status, body[:200]))
    lease = json.loads(body)["lease"]["id"]
    c.request("POST", "/api/v1/leases/%s/submit" % lease, body=json.dumps({"label": "a"}), headers=h)
    r = c.getresponse(); body = r.read()
    if r.status != 200: sys.exit("submit: %d %s" % (r.status, body[:200]))
PY
mark end
LSN1=$(sqldb "SELECT pg_current_wal_lsn()")
echo "== $PAIRS claim+submit pairs, one client, one after another"
echo "WAL bytes per pair (full_page_writes=on, from a checkpoint): $(sqldb "SELECT round(pg_wal_lsn_diff('$LSN1','$LSN0') / $PAIRS)")"
python3 - "$LOG" "$PAIRS" <<'PY'
import re, sys, collections
log, pairs = sys.argv[1], int(sys.argv[2])
text = open(log, errors="replace").read()
a = text.rfind("hl-mark-start"); b = text.rfind("hl-mark-end")
seg = text[a:b].splitlines()[1:]
kinds = collections.Counter()
total = 0
for line in seg:
    m = re.search(r"LOG:  (?:statement|execute [^:]+): (.*)", line)
    if not m or "hl-mark" in line: continue
    s = m.group(1).strip()
    total += 1
    if s.startswith("WITH pick AS"): k = "claim (one statement)"
    else: k = " ".join(s.split()[:4])[:70]
    kinds[k] += 1
print("statements per claim+submit pair: %.2f (%d in all)" % (total / pairs, total))
for k, n in kinds.most_common():
    print("  %6.2f  %s" % (n / pairs, k))
PY
sql "ALTER DATABASE $DBNAME RESET log_statement"
stop_server  # its connections report their table statistics as they close
sleep 1
echo "row updates per pair (pg_stat_user_tables: relname|updates|of them HOT|inserts|dead rows now):"
sqldb "SELECT relname, round(n_tup_upd::numeric / $PAIRS, 2), round(n_tup_hot_upd::numeric / $PAIRS, 2), round(n_tup_ins::numeric / $PAIRS, 2), n_dead_tup FROM pg_stat_user_tables WHERE n_tup_upd + n_tup_ins > 0 ORDER BY n_tup_upd DESC" | sed 's/^/  /'

conns() {
  python3 - "$PORT" "$WORK/tokens" "$SECONDS_" "$DB" "$PSQL" <<'PY'
import http.client, json, sys, threading, time, subprocess
port, tokens, secs, db, psql = int(sys.argv[1]), open(sys.argv[2]).read().split(), float(sys.argv[3]), sys.argv[4], sys.argv[5]
stop = time.time() + secs
done = [0]; lock = threading.Lock()
def client(tok):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    h = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
    while time.time() < stop:
        c.request("POST", "/api/v1/projects/p/tasks/next", headers=h); r = c.getresponse(); body = r.read()
        if r.status != 200: time.sleep(0.01); continue
        lease = json.loads(body)["lease"]["id"]
        c.request("POST", "/api/v1/leases/%s/submit" % lease, body=json.dumps({"label": "b"}), headers=h)
        r = c.getresponse(); r.read()
        with lock: done[0] += 1
ts = [threading.Thread(target=client, args=(t,)) for t in tokens]
for t in ts: t.start()
peak = 0
while time.time() < stop:
    n = int(subprocess.run([psql, db, "-qAtc", "SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database()"],
                           capture_output=True, text=True).stdout.strip() or 0)
    peak = max(peak, n); time.sleep(0.2)
for t in ts: t.join()
print("  %d clients, %.0f s: %d pairs; most connections held by the server: %d" % (len(tokens), secs, done[0], peak))
PY
}
echo "== connections of one server under load"
echo "default pool (one per running request; --threads 96):"
start_server; conns; stop_server
echo "--db-pool-size $POOL:"
start_server --db-pool-size "$POOL"; conns; stop_server
