#!/usr/bin/python3
"""Load generator for `hitloop serve` (not hitloop itself): Python standard library only.

N annotator clients (threads, one keep-alive http.client connection and one user each) loop:
claim (POST /tasks/next) -> submit (90%, with an Idempotency-Key) | skip (5%) | release (5%).
Every request and its outcome go into the client's own ledger. At the end the ledgers are
checked against each other and against the database (read-only) for:
  - double assignment: an item leased to a second annotator while an earlier lease on it was
    still live (overlap is 1 here; leases outlive the run, so only skip/release end one early;
    a skip/release whose answer was lost, e.g. to a killed server, counts as ended only if the
    database shows it was);
  - answered twice: an item a person answered, handed afterwards to another person through an
    entry other than a second opinion on an audit or an adjudication queued after that answer
    (those two are by design: "second_opinions" in the summary);
  - lost labels: an acknowledged (200) submit whose label is not in the item's history;
  - duplicated labels: an item with more people's annotations (review and audit answers) than
    acknowledged submits
    (+ submits whose outcome the client never saw, reported separately);
  - over overlap: a queue entry with more submitted leases than its overlap (in the database);
  - any 5xx.
Prints one JSON summary line; exit code 1 if any check fails.

--db is a SQLite file or a PostgreSQL URI (postgresql://..., read with psql: several servers on
one database, bench/server/pg_load.sh); --port may list several servers (P1,P2; hl_loadgen only),
whose clients are spread across them (see loadgen.cc).

Three ways to get the ledgers, one check (check() below) for all:
  - Python threads (the default), as described above;
  - --cc BIN: hl_loadgen (bench/server/loadgen.cc) runs the same clients in C++ and writes their
    ledger (--ledger FILE, else a temporary file), which is then checked. The threads cost
    ~0.6-0.9 ms of CPU per round trip, as much as the server, too much to drive 2,000 round
    trips/s on 2 cores; hl_loadgen ~0.05 ms. The annotation mark (only annotations written
    during the run are checked) is read before it starts;
  - --ledger FILE without --cc: check a ledger hl_loadgen already wrote; --since N is the mark
    (the summary's "since"; 0 = every human annotation of the project: right for a fresh database).
"""
import argparse
import http.client
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time


def percentile(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * (len(xs) - 1)))))
    return xs[k]


