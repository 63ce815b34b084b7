"""The INF→NaN puzzle (s001-24): closed form, exact dynamic programme, MILP and brute force agree."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view
from scipy import ndimage

from app.explain.engine import nan_dp, registry
from app.explain.engine import nan_search as ns
from app.explain.engine.base import InvalidParams, plain, same_answer

DEFAULT = np.asarray(ns.DEFAULT_KERNELS, dtype=np.float64)


def einsum_nan_counts(
    height: int, width: int, placement: Iterable[tuple[int, int]], kernels: np.ndarray
) -> list[int]:
    """An independent float64 convolution: every window times the kernel through einsum."""
    image = np.random.default_rng(1).uniform(-0.9, 0.9, (height, width))
    for r, c in placement:
        image[r, c] = np.inf
    windows = sliding_window_view(image, (3, 3))
    with np.errstate(invalid="ignore"):
        return [int(np.isnan(np.einsum("ijkl,kl->ij", windows, k)).sum()) for k in kernels]


def rule_count(height: int, width: int, placement: Iterable[tuple[int, int]], kernels: np.ndarray) -> int:
    """NaN outputs from the rules alone: an INF on a zero, or INFs on weights of both signs."""
    infs = set(placement)
    total = 0
    for kernel in np.sign(kernels):
        for r in range(height - 2):
            for c in range(width - 2):
                signs = {kernel[i, j] for i in range(3) for j in range(3) if (r + i, c + j) in infs}
                total += 0 in signs or {1.0, -1.0} <= signs
    return total


# ---- the seed question -----------------------------------------------------------------------


def test_default_is_284_proven_with_a_real_placement() -> None:
    result = registry.solve("nan_puzzle", {})
    answer = result["answer"]
    assert answer["minimum"] == 284
    assert answer["per_kernel"] == [0, 92, 92, 100]
    assert answer["proven"] is True
    placement = [tuple(px) for px in answer["placement"]]
    assert len(placement) == len(set(placement)) == 100
    assert all(0 <= r < 1080 and 0 <= c < 1920 for r, c in placement)
    assert all(check["passed"] for check in result["checks"])
    assert einsum_nan_counts(1080, 1920, placement, DEFAULT) == [0, 92, 92, 100]


def test_steps_explain_the_rules_and_the_flawed_textbook_argument() -> None:
    steps = registry.solve("nan_puzzle", {})["steps"]
    text = " ".join(s["en"] for s in steps)
    for phrase in ("INF×0 = NaN", "INF + (−INF) = NaN", "does not hold", "no pixel avoids both",
                   "3n − 12 − 4 = 284", "180°", "FFT", "Winograd"):  # fmt: skip
        assert phrase in text
    assert all(s["zh"] and s["en"] for s in steps)


def test_kernels_are_symmetric_under_180_degree_rotation() -> None:
    assert all(np.array_equal(k, k[::-1, ::-1]) for k in DEFAULT)


def test_no_pixel_avoids_the_zeros_of_both_kernel_2_and_kernel_3() -> None:
    cost2 = ns.isolated_costs(1080, 1920, DEFAULT[1:2])
    cost3 = ns.isolated_costs(1080, 1920, DEFAULT[2:3])
    assert int((cost2 == 0).sum()) == int((cost3 == 0).sum()) == 8
    assert not np.any((cost2 == 0) & (cost3 == 0))


def test_textbook_per_kernel_minimum_of_92_is_wrong_for_kernel_2_alone() -> None:
    """Sharing along corner anti-diagonals: 20 INFs cost kernel 2 only 6 NaNs (not 12)."""
    assert ns.single_kernel_minimum(20) == 6
    assert ns.single_kernel_minimum(100) == 64
    found = ns.exact_search(24, 24, 20, DEFAULT[1:2])
    assert found is not None and found.proven and found.objective == 6


def test_scipy_ndimage_correlate_skips_zero_weights() -> None:
    image = np.zeros((8, 8), dtype=np.float32)
    image[4, 4] = np.inf
    out = ndimage.correlate(image, DEFAULT[0].astype(np.float32), mode="constant")
    assert not np.isnan(out).any()
    assert ns.nan_counts(image, DEFAULT[:1]) == [1]


def test_fft_convolution_turns_every_output_into_nan() -> None:
    image = np.full((8, 8), 0.25, dtype=np.float32)
    image[2, 5] = np.inf
    assert [ns.fft_nan_count(image, k) for k in DEFAULT] == [36] * 4


# ---- the lower bound, checked by independent exact searches ---------------------------------


@pytest.mark.parametrize("n", range(1, 26))
def test_closed_form_values(n: int) -> None:
    expected = 2 * n if n <= 12 else 3 * n - 12 - min(4, (n - 12) // 2)
    assert ns.default_minimum(n) == expected


def test_closed_form_matches_milp_in_its_regime() -> None:
    for height, width in [(6, 7), (9, 9), (12, 10), (20, 20)]:
        for n in range(1, min(height, width) // 2):
            found = ns.exact_search(height, width, n, DEFAULT)
            assert found is not None and found.proven
            assert found.objective == ns.default_minimum(n), (height, width, n)


def test_closed_form_placement_meets_the_bound_for_every_parity() -> None:
    for height, width in [(1080, 1920), (1081, 1921), (1080, 1921), (1081, 1920), (45, 61)]:
        for n in (1, 5, 12, 13, 14, 19, 20, 21, 22):
            placement = ns.default_placement(height, width, n)
            assert len(set(placement)) == n
            image = ns.poisoned_image(height, width, placement, (-1.0, 1.0))
            assert sum(ns.nan_counts(image, DEFAULT)) == ns.default_minimum(n)


@settings(max_examples=100)
@given(st.integers(4, 300), st.integers(4, 300), st.data())
def test_closed_form_is_met_for_any_size_in_its_regime(height: int, width: int, data: st.DataObject) -> None:
    n = data.draw(st.integers(1, max(1, min(height, width) // 2 - 1)))
    if not ns.closed_form_applies(height, width, n):
        return
    placement = ns.default_placement(height, width, n)
    image = ns.poisoned_image(height, width, placement, (-1.0, 1.0))
    assert len(set(placement)) == n
    assert sum(ns.nan_counts(image, DEFAULT)) == ns.default_minimum(n)


def test_dynamic_programme_matches_milp_on_every_count() -> None:
    for height, width in [(3, 3), (3, 7), (4, 5), (5, 5), (6, 4)]:
        for n in range(1, height * width + 1):
            value, placement = nan_dp.exact_minimum(height, width, n)
            found = ns.exact_search(height, width, n, DEFAULT)
            assert found is not None and found.proven and found.objective == value, (height, width, n)
            assert len(set(placement)) == n
            assert rule_count(height, width, placement, DEFAULT) == value


def test_dynamic_programme_matches_the_closed_form() -> None:
    for height, width in [(16, 16), (16, 40), (15, 31), (14, 14)]:
        for n in range(1, min(height, width) // 2):
            assert nan_dp.exact_minimum(height, width, n)[0] == ns.default_minimum(n)


def test_beyond_the_regime_sharing_beats_the_formula() -> None:
    """Dense small images: INF runs spanning a whole lattice row save more than 16."""
    value, _ = nan_dp.exact_minimum(16, 16, 100)
    assert value == 288 != ns.default_minimum(100)
    answer = registry.solve("nan_puzzle", {"height": 16, "width": 16, "inf_count": 100})["answer"]
    assert answer["minimum"] == 288 and answer["proven"]


@settings(max_examples=40)
@given(st.integers(3, 6), st.integers(3, 6), st.data())
def test_default_kernels_exact_on_random_small_images(height: int, width: int, data: st.DataObject) -> None:
    n = data.draw(st.integers(1, height * width))
    answer = registry.solve("nan_puzzle", {"height": height, "width": width, "inf_count": n})["answer"]
    found = ns.exact_search(height, width, n, DEFAULT)
    assert found is not None and answer["minimum"] == found.objective and answer["proven"]


def brute_force(height: int, width: int, n: int, kernels: np.ndarray) -> int:
    pixels = [(r, c) for r in range(height) for c in range(width)]
    return min(rule_count(height, width, combo, kernels) for combo in itertools.combinations(pixels, n))


kernel_strategy = st.lists(st.sampled_from([-1.0, 0.0, 1.0, 2.0]), min_size=9, max_size=9).map(
    lambda v: [v[0:3], v[3:6], v[6:9]]
)


@settings(max_examples=60)
@given(
    st.integers(3, 4), st.integers(3, 5), st.integers(1, 3), st.lists(kernel_strategy, min_size=1, max_size=2)
)
def test_arbitrary_kernels_match_brute_force(
    height: int, width: int, n: int, kernels: list[list[list[float]]]
) -> None:
    answer = registry.solve(
        "nan_puzzle", {"height": height, "width": width, "inf_count": n, "kernels": kernels}
    )["answer"]
    assert answer["proven"]
    assert answer["minimum"] == brute_force(height, width, n, np.asarray(kernels))


def test_arbitrary_kernels_on_a_large_image_are_not_claimed_optimal() -> None:
    kernels = [[[1, -1, 0], [1, 1, 1], [0, 1, 1]], [[1, 1, 1], [1, 0, 1], [1, 1, 1]]]
    result = registry.solve("nan_puzzle", {"height": 300, "width": 400, "inf_count": 40, "kernels": kernels})
    assert result["answer"]["proven"] is False
    assert all(c["passed"] for c in result["checks"])
    assert "not proven" in result["steps"][-1]["en"]


def test_positive_kernels_without_zeros_need_no_nan() -> None:
    kernels = [[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]
    answer = registry.solve("nan_puzzle", {"height": 500, "width": 500, "inf_count": 50, "kernels": kernels})[
        "answer"
    ]
    assert answer["minimum"] == 0 and answer["proven"]


# ---- speed -------------------------------------------------------------------------------------


def best_of(runs: int, fn: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def test_simulation_of_the_full_image_is_fast() -> None:
    image = ns.poisoned_image(1080, 1920, ns.default_placement(1080, 1920, 100), (-1.0, 1.0))
    ours = best_of(3, lambda: ns.nan_counts(image, DEFAULT))
    theirs = best_of(3, lambda: [ndimage.correlate(image, k.astype(np.float32)) for k in DEFAULT])
    assert ours < 0.5
    assert ours < 1.5 * theirs


# ---- contract ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"height": 4096, "width": 4096}, "width"),
        ({"height": 2}, "height"),
        ({"height": 5, "width": 5, "inf_count": 26}, "inf_count"),
        ({"inf_count": 600}, "inf_count"),
        ({"height": 100, "width": 100, "inf_count": 60}, "inf_count"),
        ({"kernels": [[[1, 1], [1, 1]]]}, "kernels.0.0"),
        ({"kernels": [[[1e-46, 1, 1], [1, 1, 1], [1, 1, 1]]]}, "kernels"),
        ({"other_values": [1, -1]}, "other_values"),
        ({"inf_count": True}, "inf_count"),
        ({"colour": 3}, "colour"),
    ],
)
def test_invalid_parameters_name_the_parameter(raw: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParams) as caught:
        registry.solve("nan_puzzle", raw)
    assert any(p.startswith(parameter) for p, _ in caught.value.errors), caught.value.errors


def assert_good_variants(name: str, seeds: Iterable[int], template: dict[str, object] | None = None) -> None:
    for seed in seeds:
        variant = registry.variant(name, seed, template=template).to_dict()
        again = registry.variant(name, seed, template=template).to_dict()
        assert variant == again
        wrong = [d["answer"] for d in variant["distractors"]]
        assert len(wrong) == 3
        assert not any(same_answer(w, variant["answer"], variant["tolerance"]) for w in wrong)
        assert not any(same_answer(a, b, variant["tolerance"]) for a, b in itertools.combinations(wrong, 2))
        assert all(d["why"]["zh"] and d["why"]["en"] for d in variant["distractors"])
        assert all(c["passed"] for c in variant["solution"]["checks"])
        assert plain(variant) == variant


def test_variants_of_the_seed_question() -> None:
    assert_good_variants("nan_puzzle", range(6))
    assert registry.variant("nan_puzzle", 3).params["kernels"] == plain(ns.DEFAULT_KERNELS)


def test_variants_keep_custom_kernels_small_and_exact() -> None:
    template = {"height": 6, "width": 6, "inf_count": 3, "kernels": [[[0, 1, 0], [1, -1, 1], [0, 1, 0]]]}
    assert_good_variants("nan_puzzle", range(4), template)
    params = registry.variant("nan_puzzle", 0, template=template).params
    assert params["height"] * params["width"] <= ns.EXACT_PIXELS
