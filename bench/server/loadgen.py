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
  - lost labels: an acknowledged (200) submit whose label is not in the item's history;
  - duplicated labels: an item with more human annotations than acknowledged submits
    (+ submits whose outcome the client never saw, reported separately);
  - any 5xx.
Prints one JSON summary line; exit code 1 if any check fails.
"""
import argparse
import http.client
import json
import os
import random
import sqlite3
import sys
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--project", required=True)
    ap.add_argument("--labels", required=True, help="comma-separated label set")
    ap.add_argument("--tokens", required=True, help="file with one annotator token per line")
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--db", required=True, help="database to check after the run (opened read-only)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--wait-file", help="after the load, wait until this file exists before checking"
                    " the database (crash.sh: the server is killed, restarted, then the check runs)")
    a = ap.parse_args()

    tokens = [t.strip() for t in open(a.tokens) if t.strip()]
    if len(tokens) < a.clients:
        sys.exit("need %d tokens, have %d" % (a.clients, len(tokens)))
    labels = a.labels.split(",")
    # Only annotations written during this run are checked (the database may be reused).
    db = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True)
    first_annotation = (db.execute("SELECT COALESCE(MAX(id), 0) FROM annotations").fetchone()[0] or 0)
    db.close()
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
    loadgen_cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    if a.wait_file:
        while not os.path.exists(a.wait_file):
            time.sleep(0.05)

    # ---- checks ----
    failures = []
    claims_by_item = {}
    ends = {}
    for c in clients:
        ends.update(c.ends)
        for item, lease, t_recv in c.claims:
            claims_by_item.setdefault(item, []).append((t_recv, lease, c.idx))
    db = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True)

    def ended(lease, end):
        # A skip/release the server answered 200, or one whose answer was lost (server killed)
        # but which the database shows it performed.
        if end is None:
            return False
        if end[2] == 200:
            return True
        if end[2] is None:
            row = db.execute("SELECT state FROM leases WHERE id = ?", (lease,)).fetchone()
            return row is not None and row[0] == {"skip": "skipped", "release": "released"}[end[0]]
        return False

    double = 0
    for item, cl in claims_by_item.items():
        cl.sort()
        for prev, cur in zip(cl, cl[1:]):
            end = ends.get(prev[1])
            # The earlier lease must have been ended (skip/release sent) before the later claim
            # came back; a submitted or still-held lease means two people held the item.
            if not ended(prev[1], end) or end[1] > cur[0]:
                double += 1
                if double <= 5:
                    failures.append("item %s leased to client %d while client %d held it" % (item, cur[2], prev[2]))
    acked = {}
    for c in clients:
        for item, lease, label in c.acked:
            acked.setdefault(item, []).append(label)
    unknown_items = {}
    for c in clients:
        for item, lease, label in c.unknown:
            unknown_items.setdefault(item, []).append(label)

    rows = db.execute(
        "SELECT i.external_id, a.labels FROM annotations a JOIN items i ON i.id = a.item_id"
        " JOIN projects p ON p.id = i.project_id WHERE p.name = ? AND a.source = 'human' AND a.id > ?",
        (a.project, first_annotation)).fetchall()
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
    integrity = db.execute("PRAGMA quick_check").fetchone()[0]
    db.close()

    status = {}
    for c in clients:
        for k, v in c.status_counts.items():
            status[k] = status.get(k, 0) + v
    fivexx = sum(v for k, v in status.items() if k >= 500)
    claim_ms = [x for c in clients for x in c.claim_ms]
    submit_ms = [x for c in clients for x in c.submit_ms]
    round_trips = sum(c.round_trips for c in clients)
    errors = [e for c in clients for e in c.errors]
    if double:
        failures.append("%d double assignments" % double)
    if lost:
        failures.append("%d acknowledged labels lost" % lost)
    if duplicated:
        failures.append("%d items with duplicated/unacknowledged labels" % duplicated)
    if fivexx:
        failures.append("%d responses 5xx" % fivexx)
    if integrity != "ok":
        failures.append("integrity: %s" % integrity)
    if round_trips == 0:
        failures.append("no round trip completed")
    summary = {
        "clients": a.clients,
        "seconds": round(elapsed, 1),
        "round_trips": round_trips,
        "round_trips_per_s": round(round_trips / elapsed, 1),
        "claim_ms_p50": round(percentile(claim_ms, 50) or 0, 2),
        "claim_ms_p99": round(percentile(claim_ms, 99) or 0, 2),
        "submit_ms_p50": round(percentile(submit_ms, 50) or 0, 2),
        "submit_ms_p99": round(percentile(submit_ms, 99) or 0, 2),
        "claims": len(claim_ms),
        "empty_claims": sum(c.empty for c in clients),
        "acknowledged_labels": sum(len(v) for v in acked.values()),
        "unknown_outcome_submits": sum(len(v) for v in unknown_items.values()),
        "double_assignments": double,
        "lost_labels": lost,
        "duplicated_labels": duplicated,
        "status_counts": {str(k): v for k, v in sorted(status.items())},
        "errors_sample": errors[:5],
        "integrity": integrity,
        "loadgen_cpu_s": round(loadgen_cpu, 1),
        "failures": failures,
    }
    print(json.dumps(summary))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
