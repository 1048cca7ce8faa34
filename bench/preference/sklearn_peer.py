#!/usr/bin/python3
"""Reward-model peer of BENCHMARKS.md protocol 4, run side by side with `hitloop reward train`.

scikit-learn LogisticRegression (no intercept) on TF-IDF(chosen last turn) - TF-IDF(rejected last
turn), word 1-2-grams, sublinear tf, min_df 2, random sign flips for balance; and "the shorter
answer wins". Pair accuracy on the held-out 20% of each seeded split.

The split is the one `hitloop reward train --holdout 0.2 --seed S` uses: pair i (0-based line of
the file, = the i-th item of a project imported from it) is held out when its key
splitmix64(S * 0x9E3779B97F4A7C15 + i) is among the 20% smallest (ties by index).

Usage: /usr/bin/python3 bench/preference/sklearn_peer.py FILE.jsonl [--seeds 1,2,3,4,5]
Prints one line per seed and the median, as JSON lines.
"""
import argparse
import json
import statistics
import sys

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

MASK = (1 << 64) - 1
MARKER = "\n\nAssistant:"


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def holdout(n, seed, fraction=0.2):
    keys = sorted((splitmix64((seed * 0x9E3779B97F4A7C15 + i) & MASK), i) for i in range(n))
    k = int(round(fraction * n))
    return {i for _, i in keys[:k]}


def last_turn(dialogue):
    at = dialogue.rfind(MARKER)
    return dialogue[at + len(MARKER):].strip() if at >= 0 else dialogue.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--seeds", default="1,2,3,4,5")
    args = ap.parse_args()
    chosen, rejected = [], []
    with open(args.file, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            chosen.append(last_turn(r["chosen"]))
            rejected.append(last_turn(r["rejected"]))
    n = len(chosen)
    accs, shorter = [], []
    for seed in [int(s) for s in args.seeds.split(",")]:
        test = holdout(n, seed)
        tr = [i for i in range(n) if i not in test]
        te = sorted(test)
        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
        vec.fit([chosen[i] for i in tr] + [rejected[i] for i in tr])
        d = vec.transform([chosen[i] for i in tr]) - vec.transform([rejected[i] for i in tr])
        rng = np.random.RandomState(seed)
        sign = np.where(rng.rand(len(tr)) < 0.5, -1.0, 1.0)
        from scipy.sparse import diags
        x = diags(sign) @ d
        y = (sign > 0).astype(int)
        clf = LogisticRegression(fit_intercept=False, max_iter=1000)
        clf.fit(x, y)
        dt = vec.transform([chosen[i] for i in te]) - vec.transform([rejected[i] for i in te])
        acc = float(np.mean(dt @ clf.coef_.ravel() > 0))
        # "The shorter answer wins" (characters; equal lengths count half).
        s = [1.0 if len(chosen[i]) < len(rejected[i]) else 0.5 if len(chosen[i]) == len(rejected[i]) else 0.0
             for i in te]
        sh = sum(s) / len(s)
        accs.append(acc)
        shorter.append(sh)
        print(json.dumps({"seed": seed, "train": len(tr), "test": len(te), "sklearn_tfidf_lr": round(acc, 4),
                          "shorter_wins": round(sh, 4)}))
    print(json.dumps({"median_sklearn_tfidf_lr": round(statistics.median(accs), 4),
                      "median_shorter_wins": round(statistics.median(shorter), 4)}))


if __name__ == "__main__":
    sys.exit(main())
