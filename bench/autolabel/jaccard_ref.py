"""Reference near-duplicate pairs by exact all-pairs Jaccard (an implementation independent of
hitloop's MinHash/LSH): word 3-shingle sets after NFKC + casefold, tokens = runs of letters/digits
(Han/Kana/Thai codepoints one token each, as in src/autolabel/normalize.cc), all pairs with
Jaccard >= t found with prefix filtering (Bayardo et al. 2007, "Scaling up all pairs similarity
search"), which is exact: two sets with J >= t share a token within their rarest-first prefixes.
"""
import collections
import math
import re
import unicodedata

TOKEN = re.compile(r"[^\W_]+|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u0e00-\u0eff]", re.UNICODE)
UNSPACED = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff])")


def shingles(text, k=3):
    norm = unicodedata.normalize("NFKC", text).casefold()
    norm = UNSPACED.sub(r" \1 ", norm)
    toks = re.findall(r"[^\W_]+", norm)
    if not toks:
        return frozenset()
    if len(toks) < k:
        return frozenset([" ".join(toks)])
    return frozenset(" ".join(toks[i:i + k]) for i in range(len(toks) - k + 1))


def all_pairs(sets, t):
    """Returns {(i, j): jaccard} for i < j with jaccard >= t (empty sets never pair)."""
    df = collections.Counter(s for x in sets for s in x)
    order = [sorted(x, key=lambda s: (df[s], s)) for x in sets]
    index = collections.defaultdict(list)
    out = {}
    by_size = sorted(range(len(sets)), key=lambda i: len(sets[i]))
    for i in by_size:
        x = order[i]
        n = len(x)
        if n == 0:
            continue
        prefix = n - math.ceil(t * n) + 1
        cands = set()
        for s in x[:prefix]:
            for j in index[s]:
                cands.add(j)
            index[s].append(i)
        for j in cands:
            # size filter: |y| >= t|x| (y is no larger than x by the processing order)
            if len(sets[j]) < t * n:
                continue
            inter = len(sets[i] & sets[j])
            jac = inter / (n + len(sets[j]) - inter)
            if jac >= t:
                out[(min(i, j), max(i, j))] = jac
    return out
