#!/usr/bin/env bash
# Regression: `--db` trusted any file. Read commands created a database from a mistyped path,
# opening another application's SQLite file added hitloop's tables to it, and user_version -1
# passed as current. Now only `project create` and `user add` create; foreign, negative- and
# future-version files are refused and left byte-for-byte unchanged.
set -euo pipefail
H="$1"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 1. Read commands on a missing path: an error, and no file appears.
for cmd in "status p" "export p --format jsonl --out $T/x.jsonl" "report p --out $T/r.html" \
           "project list" "user list" "cycle p" "serve --port 0"; do
  # shellcheck disable=SC2086
  if timeout 10 "$H" --db "$T/typo.db" $cmd >/dev/null 2>"$T/err"; then fail "'$cmd' succeeded on a missing db"; fi
  grep -q "no such database" "$T/err" || { cat "$T/err"; fail "'$cmd': unclear error"; }
  [ ! -e "$T/typo.db" ] || fail "'$cmd' created $T/typo.db"
done

# 2. Another application's SQLite file: refused, unchanged.
python3 - "$T/other.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)")
c.execute("INSERT INTO notes(body) VALUES('keep me')"); c.commit(); c.close()
PY
before=$(sha256sum "$T/other.db" | cut -d' ' -f1)
for cmd in "project create p --labels a,b" "user add u --role admin" "status p"; do
  # shellcheck disable=SC2086
  if "$H" --db "$T/other.db" $cmd >/dev/null 2>"$T/err"; then fail "'$cmd' accepted a foreign database"; fi
  grep -q "not a hitloop database" "$T/err" || { cat "$T/err"; fail "'$cmd': unclear error"; }
done
[ "$(sha256sum "$T/other.db" | cut -d' ' -f1)" = "$before" ] || fail "foreign database was modified"
[ ! -e "$T/other.db-wal" ] || fail "foreign database got a WAL file"
# ... also one with a foreign application_id and no tables.
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA application_id=1234'); c.commit()" "$T/app.db"
if "$H" --db "$T/app.db" project create p --labels a,b >/dev/null 2>"$T/err"; then fail "foreign application_id accepted"; fi
grep -q "application_id" "$T/err" || fail "foreign application_id: unclear error"

# 3. A real database: created by project create, mode 0600, then usable by read commands.
"$H" --db "$T/h.db" project create p --labels a,b >/dev/null
[ "$(stat -c %a "$T/h.db")" = 600 ] || fail "database mode $(stat -c %a "$T/h.db"), not 600"
for f in "$T/h.db-wal" "$T/h.db-shm"; do
  [ ! -e "$f" ] || [ "$(stat -c %a "$f")" = 600 ] || fail "$f mode $(stat -c %a "$f")"
done
"$H" --db "$T/h.db" status p >/dev/null

# 4. Negative and future schema versions: refused.
cp "$T/h.db" "$T/neg.db"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=-1'); c.commit()" "$T/neg.db"
if "$H" --db "$T/neg.db" status p >/dev/null 2>"$T/err"; then fail "user_version -1 accepted"; fi
grep -q "invalid database schema version -1" "$T/err" || { cat "$T/err"; fail "negative version: unclear error"; }
cp "$T/h.db" "$T/new.db"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=9999'); c.commit()" "$T/new.db"
if "$H" --db "$T/new.db" project create q --labels a,b >/dev/null 2>"$T/err"; then fail "future version accepted"; fi
grep -q "newer than this hitloop" "$T/err" || fail "future version: unclear error"
echo OK
