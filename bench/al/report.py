#!/usr/bin/python3
"""Renders bench/al/run.sh output (OUT/<dataset>/summary.json) as the markdown tables of
bench/RESULTS.md. Usage: report.py OUT_DIR [dataset ...]"""
import json
import os
import sys


def fmt(v, nd=2):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def main():
    out = sys.argv[1]
    names = sys.argv[2:] or sorted(d for d in os.listdir(out)
                                   if os.path.exists(os.path.join(out, d, "summary.json")))
    for name in names:
        s = json.load(open(os.path.join(out, name, "summary.json")))
        st = s["settings"]
        print(f"### {name}\n")
        print(f"pool {s['pool_size']} (cap {st['max_pool'] or 'none'}), test {s['test_size']}, "
              f"{s['classes']} classes, model {st['model']} (C={st['c']}), seed set "
              f"{st['seed_labels_per_class']}/class, batch {st['batch']}, max labels "
              f"{st['max_labels']}, {st['repeats']} repeats, wall {st['wall_seconds']:.0f} s. "
              f"Full-pool accuracy **{s['full_pool_accuracy']:.4f}** (macro-F1 "
              f"{s['full_pool_macro_f1']:.4f}).\n")
        print("| strategy | L@95% | L@98% | L@99% | pool frac @99% | LER@98% median [95% CI] | "
              "LER@99% median [95% CI] | stop rule fired (median labels, acc) | cycle s (median) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for k, v in sorted(s["strategies"].items()):
            ltt = v["labels_to_target"]
            ler = v.get("ler_vs_random", {})

            def l(t):
                e = ler.get(t)
                if not e or e["median"] is None:
                    return "–"
                star = "≥" if e.get("random_censored") else ""
                return f"{star}{e['median']:.2f} [{e['ci_low']:.2f}, {e['ci_high']:.2f}]"

            sr = v["stopping_rule"]
            stop = (f"{sr['fired_in_repeats']}/{st['repeats']} ({fmt(sr['labels_median'], 0)}, "
                    f"{fmt(sr['accuracy_median'], 3)})")
            print(f"| {k} | {fmt(ltt['0.95'])} | {fmt(ltt['0.98'])} | {fmt(ltt['0.99'])} | "
                  f"{fmt(v['pool_fraction']['0.99'], 3)} | {l('0.98')} | {l('0.99')} | {stop} | "
                  f"{v['cycle_seconds_median']:.3f} |")
        print()


if __name__ == "__main__":
    main()
