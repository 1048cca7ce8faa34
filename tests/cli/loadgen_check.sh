#!/usr/bin/env bash
# bench/server/loadgen.py's double-assignment check (used by run.sh, crash.sh, cycle_under_load.sh
# and soak.sh) on a hand-made ledger and database: an item answered by one person and claimed again
# by another through a second-opinion audit or an adjudication queued after that answer is not a
# double assignment; the same re-claim through a review entry, or while the first lease is held, is.
# Regression: soak.sh's first run (20 clients, a cycle every 20 s) reported 38 double assignments;
# every one was an audit's second opinion or an adjudication (audit_second_opinion, on by default)
# handed to a second person after the first had answered, which the check counted because it ended
# a lease early only on skip/release.
# Usage: loadgen_check.sh <hitloop-binary> <source-dir>  (the binary is not used)
set -euo pipefail
ROOT=${2:?usage: loadgen_check.sh <hitloop-binary> <source-dir>}
WORK=$(mktemp -d /tmp/hitloop-loadgen-check-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
python3 - "$ROOT/bench/server" "$WORK/t.db" <<'PY'
import sqlite3, sys
sys.path.insert(0, sys.argv[1])
import loadgen

path = sys.argv[2]
db = sqlite3.connect(path)
# Only the columns the check reads.
db.executescript("""
CREATE TABLE projects(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE items(id INTEGER PRIMARY KEY, project_id INTEGER, external_id TEXT);
CREATE TABLE queue(id INTEGER PRIMARY KEY, project_id INTEGER, overlap INTEGER);
CREATE TABLE leases(id TEXT PRIMARY KEY, queue_id INTEGER, kind TEXT, state TEXT, created_at INTEGER,
                    finished_at INTEGER);
CREATE TABLE annotations(id INTEGER PRIMARY KEY, item_id INTEGER, source TEXT, labels TEXT);
INSERT INTO projects VALUES (1, 'p');
INSERT INTO items VALUES (1, 1, 'x');
INSERT INTO queue VALUES (10, 1, 1), (11, 1, 1);
""")
db.commit()


def check(second_kind, second_created_ms, first_finished_ms=1000):
    """Client 0 claims x (entry 10, audit) and submits; client 1 claims it through entry 11."""
    db.execute("DELETE FROM leases")
    db.execute("DELETE FROM annotations")
    db.execute("INSERT INTO leases VALUES ('a', 10, 'audit', 'submitted', 900, ?)", (first_finished_ms,))
    db.execute("INSERT INTO leases VALUES ('b', 11, ?, 'submitted', ?, ?)", (second_kind, second_created_ms,
                                                                              second_created_ms + 5))
    db.execute("INSERT INTO annotations VALUES (1, 1, 'audit', '[\"pos\"]'), (2, 1, 'audit', '[\"neg\"]')")
    db.commit()
    run = loadgen.Run("cc")
    run.claims = [("x", "a", 0.9, 0), ("x", "b", second_created_ms / 1000.0 + 0.001, 1)]
    run.acked = [("x", "a", "pos"), ("x", "b", "neg")]
    run.round_trips = 2
    return loadgen.check(run, path, "p", 0)


ok = True
for kind, created, want_double in [("audit", 2000, 0), ("adjudicate", 2000, 0), ("review", 2000, 1),
                                   ("audit", 999, 1)]:
    s = check(kind, created)
    got = (s["double_assignments"], s["second_opinions"])
    want = (want_double, 1 - want_double)
    print("second lease %-10s created %4d ms: double %d, second opinions %d (want %d, %d)"
          % (kind, created, got[0], got[1], want[0], want[1]))
    ok = ok and got == want and (want_double == 0) == (s["failures"] == [])
sys.exit(0 if ok else 1)
PY
