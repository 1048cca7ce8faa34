"""Writes a synthetic JSONL pool of ~200-byte records for the storage benchmarks.

Texts are resampled (seeded) from the wordnet glosses in bench/data/wordnet/pool.jsonl when that
file exists, else built from a fixed word list. Labels are wordnet's 45 lexicographer files.
A fraction of records carry a human "label", another fraction a model "prediction".
Also writes OUT.labels: the label set, comma-separated, for `hitloop project create --labels`.
usage: gen_items.py OUT.jsonl [--n 1000000] [--seed 7] [--labelled 0.1] [--predicted 0.3]
"""
import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORDNET = os.path.join(HERE, "..", "data", "wordnet", "pool.jsonl")
WORDS = ("data label model human loop active learning annotate review sample pool batch score "
         "class text vector margin entropy committee audit claim lease export import status "
         "project item record quality target error ratio signal noise word gloss sense").split()


def load_corpus(rng):
    if os.path.exists(WORDNET):
        texts, labels = [], set()
        with open(WORDNET, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                texts.append((r["text"], r["label"], r["id"]))
                labels.add(r["label"])
        return texts, sorted(labels)
    labels = ["class_%02d" % i for i in range(45)]
    texts = [(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))), rng.choice(labels),
              "w%05d" % i) for i in range(50000)]
    return texts, labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--labelled", type=float, default=0.1)
    ap.add_argument("--predicted", type=float, default=0.3)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    texts, labels = load_corpus(rng)
    total = 0
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for i in range(a.n):
            text, gold, src = texts[rng.randrange(len(texts))]
            # Pad short glosses with a second one so records average ~200 bytes.
            if len(text) < 90:
                text = text + "; " + texts[rng.randrange(len(texts))][0]
            if len(text) > 170:
                text = text[:170].rsplit(" ", 1)[0]
            rec = {"id": "s%07d" % i, "text": text, "meta": {"src": src, "batch": i // 10000}}
            u = rng.random()
            if u < a.labelled:
                rec["label"] = gold
            elif u < a.labelled + a.predicted:
                guess = gold if rng.random() < 0.8 else rng.choice(labels)
                rec["prediction"] = {"label": guess, "score": round(rng.uniform(0.3, 1.0), 3)}
            line = json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"
            total += len(line.encode("utf-8"))
            f.write(line)
    os.replace(tmp, a.out)
    with open(a.out + ".labels", "w", encoding="utf-8") as f:
        f.write(",".join(labels) + "\n")
    print("gen_items: %d records, %.1f MB, %.0f bytes/record, %d labels -> %s"
          % (a.n, total / 1e6, total / max(a.n, 1), len(labels), a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
