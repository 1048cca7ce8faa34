"""Shared helpers for the dataset converters: seeded stratified split and JSONL writing.

Standard library only; run with Debian's /usr/bin/python3.
"""
import collections
import hashlib
import json
import os
import random


def stratified_split(records, test_fraction=0.2, seed=20261127, group_key=None):
    """Splits records into (pool, test), stratified by record["label"].

    Deterministic for a given seed and input order. Every class keeps at least one item in the
    pool; a class with a single item (or a single group) goes wholly to the pool.
    group_key(record) -> str keeps records with the same key on the same side (used to keep
    exact-duplicate texts from straddling pool and test).
    """
    rng = random.Random(seed)
    by_label = collections.OrderedDict()
    for r in records:
        by_label.setdefault(r["label"], []).append(r)
    pool, test = [], []
    for label in sorted(by_label):
        items = by_label[label]
        groups = collections.OrderedDict()
        for r in items:
            key = group_key(r) if group_key else r["id"]
            groups.setdefault(key, []).append(r)
        keys = list(groups)
        rng.shuffle(keys)
        want = int(round(len(items) * test_fraction))
        got = 0
        for i, k in enumerate(keys):
            # Leave at least one group in the pool.
            if got < want and i < len(keys) - 1:
                test.extend(groups[k])
                got += len(groups[k])
            else:
                pool.extend(groups[k])
    rng.shuffle(pool)
    rng.shuffle(test)
    return pool, test


def text_key(r):
    return hashlib.sha1(r["text"].encode("utf-8")).hexdigest()


def write_jsonl(path, records):
    """Writes records atomically (tmp + rename)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")))
            f.write("\n")
    os.replace(tmp, path)


def write_split(out_dir, pool, test):
    write_jsonl(os.path.join(out_dir, "pool.jsonl"), pool)
    write_jsonl(os.path.join(out_dir, "test.jsonl"), test)
    counts = collections.Counter(r["label"] for r in pool + test)
    print("%s: pool=%d test=%d classes=%d" % (os.path.basename(out_dir.rstrip("/")), len(pool),
                                               len(test), len(counts)))
