#!/usr/bin/env python3
"""Prints one Markdown table row per simulate-loop output directory under OUT (bench/loop/run.sh)."""
import json
import os
import statistics
import sys

out = sys.argv[1]
print("| run | runs | pool | human_fraction (mean, max) | final_accuracy (mean, min) | coverage | "
      "auto_accepted_precision (mean, min) | guarantee held | audits | stop reasons | "
      "audits to first certificate (median, mean; runs certified) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for name in sorted(os.listdir(out)):
    path = os.path.join(out, name, "summary.json")
    if not os.path.isfile(path):
        continue
    s = json.load(open(path))
    runs = s["runs"]
    hf = [r["human_fraction"] for r in runs]
    fa = [r["final_accuracy"] for r in runs]
    pr = [r["auto_accepted_precision"] for r in runs if r["auto_accepted_precision"] is not None]
    stops = {}
    for r in runs:
        stops[r["stop_reason"]] = stops.get(r["stop_reason"], 0) + 1
    held = sum(1 for r in runs if r["guarantee_held"])
    # Older summaries (before audit regions) have no audits_to_first_certificate.
    a2fc = [r["audits_to_first_certificate"] for r in runs if r.get("audits_to_first_certificate") is not None]
    a2fc_cell = (f"{statistics.median(a2fc):.0f}, {statistics.mean(a2fc):.0f}; {len(a2fc)}/{len(runs)}"
                 if a2fc else f"none; 0/{len(runs)}")
    print(f"| {name} | {len(runs)} | {s['pool_size']} | {statistics.mean(hf):.4f}, {max(hf):.4f} | "
          f"{statistics.mean(fa):.4f}, {min(fa):.4f} | {s['coverage']:.4f} | "
          + (f"{statistics.mean(pr):.4f}, {min(pr):.4f}" if pr else "n/a (nothing accepted)")
          + f" | {held}/{len(runs)} | {s['audit_labels']:.0f} | "
          + ", ".join(f"{k}: {v}" for k, v in sorted(stops.items())) + f" | {a2fc_cell} |")
