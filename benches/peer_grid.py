#!/usr/bin/env python3
"""The peer of issue 14: the numpy grid-counting script a researcher would write, beside
`lambdascope estimate` on the same landscapes, in the same run.

    python3 benches/peer_grid.py [path/to/lambdascope]      (needs numpy; default target/release/lambdascope)

The peer samples K on a 4096² grid over the box, takes K* as the grid's minimum, counts the cells
with K − K* < ε for 30 values of ε from 1 down to 1e-14 (log-spaced), keeps the levels with at least
100 cells (below that a count is noise), and fits log V = λ·log ε + c over the lowest six decades kept.
Wall time of both is measured around the whole job (the peer: evaluation, counts and fit; lambdascope:
the process, from start to JSON). A landscape the peer cannot resolve (fewer than two levels kept)
shows "—".
"""

import json
import math
import re
import subprocess
import sys
import time

import numpy as np

GRID = 4096
LEVELS = np.logspace(0, -14, 30)
MIN_CELLS = 100

TYPED = [
    "x^2+y^2", "x^2*y^2", "x^2*y^4", "x^2+y^4", "(x^2+y^2)^2", "x^4+y^4", "(x-y)^2", "x^2*y^6",
    "(x^2-y^3)^2", "1-cos(x*y)",
]


def to_numpy(formula):
    """lambdascope's formula syntax to a numpy expression in x, y."""
    f = formula.replace("^", "**")
    for name in ["sin", "cos", "tan", "tanh", "sinh", "cosh", "exp", "sqrt", "abs"]:
        f = re.sub(r"\b%s\(" % name, "np.%s(" % name, f)
    f = re.sub(r"\blog\(", "np.log(", f)
    f = re.sub(r"\bmin\(", "np.minimum(", f)
    f = re.sub(r"\bmax\(", "np.maximum(", f)
    return f


def peer(formula, box):
    t0 = time.perf_counter()
    x = np.linspace(box[0][0], box[0][1], GRID)
    y = np.linspace(box[1][0], box[1][1], GRID)
    X, Y = np.meshgrid(x, y, indexing="ij")
    with np.errstate(all="ignore"):
        K = eval(to_numpy(formula), {"np": np, "x": X, "y": Y})
    K = np.where(np.isnan(K), np.inf, K) + np.zeros_like(X)
    d = np.sort((K - K.min()).ravel())
    counts = np.searchsorted(d, LEVELS, side="left")
    keep = counts >= MIN_CELLS
    eps, v = LEVELS[keep], counts[keep] / d.size
    lam, decades = None, 0.0
    if len(eps) >= 2:
        decades = math.log10(eps[0] / eps[-1])
        sel = eps <= eps[-1] * 1e6
        if sel.sum() >= 2:
            lam = np.polyfit(np.log(eps[sel]), np.log(v[sel]), 1)[0]
    return time.perf_counter() - t0, lam, decades


def ours(exe, args):
    t0 = time.perf_counter()
    out = subprocess.run([exe, "estimate", *args, "--json"], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        return wall, None, 0.0, None
    d = json.loads(out.stdout)
    return wall, d["lambda"], d["decades"], d["evaluations"]


def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else "target/release/lambdascope"
    presets = json.loads(subprocess.run([exe, "presets", "--json"], capture_output=True, text=True).stdout)
    jobs = [(f, ["--expr", f], [[-1.0, 1.0], [-1.0, 1.0]]) for f in TYPED]
    for p in presets:
        if p["dim"] == 2:
            box = p.get("domain") or [[-1.0, 1.0], [-1.0, 1.0]]
            jobs.append((p["id"], ["--preset", p["id"]], box))
    fmt = "{:<22} {:>9} {:>7} {:>7} {:>9} {:>7} {:>7} {:>11} {:>7}"
    print(fmt.format("landscape", "peer ms", "λ̂", "dec.", "ours ms", "λ̂", "dec.", "evaluations", "ratio"))
    worst = 0.0
    for name, args, box in jobs:
        formula = name if args[0] == "--expr" else next(p["formula"] for p in presets if p["id"] == name)
        tp, lp, dp = peer(formula, box)
        to, lo, do, ev = ours(exe, args)
        ratio = to / tp
        worst = max(worst, ratio)
        show = lambda v: "—" if v is None else "%.3f" % v
        print(fmt.format(name, "%.0f" % (1e3 * tp), show(lp), "%.1f" % dp, "%.0f" % (1e3 * to), show(lo),
                         "%.1f" % do, ev if ev is not None else "—", "%.2f" % ratio))
    print("worst ratio (ours / peer, wall time): %.2f" % worst)


if __name__ == "__main__":
    main()
