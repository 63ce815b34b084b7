"""The INF→NaN puzzle (s001-24): fewest NaN outputs of valid 3×3 convolutions over INF pixels."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import Field

from app.explain.engine import nan_dp
from app.explain.engine import nan_search as ns
from app.explain.engine.base import Calculator, Check, Params, Slip, Solution, Text
from app.explain.engine.nan_text import kernel_text, puzzle_steps

Weight = Annotated[float, Field(ge=-1000, le=1000, allow_inf_nan=False)]
Row = tuple[Weight, Weight, Weight]
Kernel = tuple[Row, Row, Row]
Value = Annotated[float, Field(ge=-1000, le=1000, allow_inf_nan=False)]
MAX_PIXELS = 8_388_608  # 2048×4096: the simulation stays well under a second


class NanPuzzleParams(Params):
    """Image size, number of +INF pixels, 3×3 kernels and the range of the other pixels."""

    height: Annotated[int, Field(strict=True, ge=3, le=4096)] = 1080
    width: Annotated[int, Field(strict=True, ge=3, le=4096)] = 1920
    inf_count: Annotated[int, Field(strict=True, ge=1, le=10_000)] = 100
    kernels: Annotated[tuple[Kernel, ...], Field(min_length=1, max_length=8)] = ns.DEFAULT_KERNELS
    other_values: tuple[Value, Value] = (-1.0, 1.0)


def _kernels(p: NanPuzzleParams) -> np.ndarray:
    return np.asarray(p.kernels, dtype=np.float64)


class NanPuzzle(Calculator[NanPuzzleParams]):
    """Place INFs so that the convolutions produce as few NaNs as possible."""

    name = "nan_puzzle"
    title = Text("INF→NaN 卷积谜题", "The INF→NaN convolution puzzle")
    params_model = NanPuzzleParams
    asks = ("minimum", "answer")

    def validate(self, p: NanPuzzleParams) -> list[tuple[str, str]]:
        """Image not too large, enough pixels, float32-safe weights, provable default cases."""
        errors: list[tuple[str, str]] = []
        pixels = p.height * p.width
        if pixels > MAX_PIXELS:
            errors.append(
                (
                    "width",
                    f"the image has {pixels} pixels; at most {MAX_PIXELS} "
                    "(e.g. 2048×4096) keep the simulation fast",
                )
            )
        if p.inf_count > pixels:
            errors.append(
                ("inf_count", f"{p.inf_count} INF pixels do not fit in a {p.height}×{p.width} image")
            )
        low, high = p.other_values
        if not low < high:
            errors.append(
                (
                    "other_values",
                    f"expected an open interval (low, high) with low < high, got ({low}, {high})",
                )
            )
        weights = _kernels(p)
        if np.any((weights != 0) & (weights.astype(np.float32) == 0)):
            errors.append(
                (
                    "kernels",
                    "a non-zero weight underflows to 0 in float32 (|w| < 1e-45): write 0 or a larger weight",
                )
            )
        if ns.is_default(weights) and not _provable(p.height, p.width, p.inf_count):
            errors.append(("inf_count", _unprovable_message(p)))
        return errors

    def solve(self, p: NanPuzzleParams) -> Solution:
        """Find (or construct) the best placement, simulate it in float32, prove or say not."""
        kernels = _kernels(p)
        search, bound = _search(p, kernels)
        image = ns.poisoned_image(p.height, p.width, search.placement, p.other_values)
        counts = ns.nan_counts(image, kernels)
        minimum = sum(counts)
        proven = search.proven or minimum == 0 or (bound is not None and minimum == bound)
        answer = {
            "minimum": minimum,
            "per_kernel": counts,
            "placement": [list(px) for px in sorted(search.placement)],
            "proven": proven,
        }
        checks = [
            _simulation_check(counts, search, bound),
            _rule_count_check(p, kernels, search.placement, counts),
            _flip_check(image, kernels, counts),
            _fft_check(kernels),
        ]
        if bound is not None:
            checks.append(_small_exact_check(p.inf_count))
        steps = puzzle_steps(p, kernels, search, counts, proven, bound)
        return Solution(answer=answer, steps=steps, checks=checks)

    def sample(self, rng: np.random.Generator, template: NanPuzzleParams | None) -> NanPuzzleParams:
        """Default kernels on a common resolution, or small images with kernels of the same kind."""
        if template is None or ns.is_default(_kernels(template)):
            height, width = [
                (480, 640),
                (720, 1280),
                (1080, 1920),
                (600, 800),
                (768, 1024),
                (1200, 1600),
                (256, 256),
                (512, 512),
            ][int(rng.integers(8))]
            high = min(300, min(height, width) // 2 - 1)
            n = int(
                rng.choice(
                    [int(rng.integers(3, 13)), int(rng.integers(13, 21)), int(rng.integers(21, high + 1))]
                )
            )
            return NanPuzzleParams(height=height, width=width, inf_count=n)
        signed = bool((_kernels(template) < 0).any())
        kernels = []
        for _ in range(len(template.kernels)):
            while True:
                k = rng.choice([-1, 0, 1] if signed else [0, 1, 1], size=(3, 3))
                if (k == 0).any() and (k != 0).any():
                    break
            kernels.append(tuple(tuple(float(v) for v in row) for row in k))
        height, width = int(rng.integers(5, 11)), int(rng.integers(5, 13))
        n = int(rng.integers(2, max(3, height * width // 8)))
        return NanPuzzleParams(height=height, width=width, inf_count=n, kernels=tuple(kernels))

    def prompt(self, p: NanPuzzleParams, ask: str) -> Text:
        """The s001-24 question with these numbers."""
        shown = "；".join(kernel_text(k) for k in _kernels(p))
        shown_en = "; ".join(kernel_text(k) for k in _kernels(p))
        low, high = p.other_values
        count = len(p.kernels)
        return Text(
            zh=(
                f"一张宽 {p.width}、高 {p.height} 的单通道 float32 图像，用 {count} 个 3×3 卷积核"
                f"分别做无 padding 的卷积（步幅 1），卷积核为 {shown}。若图像中有 {p.inf_count} "
                f"个像素是 INF，其他像素都在 ({low:g}, {high:g}) 内，卷积结果中至少有多少个 "
                "NaN？"
            ),
            en=(
                f"A single-channel float32 image {p.width} wide and {p.height} high is convolved "
                f"(valid, stride 1) with {count} 3×3 kernels: {shown_en}. If {p.inf_count} pixels "
                f"are INF and every other pixel lies in ({low:g}, {high:g}), what is the least "
                "number of NaN values in the outputs?"
            ),
        )

    def slips(self, p: NanPuzzleParams, ask: str) -> list[Slip]:
        """Textbook argument, per-kernel minima added, one per kernel, every zero, no sharing."""
        n, kernels = p.inf_count, _kernels(p)
        with_zero = int(sum(bool((k == 0).any()) for k in kernels))
        zeros = int((kernels == 0).sum())
        out: list[Slip] = []
        if ns.is_default(kernels):
            out += [
                _slip(
                    "textbook_eight_free",
                    "教科书算法（每核各有 8 个免费位置）",
                    "the textbook argument (8 free spots per kernel)",
                    "核2、核3 的免费位置互不重合，该论证只在 n ≥ 20 时碰巧给出正确数字。",
                    "The free spots of kernels 2 and 3 never coincide; the argument only "
                    "happens to give the right number from 20 INFs on.",
                    max(0, n - 8) * 2 + n,
                ),
                _slip(
                    "sum_of_separate_minima",
                    "把各核单独的最小值相加",
                    "added each kernel's own minimum",
                    "各核的最优放法互相冲突，同一组 INF 要同时面对四个核。",
                    "Each kernel's best placement conflicts with the others; one set of INFs "
                    "faces all four kernels.",
                    2 * ns.single_kernel_minimum(n) + n,
                ),
                _slip(
                    "two_per_inf",
                    "每个 INF 都只算 2 个",
                    "two NaNs for every INF",
                    "只有 12 个角上的边界像素能做到每个只产生 2 个 NaN。",
                    "Only the 12 border pixels at the corners cost just two NaNs each.",
                    2 * n,
                ),
            ]
        out += [
            _slip(
                "one_per_kernel",
                "每个核每个 INF 算一个 NaN",
                "one NaN per INF per kernel",
                "边界 INF 躲得开中心为 0 的核，而且多个 INF 可以共享同一个 NaN 输出。",
                "Border INFs dodge a kernel whose only zero is the centre, and INFs can "
                "share one NaN output.",
                n * with_zero,
            ),
            _slip(
                "every_zero",
                "每个 0 权重都算一个 NaN",
                "one NaN per zero weight",
                "位于边缘的 INF 碰不到某些 0（窗口不存在），而且 NaN 按输出位置计数。",
                "An INF near the edge never meets some zeros (no such window), and NaNs are "
                "counted per output position.",
                n * zeros,
            ),
            _slip(
                "no_sharing",
                "以为 INF 之间不会共享 NaN",
                "assumed INFs never share a NaN",
                "把每个 INF 单独的代价相加，忽略了几个 INF 可以污染同一个输出。",
                "Adding each INF's own cost ignores that several INFs can poison the same output.",
                int(np.sort(ns.isolated_costs(p.height, p.width, kernels), axis=None)[:n].sum()),
            ),
            _slip(
                "counted_infs",
                "数的是 INF 个数",
                "counted the INFs",
                "问的是 NaN 输出的个数，不是 INF 像素的个数。",
                "The question counts NaN outputs, not INF pixels.",
                n,
            ),
        ]
        return out

    def pick(self, answer: Any, ask: str) -> Any:
        """``minimum`` is graded on the count alone."""
        return answer if ask == "answer" else answer[ask]


def _slip(name: str, label_zh: str, label_en: str, why_zh: str, why_en: str, value: int) -> Slip:
    return Slip(name, Text(label_zh, label_en), Text(why_zh, why_en), value)


def _provable(height: int, width: int, inf_count: int) -> bool:
    """Default kernels: the closed form's regime or the exact dynamic programme's budget."""
    return ns.closed_form_applies(height, width, inf_count) or nan_dp.dp_applies(height, width, inf_count)


def _unprovable_message(p: NanPuzzleParams) -> str:
    limit = min(p.height, p.width) // 2 - 1
    return (
        f"with the default kernels the engine proves the minimum for a {p.height}×{p.width} image only "
        f"up to {limit} INFs (fewer than half the shorter side), or by an exact dynamic programme on "
        "images whose shorter side is at most 16 pixels (and not too many INFs)"
    )


def _search(p: NanPuzzleParams, kernels: np.ndarray) -> tuple[ns.Search, int | None]:
    """The placement and, for the default kernels, the proven lower bound."""
    if ns.is_default(kernels) and ns.closed_form_applies(p.height, p.width, p.inf_count):
        placement = ns.default_placement(p.height, p.width, p.inf_count)
        return ns.Search(placement, False, "closed_form"), ns.default_minimum(p.inf_count)
    if ns.is_default(kernels):
        value, placement = nan_dp.exact_minimum(p.height, p.width, p.inf_count)
        return ns.Search(placement, True, "dynamic_programme", value), None
    if p.height * p.width <= ns.EXACT_PIXELS:
        found = ns.exact_search(p.height, p.width, p.inf_count, kernels)
        if found is not None:
            return found, None
    return ns.bounded_search(p.height, p.width, p.inf_count, kernels), None


def _simulation_check(counts: list[int], search: ns.Search, bound: int | None) -> Check:
    total = sum(counts)
    if bound is not None:
        return Check(
            "float32_simulation",
            total == bound,
            f"real float32 convolutions give {counts} = {total} NaNs; the proven lower bound "
            f"3n − (free short diagonals) is {bound}",
        )
    if search.objective is not None:
        return Check(
            "float32_simulation",
            total == search.objective,
            f"real float32 convolutions give {counts} = {total} NaNs; the search's "
            f"objective was {search.objective}",
        )
    return Check("float32_simulation", True, f"real float32 convolutions give {counts} = {total}")


def _rule_count_check(
    p: NanPuzzleParams, kernels: np.ndarray, placement: list[ns.Pixel], counts: list[int]
) -> Check:
    """Count NaN windows from the rules alone (sets of outputs, no floating point)."""
    infs = set(placement)
    outputs = {(r - dr, c - dc) for r, c in infs for dr in range(3) for dc in range(3)}
    outputs = {(t, s) for t, s in outputs if 0 <= t <= p.height - 3 and 0 <= s <= p.width - 3}
    by_rule = []
    for kernel in np.sign(kernels):
        poisoned = 0
        for top, left in outputs:
            signs = {kernel[dr, dc] for dr in range(3) for dc in range(3) if (top + dr, left + dc) in infs}
            poisoned += 0 in signs or {1, -1} <= signs
        by_rule.append(poisoned)
    return Check(
        "rule_count",
        by_rule == counts,
        f"counting windows with an INF on a zero or INFs on both signs: {by_rule}",
    )


def _flip_check(image: np.ndarray, kernels: np.ndarray, counts: list[int]) -> Check:
    """True convolution (flipped kernels) of the 180°-rotated image gives the same counts."""
    rotated = np.ascontiguousarray(image[::-1, ::-1])
    flipped = ns.nan_counts(rotated, kernels[:, ::-1, ::-1])
    symmetric = [bool(np.array_equal(k, k[::-1, ::-1])) for k in kernels]
    return Check(
        "convolution_vs_correlation",
        flipped == counts,
        f"convolution with flipped kernels on the rotated image: {flipped}; kernels "
        f"symmetric under 180° rotation: {symmetric}",
    )


def _fft_check(kernels: np.ndarray) -> Check:
    """One INF in an 8×8 image: direct correlation vs FFT-based correlation."""
    image = np.full((8, 8), 0.5, dtype=np.float32)
    image[3, 4] = np.inf
    direct = ns.nan_counts(image, kernels)
    fft = [ns.fft_nan_count(image, k) for k in kernels]
    return Check(
        "fft_spreads_nan",
        all(f == 36 for f in fft) and fft != direct,
        f"one INF in an 8×8 image: direct NaNs per kernel {direct}, FFT-based {fft} (all 36 outputs)",
    )


def _small_exact_check(inf_count: int) -> Check:
    """Branch and bound on a 16×16 image with the same kernels agrees with the closed form."""
    n = min(inf_count, 7)
    found = ns.exact_search(16, 16, n, np.asarray(ns.DEFAULT_KERNELS, dtype=np.float64))
    value = found.objective if found is not None else None
    return Check(
        "exact_search_small_image",
        value == ns.default_minimum(n),
        f"exhaustive search (MILP) on a 16×16 image with {n} INFs finds {value}; "
        f"the formula gives {ns.default_minimum(n)}",
    )
