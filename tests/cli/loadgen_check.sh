#!/usr/bin/env bash
# bench/server/loadgen.py's checks of an item claimed again after a person answered it (used by
# run.sh, crash.sh, cycle_under_load.sh and soak.sh), on a hand-made ledger and database:
#   - a second opinion on an audit, or an adjudication, queued after that answer: by design;
#   - any other entry (a review entry, or an audit queued before the answer): "answered_twice";
#   - a claim granted before the first lease finished: a double assignment (a lease's created_at
#     is its request's arrival; it is not granted before its entry was queued).
# Regression: soak.sh's first run (20 clients, a cycle every 20 s) reported 38 double assignments,
# every one an audit's second opinion or an adjudication handed to a second person after the first
# had answered (the check ended a lease early only on skip/release). Its full run (200 clients x 60
# min) then showed that letting any audit follow an answer hid items one cycle had queued both for
# review and for audit, answered through both: those are "answered_twice", not second opinions.
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
CREATE TABLE queue(id INTEGER PRIMARY KEY, project_id INTEGER, overlap INTEGER, created_at INTEGER);
CREATE TABLE leases(id TEXT PRIMARY KEY, queue_id INTEGER, kind TEXT, state TEXT, created_at INTEGER,
                    finished_at INTEGER);
CREATE TABLE annotations(id INTEGER PRIMARY KEY, item_id INTEGER, source TEXT, labels TEXT);
INSERT INTO projects VALUES (1, 'p');
INSERT INTO items VALUES (1, 1, 'x');
""")
db.commit()


def check(first_kind, second_kind, second_queued_ms, second_created_ms, first_finished_ms=1000):
    """Client 0 claims x (entry 10, FIRST_KIND) and submits; client 1 claims it through entry 11."""
    for t in ("leases", "annotations", "queue"):
        db.execute("DELETE FROM " + t)
    db.execute("INSERT INTO queue VALUES (10, 1, 1, 100), (11, 1, 1, ?)", (second_queued_ms,))
    db.execute("INSERT INTO leases VALUES ('a', 10, ?, 'submitted', 900, ?)", (first_kind, first_finished_ms))
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
# (first lease, second lease, second entry queued at, second lease created at) -> what it is
for case, want in [(("audit", "audit", 1500, 2000), "second_opinions"),
                   (("audit", "adjudicate", 1500, 2000), "second_opinions"),
                   (("review", "adjudicate", 1500, 2000), "second_opinions"),
                   (("audit", "review", 500, 2000), "answered_twice"),
                   (("review", "audit", 500, 2000), "answered_twice"),
                   (("audit", "audit", 500, 2000), "answered_twice"),
                   (("audit", "audit", 950, 999), "double_assignments"),
                   # The second opinion's claim request arrived (its lease's created_at, 990)
                   # before the answer was stored (1000), but its entry was queued by that
                   # answer (1030): granted after it, not a double assignment.
                   (("audit", "audit", 1030, 990), "second_opinions")]:
    s = check(*case)
    got = {k: s[k] for k in ("double_assignments", "second_opinions", "answered_twice")}
    good = got == {k: int(k == want) for k in got} and (want == "second_opinions") == (s["failures"] == [])
    print("%-40s %s (want %s) %s" % (case, got, want, "ok" if good else "WRONG"))
    ok = ok and good
sys.exit(0 if ok else 1)
PY
