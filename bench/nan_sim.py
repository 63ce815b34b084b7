"""The INF→NaN puzzle's simulation on a 1080×1920 image beside SciPy's correlations.

``nan_counts`` runs the four 3×3 cross-correlations of seed question s001-24 in float32, a band of
rows at a time, and counts NaN outputs. Baselines, on the same image and kernels:
``scipy.ndimage.correlate`` (the goal: simulation ≤ 1.0 × its time; it skips zero weights, so it
never forms INF·0 and finds no NaN there) and ``scipy.signal.correlate2d(mode="valid")``, which
multiplies every weight like the simulation and must find exactly the same NaN counts.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage, signal

from app.explain.engine import nan_search as ns
from bench import common

HEIGHT, WIDTH, INFS = 1080, 1920, 100


def ndimage_pass(image: np.ndarray, kernels: np.ndarray) -> list[int]:
    """NaN outputs of each valid correlation through ``scipy.ndimage.correlate``."""
    with np.errstate(invalid="ignore", over="ignore"):
        outs = [ndimage.correlate(image, k.astype(np.float32), mode="constant") for k in kernels]
    return [int(np.count_nonzero(np.isnan(out[1:-1, 1:-1]))) for out in outs]


def signal_pass(image: np.ndarray, kernels: np.ndarray) -> list[int]:
    """NaN outputs of each valid correlation through ``scipy.signal.correlate2d``."""
    with np.errstate(invalid="ignore", over="ignore"):
        outs = [signal.correlate2d(image, k.astype(np.float32), mode="valid") for k in kernels]
    return [int(np.count_nonzero(np.isnan(out))) for out in outs]


def run(repeat: int = 5) -> dict[str, tuple[float, list[int]]]:
    """Best-of-``repeat`` seconds and NaN counts of each implementation on the default puzzle."""
    kernels = np.asarray(ns.DEFAULT_KERNELS, dtype=np.float64)
    image = ns.poisoned_image(HEIGHT, WIDTH, ns.default_placement(HEIGHT, WIDTH, INFS), (-1.0, 1.0))
    runs = {
        "nan_counts (NumPy float32, banded)": lambda: ns.nan_counts(image, kernels),
        "scipy.ndimage.correlate": lambda: ndimage_pass(image, kernels),
        "scipy.signal.correlate2d (valid)": lambda: signal_pass(image, kernels),
    }
    results = {name: (common.best_of(repeat, work), list(work())) for name, work in runs.items()}
    ours, _, exact = (counts for _, counts in results.values())
    if ours != exact:
        raise AssertionError(f"the simulation counts {ours} NaNs, scipy.signal {exact}")
    for name, (seconds, counts) in results.items():
        print(f"{name:36} {seconds * 1000:7.1f} ms  NaN counts {counts}", flush=True)
    return results


def report(results: dict[str, tuple[float, list[int]]]) -> list[str]:
    """The RESULTS.md section."""
    reference = results["scipy.ndimage.correlate"][0]
    rows = [[name, f"{s * 1000:.1f}", f"{s / reference:.2f}", str(c)] for name, (s, c) in results.items()]
    note = (
        f"INF→NaN simulation: {HEIGHT}×{WIDTH} float32 image, {INFS} INF pixels at the best placement, "
        "the 4 default kernels, best of 5. `ndimage` skips zero weights (no INF·0, so no NaN); "
        "`signal.correlate2d` multiplies every weight and agrees with the simulation count for count."
    )
    columns = ["implementation", "ms", "× ndimage", "NaN outputs per kernel"]
    return common.header("NaN puzzle simulation", note) + common.table(columns, rows)
