#!/usr/bin/python3
"""scikit-learn peer for Protocol 1/3: the margin-sampling loop a team would write by hand
(the modAL pattern) with LogisticRegression on hashed word uni+bigram and char 3-5 n-gram
sublinear TF-IDF features -- the same recipe as hitloop's featurizer, built from sklearn parts.

Run with Debian's /usr/bin/python3 (python3-sklearn). Writes a JSON summary to stdout:
full-pool accuracy, the per-cycle wall time (retrain + score the unlabelled pool + select a
batch) and the learning curve, so bench/al/run.sh can put it beside hitloop's numbers.
"""
import argparse
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import MaxAbsScaler


def read(path, cap=0):
    texts, vecs, labels = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            texts.append(r.get("text", "") or "")
            vecs.append(r.get("vector"))
            labels.append(r["label"])
            if cap and len(texts) >= cap:
                break
    return texts, vecs, labels


def featurize(pool_texts, pool_vecs, test_texts, test_vecs):
    blocks_pool, blocks_test = [], []
    if any(pool_texts):
        word = HashingVectorizer(ngram_range=(1, 2), n_features=2**20, alternate_sign=False,
                                 norm=None)
        char = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=2**20,
                                 alternate_sign=False, norm=None)
        tf = TfidfTransformer(sublinear_tf=True)
        xp = word.transform(pool_texts) + char.transform(pool_texts)
        xt = word.transform(test_texts) + char.transform(test_texts)
        blocks_pool.append(tf.fit_transform(xp))
        blocks_test.append(tf.transform(xt))
    if pool_vecs and pool_vecs[0] is not None:
        sc = MaxAbsScaler()
        blocks_pool.append(sp.csr_matrix(sc.fit_transform(np.array(pool_vecs, dtype=np.float32))))
        blocks_test.append(sp.csr_matrix(sc.transform(np.array(test_vecs, dtype=np.float32))))
    return sp.hstack(blocks_pool).tocsr(), sp.hstack(blocks_test).tocsr()


def model(c, seed, solver):
    # liblinear (the default here): one-vs-rest L2 logistic regression by dual coordinate
    # descent -- the solver scikit-learn recommends when features outnumber samples, and the same
    # algorithm as hitloop's logreg, so the comparison is about the implementation around it.
    # lbfgs (sklearn's default) fits a multinomial model whose 10 L-BFGS history pairs over
    # 45 x 2^20 dense coefficients needed > 17 GiB on wordnet (it was killed; RESULTS.md).
    if solver == "liblinear":
        return LogisticRegression(C=c, solver="liblinear", dual=True, max_iter=1000,
                                  random_state=seed)
    return LogisticRegression(C=c, solver=solver, max_iter=1000, random_state=seed)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pool", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--seed-labels", type=int, default=2)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--max-labels", type=int, default=1000)
    ap.add_argument("--max-pool", type=int, default=0)
    ap.add_argument("--max-test", type=int, default=0, help="use only the first N test records")
    ap.add_argument("--c", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--solver", default="liblinear", help="liblinear (dual CD), saga, lbfgs")
    ap.add_argument("--start-labels", type=int, default=0,
                    help="seed set of this many random labels instead of seed-labels per class "
                         "(for timing cycles at a given label count)")
    ap.add_argument("--cycles", type=int, default=0, help="stop after this many cycles")
    ap.add_argument("--skip-full", action="store_true",
                    help="do not train the full-pool model (speed runs)")
    a = ap.parse_args()

    pt, pv, pl = read(a.pool, a.max_pool)
    tt, tv, tl = read(a.test, a.max_test)
    classes = sorted(set(pl) | set(tl))
    cid = {c: i for i, c in enumerate(classes)}
    y_pool = np.array([cid[l] for l in pl])
    y_test = np.array([cid[l] for l in tl])
    t0 = time.perf_counter()
    xp, xt = featurize(pt, pv, tt, tv)
    feat_s = time.perf_counter() - t0
    print(f"  sklearn features {xp.shape[0]}x{xp.shape[1]} ({xp.nnz} nonzeros) in {feat_s:.1f}s",
          file=sys.stderr, flush=True)

    full_acc, full_train_s = None, None
    if not a.skip_full:
        t0 = time.perf_counter()
        full = model(a.c, a.seed, a.solver).fit(xp, y_pool)
        full_train_s = time.perf_counter() - t0
        full_acc = float((full.predict(xt) == y_test).mean())

    rng = np.random.default_rng(a.seed)
    if a.start_labels:
        labeled = list(rng.choice(len(pl), size=a.start_labels, replace=False))
    else:
        labeled = []
        for c in range(len(classes)):
            idx = np.flatnonzero(y_pool == c)
            rng.shuffle(idx)
            labeled.extend(idx[: a.seed_labels].tolist())
    is_lab = np.zeros(len(pl), dtype=bool)
    is_lab[labeled] = True
    curve, cycles, cycles_cpu = [], [], []
    while True:
        t0, c0 = time.perf_counter(), time.process_time()
        m = model(a.c, a.seed, a.solver).fit(xp[labeled], y_pool[labeled])
        unl = np.flatnonzero(~is_lab)
        want = min(a.batch, a.max_labels - len(labeled), len(unl))
        pick = []
        if want > 0:
            p = m.predict_proba(xp[unl])
            if p.shape[1] > 1:
                part = np.partition(p, -2, axis=1)
                margin = part[:, -1] - part[:, -2]
            else:
                margin = np.zeros(len(unl))
            pick = unl[np.argsort(margin, kind="stable")[:want]].tolist()
        cyc = time.perf_counter() - t0
        cyc_cpu = time.process_time() - c0
        cycles.append(cyc)
        cycles_cpu.append(cyc_cpu)
        acc = float((m.predict(xt) == y_test).mean())
        curve.append({"labels": len(labeled), "accuracy": acc, "cycle_seconds": cyc,
                      "cycle_cpu_seconds": cyc_cpu, "scored": bool(pick)})
        print(f"  sklearn labels {len(labeled)} acc {acc:.4f} cycle {cyc:.3f}s (cpu {cyc_cpu:.3f}s)",
              file=sys.stderr, flush=True)
        if not pick or (a.cycles and len(cycles) >= a.cycles):
            break
        labeled.extend(pick)
        is_lab[pick] = True

    def ltt(tau):
        for pt_ in curve:
            if full_acc is not None and pt_["accuracy"] >= tau * full_acc:
                return pt_["labels"]
        return None

    json.dump({
        "peer": "scikit-learn " + __import__("sklearn").__version__ +
                f" LogisticRegression({a.solver}) margin loop",
        "cpu_seconds": time.process_time(),
        "pool_size": len(pl), "test_size": len(tl), "classes": len(classes),
        "features_seconds": feat_s, "full_pool_accuracy": full_acc,
        "full_pool_train_seconds": full_train_s,
        "labels_to_target": {f"{t:.2f}": ltt(t) for t in (0.95, 0.98, 0.99)},
        "cycle_seconds_median": float(np.median(cycles)),
        "cycle_cpu_seconds_median": float(np.median(cycles_cpu)), "curve": curve,
    }, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
