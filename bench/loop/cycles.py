#!/usr/bin/env python3
"""Per-cycle diagnostics of `hitloop simulate loop` outputs (bench/loop/run.sh), one Markdown row
per output directory under OUT (or per directory given):

  bench/loop/cycles.py OUT            # every OUT/<name>/cycles.csv
  bench/loop/cycles.py DIR [DIR...]   # those directories

Columns (means / medians over the runs of a directory):
  human_fraction        what the run paid (summary.json: people's labels + audits, over the pool)
  oracle floor          1 - max over the run's cycles of oracle_accept: oracle_accept is the largest
                        fraction of the pool an oracle knowing gold could auto-accept with one
                        threshold on that cycle's confidences at precision >= the target, among
                        items people had not labelled. No certificate can accept more, so no run
                        can pay less than the floor of its best cycle (audits not even counted).
  final oracle_accept   the same at the last cycle, beside the coverage the run reached there
  top-half precision    gold precision of the most confident half of the unlabelled items (last cycle)
  first cert cycle      first cycle with a certified threshold, its threshold, and the audits /
                        errors in its region (cert_audits / cert_errors at that cycle)
  audits to 1st cert    summary.json audits_to_first_certificate (audit answers before it)
Older cycles.csv files without the diagnostic columns are skipped with a note.
"""
import csv
import json
import os
import statistics
import sys


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def mean(xs):
    return statistics.mean(xs) if xs else float("nan")


def one(path):
    rows = list(csv.DictReader(open(os.path.join(path, "cycles.csv"))))
    if not rows or "oracle_accept" not in rows[0]:
        return None
    summary = {}
    sp = os.path.join(path, "summary.json")
    if os.path.isfile(sp):
        summary = json.load(open(sp))
    runs = {}
    for r in rows:
        runs.setdefault(int(r["run"]), []).append(r)
    floors, final_oracle, final_cov, top_half, first_cycle, first_thr = [], [], [], [], [], []
    first_audits, first_errors, cand = [], [], []
    pool = summary.get("pool_size")
    for run, cs in sorted(runs.items()):
        cs.sort(key=lambda r: int(r["cycle"]))
        floors.append(1 - max(float(c["oracle_accept"]) for c in cs))
        last = cs[-1]
        final_oracle.append(float(last["oracle_accept"]))
        if pool:
            final_cov.append(int(last["auto_accepted"]) / pool)
        top_half.append(float(last["top_half_precision"]))
        cand.append(mean([int(c["candidates"]) for c in cs]))
        for c in cs:
            if c["certified"] == "1":
                first_cycle.append(int(c["cycle"]))
                first_thr.append(float(c["threshold"]))
                first_audits.append(int(c["cert_audits"]))
                first_errors.append(int(c["cert_errors"]))
                break
    hf = [r["human_fraction"] for r in summary.get("runs", [])]
    a2fc = [r["audits_to_first_certificate"] for r in summary.get("runs", [])
            if r.get("audits_to_first_certificate") is not None]
    grid = summary.get("options", {}).get("grid", "?")
    return {
        "runs": len(runs), "grid": grid,
        "hf": mean(hf), "floor": mean(floors), "floor_min": min(floors),
        "final_oracle": mean(final_oracle), "final_cov": mean(final_cov),
        "top_half": mean(top_half), "certified": len(first_cycle),
        "first_cycle": med(first_cycle), "first_thr": med(first_thr),
        "first_audits": med(first_audits), "first_errors": med(first_errors),
        "a2fc": med(a2fc), "cand": mean(cand),
    }


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    dirs = []
    for a in args:
        if os.path.isfile(os.path.join(a, "cycles.csv")):
            dirs.append(a)
        else:
            dirs += [os.path.join(a, d) for d in sorted(os.listdir(a))
                     if os.path.isfile(os.path.join(a, d, "cycles.csv"))]
    print("| run | grid | runs | human_fraction (mean) | oracle floor (mean, min) | final oracle_accept / coverage | "
          "top-half precision | runs certified | first cert: cycle, threshold, audits/errors in region (median) | "
          "audits to 1st cert (median) | candidates per cycle |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for d in dirs:
        s = one(d)
        if s is None:
            print(f"<!-- {d}: no diagnostic columns (older cycles.csv) -->")
            continue
        first = (f"{s['first_cycle']:.0f}, {s['first_thr']:.4f}, {s['first_audits']:.0f}/{s['first_errors']:.0f}"
                 if s["certified"] else "none")
        print(f"| {os.path.basename(d.rstrip('/'))} | {s['grid']} | {s['runs']} | {s['hf']:.4f} | "
              f"{s['floor']:.4f}, {s['floor_min']:.4f} | {s['final_oracle']:.4f} / {s['final_cov']:.4f} | "
              f"{s['top_half']:.4f} | {s['certified']}/{s['runs']} | {first} | "
              + (f"{s['a2fc']:.0f}" if s["certified"] and s["a2fc"] == s["a2fc"] else "n/a")
              + f" | {s['cand']:.1f} |")


if __name__ == "__main__":
    main()
