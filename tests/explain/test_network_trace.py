"""network_trace: a worked table, invalid stacks, and a real NumPy forward pass as reference."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from scipy.signal import correlate2d

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams

SMALL = {
    "input": [1, 28, 28],
    "layers": [
        {"type": "conv", "out_channels": 8, "kernel": 3, "padding": 1},
        {"type": "bn"},
        {"type": "relu"},
        {"type": "pool", "kernel": 2},
        {"type": "conv", "out_channels": 16, "kernel": 3, "stride": 2, "bias": False},
        {"type": "flatten"},
        {"type": "linear", "out_features": 10},
    ],
}


def solve(raw: dict[str, Any]) -> dict[str, Any]:
    result = registry.solve("network_trace", raw)
    assert all(c["passed"] for c in result["checks"]), result["checks"]
    return result


def test_table_of_a_small_cnn() -> None:
    answer = solve(SMALL)["answer"]
    rows = answer["layers"]
    assert [r["output"] for r in rows] == [
        [8, 28, 28],
        [8, 28, 28],
        [8, 28, 28],
        [8, 14, 14],
        [16, 6, 6],
        [576],
        [10],
    ]
    assert [r["params"] for r in rows] == [80, 16, 0, 0, 1152, 0, 5770]
    assert [r["macs"] for r in rows] == [72 * 784, 0, 0, 0, 1152 * 36, 0, 5760]
    assert [r["receptive_field"] for r in rows][:5] == [[3, 3], [3, 3], [3, 3], [4, 4], [8, 8]]
    assert [r["jump"] for r in rows][:5] == [[1, 1], [1, 1], [1, 1], [2, 2], [4, 4]]
    assert rows[5]["receptive_field"] is None
    assert answer["total_params"] == 80 + 16 + 1152 + 5770
    assert answer["total_macs"] == 72 * 784 + 1152 * 36 + 5760
    assert answer["output"] == [10]


def test_steps_list_every_layer() -> None:
    steps = solve(SMALL)["steps"]
    assert len(steps) == len(SMALL["layers"]) + 2
    assert "output [8, 14, 14]" in steps[4]["en"]


@pytest.mark.parametrize(
    ("layers", "parameter", "words"),
    [
        ([{"type": "linear", "out_features": 10}], "layers.0.type", "add a flatten"),
        (
            [{"type": "flatten"}, {"type": "conv", "out_channels": 4, "kernel": 3}],
            "layers.1.type",
            "[C, H, W]",
        ),
        ([{"type": "conv", "out_channels": 4, "kernel": 3, "groups": 2}], "layers.0.groups", "must divide"),
        (
            [{"type": "conv", "out_channels": 4, "kernel": 9}],
            "layers.0.kernel",
            "larger than the padded input",
        ),
        ([{"type": "pool", "kernel": 2, "padding": 2}], "layers.0.padding", "half the kernel"),
        ([{"type": "pool", "kernel": 3}, {"type": "pool", "kernel": 3}], "layers.1.kernel", "larger"),
        ([{"type": "dropout"}], "layers.0", "dropout"),
        ([{"type": "relu", "inplace": True}], "layers.0.relu.inplace", "unknown parameter"),
    ],
)
def test_invalid_stacks_name_the_layer(layers: list[dict[str, Any]], parameter: str, words: str) -> None:
    with pytest.raises(InvalidParams) as info:
        registry.solve("network_trace", {"input": [3, 8, 8], "layers": layers})
    name, message = info.value.errors[0]
    assert name == parameter
    assert words in message


def test_variants_keep_the_architecture() -> None:
    variant = registry.variant("network_trace", 4, template=SMALL, ask="total_params")
    assert [layer["type"] for layer in variant.params["layers"]] == [x["type"] for x in SMALL["layers"]]
    assert variant.params["layers"][-1]["out_features"] == 10  # the class count stays
    assert len(variant.distractors) == 3


# ---- reference: a real forward pass with real tensors ---------------------------------------


def torch_pool_size(size: int, kernel: int, stride: int, pad: int, ceil_mode: bool) -> int:
    """aten pooling_output_shape, transcribed."""
    out = (size + 2 * pad - kernel + (stride - 1 if ceil_mode else 0)) // stride + 1
    return out - 1 if ceil_mode and (out - 1) * stride >= size + pad else out


def conv_forward(
    x: np.ndarray, layer: dict[str, Any], rng: np.random.Generator
) -> tuple[np.ndarray, int, int]:
    cin, cout, g, k = x.shape[0], layer["out_channels"], layer.get("groups", 1), layer["kernel"]
    s, p = layer.get("stride", 1), layer.get("padding", 0)
    weight = rng.standard_normal((cout, cin // g, k, k))
    bias = rng.standard_normal(cout) if layer.get("bias", True) else np.zeros(0)
    padded = np.pad(x, ((0, 0), (p, p), (p, p)))
    outputs, mults = [], 0
    for o in range(cout):
        group = o // (cout // g)
        acc = sum(
            correlate2d(padded[group * (cin // g) + i], weight[o, i], mode="valid")[::s, ::s]
            for i in range(cin // g)
        )
        mults += np.size(acc) * k * k * (cin // g)
        outputs.append(acc + (bias[o] if bias.size else 0.0))
    return np.stack(outputs), weight.size + bias.size, mults


def pool_forward(x: np.ndarray, layer: dict[str, Any]) -> np.ndarray:
    k, p, ceil = layer["kernel"], layer.get("padding", 0), layer.get("ceil_mode", False)
    s = layer.get("stride") or k
    n_h, n_w = (torch_pool_size(n, k, s, p, ceil) for n in x.shape[1:])
    out = np.empty((x.shape[0], n_h, n_w))
    for i in range(n_h):
        for j in range(n_w):
            r0, c0 = i * s - p, j * s - p
            out[:, i, j] = x[:, max(r0, 0) : r0 + k, max(c0, 0) : c0 + k].max(axis=(1, 2))
    return out


def forward(raw: dict[str, Any]) -> tuple[list[int], int, int]:
    """Output shape, parameter count and multiplications of a real NumPy forward pass."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(raw["input"])
    params = mults = 0
    for layer in raw["layers"]:
        kind = layer["type"]
        if kind == "conv":
            x, n_params, n_mults = conv_forward(x, layer, rng)
            params, mults = params + n_params, mults + n_mults
        elif kind == "pool":
            x = pool_forward(x, layer)
        elif kind == "bn":
            gamma, beta = np.ones(x.shape[0]), np.zeros(x.shape[0])
            params += gamma.size + beta.size
        elif kind == "relu":
            x = np.maximum(x, 0)
        elif kind == "flatten":
            x = x.reshape(-1)
        else:
            weight = rng.standard_normal((layer["out_features"], x.size))
            x = weight @ x + rng.standard_normal(layer["out_features"])
            params, mults = params + weight.size + layer["out_features"], mults + weight.size
    return list(x.shape), params, mults


