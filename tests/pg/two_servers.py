#!/usr/bin/env python3
"""Two `hitloop serve` processes on one PostgreSQL database (docs/POSTGRES.md, "Several servers").

usage: two_servers.py HITLOOP_BINARY DB_URI

DB_URI names an existing, empty database (postgresql://...). The check:
  1. one project, ITEMS items queued with overlap 2, ANNOTATORS annotators;
  2. two servers on that database; every annotator sends each request to either server at random
     (a load balancer without affinity), claiming and submitting until the queue is empty;
  3. halfway, one server is killed with SIGKILL; its clients go on with the other one, and the
     leases it handed out and nobody submitted come back after their expiry (--lease-ttl 5);
  4. in the database: every acknowledged submit is there exactly once, no item has more answers
     than its overlap nor two from one person, every item is answered twice.
Exit 0 when all of it holds; otherwise prints what failed and exits 1.
"""
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ITEMS = 120
OVERLAP = 2
ANNOTATORS = 8


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    hitloop, db = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="hitloop-two-")

    def hl(*args, **kw):
        return subprocess.run([hitloop, "--db", db, *args], check=True, capture_output=True, text=True, **kw)

    hl("project", "create", "p", "--labels", "a,b")
    items = os.path.join(work, "items.jsonl")
    with open(items, "w") as f:
        for i in range(ITEMS):
            f.write(json.dumps({"id": "i%04d" % i, "text": "item number %d" % i}) + "\n")
    hl("import", "p", items, "--detect", "none")
    admin = hl("user", "add", "boss", "--role", "admin").stdout.strip()
    tokens = [hl("user", "add", "ann%d" % i, "--role", "annotator", "--projects", "p").stdout.strip()
              for i in range(ANNOTATORS)]

    ports, procs = [free_port(), free_port()], []
    for port in ports:
        procs.append(subprocess.Popen(
            [hitloop, "--db", db, "serve", "--host", "127.0.0.1", "--port", str(port), "--lease-ttl", "5",
             "--no-access-log"], stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "serve-%d.err" % port), "w")))
    for port in ports:
        for _ in range(200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("server on port %d did not start" % port)

    def call(port, token, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        h = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
        h.update(headers or {})
        c.request(method, path, body=None if body is None else json.dumps(body), headers=h)
        r = c.getresponse()
        return r.status, r.read()

    st, body = call(ports[0], admin, "POST", "/api/v1/projects/p/queue",
                    {"items": ["i%04d" % i for i in range(ITEMS)], "overlap": OVERLAP})
    if st != 200:
        sys.exit("queue: %d %s" % (st, body[:300]))

    alive = [True, True]
    acked, errors, lock = [], [], threading.Lock()
    deadline = time.time() + 120

    def annotator(idx, token):
        rng = random.Random(idx)
        empty = 0
        while time.time() < deadline:
            choices = [p for p, a in zip(ports, alive) if a]
            port = rng.choice(choices)
            try:
                st, body = call(port, token, "POST", "/api/v1/projects/p/tasks/next")
            except OSError:
                continue  # the killed server: the next request goes to a live one
            if st == 204:
                empty += 1
                if empty > 150:  # 7.5 s of nothing: longer than a lease of the killed server lasts
                    return
                time.sleep(0.05)
                continue
            if st != 200:
                with lock:
                    errors.append("claim %d %s" % (st, body[:200]))
                continue
            empty = 0
            task = json.loads(body)
            item, lease = task["item"]["id"], task["lease"]["id"]
            if rng.random() < 0.1:
                continue  # walk away: the lease expires and the item goes back in the queue
            key = "k-%s" % lease
            for attempt in range(3):
                port = rng.choice([p for p, a in zip(ports, alive) if a])
                try:
                    st, body = call(port, token, "POST", "/api/v1/leases/%s/submit" % lease, {"label": "a"},
                                    {"Idempotency-Key": key})
                    break
                except OSError:
                    st = None  # outcome unknown: the same key again, on a live server
            if st == 200:
                with lock:
                    acked.append((item, lease, "ann%d" % idx))
            elif st is not None and st != 409:  # 409: the lease expired meanwhile
                with lock:
                    errors.append("submit %d %s" % (st, body[:200]))

    threads = [threading.Thread(target=annotator, args=(i, t)) for i, t in enumerate(tokens)]
    for t in threads:
        t.start()
    while len(acked) < ITEMS * OVERLAP // 2 and time.time() < deadline:
        time.sleep(0.05)
    procs[1].send_signal(signal.SIGKILL)
    procs[1].wait()
    alive[1] = False
    killed_at = len(acked)
    for t in threads:
        t.join()
    procs[0].send_signal(signal.SIGTERM)
    procs[0].wait()

    problems = list(errors)
    q = subprocess.run(["psql", "-At", "-F", "|", db, "-c",
                        "SELECT l.id, i.external_id, l.annotator FROM leases l JOIN items i ON i.id=l.item_id"
                        " WHERE l.state='submitted'"], check=True, capture_output=True, text=True).stdout
    submitted = [tuple(line.split("|")) for line in q.splitlines() if line]
    by_lease = {lease: (item, who) for lease, item, who in submitted}
    for item, lease, who in acked:
        if by_lease.get(lease) != (item, who):
            problems.append("acknowledged submit lost: lease %s item %s by %s" % (lease, item, who))
    per_item = {}
    for lease, item, who in submitted:
        per_item.setdefault(item, []).append(who)
    for item, people in per_item.items():
        if len(people) > OVERLAP:
            problems.append("item %s answered %d times (overlap %d)" % (item, len(people), OVERLAP))
        if len(set(people)) != len(people):
            problems.append("item %s answered twice by one person: %s" % (item, people))
    if len(per_item) != ITEMS or any(len(p) != OVERLAP for p in per_item.values()):
        problems.append("%d of %d items fully answered" %
                        (sum(len(p) == OVERLAP for p in per_item.values()), ITEMS))
    annotations = subprocess.run(["psql", "-At", db, "-c", "SELECT count(*) FROM annotations WHERE source='human'"],
                                 check=True, capture_output=True, text=True).stdout.strip()
    if int(annotations) != len(submitted):
        problems.append("%s human annotations for %d submitted leases" % (annotations, len(submitted)))
    print("two servers: %d acknowledged submits (%d before one server was killed), %d submitted leases, "
          "%d items x %d answers" % (len(acked), killed_at, len(submitted), len(per_item), OVERLAP))
    for p in problems[:30]:
        print("FAIL: " + p)
    if not problems:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("server logs in " + work)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