class Client(threading.Thread):
    def __init__(self, idx, host, port, token, project, labels, deadline, seed):
        super().__init__(daemon=True)
        self.idx = idx
        self.host, self.port, self.token = host, port, token
        self.project, self.labels = project, labels
        self.deadline = deadline
        self.rng = random.Random(seed)
        self.claims = []        # (item, lease, t_recv)
        self.ends = {}          # lease -> (kind, t_send, status)
        self.acked = []         # (item, lease, label) for 200 submits
        self.unknown = []       # (item, lease, label) submits with no response
        self.claim_ms = []
        self.submit_ms = []
        self.status_counts = {}
        self.errors = []
        self.round_trips = 0
        self.empty = 0

    def request(self, conn, method, path, body=None, headers=None):
        h = {"Authorization": "Bearer " + self.token, "Content-Type": "application/json"}
        if headers:
            h.update(headers)
        data = None if body is None else json.dumps(body).encode()
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        payload = r.read()
        self.status_counts[r.status] = self.status_counts.get(r.status, 0) + 1
        return r.status, payload

    def run(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        next_path = "/api/v1/projects/%s/tasks/next" % self.project
        while time.time() < self.deadline:
            try:
                t0 = time.perf_counter()
                st, payload = self.request(conn, "POST", next_path)
                t1 = time.perf_counter()
                self.claim_ms.append((t1 - t0) * 1000)
                if st == 204:
                    self.empty += 1
                    time.sleep(0.05)
                    continue
                if st != 200:
                    self.errors.append("claim %d %s" % (st, payload[:200]))
                    time.sleep(0.05)
                    continue
                task = json.loads(payload)
                item, lease = task["item"]["id"], task["lease"]["id"]
                self.claims.append((item, lease, time.time()))
                roll = self.rng.random()
                if roll < 0.90:
                    label = self.rng.choice(self.labels)
                    key = "k-%d-%s" % (self.idx, lease)
                    t2 = time.perf_counter()
                    try:
                        st, payload = self.request(conn, "POST", "/api/v1/leases/%s/submit" % lease,
                                                   {"label": label}, {"Idempotency-Key": key})
                    except (OSError, http.client.HTTPException):
                        # Outcome unknown: retry once with the same key (that is what keys are for).
                        conn.close()
                        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                        try:
                            st, payload = self.request(conn, "POST", "/api/v1/leases/%s/submit" % lease,
                                                       {"label": label}, {"Idempotency-Key": key})
                        except (OSError, http.client.HTTPException):
                            self.unknown.append((item, lease, label))
                            continue
                    self.submit_ms.append((time.perf_counter() - t2) * 1000)
                    if st == 200:
                        self.acked.append((item, lease, label))
                        self.round_trips += 1
                    else:
                        self.errors.append("submit %d %s" % (st, payload[:200]))
                else:
                    kind = "skip" if roll < 0.95 else "release"
                    t_send = time.time()
                    try:
                        st, payload = self.request(conn, "POST", "/api/v1/leases/%s/%s" % (lease, kind))
                    except (OSError, http.client.HTTPException):
                        # Outcome unknown (e.g. the server was killed): it may have ended the
                        # lease before dying; the check asks the database.
                        self.ends[lease] = (kind, t_send, None)
                        raise
                    self.ends[lease] = (kind, t_send, st)
                    if st != 200:
                        self.errors.append("%s %d %s" % (kind, st, payload[:200]))
            except (OSError, http.client.HTTPException) as e:
                self.errors.append("connection: %r" % (e,))
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                time.sleep(0.05)
        conn.close()


class Run:
    """What a load produced, whichever generator drove it: the input of check()."""

    def __init__(self, loadgen):
        self.loadgen = loadgen   # "py" | "cc"
        self.clients = 0
        self.seconds = 0.0
        self.claims = []         # (item, lease, t_recv, client)
        self.ends = {}           # lease -> (kind, t_send, status or None)
        self.acked = []          # (item, lease, label)
        self.unknown = []        # (item, lease, label)
        self.claim_ms = []
        self.submit_ms = []
        self.status_counts = {}  # int status -> count
        self.errors = 0
        self.errors_sample = []
        self.round_trips = 0
        self.empty = 0
        self.cpu_s = 0.0         # the load generator's CPU time during the load
        self.rate = 0.0          # round trips/s offered (hl_loadgen --rate); 0 = closed loop
        self.status_by_port = {} # hl_loadgen: port -> {status: count}

    @staticmethod
    def from_clients(clients, seconds, cpu_s):
        run = Run("py")
        run.clients, run.seconds, run.cpu_s = len(clients), seconds, cpu_s
        for c in clients:
            run.claims.extend((item, lease, t, c.idx) for item, lease, t in c.claims)
            run.ends.update(c.ends)
            run.acked.extend(c.acked)
            run.unknown.extend(c.unknown)
            run.claim_ms.extend(c.claim_ms)
            run.submit_ms.extend(c.submit_ms)
            for k, v in c.status_counts.items():
                run.status_counts[k] = run.status_counts.get(k, 0) + v
            run.errors += len(c.errors)
            run.errors_sample.extend(c.errors[:5 - len(run.errors_sample)])
            run.round_trips += c.round_trips
            run.empty += c.empty
        return run

    @staticmethod
    def from_ledger(path):
        """Reads a ledger written by hl_loadgen (bench/server/loadgen.cc): one JSON object a line,
        the summary last. Raises ValueError if it is incomplete."""
        run = Run("cc")
        summary = None
        with open(path, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                t = r["t"]
                if t == "claim":
                    run.claims.append((r["item"], r["lease"], r["at"], r["c"]))
                elif t == "end":
                    run.ends[r["lease"]] = (r["kind"], r["at"], r["status"])
                elif t == "ack":
                    run.acked.append((r["item"], r["lease"], r["label"]))
                elif t == "unknown":
                    run.unknown.append((r["item"], r["lease"], r["label"]))
                elif t == "summary":
                    summary = r
                else:
                    raise ValueError("%s: unknown record %r" % (path, t))
        if summary is None:
            raise ValueError("%s: no summary line (hl_loadgen did not finish)" % path)
        run.clients = summary["clients"]
        run.seconds = summary["seconds"]
        run.cpu_s = summary["cpu_s"]
        run.claim_ms = summary["claim_ms"]
        run.submit_ms = summary["submit_ms"]
        run.slow_claims = sorted(summary.get("slow_claims", []))
        run.status_counts = {int(k): v for k, v in summary["status_counts"].items()}
        run.errors = summary["errors"]
        run.errors_sample = summary["errors_sample"]
        run.round_trips = summary["round_trips"]
        run.empty = summary["empty"]
        run.rate = summary.get("rate", 0.0)
        run.status_by_port = summary.get("status_by_port", {})
        return run


def is_pg(target):
    return target.startswith(("postgresql://", "postgres://"))


class Db:
    """The database a run is checked against, only read: a SQLite file (opened read-only) or a
    PostgreSQL URI, read through psql (no driver needed). Queries use ? placeholders; on
    PostgreSQL the values (ints, and strings from the load's own ledger) are inlined as quoted
    literals. Rows come back as tuples; on PostgreSQL every value is a string (or None)."""

    def __init__(self, target):
        self.target = target
        self.pg = is_pg(target)
        self.conn = None if self.pg else sqlite3.connect("file:%s?mode=ro" % target, uri=True)

    @staticmethod
    def _literal(v):
        if isinstance(v, int):
            return str(v)
        return "'" + str(v).replace("'", "''") + "'"

    def all(self, sql, params=()):
        if not self.pg:
            return self.conn.execute(sql, params).fetchall()
        parts = sql.split("?")
        if len(parts) != len(params) + 1:
            raise ValueError("placeholders and parameters differ: %s" % sql)
        text = parts[0] + "".join(self._literal(v) + p for v, p in zip(params, parts[1:]))
        # Unit/record separators: no text hitloop stores here contains them.
        out = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-F", "\x1f", "-R", "\x1e",
                              "-P", "null=\x1dNULL", self.target],
                             input=text, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError("psql: %s" % out.stderr.strip())
        rows = []
        for rec in out.stdout.rstrip("\n").split("\x1e"):
            if rec:
                rows.append(tuple(None if f == "\x1dNULL" else f for f in rec.split("\x1f")))
        return rows

    def close(self):
        if self.conn is not None:
            self.conn.close()


def annotation_mark(db_path):
    """The newest annotation id: only annotations written after it are checked (the database may
    be reused)."""
    db = Db(db_path)
    mark = int(db.all("SELECT COALESCE(MAX(id), 0) FROM annotations")[0][0] or 0)
    db.close()
    return mark


def check(run, db_path, project, since):
    """The checks (see the module docstring) of one run against the database; returns the
    summary dict, whose "failures" list is empty if every check passed."""
    failures = []
    claims_by_item = {}
    for item, lease, t_recv, client in run.claims:
        claims_by_item.setdefault(item, []).append((t_recv, lease, client))
    ends = run.ends
    db = Db(db_path)
    # The leases whose skip/release answer was lost: their state, read once (in chunks).
    unanswered = sorted(lease for lease, end in ends.items() if end[2] is None)
    lease_state = {}
    for k in range(0, len(unanswered), 500):
        chunk = unanswered[k:k + 500]
        lease_state.update(db.all("SELECT id, state FROM leases WHERE id IN (%s)" % ",".join("?" * len(chunk)),
                                  tuple(chunk)))

    def ended(lease, end):
        # A skip/release the server answered 200, or one whose answer was lost (server killed)
        # but which the database shows it performed.
        if end is None:
            return False
        if end[2] == 200:
            return True
        if end[2] is None:
            return lease_state.get(lease) == {"skip": "skipped", "release": "released"}[end[0]]
        return False

    # The earlier lease must have been ended (skip/release sent) before the later claim came back;
    # a still-held lease means two people held the item at once (a double assignment). A submitted
    # one ended the hold when the database says it finished; what may then hand the item to
    # another person is only an entry that exists to ask about that answer, queued after it: a
    # second opinion on an audit ("audit" after an audit answer) or an adjudication of a
    # disagreement ("adjudicate"). Any other entry (a review entry, or an audit queued before the
    # answer: one cycle drew the item for both) gets one item answered twice: "answered_twice".
    suspects = []
    for item, cl in claims_by_item.items():
        cl.sort()
        for prev, cur in zip(cl, cl[1:]):
            end = ends.get(prev[1])
            if not ended(prev[1], end) or end[1] > cur[0]:
                suspects.append((item, prev, cur))
    lease_rows = {}
    ids = sorted({p[1] for _, p, _ in suspects} | {c[1] for _, _, c in suspects})
    for k in range(0, len(ids), 500):
        chunk = ids[k:k + 500]
        for lid, queue_id, kind, state, created, finished, queued in db.all(
                "SELECT l.id, l.queue_id, l.kind, l.state, l.created_at, l.finished_at, q.created_at"
                " FROM leases l JOIN queue q ON q.id = l.queue_id WHERE l.id IN (%s)"
                % ",".join("?" * len(chunk)), tuple(chunk)):
            lease_rows[lid] = {"queue": int(queue_id), "kind": kind, "state": state, "created": int(created),
                               "finished": None if finished is None else int(finished), "queued": int(queued)}

    def classify(prev_lease, cur_lease):
        p, c = lease_rows.get(prev_lease), lease_rows.get(cur_lease)
        if p is None or c is None or p["state"] != "submitted" or p["finished"] is None:
            return "double"
        # A lease is stamped with its request's arrival; it cannot be granted before its entry
        # exists. So an entry queued by the earlier answer (a second opinion, an adjudication)
        # is granted after that answer even when the claim's request arrived first (the writer
        # ran the answer first): 3 such pairs, 7-20 ms apart, in 2026-12-07's cycle_under_load
        # --cycles 2 were counted as double assignments before.
        granted = max(c["created"], c["queued"])
        if p["finished"] > granted:
            return "double"
        if c["queue"] != p["queue"] and p["finished"] <= c["queued"] and (
                c["kind"] == "adjudicate" or (c["kind"] == "audit" and p["kind"] == "audit")):
            return "second_opinion"
        return "answered_twice"

    double = 0
    second_opinions = 0
    answered_twice = 0
    for item, prev, cur in suspects:
        kind = classify(prev[1], cur[1])
        if kind == "second_opinion":
            second_opinions += 1
        elif kind == "answered_twice":
            answered_twice += 1
            if answered_twice <= 5:
                failures.append("item %s answered by client %d, then handed to client %d through another entry"
                                " (%s after %s)" % (item, prev[2], cur[2], lease_rows[cur[1]]["kind"],
                                                    lease_rows[prev[1]]["kind"]))
        else:
            double += 1
            if double <= 5:
                failures.append("item %s leased to client %d while client %d held it" % (item, cur[2], prev[2]))
    acked = {}
    for item, lease, label in run.acked:
        acked.setdefault(item, []).append(label)
    unknown_items = {}
    for item, lease, label in run.unknown:
        unknown_items.setdefault(item, []).append(label)

    rows = db.all(
        "SELECT i.external_id, a.labels FROM annotations a JOIN items i ON i.id = a.item_id"
        " JOIN projects p ON p.id = i.project_id WHERE p.name = ? AND a.source IN ('human', 'audit') AND a.id > ?",
        (project, since))
    stored = {}
    for ext, labels_json in rows:
        stored.setdefault(ext, []).extend(json.loads(labels_json))
    lost = 0
    duplicated = 0
    for item, labs in acked.items():
        have = stored.get(item, [])
        for l in labs:
            if l not in have:
                lost += 1
        if len(have) > len(labs) + len(unknown_items.get(item, [])):
            duplicated += 1
    for item, have in stored.items():
        if item not in acked and item not in unknown_items:
            duplicated += 1  # a label nobody was told was stored
    # Queue entries with more submitted leases than their overlap (any time, not only this run).
    over_overlap = int(db.all(
        "SELECT COUNT(*) FROM (SELECT q.id FROM queue q JOIN leases l ON l.queue_id = q.id"
        " JOIN projects p ON p.id = q.project_id WHERE p.name = ? AND l.state = 'submitted'"
        " GROUP BY q.id, q.overlap HAVING COUNT(*) > q.overlap) t", (project,))[0][0])
    # PostgreSQL has no page-level check to run from here: run.sh runs `hitloop db check`.
    integrity = "n/a (PostgreSQL)" if db.pg else db.all("PRAGMA quick_check")[0][0]
    db.close()

    status = run.status_counts
    fivexx = sum(v for k, v in status.items() if k >= 500)
    if double:
        failures.append("%d double assignments" % double)
    if answered_twice:
        failures.append("%d items answered twice through two entries" % answered_twice)
    if lost:
        failures.append("%d acknowledged labels lost" % lost)
    if duplicated:
        failures.append("%d items with duplicated/unacknowledged labels" % duplicated)
    if over_overlap:
        failures.append("%d queue entries submitted more often than their overlap" % over_overlap)
    if fivexx:
        failures.append("%d responses 5xx" % fivexx)
    if integrity not in ("ok", "n/a (PostgreSQL)"):
        failures.append("integrity: %s" % integrity)
    if run.round_trips == 0:
        failures.append("no round trip completed")
    elapsed = run.seconds
    return {
        "loadgen": run.loadgen,
        "offered_rate": run.rate or "closed loop",
        "clients": run.clients,
        "seconds": round(elapsed, 1),
        "round_trips": run.round_trips,
        "round_trips_per_s": round(run.round_trips / elapsed, 1) if elapsed else 0,
        "claim_ms_p50": round(percentile(run.claim_ms, 50) or 0, 2),
        "claim_ms_p99": round(percentile(run.claim_ms, 99) or 0, 2),
        "claim_ms_max": round(max(run.claim_ms) if run.claim_ms else 0, 2),
        "claims_over_1s": sum(1 for x in run.claim_ms if x > 1000),
        # [sent at (unix s), ms] of each claim over 1 s (the cc load generator only)
        "slow_claims": getattr(run, "slow_claims", []),
        "submit_ms_p50": round(percentile(run.submit_ms, 50) or 0, 2),
        "submit_ms_p99": round(percentile(run.submit_ms, 99) or 0, 2),
        "claims": len(run.claim_ms),
        "empty_claims": run.empty,
        "acknowledged_labels": sum(len(v) for v in acked.values()),
        "unknown_outcome_submits": sum(len(v) for v in unknown_items.values()),
        "double_assignments": double,
        "second_opinions": second_opinions,
        "answered_twice": answered_twice,
        "lost_labels": lost,
        "duplicated_labels": duplicated,
        "over_overlap": over_overlap,
        "status_counts": {str(k): v for k, v in sorted(status.items())},
        "status_by_port": run.status_by_port,
        "errors": run.errors,
        "errors_sample": run.errors_sample,
        "integrity": integrity,
        "loadgen_cpu_s": round(run.cpu_s, 2),
        # What the generator itself costs: it shares the machine with the server.
        "loadgen_cpu_ms_per_round_trip": round(1000 * run.cpu_s / run.round_trips, 3) if run.round_trips else None,
        "since": since,
        "failures": failures,
    }


def run_threads(a, tokens, labels):
    cpu0 = os.times()
    start = time.time()
    deadline = start + a.duration
    clients = [Client(i, a.host, a.port, tokens[i], a.project, labels, deadline, a.seed * 1000 + i)
               for i in range(a.clients)]
    for c in clients:
        c.start()
    for c in clients:
        c.join()
    elapsed = time.time() - start
    cpu1 = os.times()
    return Run.from_clients(clients, elapsed, (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system))


def run_cc(a, ledger):
    """Runs hl_loadgen with the same options; returns its exit code (it writes the ledger)."""
    cmd = [a.cc, "--host", a.host, "--port", str(a.port), "--project", a.project, "--labels", a.labels,
           "--tokens", a.tokens, "--clients", str(a.clients), "--duration", str(a.duration),
           "--seed", str(a.seed), "--threads", str(a.cc_threads), "--ledger", ledger]
    if a.rate:
        cmd += ["--rate", str(a.rate)]
    return subprocess.call(cmd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", help="the server's port; with --cc, P1,P2,... for several servers")
    ap.add_argument("--project", required=True)
    ap.add_argument("--labels", help="comma-separated label set")
    ap.add_argument("--tokens", help="file with one annotator token per line")
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--db", required=True, help="database to check after the run (only read): a SQLite"
                    " file or a postgresql:// URI")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--wait-file", help="after the load, wait until this file exists before checking"
                    " the database (crash.sh: the server is killed, restarted, then the check runs)")
    ap.add_argument("--cc", metavar="HL_LOADGEN", help="drive the load with this hl_loadgen binary"
                    " (bench/server/loadgen.cc) instead of Python threads, then check its ledger")
    ap.add_argument("--cc-threads", type=int, default=1, help="hl_loadgen's epoll threads")
    ap.add_argument("--rate", type=float, default=0, help="with --cc: claims/s offered in total"
                    " (paced, latency counted from each claim's scheduled start); 0 = closed loop")
    ap.add_argument("--ledger", help="with --cc: where hl_loadgen writes its ledger (default: a"
                    " temporary file); without: only check this existing ledger")
    ap.add_argument("--since", type=int, default=0, help="with --ledger only: check annotations"
                    " with a larger id (the mark read before that load started)")
    a = ap.parse_args()

    if a.ledger and not a.cc:
        since = a.since
        run = Run.from_ledger(a.ledger)
    else:
        if a.port is None or not a.labels or not a.tokens:
            ap.error("--port, --labels and --tokens are required to run a load")
        if "," in a.port and not a.cc:
            ap.error("several ports need --cc (hl_loadgen)")
        tokens = [t.strip() for t in open(a.tokens) if t.strip()]
        if len(tokens) < a.clients:
            sys.exit("need %d tokens, have %d" % (a.clients, len(tokens)))
        since = annotation_mark(a.db)
        if a.cc:
            tmp = None
            ledger = a.ledger
            if not ledger:
                tmp = tempfile.NamedTemporaryFile(prefix="hl-ledger-", suffix=".jsonl", delete=False)
                tmp.close()
                ledger = tmp.name
            rc = run_cc(a, ledger)
            try:
                if rc != 0:
                    raise ValueError("hl_loadgen exited with %d" % rc)
                run = Run.from_ledger(ledger)
            except (OSError, ValueError) as e:
                print(json.dumps({"loadgen": "cc", "failures": [str(e)]}))
                sys.exit(1)
            finally:
                if tmp:
                    os.unlink(ledger)
        else:
            a.port = int(a.port)
            run = run_threads(a, tokens, a.labels.split(","))
    if a.wait_file:
        while not os.path.exists(a.wait_file):
            time.sleep(0.05)
    summary = check(run, a.db, a.project, since)
    print(json.dumps(summary))
    sys.exit(1 if summary["failures"] else 0)


if __name__ == "__main__":
    main()
