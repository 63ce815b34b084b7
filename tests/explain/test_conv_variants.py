"""Variants of the CNN calculators: three distinct named distractors, determinism, template flavour."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.explain.engine import registry
from app.explain.engine.base import same_answer

CNN = [
    "conv_output_size",
    "pool_output_size",
    "receptive_field",
    "conv_params",
    "norm_shapes",
    "network_trace",
]

SPATIAL_NET = {
    "input": [3, 32, 32],
    "layers": [
        {"type": "conv", "out_channels": 16, "kernel": 3, "padding": 1},
        {"type": "relu"},
        {"type": "pool", "kernel": 2},
        {"type": "conv", "out_channels": 32, "kernel": 3, "stride": 2},
    ],
}
LAYER_NORM = {"input_shape": [8, 128, 768], "norm": "layer", "normalized_shape": [768]}

# (calculator, template or None, ask or None): the flavours a bank item might use.
CASES: list[tuple[str, dict[str, Any] | None, str | None]] = [
    ("conv_output_size", None, None),
    ("conv_output_size", {"input": 224, "kernel": 7, "stride": 2, "padding": 3}, None),
    ("conv_output_size", {"input": 225, "kernel": 3, "stride": 2, "padding": "same"}, None),
    ("conv_output_size", {"input": 64, "kernel": 3, "padding": 2, "dilation": 2}, None),
    ("conv_output_size", {"input": [224, 112], "kernel": 3, "padding": 1}, None),
    ("pool_output_size", None, None),
    ("pool_output_size", {"input": 112, "kernel": 3, "stride": 2, "padding": 1}, None),
    ("pool_output_size", {"input": 7, "kernel": 2, "ceil_mode": True}, None),
    ("receptive_field", None, None),
    ("receptive_field", {"layers": [{"kernel": 3, "dilation": 2}, {"kernel": 3, "dilation": 4}]}, None),
    ("conv_params", None, "params"),
    ("conv_params", None, "macs"),
    (
        "conv_params",
        {
            "in_channels": 64,
            "out_channels": 64,
            "kernel": 3,
            "type": "partial",
            "input": 56,
            "padding": "same",
        },
        "params",
    ),
    (
        "conv_params",
        {
            "in_channels": 32,
            "out_channels": 64,
            "kernel": 3,
            "type": "depthwise_separable",
            "input": 112,
            "padding": 1,
        },
        "macs",
    ),
    (
        "conv_params",
        {"in_channels": 128, "out_channels": 128, "kernel": 3, "type": "group", "groups": 32, "bias": True},
        "params",
    ),
    ("conv_params", {"in_channels": 32, "out_channels": 32, "kernel": 3, "type": "depthwise"}, "macs"),
    ("conv_params", {"in_channels": 256, "out_channels": 64, "kernel": 1, "type": "pointwise"}, "params"),
    ("norm_shapes", None, "stat_shape"),
    ("norm_shapes", None, "learnable_params"),
    ("norm_shapes", {"input_shape": [8, 64, 56, 56], "norm": "group", "groups": 8}, "stat_shape"),
    ("norm_shapes", LAYER_NORM, "learnable_params"),
    ("norm_shapes", {"input_shape": [8, 64, 56, 56], "norm": "instance"}, "learnable_params"),
    ("network_trace", None, "total_params"),
    ("network_trace", None, "total_macs"),
    ("network_trace", SPATIAL_NET, "output"),
]


@pytest.mark.parametrize(("name", "template", "ask"), CASES)
def test_three_distinct_named_distractors(
    name: str, template: dict[str, Any] | None, ask: str | None
) -> None:
    calc = registry.get(name)
    for seed in range(6):
        variant = registry.variant(name, seed, template=template, ask=ask)
        answers = [d.answer for d in variant.distractors]
        assert len(answers) == 3, (seed, variant.params)
        assert not any(same_answer(a, variant.answer, calc.tolerance) for a in answers)
        assert all(not same_answer(a, b) for i, a in enumerate(answers) for b in answers[i + 1 :])
        assert all(
            d.name and d.label.en and d.label.zh and d.why.en and d.why.zh for d in variant.distractors
        )
        assert all(c.passed for c in variant.solution.checks), variant.solution.checks
        assert variant.prompt.zh and variant.prompt.en
        json.dumps(variant.to_dict())  # plain JSON all the way down


@pytest.mark.parametrize("name", CNN)
def test_variants_are_deterministic(name: str) -> None:
    ask = registry.get(name).asks[0]
    first = registry.variant(name, 11, ask=ask).to_dict()
    assert registry.variant(name, 11, ask=ask).to_dict() == first
    assert registry.variant(name, 12, ask=ask).to_dict() != first


def test_templates_keep_their_flavour() -> None:
    for seed in range(10):
        same = registry.variant(
            "conv_output_size", seed, template={"input": 9, "kernel": 3, "padding": "same"}
        )
        assert same.params["padding"] == "same"
        dilated = registry.variant(
            "conv_output_size", seed, template={"input": 64, "kernel": 3, "dilation": 2}
        )
        assert dilated.params["dilation"] != [1, 1]
        ceil = registry.variant(
            "pool_output_size", seed, template={"input": 7, "kernel": 2, "ceil_mode": True}
        )
        assert ceil.params["ceil_mode"] is True
        assert ceil.params["stride"] is None
        grouped = registry.variant(
            "conv_params",
            seed,
            template={
                "in_channels": 8,
                "out_channels": 8,
                "kernel": 3,
                "type": "group",
                "groups": 2,
                "bias": True,
            },
        )
        assert grouped.params["type"] == "group"
        assert grouped.params["bias"] is True
        norm = registry.variant("norm_shapes", seed, template={"input_shape": [2, 4, 3], "norm": "instance"})
        assert norm.params["norm"] == "instance"
        assert len(norm.params["input_shape"]) == 3


@pytest.mark.parametrize("name", CNN)
def test_describe_lists_schema_and_asks(name: str) -> None:
    info = registry.describe(name)
    assert info["name"] == name
    assert info["title"]["zh"] and info["title"]["en"]
    assert info["schema"]["properties"]
    assert info["asks"] == list(registry.get(name).asks)
