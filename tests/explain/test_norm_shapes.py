"""norm_shapes: PyTorch's shapes and parameter counts, invalid input, a loop-by-definition reference."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams


def answer(**raw: Any) -> dict[str, Any]:
    result = registry.solve("norm_shapes", raw)
    assert all(c["passed"] for c in result["checks"]), result["checks"]
    return result["answer"]


@pytest.mark.parametrize(
    ("raw", "stat_shape", "learnable"),
    [
        ({"input_shape": [32, 64, 56, 56], "norm": "batch"}, [1, 64, 1, 1], 128),
        ({"input_shape": [32, 64], "norm": "batch"}, [1, 64], 128),
        ({"input_shape": [8, 128, 768], "norm": "layer", "normalized_shape": [768]}, [8, 128, 1], 1536),
        ({"input_shape": [8, 3, 4, 4], "norm": "layer", "normalized_shape": [3, 4, 4]}, [8, 1, 1, 1], 96),
        ({"input_shape": [32, 64, 56, 56], "norm": "instance"}, [32, 64, 1, 1], 0),
        ({"input_shape": [32, 64, 56, 56], "norm": "instance", "affine": True}, [32, 64, 1, 1], 128),
        ({"input_shape": [32, 64, 56, 56], "norm": "group", "groups": 8}, [32, 8, 1, 1, 1], 128),
        ({"input_shape": [32, 64, 56, 56], "norm": "batch", "affine": False}, [1, 64, 1, 1], 0),
        ({"input_shape": [2, 16, 4, 8, 8], "norm": "batch"}, [1, 16, 1, 1, 1], 32),
    ],
)
def test_pytorch_shapes(raw: dict[str, Any], stat_shape: list[int], learnable: int) -> None:
    assert answer(**raw) == {"stat_shape": stat_shape, "learnable_params": learnable}


def test_running_statistics_are_not_learnable() -> None:
    result = registry.solve("norm_shapes", {"input_shape": [32, 64, 56, 56]})
    assert any("buffers" in s["en"] for s in result["steps"])
    calc = registry.get("norm_shapes")
    params = registry.parse_params("norm_shapes", {"input_shape": [32, 64, 56, 56]})
    slips = {s.name: s.answer for s in calc.slips(params, "learnable_params")}
    assert slips["counted_running_stats"] == 256
    assert {s.name: s.answer for s in calc.slips(params, "stat_shape")}["bn_per_sample"] == [32, 64, 1, 1]


def test_prompt_names_the_module() -> None:
    calc = registry.get("norm_shapes")
    params = registry.parse_params(
        "norm_shapes", {"input_shape": [4, 32, 8, 8], "norm": "group", "groups": 4}
    )
    assert "nn.GroupNorm(4, 32)" in calc.prompt(params, "stat_shape").en
    params = registry.parse_params("norm_shapes", {"input_shape": [4, 32, 8], "norm": "batch"})
    assert "nn.BatchNorm1d(32)" in calc.prompt(params, "learnable_params").en


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"input_shape": [4, 30, 8, 8], "norm": "group", "groups": 4}, "groups"),
        ({"input_shape": [4, 32, 8, 8], "norm": "group"}, "groups"),
        ({"input_shape": [4, 32, 8, 8], "norm": "batch", "groups": 4}, "groups"),
        ({"input_shape": [4, 32, 8, 8], "norm": "layer"}, "normalized_shape"),
        ({"input_shape": [4, 32, 8, 8], "norm": "layer", "normalized_shape": [32]}, "normalized_shape"),
        ({"input_shape": [4, 32], "norm": "layer", "normalized_shape": [4, 32]}, "normalized_shape"),
        ({"input_shape": [4, 32, 8, 8], "normalized_shape": [8]}, "normalized_shape"),
        ({"input_shape": [4, 32], "norm": "instance"}, "input_shape"),
        ({"input_shape": [4], "norm": "batch"}, "input_shape"),
        ({"input_shape": [4, 32], "norm": "weight"}, "norm"),
    ],
)
def test_invalid_parameters_are_named(raw: dict[str, Any], parameter: str) -> None:
    with pytest.raises(InvalidParams) as info:
        registry.solve("norm_shapes", raw)
    assert info.value.errors[0][0] == parameter


def groups_by_definition(shape: list[int], norm: str, groups: int, depth: int) -> dict[tuple[int, ...], list]:
    """Element indices grouped by the statistic they share, as each paper defines it."""
    out: dict[tuple[int, ...], list] = {}
    for index in itertools.product(*(range(n) for n in shape)):
        if norm == "batch":
            key: tuple[int, ...] = (index[1],)
        elif norm == "instance":
            key = index[:2]
        elif norm == "group":
            key = (index[0], index[1] // (shape[1] // groups))
        else:
            key = index[: len(shape) - depth]
        out.setdefault(key, []).append(index)
    return out


@st.composite
def norm_case(draw: st.DrawFn) -> dict[str, Any]:
    norm = draw(st.sampled_from(["batch", "layer", "instance", "group"]))
    rank = draw(st.integers(3 if norm == "instance" else 2, 5))
    shape = [draw(st.integers(1, 4)) for _ in range(rank)]
    raw: dict[str, Any] = {"input_shape": shape, "norm": norm}
    if norm == "group":
        raw["groups"] = draw(st.integers(1, 3))
        shape[1] = raw["groups"] * draw(st.integers(1, 3))
    if norm == "layer":
        depth = draw(st.integers(1, rank - 1))
        raw["normalized_shape"] = shape[rank - depth :]
    if draw(st.booleans()):
        raw["affine"] = draw(st.booleans())
    return raw


@settings(max_examples=500)
@given(raw=norm_case())
def test_matches_definition(raw: dict[str, Any]) -> None:
    result = answer(**raw)
    shape, norm = raw["input_shape"], raw["norm"]
    depth = len(raw.get("normalized_shape", []))
    definition = groups_by_definition(shape, norm, raw.get("groups", 1), depth)
    stats = result["stat_shape"]
    assert math.prod(stats) == len(definition)
    # Normalise with the answer's shape; every group of the definition must come out standardised.
    x = np.random.default_rng(3).standard_normal(shape) * 3 + 1
    view = x.reshape(shape[0], raw["groups"], -1, *shape[2:]) if norm == "group" else x
    axes = tuple(i for i, n in enumerate(stats) if n == 1)
    assert all(view.shape[i] == n for i, n in enumerate(stats) if n != 1)
    y = (
        (view - view.mean(axis=axes, keepdims=True)) / view.std(axis=axes, keepdims=True).clip(1e-12)
    ).reshape(shape)
    for members in definition.values():
        values = np.array([y[i] for i in members])
        assert abs(values.mean()) < 1e-9
    has_affine = raw.get("affine", norm != "instance")
    per = math.prod(raw["normalized_shape"]) if norm == "layer" else shape[1]
    assert result["learnable_params"] == (2 * per if has_affine else 0)


def test_huge_tensors_are_checked_on_a_small_copy_or_refused() -> None:
    raw = {"input_shape": [1000, 1000, 1000, 100], "norm": "layer", "normalized_shape": [1000, 1000, 100]}
    assert answer(**raw) == {"stat_shape": [1000, 1, 1, 1], "learnable_params": 200_000_000}
    with pytest.raises(InvalidParams) as info:
        registry.solve("norm_shapes", {"input_shape": [100_000] * 5})
    assert info.value.errors[0][0] == "input_shape"
