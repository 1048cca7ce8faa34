#!/usr/bin/python3
"""Renders bench/al/repr_run.sh output as the markdown tables of bench/RESULTS.md:
OUT/<d>/ (new model), OUT/base_<d>/ (logreg), OUT/<d>.sklearn.json (scikit-learn peer).
Usage: repr_report.py OUT_DIR [dataset ...]"""
import csv
import json
import os
import statistics
import sys


def mean_curve(path, strategy):
    by_rep = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            if r["strategy"] != strategy:
                continue
            by_rep.setdefault(int(r["repeat"]), []).append((int(r["labels"]), float(r["accuracy"])))
    if not by_rep:
        return []
    n = min(len(v) for v in by_rep.values())
    return [(list(by_rep.values())[0][i][0],
             statistics.mean(v[i][1] for v in by_rep.values())) for i in range(n)]


def first_reaching(curve, target):
    for labels, acc in curve:
        if acc >= target:
            return labels
    return None


def fmt(v, nd=4):
    if v is None:
        return "–"
    return f"{v:.{nd}f}" if isinstance(v, float) else str(v)


def ler(s, strat="margin", tau="0.98"):
    e = s["strategies"].get(strat, {}).get("ler_vs_random", {}).get(tau)
    if not e or e["median"] is None:
        return "–"
    star = "≥ " if e.get("random_censored") else ""
    return f"{star}{e['median']:.2f} [{e['ci_low']:.2f}, {e['ci_high']:.2f}]"


def main():
    out = sys.argv[1]
    names = sys.argv[2:] or [d for d in ("spam", "wordnet", "brown", "fashion")
                             if os.path.exists(os.path.join(out, d, "summary.json"))]
    print("| dataset | model | full-pool acc (new / logreg) | margin L@98% new / logreg | "
          "LER@98% new [95% CI] | LER@98% logreg | pool frac @99% new / logreg | "
          "peer full-pool | labels to 98% of peer's full-pool: new / logreg / peer | "
          "final acc @budget new / logreg / peer |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for d in names:
        s = json.load(open(os.path.join(out, d, "summary.json")))
        bp = os.path.join(out, "base_" + d, "summary.json")
        b = json.load(open(bp)) if os.path.exists(bp) else None
        pp = os.path.join(out, d + ".sklearn.json")
        p = json.load(open(pp)) if os.path.exists(pp) else None
        nc = mean_curve(os.path.join(out, d, "curves.csv"), "margin")
        bc = mean_curve(os.path.join(out, "base_" + d, "curves.csv"), "margin") if b else []
        pc = [(c["labels"], c["accuracy"]) for c in p["curve"]] if p else []
        tgt = 0.98 * p["full_pool_accuracy"] if p and p["full_pool_accuracy"] else None
        sm = s["strategies"]["margin"]
        bm = b["strategies"]["margin"] if b else None
        print(f"| {d} | {s['settings']['model']} | {fmt(s['full_pool_accuracy'])} / "
              f"{fmt(b['full_pool_accuracy']) if b else '–'} | "
              f"{fmt(sm['labels_to_target']['0.98'])} / {fmt(bm['labels_to_target']['0.98']) if bm else '–'} | "
              f"{ler(s)} | {ler(b) if b else '–'} | {fmt(sm['pool_fraction']['0.99'], 3)} / "
              f"{fmt(bm['pool_fraction']['0.99'], 3) if bm else '–'} | "
              f"{fmt(p['full_pool_accuracy']) if p else '–'} | "
              f"{fmt(first_reaching(nc, tgt)) if tgt else '–'} / {fmt(first_reaching(bc, tgt)) if tgt else '–'} / "
              f"{fmt(first_reaching(pc, tgt)) if tgt else '–'} | "
              f"{fmt(nc[-1][1]) if nc else '–'} / {fmt(bc[-1][1]) if bc else '–'} / "
              f"{fmt(pc[-1][1]) if pc else '–'} |")
    print("\nPer run (wall, representation learning):")
    for d in names:
        s = json.load(open(os.path.join(out, d, "summary.json")))
        st = s["settings"]
        print(f"- {d}: {st['model']}, {st['repeats']} repeats, wall {st['wall_seconds']:.0f} s, "
              f"representations {st.get('representation_seconds', 0):.1f} s, margin cycle median "
              f"{s['strategies']['margin']['cycle_seconds_median']:.3f} s")


if __name__ == "__main__":
    main()
