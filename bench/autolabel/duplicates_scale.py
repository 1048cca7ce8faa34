#!/usr/bin/python3
"""Runs `hitloop detect duplicates` on the synthetic pool from gen_short_items.py under
/usr/bin/time -v and reports wall time, peak RSS, and recall of the planted exact and near copies
(a copy counts as found when it lands in its source's group).
usage: duplicates_scale.py HITLOOP_BINARY ITEMS.jsonl TRUTH.txt
"""
import json
import os
import re
import subprocess
import sys
import time


def main():
    binary, items, truth = sys.argv[1:4]
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", binary, "detect", "duplicates", items],
                       capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", p.stderr).group(1))
    group = {}
    lines = 0
    for line in p.stdout.splitlines():
        r = json.loads(line)
        group[r["id"]] = r["group"]
        lines += 1
    found = {"exact": [0, 0], "near": [0, 0]}
    missed = []
    with open(truth) as f:
        for line in f:
            c, s, kind = line.split()
            found[kind][1] += 1
            if c in group and s in group and group[c] == group[s]:
                found[kind][0] += 1
            else:
                missed.append((c, s))
    n = sum(1 for _ in open(items))
    print("items %d; grouped %d in %d groups; wall %.1f s (user %.1f s); max RSS %.0f MiB" %
          (n, lines, len(set(group.values())), wall, user, rss / 1024))
    for k, (a, b) in found.items():
        print("planted %s copies found: %d / %d (%.4f)" % (k, a, b, a / max(1, b)))
    # Missed copies: how many were at or above the 0.8 threshold by exact Jaccard?
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import jaccard_ref
    need = {x for pair in missed for x in pair}
    text = {}
    with open(items, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["id"] in need:
                text[r["id"]] = r["text"]
    above = 0
    for c, s in missed:
        a, b = jaccard_ref.shingles(text[c]), jaccard_ref.shingles(text[s])
        above += len(a & b) / max(1, len(a | b)) >= 0.8
    print("missed planted copies: %d, of which %d have exact Jaccard >= 0.8" % (len(missed), above))


if __name__ == "__main__":
    main()
