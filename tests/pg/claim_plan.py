#!/usr/bin/env python3
"""Regression: the claim's plan on PostgreSQL (store/postgres/pg_store_queue.cc, PgStore::Claim).

usage: claim_plan.py HITLOOP_BINARY DB_URI      (DB_URI: an existing, empty database; the role must
                                                 be allowed pg_stat_reset(), as on the test cluster)

What went wrong: the claim was a prepared statement. From its sixth run PostgreSQL switched to the
generic plan, which walks the queue_claim index in priority order and filters the kinds, so the
task mix's audit-first claim (one kind, none open) read every open entry of the project to find
nothing: 0.5-2.4 s a claim with 1M items queued, and a server on PostgreSQL served 42 claim+submit
round trips/s to 64 clients (bench/server/pg_load.sh). This check counts the index entries the
claims read instead of timing them: ITEMS items queued, CLAIMS claim+submit round trips through one
server (after ANALYZE, as on a busy project), then pg_stat_user_indexes and pg_stat_user_tables.
Now each claim reads a few entries; before, every claim after the fifth read all ITEMS (and a
first fix, a prepared EXISTS on the kind, was planned as a sequential scan of the queue). Exit 0
when fewer than ITEMS entries were read in all (the queue never read once in full).
"""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ITEMS = 20000
CLAIMS = 30


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    hitloop, db = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="hitloop-claimplan-")

    def hl(*args):
        return subprocess.run([hitloop, "--db", db, *args], check=True, capture_output=True, text=True).stdout

    def sql(q):
        return subprocess.run(["psql", "-X", "-At", db, "-c", q], check=True, capture_output=True,
                              text=True).stdout.strip()

    hl("project", "create", "p", "--labels", "a,b")
    items = os.path.join(work, "items.jsonl")
    with open(items, "w") as f:
        for i in range(ITEMS):
            f.write(json.dumps({"id": "i%05d" % i, "text": "item number %d" % i}) + "\n")
    hl("import", "p", items, "--detect", "none")
    admin = hl("user", "add", "boss", "--role", "admin").strip()
    ann = hl("user", "add", "ann", "--role", "annotator", "--projects", "p").strip()
    port = free_port()
    proc = subprocess.Popen([hitloop, "--db", db, "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--no-access-log"], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, "serve.err"), "w"))
    problems = []
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            sys.exit("the server did not start")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

        def call(token, path, body=None):
            conn.request("POST", path, body=None if body is None else json.dumps(body),
                         headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
            r = conn.getresponse()
            return r.status, r.read()

        for s in range(0, ITEMS, 10000):
            st, body = call(admin, "/api/v1/projects/p/queue",
                            {"items": ["i%05d" % i for i in range(s, min(ITEMS, s + 10000))]})
            if st != 200:
                sys.exit("queue: %d %s" % (st, body[:300]))
        # Statistics as autovacuum leaves them on a busy project: every open entry a review.
        sql("ANALYZE")
        sql("SELECT pg_stat_reset()")
        t0 = time.time()
        for _ in range(CLAIMS):
            st, body = call(ann, "/api/v1/projects/p/tasks/next")
            if st != 200:
                problems.append("claim: %d %s" % (st, body[:200]))
                break
            lease = json.loads(body)["lease"]["id"]
            st, body = call(ann, "/api/v1/leases/%s/submit" % lease, {"label": "a"})
            if st != 200:
                problems.append("submit: %d %s" % (st, body[:200]))
                break
        seconds = time.time() - t0
    finally:
        proc.terminate()
        proc.wait()
    # The server's connections are closed: their statistics are flushed.
    read = 0
    for _ in range(50):
        # Entries read through the queue's indexes and by sequential scans of it.
        read = int(sql("SELECT COALESCE(sum(idx_tup_read), 0) + (SELECT seq_tup_read FROM pg_stat_user_tables"
                       " WHERE relname = 'queue') FROM pg_stat_user_indexes WHERE relname = 'queue'") or 0)
        if read > 0:
            break
        time.sleep(0.1)
    print("claim plan: %d claim+submit round trips in %.1f s read %d queue entries (%d queued)" %
          (CLAIMS, seconds, read, ITEMS))
    if read >= ITEMS:
        problems.append("the claims read %d queue entries: at least one read the whole queue" % read)
    for p in problems:
        print("FAIL: " + p)
    if not problems:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("server log in " + work)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
