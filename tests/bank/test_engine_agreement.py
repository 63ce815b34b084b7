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
    "cnn-conv-output-stem": (
        "conv_output_size",
        {"input": 224, "kernel": 7, "stride": 2, "padding": 3},
        None,
        1,
    ),
    "cnn-dilated-output-size": (
        "conv_output_size",
        {"input": 100, "kernel": 3, "dilation": 3, "stride": 2, "padding": 1},
        None,
        1,
    ),
    "cnn-receptive-field-stack": (
        "receptive_field",
        {
            "layers": [
                {"kernel": 3},
                {"kernel": 3},
                {"kernel": 2, "stride": 2},
                {"kernel": 3},
                {"kernel": 3, "stride": 2},
                {"kernel": 3},
            ]
        },
        None,
        1,
    ),
    "cnn-conv-params-bias": (
        "conv_params",
        {"in_channels": 64, "out_channels": 128, "kernel": 3, "bias": True},
        "params",
        1,
    ),
    "cnn-conv-macs": (
        "conv_params",
        {"in_channels": 64, "out_channels": 128, "kernel": 3, "input": 56, "padding": 1},
        "macs",
        1e-6,
    ),
    "cnn-dwsep-params": (
        "conv_params",
        {"in_channels": 128, "out_channels": 256, "kernel": 3, "type": "depthwise_separable"},
        "params",
        1,
    ),
    "cnn-group-conv-params": (
        "conv_params",
        {"in_channels": 256, "out_channels": 256, "kernel": 3, "type": "group", "groups": 8, "bias": True},
        "params",
        1,
    ),
    "cnn-partial-conv-macs": (
        "conv_params",
        {"in_channels": 64, "out_channels": 64, "kernel": 3, "type": "partial", "input": 56, "padding": 1},
        "macs",
        1e-6,
    ),
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


BACKPROP_321 = {
    "x": [1, 2, -1],
    "target": 1,
    "loss": "half_squared_error",
    "layers": [  # the item writes W1 as input × hidden; the engine takes out × in
        {"weights": [[0.3, 0.1, -0.2], [-0.2, 0.4, 0.1]], "activation": "sigmoid"},
        {"weights": [[0.6, -0.4]], "activation": "sigmoid"},
    ],
}


def _adagrad_fourth_step() -> list[float]:
    trajectory = engine(
        "optimizer_step", {"name": "adagrad", "w": [1], "grads": [[2]] * 4, "lr": 0.1, "eps": 1e-12}
    )["trajectory"]
    return [trajectory[2]["w"][0] - trajectory[3]["w"][0], trajectory[3]["w"][0]]


def _adam_with_and_without_correction() -> list[float]:
    solved = registry.solve(
        "optimizer_step",
        {"name": "adam", "w": [1], "grads": [[0.5]], "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    )
    uncorrected = 1 - 0.01 * (0.1 * 0.5) / ((0.001 * 0.25) ** 0.5 + 1e-8)  # the slip the item contrasts
    return [solved["answer"]["w"][0], uncorrected]


# Training-side items: item id → the engine's value for the same question.
TRAINING: dict[str, Any] = {
    "act-sigmoid-derivative-zero": lambda: engine("activation", {"name": "sigmoid", "x": 0}, "derivative"),
    "act-tanh-derivative-zero": lambda: engine("activation", {"name": "tanh", "x": 0}, "derivative"),
    "grad-backprop-output-weight": lambda: engine("backprop", BACKPROP_321, "grads")[1]["weights"][0][0],
    "grad-backprop-hidden-weight": lambda: engine("backprop", BACKPROP_321, "grads")[0]["weights"][0][1],
    "norm-bn-running-stats-update": lambda: [
        v[0]
        for v in (
            engine("bn_forward", {"x": [[1], [2], [3], [6]], "momentum": 0.1}, k)
            for k in ("running_mean", "running_var")
        )
    ],
    "opt-momentum-two-steps": lambda: engine(  # f(w) = w², so g1 = 2·1 and g2 = 2·0.8
        "optimizer_step",
        {"name": "momentum", "w": [1], "grads": [[2], [1.6]], "lr": 0.1, "momentum": 0.9},
        "w",
    )[0],
    "opt-adagrad-constant-gradient": _adagrad_fourth_step,
    "opt-rmsprop-two-steps": lambda: engine(
        "optimizer_step",
        {"name": "rmsprop", "w": [1], "grads": [[2], [2]], "lr": 0.01, "beta2": 0.9, "eps": 1e-12},
        "w",
    )[0],
    "opt-adam-first-step": _adam_with_and_without_correction,
    "att-context-vector-example": lambda: engine(
        "attention", {"query": [[1, 2]], "key": [[1, 0], [0, 1], [1, 1]], "scale": 1}, "output"
    )[0],
    "hw-matrix-chain": lambda: engine("matrix_chain", {"dims": [10, 100, 5, 50]}, "cost"),
    "rnn-lstm-params-one-bias": lambda: engine(
        "rnn_params", {"cell": "lstm", "input_size": 100, "hidden_size": 256, "bias": "single"}, "params"
    ),
    "rnn-lstm-params-pytorch": lambda: engine(
        "rnn_params", {"cell": "lstm", "input_size": 100, "hidden_size": 256, "bias": "double"}, "params"
    ),
    "rnn-gru-params-pytorch": lambda: engine(
        "rnn_params", {"cell": "gru", "input_size": 64, "hidden_size": 128, "bias": "double"}, "params"
    ),
    "cnn-inf-nan-puzzle": lambda: engine("nan_puzzle", {}, "minimum"),
}


@pytest.mark.parametrize("item_id", sorted(TRAINING))
def test_training_item_agrees_with_the_engine(item_id: str) -> None:
    item = numeric(item_id)
    assert same_answer(TRAINING[item_id](), item.value, item.tolerance + 1e-9)


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
