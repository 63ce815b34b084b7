"""receptive_field: textbook stacks, the seed's Σ/∏ slip, and a backprop-gradient reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams


def solve(layers: list[dict[str, int]]) -> dict[str, object]:
    result = registry.solve("receptive_field", {"layers": layers})
    assert all(c["passed"] for c in result["checks"])
    return result


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        ([{"kernel": 3}], 3),
        ([{"kernel": 3}, {"kernel": 3}], 5),  # two 3×3 = one 5×5
        ([{"kernel": 3}, {"kernel": 3}, {"kernel": 3}], 7),  # three 3×3 = one 7×7
        ([{"kernel": 7, "stride": 2}, {"kernel": 3, "stride": 2}], 11),  # ResNet stem
        ([{"kernel": 3, "dilation": 2}], 5),
        ([{"kernel": 3, "dilation": 1}, {"kernel": 3, "dilation": 2}, {"kernel": 3, "dilation": 4}], 15),
        ([{"kernel": 2, "stride": 2}, {"kernel": 2, "stride": 2}, {"kernel": 2, "stride": 2}], 8),
        ([{"kernel": 1, "stride": 2}, {"kernel": 3}], 5),
    ],
)
def test_exact_fields(layers: list[dict[str, int]], expected: int) -> None:
    assert solve(layers)["answer"] == expected


def test_steps_give_every_layers_field_and_jump() -> None:
    steps = solve([{"kernel": 7, "stride": 2}, {"kernel": 3, "stride": 2}, {"kernel": 3}])["steps"]
    text = [s["en"] for s in steps]  # type: ignore[union-attr]
    assert any("r = 1 + (7−1)×1 = 7; j = 1×2 = 2" in t for t in text)
    assert any("r = 7 + (3−1)×2 = 11; j = 2×2 = 4" in t for t in text)
    assert any("r = 11 + (3−1)×4 = 19; j = 4×1 = 4" in t for t in text)
    assert "∏" in text[0]  # the seed's Σ is corrected


def test_gridding_is_pointed_out() -> None:
    steps = solve([{"kernel": 3, "dilation": 2}, {"kernel": 3, "dilation": 2}])["steps"]
    assert any("gridding" in s["en"] for s in steps)  # type: ignore[union-attr]


def test_seed_sum_slip_is_a_distractor() -> None:
    calc = registry.get("receptive_field")
    params = registry.parse_params(
        "receptive_field", {"layers": [{"kernel": 3, "stride": 2}, {"kernel": 3, "stride": 3}, {"kernel": 3}]}
    )
    slips = {s.name: s.answer for s in calc.slips(params, "answer")}
    assert calc.solve(params).answer == 1 + 2 + 2 * 2 + 2 * 6  # jumps 1, 2, 6
    assert slips["summed_strides"] == 1 + 2 + 2 * 2 + 2 * 5  # jumps 1, 2, 2+3
    assert slips["forgot_jump"] == 7
    assert slips["summed_kernels"] == 9


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"layers": []}, "layers"),
        ({"layers": [{"kernel": 0}]}, "layers.0.kernel"),
        ({"layers": [{"kernel": 3, "padding": 1}]}, "layers.0.padding"),
        ({}, "layers"),
    ],
)
def test_invalid_parameters_are_named(raw: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParams) as info:
        registry.solve("receptive_field", raw)
    assert info.value.errors[0][0] == parameter


def gradient_support(layers: list[tuple[int, int, int]], length: int, unit: int) -> np.ndarray:
    """Input pixels with a non-zero gradient of output ``unit`` (all-ones kernels, backprop)."""
    sizes = [length]
    for k, s, d in layers:
        sizes.append((sizes[-1] - d * (k - 1) - 1) // s + 1)
    grad = np.zeros(sizes[-1])
    grad[unit] = 1.0
    for (k, s, d), below in zip(reversed(layers), reversed(sizes[:-1]), strict=True):
        grad_in = np.zeros(below)
        for t in range(k):  # y[i] = Σ_t x[i·s + t·d]  ⇒  ∂y[i]/∂x[i·s + t·d] = 1
            np.add.at(grad_in, np.arange(len(grad)) * s + t * d, grad)
        grad = grad_in
    return np.nonzero(grad)[0]


layer_strategy = st.tuples(st.integers(1, 7), st.integers(1, 2), st.integers(1, 3))


@settings(max_examples=800)
@given(layers=st.lists(layer_strategy, min_size=1, max_size=6))
def test_matches_backprop_gradient(layers: list[tuple[int, int, int]]) -> None:
    raw = [{"kernel": k, "stride": s, "dilation": d} for k, s, d in layers]
    result = solve(raw)
    first = gradient_support(layers, 1300, 0)
    second = gradient_support(layers, 1300, 1)
    assert result["answer"] == first.max() - first.min() + 1
    jump = int(np.prod([s for _, s, _ in layers]))
    assert second.min() - first.min() == jump


def test_astronomical_fields_are_traced_by_their_outer_taps() -> None:
    result = solve([{"kernel": 100_000, "stride": 100_000, "dilation": 100_000}] * 64)
    span = 100_000 * (100_000 - 1) + 1
    assert result["answer"] == 1 + sum((span - 1) * 100_000**i for i in range(64))  # no int64 overflow
    assert result["checks"][0]["method"] == "backward_interval_trace"
