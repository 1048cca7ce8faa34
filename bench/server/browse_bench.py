#!/usr/bin/env python3
"""Data-browser latency on a big project (bench/server/browse_bench.sh runs it).

usage: browse_bench.py gen FILE N            write N items (JSONL) with a prediction, 10% labelled
       browse_bench.py run BASE TOKEN PROJECT N REQUESTS [SERVER_PID]
Each request is one GET /api/v1/projects/P/items round trip on a kept-alive connection, as the
page sends it (50 rows). "filter" requests: a filter (state, label, pre-label, source, confidence
band, several at once), first pages and pages deep in the project (a keyset cursor at a random
id), sorted by id; "search" requests: q= a frequent word, a rare word, a word in no item, an id
fragment. Prints p50/p90/p99/max per request kind and per case, and with SERVER_PID the server's
CPU time per request (user + system, /proc), which a loaded machine does not inflate.
"""
import http.client
import json
import os
import random
import sys
import time
import urllib.parse

LABELS = ["pos", "neg", "neu"]


def words(rng, n_vocab=20000):
    # A Zipf-like vocabulary: word k drawn with weight 1/(k+1).
    vocab = ["w%05d" % k for k in range(n_vocab)]
    cum, total = [], 0.0
    for k in range(n_vocab):
        total += 1.0 / (k + 1)
        cum.append(total)
    return vocab, cum


def gen(path, n):
    rng = random.Random(11)
    vocab, cum = words(rng)
    with open(path, "w") as f:
        for i in range(n):
            p = [rng.random() + 0.05 for _ in LABELS]
            s = sum(p)
            p = [x / s for x in p]
            top = max(range(3), key=lambda k: p[k])
            text = " ".join(rng.choices(vocab, cum_weights=cum, k=rng.randint(8, 30)))
            rec = {"id": "i%07d" % i, "text": text,
                   "prediction": {"label": LABELS[top], "score": round(p[top], 4),
                                  "distribution": [round(x, 4) for x in p]}}
            if i % 10 == 0:
                rec["label"] = LABELS[rng.randrange(3)]
            f.write(json.dumps(rec) + "\n")


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def cpu_ms(pid):
    if not pid:
        return 0.0
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def run(base, token, project, n, requests, pid=0):
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    rng = random.Random(3)

    def get(params):
        path = "/api/v1/projects/%s/items?%s" % (project, urllib.parse.urlencode(params))
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": "Bearer " + token})
        r = conn.getresponse()
        body = r.read()
        ms = (time.perf_counter() - t0) * 1000
        if r.status != 200:
            sys.exit("GET %s: %d %s" % (path, r.status, body[:300]))
        return ms, json.loads(body)

    filters = {
        "state=labeled": {"state": "labeled"},
        "state=unlabeled": {"state": "unlabeled"},
        "label=neg": {"label": "neg"},
        "prelabel=pos": {"prelabel": "pos"},
        "source=human": {"source": "human"},
        "confidence 0.40-0.45": {"min_confidence": "0.40", "max_confidence": "0.45"},
        "label=pos&prelabel=neg": {"label": "pos", "prelabel": "neg"},
    }
    searches = {
        "q=frequent word": lambda: {"q": "w%05d" % rng.randrange(0, 5)},
        "q=rare word": lambda: {"q": "w%05d" % rng.randrange(15000, 20000)},
        "q=no such word": lambda: {"q": "zz%05d" % rng.randrange(100000)},
        "q=id fragment": lambda: {"q": "i%05d" % rng.randrange(0, n // 100)},
    }
    results = {}
    cpu = {}
    # Warm the connection and the page cache the way a browsing session would.
    for f in filters.values():
        get(dict(f, limit=50))
    per = max(1, requests // (len(filters) + len(searches)))
    for name, f in filters.items():
        times = []
        c0 = cpu_ms(pid)
        for k in range(per):
            params = dict(f, limit=50)
            if k % 2 == 1:  # half the pages deep in the project
                at = rng.randrange(n)
                params["after"] = "%d~%d" % (at, at)
            ms, _ = get(params)
            times.append(ms)
        results[("filter", name)] = times
        cpu[("filter", name)] = cpu_ms(pid) - c0
    for name, make in searches.items():
        times = []
        c0 = cpu_ms(pid)
        for _ in range(per):
            ms, _ = get(dict(make(), limit=50))
            times.append(ms)
        results[("search", name)] = times
        cpu[("search", name)] = cpu_ms(pid) - c0
    for kind in ("filter", "search"):
        allt = [t for (k, _), ts in results.items() if k == kind for t in ts]
        print("%-6s all cases: n=%d p50 %.1f ms p90 %.1f ms p99 %.1f ms max %.1f ms"
              % (kind, len(allt), pct(allt, .5), pct(allt, .9), pct(allt, .99), max(allt)))
        for (k, name), ts in results.items():
            if k == kind:
                print("   %-26s n=%d p50 %.1f p99 %.1f max %.1f ms; server CPU %.1f ms/request"
                      % (name, len(ts), pct(ts, .5), pct(ts, .99), max(ts), cpu[(k, name)] / len(ts)))


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]))
    else:
        run(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]),
            int(sys.argv[7]) if len(sys.argv) > 7 else 0)
