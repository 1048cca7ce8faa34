#!/usr/bin/env python3
"""Accuracy of an export (`hitloop export --format jsonl --aggregate M`) against truth.csv.
usage: score.py EXPORT.jsonl TRUTH.csv [GOLD.txt]
Prints: accuracy of `label` on the items with a truth that are not gold, and the majority vote's
expected accuracy with ties split evenly (from the exported answers), on the same items."""
import csv, json, sys
from collections import Counter

truth = {r["question"]: r["truth"] for r in csv.DictReader(open(sys.argv[2]))}
gold = set(open(sys.argv[3]).read().split()) if len(sys.argv) > 3 else set()
n = right = 0
expected = 0.0
for line in open(sys.argv[1]):
    r = json.loads(line)
    q = r["id"]
    if q not in truth or q in gold:
        continue
    n += 1
    right += r.get("label") == truth[q]
    votes = Counter(a["label"] for a in r.get("annotations", []))
    if votes:
        top = max(votes.values())
        tied = [l for l, c in votes.items() if c == top]
        if truth[q] in tied:
            expected += 1.0 / len(tied)
print(f"{right / n:.4f} {expected / n:.4f} {n}")
