#!/usr/bin/env python3
"""A synthetic crowd at scale: ITEMS items, ANSWERS_PER_ITEM answers each from ANNOTATORS
annotators (accuracy uniform in [0.55, 0.95], errors uniform over the wrong classes), 4 classes,
1% of the items gold (truth given). Writes items.jsonl, answers.csv, truth.csv, gold.txt into OUT_DIR.
usage: gen_scale.py OUT_DIR [ITEMS=100000] [ANSWERS_PER_ITEM=10] [ANNOTATORS=500] [SEED=1]"""
import csv, json, os, random, sys

out = sys.argv[1]
items = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
per = int(sys.argv[3]) if len(sys.argv) > 3 else 10
annotators = int(sys.argv[4]) if len(sys.argv) > 4 else 500
rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
k = 4
labels = ["c0", "c1", "c2", "c3"]
acc = [rng.uniform(0.55, 0.95) for _ in range(annotators)]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "items.jsonl"), "w") as fi, open(os.path.join(out, "answers.csv"), "w") as fa, \
        open(os.path.join(out, "truth.csv"), "w") as ft:
    fa.write("id,annotator,label\n")
    ft.write("question,truth\n")
    for i in range(items):
        y = rng.randrange(k)
        rec = {"id": f"i{i}", "text": f"item {i}"}
        if i % 100 == 0:
            rec.update(split="gold", label=labels[y])
        fi.write(json.dumps(rec) + "\n")
        ft.write(f"i{i},{labels[y]}\n")
        for a in rng.sample(range(annotators), per):
            said = y if rng.random() < acc[a] else rng.choice([c for c in range(k) if c != y])
            fa.write(f"i{i},w{a},{labels[said]}\n")
with open(os.path.join(out, "gold.txt"), "w") as fg:
    fg.write("\n".join(f"i{i}" for i in range(0, items, 100)))
print(",".join(labels))
