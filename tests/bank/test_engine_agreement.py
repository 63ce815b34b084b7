"""Numeric answers written into the bank agree with the explain engine, and computed items solve cleanly.

The numeric items keep their hand-written working; this test makes sure that working's final number is
the one the engine derives (and verifies with NumPy) for the same question.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from app.bank.loader import Bank
from app.bank.schema import ComputedItem, NumericItem
from app.bank.source import load
from app.core.config import PROJECT_ROOT
from app.explain import service
from app.explain.engine import registry
from app.explain.engine.base import same_answer


@cache
def bank() -> Bank:
    return load(PROJECT_ROOT / "questions")


def numeric(item_id: str) -> NumericItem:
    item = next(i.item for i in bank().items if i.item.id == item_id)
    assert isinstance(item, NumericItem)
    return item


def engine(name: str, params: dict[str, Any], pick: str | None = None) -> Any:
    answer = registry.solve(name, params)["answer"]
    return answer if pick is None else answer[pick]


# item id → how the engine computes the same quantity (calculator, params, part of the answer, scale).
AGREEMENT: dict[str, tuple[str, dict[str, Any], str | None, float]] = {
    "cnn-conv-output-stem": ("conv_output_size", {"input": 224, "kernel": 7, "stride": 2, "padding": 3}, None, 1),
    "cnn-dilated-output-size": (
        "conv_output_size", {"input": 100, "kernel": 3, "dilation": 3, "stride": 2, "padding": 1}, None, 1),
    "cnn-receptive-field-stack": ("receptive_field", {"layers": [
        {"kernel": 3}, {"kernel": 3}, {"kernel": 2, "stride": 2}, {"kernel": 3}, {"kernel": 3, "stride": 2},
        {"kernel": 3}]}, None, 1),
    "cnn-conv-params-bias": (
        "conv_params", {"in_channels": 64, "out_channels": 128, "kernel": 3, "bias": True}, "params", 1),
    "cnn-conv-macs": ("conv_params", {"in_channels": 64, "out_channels": 128, "kernel": 3, "input": 56,
                                      "padding": 1}, "macs", 1e-6),
    "cnn-dwsep-params": (
        "conv_params", {"in_channels": 128, "out_channels": 256, "kernel": 3, "type": "depthwise_separable"},
        "params", 1),
    "cnn-group-conv-params": ("conv_params", {"in_channels": 256, "out_channels": 256, "kernel": 3,
                                              "type": "group", "groups": 8, "bias": True}, "params", 1),
    "cnn-partial-conv-macs": ("conv_params", {"in_channels": 64, "out_channels": 64, "kernel": 3,
                                              "type": "partial", "input": 56, "padding": 1}, "macs", 1e-6),
}


@pytest.mark.parametrize("item_id", sorted(AGREEMENT))
def test_numeric_item_agrees_with_the_engine(item_id: str) -> None:
    name, params, pick, scale = AGREEMENT[item_id]
    item = numeric(item_id)
    value = engine(name, params, pick)
    if isinstance(value, list) and not isinstance(item.value, list):
        value = value[0]  # the item asks for the height of a square output
    scaled = [v * scale for v in value] if isinstance(value, list) else value * scale
    assert same_answer(scaled, item.value, item.tolerance + 1e-9)


def test_alexnet_shapes_agree_with_the_engine() -> None:
    conv = engine("conv_output_size", {"input": 227, "kernel": 11, "stride": 4})
    pool = engine("pool_output_size", {"input": 55, "kernel": 3, "stride": 2})
    assert numeric("cnn-alexnet-conv1-shape").value == [96, *conv]
    assert numeric("cnn-alexnet-pool-shape").value == [96, *pool]


def test_every_computed_item_solves_with_passing_checks() -> None:
    computed = [i.item for i in bank().items if isinstance(i.item, ComputedItem)]
    assert computed
    for item in computed:
        solution = service.item_solution(item.model_dump(mode="json"))
        assert solution["graded"] is not None, item.id
        assert all(check["passed"] for check in solution["checks"]), item.id


def test_every_computed_item_has_fresh_variants_with_three_distractors() -> None:
    for loaded in bank().items:
        if isinstance(loaded.item, ComputedItem):
            body = loaded.item.model_dump(mode="json")
            for seed in (1, 2):
                variant = service.item_variant(body, seed)
                assert len(variant.distractors) == 3, loaded.item.id
