#!/usr/bin/env python3
"""Per-op profile of one benchmark step type: where a step's time goes, from a Chrome trace of its timed steps.

Both sides write the same trace format: Lethe through libtorch's profiler (`lethe bench --step S --profile FILE`,
DJL's JniUtils.startProfile/stopProfile), transformers through torch.profiler (`hf_twin.py --profile FILE`,
export_chrome_trace). Only operator events count (Lethe's have no category, torch.profiler's are "cpu_op"); the
intra-op worker threads are not traced, so an operator's duration is its wall time on the calling thread.

Each step's wall time (the span of the traced operators divided by STEPS) is split into
  gemm       outermost matrix-multiply operators (aten::mm, addmm, bmm, baddbmm, matmul, linear, dot, mv, ...)
             and their autograd nodes' matrix multiplies (MmBackward0 runs aten::mm: counted as gemm)
  attention  outermost fused attention kernels (aten::scaled_dot_product_attention and its CPU flash kernels,
             forward and backward): GEMMs inside, but not reachable as separate operators
  other      the rest: element-wise and reduction kernels, copies, views, allocation, profiler and dispatch
             overhead, and the gaps between operators (the host language's own time; `between` reports these
             alone, when the trace has one thread)
and the operators with the most self time outside gemm and attention are listed.

Usage: op_profile.py TRACE.json STEPS [--side NAME] [--top 5] [--csv]
  --csv prints one line `side,wall_ms,gemm_ms,attention_ms,other_ms,between_ms,calls,top` (calls: outermost
  operator calls per step; top: name=ms;... per step)
"""
import argparse
import collections
import json
import sys

GEMM = {"aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm", "aten::addbmm", "aten::matmul", "aten::linear",
        "aten::dot", "aten::mv", "aten::addmv", "aten::_addmm_activation", "aten::einsum"}
ATTENTION_PREFIXES = ("aten::scaled_dot_product_attention", "aten::_scaled_dot_product", "aten::_flash_attention",
                      "aten::_efficient_attention")


def category(name):
    if name in GEMM:
        return "gemm"
    if name.startswith(ATTENTION_PREFIXES):
        return "attention"
    return None


def operator_events(path):
    """The complete ("X") operator events of a Chrome trace, as (tid, start us, duration us, name)."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"op_profile.py: cannot read the trace {path}: {e}")
    events = data["traceEvents"] if isinstance(data, dict) else data
    out = []
    for e in events:
        if e.get("ph") != "X" or e.get("cat", "cpu_op") != "cpu_op" or "dur" not in e:
            continue
        out.append((str(e.get("pid")) + "/" + str(e.get("tid")), float(e["ts"]), float(e["dur"]), e["name"]))
    if not out:
        sys.exit(f"op_profile.py: {path} holds no operator events")
    return out


def summarise(path, steps):
    """wall, gemm, attention, other, between (ms per step: other includes between, the time on the calling thread
    outside any operator), the outermost operator calls per step (each one a dispatch from the host language) and
    the self time per operator name outside gemm and attention (ms per step)."""
    events = operator_events(path)
    span = max(t + d for _, t, d, _ in events) - min(t for _, t, _, _ in events)
    by_thread = collections.defaultdict(list)
    for tid, t, d, name in events:
        by_thread[tid].append((t, -d, name))  # outer event first when two start together
    totals = collections.Counter()
    self_time = collections.Counter()
    for evs in by_thread.values():
        evs.sort()
        counted_until = -1.0  # end of the last outermost gemm/attention event on this thread
        covered_until = -1.0  # end of the last outermost event of any kind
        stack = []  # open events: [end, name, duration, children's time, inside a counted event]
        for t, neg_d, name in evs:
            d = -neg_d
            while stack and stack[-1][0] <= t:
                close(stack.pop(), self_time)
            if stack:
                stack[-1][3] += d
            else:
                totals["calls"] += 1
                totals["covered"] += max(0.0, t + d - max(t, covered_until))
                covered_until = max(covered_until, t + d)
            inside = t < counted_until
            cat = category(name)
            if cat and not inside:
                totals[cat] += d
                counted_until = t + d
                inside = True
            stack.append([t + d, name, d, 0.0, inside])
        while stack:
            close(stack.pop(), self_time)
    wall = span / 1000 / steps
    gemm = totals["gemm"] / 1000 / steps
    attention = totals["attention"] / 1000 / steps
    between = max(0.0, span - totals["covered"]) / 1000 / steps if len(by_thread) == 1 else float("nan")
    top = {n: v / 1000 / steps for n, v in self_time.items()}
    return wall, gemm, attention, wall - gemm - attention, between, totals["calls"] / steps, top


def close(entry, self_time):
    """Adds a closed event's self time (its duration less its children's) unless gemm/attention holds it."""
    _, name, duration, children, inside = entry
    if not inside:
        self_time[name] += max(0.0, duration - children)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("trace")
    p.add_argument("steps", type=int)
    p.add_argument("--side", default="")
    p.add_argument("--top", type=int, default=5)
    p.add_argument("--csv", action="store_true")
    a = p.parse_args()
    if a.steps < 1:
        sys.exit("op_profile.py: STEPS must be at least 1")
    wall, gemm, attention, other, between, calls, top = summarise(a.trace, a.steps)
    best = sorted(top.items(), key=lambda kv: -kv[1])[:a.top]
    if a.csv:
        print(f"{a.side},{wall:.3f},{gemm:.3f},{attention:.3f},{other:.3f},{between:.3f},{calls:.0f},"
              + ";".join(f"{n}={v:.3f}" for n, v in best))
        return
    print(f"{a.side or a.trace}: {wall:.2f} ms/step = gemm {gemm:.2f} + attention {attention:.2f} + other {other:.2f}"
          f" (of which {between:.2f} between operators); {calls:.0f} operator calls per step")
    for n, v in best:
        print(f"  {n:<50} {v:8.3f} ms self")


if __name__ == "__main__":
    main()
