#!/usr/bin/env python3
"""Scope caches across servers on one PostgreSQL database, invalidated across processes
(store/scope_version.h, server/scope_cache.h).

usage: scope_cache.py HITLOOP_BINARY DB_URI      (DB_URI: an existing, empty database)

Two servers with a 10-minute scope cache (--scope-cache-ms 600000). An annotator's token is used
on server B (so B caches the user and the membership); then, through server A's admin API, the
annotator is disabled: server B must refuse the token (401) within 2 s; and a label added by the
CLI (a third process) must show on B's project. Without the scope version B kept serving the disabled user
for the whole cache period (10 minutes here, 1 s by default). Exit 0 when both hold.
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


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(port, token, method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    c.request(method, path, body=None if body is None else json.dumps(body), headers=h)
    r = c.getresponse()
    return r.status, r.read()


def main():
    hitloop, db = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="hitloop-scope-")

    def hl(*args):
        return subprocess.run([hitloop, "--db", db, *args], check=True, capture_output=True, text=True).stdout

    hl("project", "create", "p", "--labels", "a,b")
    admin = hl("user", "add", "boss", "--role", "admin").strip()
    ann = hl("user", "add", "ann", "--role", "annotator", "--projects", "p").strip()
    ports, procs = [free_port(), free_port()], []
    for port in ports:
        procs.append(subprocess.Popen(
            [hitloop, "--db", db, "serve", "--host", "127.0.0.1", "--port", str(port), "--scope-cache-ms", "600000",
             "--no-access-log"], stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "serve-%d.err" % port), "w")))
    problems = []
    try:
        for port in ports:
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
                sys.exit("server on port %d did not start" % port)
        a, b = ports
        # B caches the annotator, the project and the membership.
        for _ in range(3):
            st, body = call(b, ann, "GET", "/api/v1/projects/p")
            if st != 200:
                problems.append("before: annotator on B: %d %s" % (st, body[:200]))
        # A label added by another process (the CLI) shows on B (projects are cached too).
        hl("project", "add-label", "p", "c")
        # The annotator is disabled through A.
        st, body = call(a, admin, "POST", "/api/v1/users/ann/disable")
        if st != 200:
            problems.append("disable on A: %d %s" % (st, body[:200]))
        deadline = time.time() + 2.0
        refused_after = None
        t0 = time.time()
        while time.time() < deadline:
            st, _ = call(b, ann, "GET", "/api/v1/projects/p")
            if st == 401:
                refused_after = time.time() - t0
                break
            time.sleep(0.02)
        if refused_after is None:
            problems.append("B still accepts the disabled annotator's token 2 s after A disabled it")
        st, body = call(b, admin, "GET", "/api/v1/projects/p")
        labels = json.loads(body).get("labels", []) if st == 200 else []
        if "c" not in labels:
            problems.append("B does not show the label the CLI added: %d %s" % (st, body[:200]))
        print("scope cache across servers: B refused the disabled token %s s after A disabled it; labels on B %s" %
              ("%.3f" % refused_after if refused_after is not None else "never", labels))
    finally:
        for p in procs:
            p.terminate()
            p.wait()
    for p in problems:
        print("FAIL: " + p)
    if not problems:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("server logs in " + work)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
