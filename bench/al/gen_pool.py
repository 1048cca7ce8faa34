#!/usr/bin/python3
"""Writes a large synthetic active-learning pool (Protocol 3: "a 1M-item synthetic pool built by
resampling" wordnet) as JSONL records {"id", "text", "label"} with gold labels.

Each record resamples (seeded) one gloss of bench/data/wordnet/pool.jsonl and perturbs it so the
pool is not a million exact duplicates: every word is dropped with probability 0.1, and with
probability 0.5 one to three words of another gloss of the SAME class are appended (so the label
stays right). usage: gen_pool.py OUT.jsonl [--n 1000000] [--seed 7] [--source POOL.jsonl]
"""
import argparse
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--source", default=os.path.join(HERE, "..", "data", "wordnet", "pool.jsonl"))
    a = ap.parse_args()
    rng = random.Random(a.seed)
    recs, by_label = [], {}
    with open(a.source, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            words = r["text"].split()
            recs.append((words, r["label"]))
            by_label.setdefault(r["label"], []).append(words)
    with open(a.out, "w", encoding="utf-8") as out:
        for i in range(a.n):
            words, label = recs[rng.randrange(len(recs))]
            kept = [w for w in words if rng.random() >= 0.1] or words[:1]
            if rng.random() < 0.5:
                other = rng.choice(by_label[label])
                kept += rng.sample(other, min(len(other), rng.randint(1, 3)))
            out.write(json.dumps({"id": "s%07d" % i, "text": " ".join(kept), "label": label},
                                 ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
