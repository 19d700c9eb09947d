#!/usr/bin/env python3
"""Summary of bench/compare.sh's rounds: per step type, each side's median ms/step, the median of the per-round
ratios side / PyTorch and their spread (min-max, interquartile range), and the median peak memory growth.

Usage: summary.py ROUNDS.csv STEP...   (ROUNDS.csv: round,step,side,median_ms,peak_mib[,peak_native_mib]; sides
lethe, pytorch and optionally baseline, another Lethe checkout timed in the same rounds)

With a peak_native_mib column (the whole peak resident set of the step's process, weights included, less a
pre-touched Java heap) its medians are printed too, and, when the steps include zeroth_order and loss, each
side's ratio of the two: what a MeZO step needs against inference (Malladi et al. 2023, §2).
"""
import csv
import sys

import numpy as np


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    sides = [s for s in ("lethe", "baseline") if any(r["side"] == s for r in rows)]
    print(f"{'step':<13} {'side':<9} {'ms':>9} {'pytorch ms':>10} {'ratio':>7} {'min-max':>13} {'IQR':>13} "
          f"{'+MiB':>7} {'pytorch +MiB':>12}")
    for step in sys.argv[2:]:
        torch = {int(r["round"]): r for r in rows if r["step"] == step and r["side"] == "pytorch"}
        for side in sides:
            mine = {int(r["round"]): r for r in rows if r["step"] == step and r["side"] == side}
            rounds = sorted(set(mine) & set(torch))
            if not rounds:
                continue
            ms = np.array([float(mine[k]["median_ms"]) for k in rounds])
            tms = np.array([float(torch[k]["median_ms"]) for k in rounds])
            ratio = ms / tms
            q1, q3 = np.percentile(ratio, [25, 75])
            mem = np.median([float(mine[k]["peak_mib"]) for k in rounds])
            tmem = np.median([float(torch[k]["peak_mib"]) for k in rounds])
            print(f"{step:<13} {side:<9} {np.median(ms):9.2f} {np.median(tms):10.2f} {np.median(ratio):7.3f} "
                  f"{ratio.min():6.3f}-{ratio.max():<6.3f} {q1:6.3f}-{q3:<6.3f} {mem:7.1f} {tmem:12.1f}")
    print("ratio = median over rounds of (side's ms / PyTorch's ms in the same round); "
          f"{len({r['round'] for r in rows})} round(s)")
    if rows and "peak_native_mib" in rows[0]:
        native(rows, sys.argv[2:], ["lethe", *sides[1:], "pytorch"])


def native(rows, steps, sides):
    """Median whole peak resident memory per step and side, and the zeroth_order / loss ratio per side."""
    def median(step, side):
        v = [float(r["peak_native_mib"]) for r in rows if r["step"] == step and r["side"] == side
             and r.get("peak_native_mib") not in (None, "", "nan")]
        return float(np.median(v)) if v else float("nan")
    print("peak resident MiB (median; weights included, Java heap excluded): "
          + "; ".join(f"{step} " + " / ".join(f"{side} {median(step, side):.0f}" for side in sides) for step in steps))
    if "zeroth_order" in steps and "loss" in steps:
        print("MeZO step / no-grad loss, peak resident: "
              + ", ".join(f"{side} {median('zeroth_order', side) / median('loss', side):.3f}x" for side in sides))


if __name__ == "__main__":
    main()
