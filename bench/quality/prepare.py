#!/usr/bin/env python3
"""Turns a crowd set (answers.csv: question,worker,answer; truth.csv: question,truth) into hitloop
inputs: items.jsonl (one item per question; a seeded `gold_fraction` of the questions with a truth
become gold items carrying it) and answers.csv (id,annotator,label) for `import --format answers`.
usage: prepare.py DATASET_DIR OUT_DIR GOLD_FRACTION SEED"""
import csv, json, os, random, sys

src, out, frac, seed = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
os.makedirs(out, exist_ok=True)
truth = {r["question"]: r["truth"] for r in csv.DictReader(open(os.path.join(src, "truth.csv")))}
answers = list(csv.DictReader(open(os.path.join(src, "answers.csv"))))
questions = sorted({a["question"] for a in answers})
labels = sorted({a["answer"] for a in answers} | set(truth.values()), key=lambda x: (len(x), x))
with_truth = sorted(q for q in questions if q in truth)
rng = random.Random(seed)
gold = set(rng.sample(with_truth, int(round(frac * len(with_truth))))) if frac > 0 else set()
with open(os.path.join(out, "items.jsonl"), "w") as f:
    for q in questions:
        rec = {"id": q, "text": "question " + q}
        if q in gold:
            rec.update(split="gold", label=truth[q])
        f.write(json.dumps(rec) + "\n")
with open(os.path.join(out, "answers.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "annotator", "label"])
    for a in answers:
        w.writerow([a["question"], a["worker"], a["answer"]])
with open(os.path.join(out, "gold.txt"), "w") as f:
    f.write("\n".join(sorted(gold)))
print(",".join(labels))
