"""The INF→NaN puzzle's machinery: simulate float32 convolutions, bound and search placements.

An INF pixel turns an output of a valid 3×3 cross-correlation into NaN when it meets a zero
weight (INF·0 = NaN) or when the window also holds INFs under weights of the other sign
(INF + (−INF) = NaN). Everything here is plain NumPy except the exact search, which hands a
small integer programme to ``scipy.optimize.milp``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Pixel = tuple[int, int]
Row3 = tuple[float, float, float]
Kernel3 = tuple[Row3, Row3, Row3]

# The four kernels of seed question s001-24 (the seed lost its figure; these are the lead's).
DEFAULT_KERNELS: tuple[Kernel3, ...] = (
    ((1, 1, 1), (1, 0, 1), (1, 1, 1)),
    ((1, 1, 0), (1, 1, 1), (0, 1, 1)),
    ((0, 1, 1), (1, 1, 1), (1, 1, 0)),
    ((0, 1, 0), (1, 1, 1), (0, 1, 0)),
)
# Rows per block of the simulation: three float32 rows of 1920 stay inside the L2 cache.
_BLOCK_ROWS = 32
# Images up to this many pixels are searched exactly (all placements, by branch and bound).
EXACT_PIXELS = 1024
EXACT_SECONDS = 4.0
# Candidate pixels of the bounded search on large images with arbitrary kernels.
_CORNER_BLOCK = 6
_HEURISTIC_ILP_MAX_INF = 200
_HEURISTIC_SECONDS = 2.0


# ---- simulation ----------------------------------------------------------------------------


def poisoned_image(
    height: int, width: int, placement: Sequence[Pixel], values: tuple[float, float], seed: int = 0
) -> np.ndarray:
    """A float32 image with +INF at ``placement`` and random finite values elsewhere."""
    low, high = values
    image = np.random.default_rng(seed).uniform(low, high, (height, width)).astype(np.float32)
    # uniform() may return ``low`` itself (and float32 rounding may reach ``high``): keep it open.
    image[(image <= low) | (image >= high)] = np.float32((low + high) / 2)
    if placement:
        rows, cols = np.asarray(placement, dtype=np.intp).T
        image[rows, cols] = np.inf
    return image


def nan_counts(image: np.ndarray, kernels: np.ndarray) -> list[int]:
    """NaN outputs of each valid 3×3 cross-correlation of ``image`` with ``kernels[k]``.

    Nine shifted multiply-adds on float32 slices, one band of rows at a time so the band stays
    in cache; zero weights are multiplied like any other (that is where INF·0 = NaN comes from).
    """
    rows, cols = image.shape[0] - 2, image.shape[1] - 2
    weights = kernels.astype(np.float32)
    counts = [0] * len(weights)
    acc = np.empty((_BLOCK_ROWS, cols), np.float32)
    tmp = np.empty((_BLOCK_ROWS, cols), np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        for top in range(0, rows, _BLOCK_ROWS):
            n = min(_BLOCK_ROWS, rows - top)
            a, t = acc[:n], tmp[:n]
            for k, kernel in enumerate(weights):
                np.multiply(image[top : top + n, 0:cols], kernel[0, 0], out=a)
                for dr in range(3):
                    for dc in range(3):
                        if dr or dc:
                            np.multiply(image[top + dr : top + dr + n, dc : dc + cols], kernel[dr, dc], out=t)
                            np.add(a, t, out=a)
                counts[k] += int(np.count_nonzero(np.isnan(a)))
    return counts


def fft_nan_count(image: np.ndarray, kernel: np.ndarray) -> int:
    """NaN outputs of the same valid correlation computed through the FFT (float64)."""
    h, w = image.shape
    flipped = np.zeros((h, w))
    flipped[:3, :3] = kernel[::-1, ::-1]
    with np.errstate(invalid="ignore", over="ignore"):
        full = np.fft.irfft2(np.fft.rfft2(image.astype(np.float64)) * np.fft.rfft2(flipped), s=(h, w))
    return int(np.count_nonzero(np.isnan(full[2:, 2:])))


# ---- the closed form for the default kernels -----------------------------------------------


def is_default(kernels: np.ndarray) -> bool:
    """Whether ``kernels`` are the four kernels of s001-24, in any order."""
    default = sorted(np.asarray(DEFAULT_KERNELS, dtype=np.float64).reshape(4, 9).tolist())
    return len(kernels) == 4 and sorted(kernels.reshape(4, 9).tolist()) == default


def closed_form_applies(height: int, width: int, inf_count: int) -> bool:
    """The lower-bound argument needs fewer INFs than half the shorter side (see the steps)."""
    return inf_count < min(height, width) // 2


def default_savings(inf_count: int) -> tuple[int, int]:
    """(single-pixel diagonals, two-pixel diagonals) that the best placement fills."""
    singles = min(inf_count, 12)
    return singles, min(4, (inf_count - singles) // 2)


def default_minimum(inf_count: int) -> int:
    """3n minus one per free diagonal: 2n up to 12 INFs, 3n − 16 from 20 INFs on."""
    return 3 * inf_count - sum(default_savings(inf_count))


def default_placement(height: int, width: int, inf_count: int) -> list[Pixel]:
    """A placement that reaches ``default_minimum``: corners, then pairs, then the top edge."""
    h, w = height - 1, width - 1
    singles = [
        (0, 0),
        (0, 1),
        (1, 0),
        (0, w),
        (0, w - 1),
        (1, w),
        (h, 0),
        (h - 1, 0),
        (h, 1),
        (h, w),
        (h, w - 1),
        (h - 1, w),
    ]
    pairs = [(0, 2), (2, 0), (0, w - 2), (2, w), (h, 2), (h - 2, 0), (h, w - 2), (h - 2, w)]
    # Past the 16 free diagonals every INF costs three NaNs; extending the even-column run
    # along the top edge from (0, 2) costs exactly that and touches nothing else.
    edge = [(0, 2 * k) for k in range(2, 2 + max(0, inf_count - 20))]
    return (singles + pairs + edge)[:inf_count]


def single_kernel_minimum(inf_count: int) -> int:
    """Fewest NaNs of kernel 2 (or 3) alone: n minus the diagonals filled from its 8 corners."""
    full, left, length = 0, inf_count, 1
    while left >= 8 * length:
        full, left, length = full + 8, left - 8 * length, length + 1
    return inf_count - full - left // length


# ---- exact and bounded search --------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    """A placement, whether the search proved it optimal, and how it was found."""

    placement: list[Pixel]
    proven: bool
    method: str
    objective: int | None = None


def _poison_rules(kernels: np.ndarray) -> list[tuple[list[Pixel], list[tuple[Pixel, Pixel]]]]:
    """Per kernel: offsets where one INF makes NaN, and offset pairs whose INFs cancel."""
    rules = []
    for kernel in kernels.astype(np.float32):
        zeros = [(r, c) for r in range(3) for c in range(3) if kernel[r, c] == 0]
        pos = [(r, c) for r in range(3) for c in range(3) if kernel[r, c] > 0]
        neg = [(r, c) for r in range(3) for c in range(3) if kernel[r, c] < 0]
        rules.append((zeros, [(p, q) for p in pos for q in neg]))
    return rules


def _window_terms(
    outputs: set[Pixel], kernels: np.ndarray, index: dict[Pixel, int]
) -> list[tuple[list[int], list[tuple[int, int]]]]:
    """Per (kernel, output) that candidates can poison: lone-INF variables and INF pairs."""
    terms = []
    for zeros, pairs in _poison_rules(kernels):
        for r, c in sorted(outputs):
            at = [index.get((r + dr, c + dc), -1) for dr in range(3) for dc in range(3)]
            singles = [at[3 * dr + dc] for dr, dc in zeros if at[3 * dr + dc] >= 0]
            couples = [(at[3 * p[0] + p[1]], at[3 * q[0] + q[1]]) for p, q in pairs]
            couples = [(a, b) for a, b in couples if a >= 0 and b >= 0]
            if singles or couples:
                terms.append((singles, couples))
    return terms


def _ilp(
    height: int,
    width: int,
    inf_count: int,
    kernels: np.ndarray,
    candidates: list[Pixel],
    seconds: float = EXACT_SECONDS,
) -> tuple[list[Pixel], bool, int] | None:
    """Choose ``inf_count`` of ``candidates`` with fewest NaN outputs; None if none found.

    Binary x per candidate (INF or not), y per output (NaN or not), minimise Σy subject to
    y ≥ x for an INF under a zero weight and y ≥ x_a + x_b − 1 for INFs of opposite weights.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]
    from scipy.sparse import coo_array  # type: ignore[import-untyped]

    index = {p: i for i, p in enumerate(candidates)}
    outputs = {
        (r - dr, c - dc)
        for r, c in candidates
        for dr in range(3)
        for dc in range(3)
        if 0 <= r - dr <= height - 3 and 0 <= c - dc <= width - 3
    }
    terms = _window_terms(outputs, kernels, index)
    n_x = len(candidates)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[int] = []
    lower: list[int] = []
    for y, (singles, couples) in enumerate(terms, start=n_x):
        for group in [[v] for v in singles] + [list(pair) for pair in couples]:
            rows += [len(lower)] * (len(group) + 1)
            cols += [y, *group]
            vals += [1] + [-1] * len(group)
            lower.append(1 - len(group))
    rows += [len(lower)] * n_x
    cols += list(range(n_x))
    vals += [1] * n_x
    lower.append(inf_count)
    upper = [np.inf] * (len(lower) - 1) + [inf_count]
    matrix = coo_array((vals, (rows, cols)), shape=(len(lower), n_x + len(terms))).tocsr()
    result = milp(
        np.r_[np.zeros(n_x), np.ones(len(terms))],
        constraints=LinearConstraint(matrix, lower, upper),
        integrality=np.r_[np.ones(n_x), np.zeros(len(terms))],
        bounds=Bounds(0, 1),
        options={"time_limit": seconds, "mip_rel_gap": 0.0},
    )
    if result.x is None:
        return None
    chosen = np.flatnonzero(np.round(result.x[:n_x]) == 1)
    return [candidates[i] for i in chosen], result.status == 0, round(result.fun)


