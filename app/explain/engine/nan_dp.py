"""Exact minimum of the default-kernel NaN puzzle by dynamic programming over parity classes.

Kernels 2, 3 and 4 have their zeros an even number of pixels apart, so an INF only poisons
outputs of its own (row parity, column parity) class. Inside a class the pixels form a lattice
and the outputs are the little squares between lattice points: kernel 4 is NaN when any corner
is INF, kernel 3 when an end of the main diagonal is, kernel 2 when an end of the anti-diagonal
is. Kernel 1 (zero in the centre) costs one NaN per INF off the image border. Each class is solved
row by row (the state is the set of INFs in the previous lattice row); the four classes are then
combined by a min-plus convolution over how many INFs each class receives.
"""

from __future__ import annotations

import numpy as np

Pixel = tuple[int, int]
_MAX_WIDTH = 8  # lattice rows of at most 8 points: 256 states
_BUDGET = 150_000_000  # rows × states² × counts, about a second of NumPy
_CHUNK = 4_000_000  # elements of one (a, b, k) block: 32 MB


def _lattice(height: int, width: int, p: int, q: int) -> tuple[list[int], list[int], bool]:
    """Image rows and columns of class (p, q), transposed so the rows are the short side."""
    rows, cols = list(range(p, height, 2)), list(range(q, width, 2))
    return (cols, rows, True) if len(cols) > len(rows) else (rows, cols, False)


def dp_cost(height: int, width: int, inf_count: int) -> int:
    """Work estimate of ``class_minima`` (states² × counts per lattice row, summed)."""
    total = 0
    for p in (0, 1):
        for q in (0, 1):
            rows, cols, _ = _lattice(height, width, p, q)
            if len(cols) > _MAX_WIDTH:
                return _BUDGET + 1
            total += len(rows) * 4 ** len(cols) * (min(inf_count, len(rows) * len(cols)) + 1)
    return total


def dp_applies(height: int, width: int, inf_count: int) -> bool:
    return dp_cost(height, width, inf_count) <= _BUDGET


def _class_table(
    height: int, width: int, p: int, q: int, cap: int
) -> tuple[np.ndarray, list[np.ndarray], list[int], list[int], bool]:
    """best[m]: fewest NaNs of kernels 1–4 caused by m INFs in class (p, q); backpointers."""
    rows, cols, flipped = _lattice(height, width, p, q)
    n_rows, n_cols = len(rows), len(cols)
    states = np.arange(2**n_cols)
    bits = (states[:, None] >> np.arange(n_cols)) & 1
    pop = bits.sum(axis=1)
    # Cost of the squares between a lattice row with INFs ``a`` (above) and ``b`` (below).
    main = bits[:, None, :-1] | bits[None, :, 1:]
    anti = bits[:, None, 1:] | bits[None, :, :-1]
    pair = (main + anti + (main | anti)).sum(axis=2)
    cap = min(cap, n_rows * n_cols)

    def interior(r: int) -> np.ndarray:
        i_j = [(rows[r], c) if not flipped else (c, rows[r]) for c in cols]
        inside = np.array([1 <= i <= height - 2 and 1 <= j <= width - 2 for i, j in i_j], dtype=np.int64)
        out: np.ndarray = bits @ inside
        return out

    inf = np.iinfo(np.int64).max // 4
    dp = np.full((len(states), cap + 1), inf, dtype=np.int64)
    ok = pop <= cap
    dp[states[ok], pop[ok]] = interior(0)[ok]
    back: list[np.ndarray] = []
    for r in range(1, n_rows):
        arg = np.empty_like(dp)  # best a for each (b, k before row r)
        best = np.empty_like(dp)
        step = max(1, _CHUNK // len(states) ** 2)
        for k0 in range(0, cap + 1, step):
            total = dp[:, None, k0 : k0 + step] + pair[:, :, None]  # (a, b, k)
            arg[:, k0 : k0 + step] = total.argmin(axis=0)
            best[:, k0 : k0 + step] = total.min(axis=0)
        new = np.full_like(dp, inf)
        extra = interior(r)
        for b in states:
            shift = int(pop[b])
            if shift <= cap:
                new[b, shift:] = np.minimum(best[b, : cap + 1 - shift] + extra[b], inf)
        dp = new
        back.append(arg)
    return dp, back, rows, cols, flipped


def _unwind(
    dp: np.ndarray, back: list[np.ndarray], rows: list[int], cols: list[int], flipped: bool, m: int
) -> list[Pixel]:
    """The lattice placement behind dp[·, m], as image pixels."""
    n_cols = len(cols)
    b = int(dp[:, m].argmin())
    placement: list[Pixel] = []
    for r in range(len(rows) - 1, -1, -1):
        for c in range(n_cols):
            if b >> c & 1:
                placement.append((cols[c], rows[r]) if flipped else (rows[r], cols[c]))
        if r == 0:
            break
        k_before = m - bin(b).count("1")
        b, m = int(back[r - 1][b, k_before]), k_before
    return placement


def exact_minimum(height: int, width: int, inf_count: int) -> tuple[int, list[Pixel]]:
    """Fewest NaNs and a placement achieving it, for the four default kernels."""
    tables = [_class_table(height, width, p, q, inf_count) for p in (0, 1) for q in (0, 1)]
    minima = [t[0].min(axis=0) for t in tables]
    # Min-plus convolution: how many INFs each class receives.
    combined = minima[0]
    splits: list[list[tuple[int, ...]]] = [[(m,) for m in range(len(minima[0]))]]
    for table in minima[1:]:
        size = min(len(combined) + len(table) - 1, inf_count + 1)
        nxt = np.full(size, np.iinfo(np.int64).max // 4, dtype=np.int64)
        how: list[tuple[int, ...]] = [()] * size
        for i, ci in enumerate(combined):
            for j, tj in enumerate(table[: size - i]):
                if ci + tj < nxt[i + j]:
                    nxt[i + j] = ci + tj
                    how[i + j] = (*splits[-1][i], j)
        combined = nxt
        splits.append(how)
    counts = splits[-1][inf_count]
    placement: list[Pixel] = []
    for (dp, back, rows, cols, flipped), m in zip(tables, counts, strict=True):
        placement += _unwind(dp, back, rows, cols, flipped, m)
    return int(combined[inf_count]), placement
