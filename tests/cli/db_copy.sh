#!/usr/bin/env bash
# `hitloop db copy --from SRC --to DST`: a whole database into an empty one, ids kept, so the
# exports of source and copy are the same bytes. SQLite -> SQLite always; with HITLOOP_TEST_PG (a
# PostgreSQL cluster's URI, scripts/pg-test-cluster.sh) also SQLite -> PostgreSQL -> SQLite.
# usage: db_copy.sh HITLOOP SOURCE_DIR
set -euo pipefail
H="$1"
T="$(mktemp -d)"; PGDB=""
cleanup() {
  [ -n "$PGDB" ] && psql -q "$HITLOOP_TEST_PG" -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "db_copy: $*" >&2; exit 1; }
A="$T/a.db"
python3 - "$T/items.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(300):
        r = {"id": "i%03d" % i, "text": "item %d: caf\u00e9 \u2014 \"quoted\" \\ back" % i, "meta": {"n": i}}
        if i % 3 == 0:
            r["label"] = "spam" if i % 2 else "ham"
        if i % 5 == 0:
            r["prediction"] = {"label": "ham", "score": 0.1 + i / 1000.0, "distribution": [0.6, 0.4]}
        if i % 7 == 0:
            r["split"] = "gold"
        f.write(json.dumps(r) + "\n")
PY
"$H" --db "$A" project create p --labels ham,spam >/dev/null
"$H" --db "$A" import p "$T/items.jsonl" --detect none >/dev/null
"$H" --db "$A" user add alice --role annotator --projects p >/dev/null 2>&1
"$H" --db "$A" item quarantine p i010 >/dev/null
"$H" --db "$A" item delete p i011 >/dev/null
exports() {  # DB OUT: every format's bytes and the status, for comparison
  "$H" --db "$1" export p --format jsonl --out "$2.jsonl" 2>/dev/null
  "$H" --db "$1" export p --format csv --out "$2.csv" 2>/dev/null
  "$H" --db "$1" status p --json >"$2.status"
  "$H" --db "$1" user list >"$2.users"
}
same() {  # A B what
  for x in jsonl csv status users; do cmp "$1.$x" "$2.$x" || fail "$3: $x differs"; done
}
exports "$A" "$T/a"
[ "$(wc -l <"$T/a.jsonl")" -ge 299 ] || fail "export too short"

"$H" db copy --from "$A" --to "$T/b.db" >"$T/out" || fail "sqlite -> sqlite failed"
grep -q "^copied" "$T/out" || fail "no summary: $(cat "$T/out")"
exports "$T/b.db" "$T/b"
same "$T/a" "$T/b" "sqlite -> sqlite"
# Only into an empty destination.
if "$H" db copy --from "$A" --to "$T/b.db" 2>"$T/err"; then fail "copied into a database with data"; fi
grep -q "already holds hitloop data" "$T/err" || fail "wrong refusal: $(cat "$T/err")"

if [ -n "${HITLOOP_TEST_PG:-}" ]; then
  PGDB="copy_$$"
  psql -q "$HITLOOP_TEST_PG" -c "CREATE DATABASE $PGDB" >/dev/null
  PG="${HITLOOP_TEST_PG/\/postgres\?//$PGDB?}"
  "$H" db copy --from "$A" --to "$PG" >/dev/null || fail "sqlite -> postgresql failed"
  exports "$PG" "$T/p"
  same "$T/a" "$T/p" "sqlite -> postgresql"
  "$H" db copy --from "$PG" --to "$T/c.db" >/dev/null || fail "postgresql -> sqlite failed"
  exports "$T/c.db" "$T/c"
  same "$T/a" "$T/c" "postgresql -> sqlite"
  "$H" --db "$PG" db check >/dev/null || fail "db check on the PostgreSQL copy"
  echo "db copy ok (sqlite -> sqlite -> postgresql -> sqlite)"
else
  echo "db copy ok (sqlite -> sqlite; HITLOOP_TEST_PG unset: PostgreSQL not tried)"
fi