def exact_search(height: int, width: int, inf_count: int, kernels: np.ndarray) -> Search | None:
    """Branch and bound over every pixel of a small image (bounded by ``EXACT_SECONDS``)."""
    pixels = [(r, c) for r in range(height) for c in range(width)]
    found = _ilp(height, width, inf_count, kernels, pixels)
    if found is None:
        return None
    placement, proven, objective = found
    return Search(placement, proven, "exact_search", objective)


def isolated_costs(height: int, width: int, kernels: np.ndarray) -> np.ndarray:
    """NaNs one lone INF causes at each pixel: the zero weights that can reach valid outputs."""
    rows, cols = np.arange(height), np.arange(width)
    cost = np.zeros((height, width), np.int32)
    for zeros, _ in _poison_rules(kernels):
        for dr, dc in zeros:
            ok_r = (rows - dr >= 0) & (rows - dr <= height - 3)
            ok_c = (cols - dc >= 0) & (cols - dc <= width - 3)
            cost += np.outer(ok_r, ok_c)
    return cost


def spaced_sites(cost: np.ndarray, count: int, blocked: set[Pixel]) -> list[Pixel]:
    """Cheapest pixels at least 3 apart (so no window holds two), avoiding ``blocked``."""
    height, width = cost.shape
    taken = np.zeros((height + 4, width + 4), bool)
    for r, c in blocked:
        taken[r : r + 5, c : c + 5] = True
    sites: list[Pixel] = []
    for flat in np.argsort(cost, axis=None, kind="stable"):
        r, c = divmod(int(flat), width)
        if not taken[r + 2, c + 2]:
            sites.append((r, c))
            taken[r : r + 5, c : c + 5] = True
            if len(sites) == count:
                break
    return sites


def bounded_search(height: int, width: int, inf_count: int, kernels: np.ndarray) -> Search:
    """A good placement for a large image with arbitrary kernels (not proven optimal).

    Candidates are the four corner blocks, where windows are clipped, plus the cheapest pixels
    spaced so that no window holds two INFs; a bounded exact search chooses among them.
    """
    cost = isolated_costs(height, width, kernels)
    b = _CORNER_BLOCK
    corners = {
        (r, c) for r in (*range(b), *range(height - b, height)) for c in (*range(b), *range(width - b, width))
    }
    sites = spaced_sites(cost, inf_count, corners)
    if len(sites) + len(corners) < inf_count:  # a crowded image: take the cheapest pixels
        order = np.argsort(cost, axis=None, kind="stable")[:inf_count]
        return Search([divmod(int(i), width) for i in order], False, "cheapest_pixels")
    if inf_count <= _HEURISTIC_ILP_MAX_INF:
        found = _ilp(height, width, inf_count, kernels, sorted(corners) + sites, _HEURISTIC_SECONDS)
        if found is not None:
            return Search(found[0], False, "bounded_search", found[2])
    return Search(sites[:inf_count], False, "spaced_cheapest_pixels")