spatial_layer = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("conv"), "out_channels": st.sampled_from([2, 4, 6]), "kernel": st.integers(1, 3)},
        optional={
            "stride": st.integers(1, 2),
            "padding": st.integers(0, 1),
            "groups": st.sampled_from([1, 2]),
            "bias": st.booleans(),
        },
    ),
    st.fixed_dictionaries(
        {"type": st.just("pool"), "kernel": st.integers(2, 3)},
        optional={"stride": st.integers(1, 2), "padding": st.just(1), "ceil_mode": st.booleans()},
    ),
    st.just({"type": "bn"}),
    st.just({"type": "relu"}),
)


@settings(max_examples=300)
@given(
    channels=st.sampled_from([2, 4]),
    size=st.integers(5, 14),
    layers=st.lists(spatial_layer, min_size=1, max_size=6),
    head=st.booleans(),
)
def test_matches_numpy_forward(channels: int, size: int, layers: list[dict[str, Any]], head: bool) -> None:
    raw = {"input": [channels, size, size], "layers": layers}
    if head:
        raw["layers"] = [*layers, {"type": "flatten"}, {"type": "linear", "out_features": 3}]
    try:
        answer = registry.solve("network_trace", raw)
    except InvalidParams:
        event("rejected stack")
        return  # e.g. a kernel larger than its input; covered by the invalid-stack tests
    event("traced stack")
    assert all(c["passed"] for c in answer["checks"])
    shape, params, mults = forward(raw)
    assert answer["answer"]["output"] == shape
    assert answer["answer"]["total_params"] == params
    assert answer["answer"]["total_macs"] == mults


def test_absurd_layers_are_refused_by_name() -> None:
    raw = {
        "input": [3, 100_000, 100_000],
        "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 100_000}],
    }
    with pytest.raises(InvalidParams) as info:
        registry.solve("network_trace", raw)
    assert info.value.errors[0][0] == "layers.1.out_features"
