"""conv_params: seed formulas, each conv type, invalid input, and an instrumented SciPy reference."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import correlate2d

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams


def answer(**raw: Any) -> dict[str, Any]:
    result = registry.solve("conv_params", raw)
    assert all(c["passed"] for c in result["checks"]), result["checks"]
    return result["answer"]


@pytest.mark.parametrize(
    ("raw", "params", "macs", "output"),
    [
        ({"in_channels": 64, "out_channels": 128, "kernel": 3}, 73_728, None, None),
        ({"in_channels": 64, "out_channels": 128, "kernel": 3, "bias": True}, 73_856, None, None),
        (
            {"in_channels": 64, "out_channels": 128, "kernel": 3, "input": 56, "padding": 1},
            73_728,
            231_211_008,
            [56, 56],
        ),
        (  # MobileNet v1's first depthwise separable block
            {
                "in_channels": 32,
                "out_channels": 64,
                "kernel": 3,
                "type": "depthwise_separable",
                "input": 112,
                "padding": 1,
            },
            288 + 2048,
            (288 + 2048) * 112 * 112,
            [112, 112],
        ),
        ({"in_channels": 32, "out_channels": 32, "kernel": 3, "type": "depthwise"}, 288, None, None),
        ({"in_channels": 32, "out_channels": 64, "kernel": 3, "type": "depthwise"}, 576, None, None),
        (  # ResNeXt: 32 groups of 4 channels
            {"in_channels": 128, "out_channels": 128, "kernel": 3, "type": "group", "groups": 32},
            4_608,
            None,
            None,
        ),
        ({"in_channels": 256, "out_channels": 64, "kernel": 1, "type": "pointwise"}, 16_384, None, None),
        (  # the seed: K×K×Cin/4×Cout/4, 1/16 of the standard conv
            {
                "in_channels": 64,
                "out_channels": 64,
                "kernel": 3,
                "type": "partial",
                "input": 56,
                "padding": "same",
            },
            2_304,
            2_304 * 56 * 56,
            [56, 56],
        ),
        (
            {
                "in_channels": 64,
                "out_channels": 128,
                "kernel": 3,
                "input": 56,
                "stride": 2,
                "padding": 1,
                "type": "group",
                "groups": 4,
                "bias": True,
            },
            18_560,
            18_432 * 28 * 28,
            [28, 28],
        ),
    ],
)
def test_exact_counts(
    raw: dict[str, object], params: int, macs: int | None, output: list[int] | None
) -> None:
    assert answer(**raw) == {"params": params, "macs": macs, "output": output}


def test_seed_ratios_hold() -> None:
    standard = answer(in_channels=96, out_channels=96, kernel=3)["params"]
    separable = answer(in_channels=96, out_channels=96, kernel=3, type="depthwise_separable")["params"]
    grouped = answer(in_channels=96, out_channels=96, kernel=3, type="group", groups=4)["params"]
    partial = answer(in_channels=96, out_channels=96, kernel=3, type="partial")["params"]
    assert separable / standard == pytest.approx(1 / 96 + 1 / 9)
    assert grouped * 4 == standard
    assert partial * 16 == standard


def test_separable_steps_compare_with_standard() -> None:
    steps = registry.solve(
        "conv_params", {"in_channels": 32, "out_channels": 64, "kernel": 3, "type": "depthwise_separable"}
    )["steps"]
    assert any("1/64 + 1/9" in s["en"] for s in steps)


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"in_channels": 30, "out_channels": 64, "kernel": 3, "type": "group", "groups": 4}, "groups"),
        ({"in_channels": 32, "out_channels": 30, "kernel": 3, "type": "group", "groups": 4}, "groups"),
        ({"in_channels": 32, "out_channels": 32, "kernel": 3, "type": "group"}, "groups"),
        ({"in_channels": 32, "out_channels": 32, "kernel": 3, "groups": 2}, "groups"),
        ({"in_channels": 32, "out_channels": 32, "kernel": 3, "type": "depthwise", "groups": 2}, "groups"),
        ({"in_channels": 32, "out_channels": 48, "kernel": 3, "type": "depthwise"}, "out_channels"),
        ({"in_channels": 32, "out_channels": 32, "kernel": 3, "type": "pointwise"}, "kernel"),
        ({"in_channels": 32, "out_channels": 64, "kernel": 3, "type": "partial"}, "out_channels"),
        ({"in_channels": 30, "out_channels": 30, "kernel": 3, "type": "partial"}, "partial_ratio"),
        ({"in_channels": 32, "out_channels": 32, "kernel": 3, "type": "partial", "input": 8}, "padding"),
        ({"in_channels": 32, "out_channels": 32, "kernel": 9, "input": 4}, "kernel"),
        ({"in_channels": 32, "out_channels": 32, "kernel": 3, "type": "dilated"}, "type"),
        ({"in_channels": 0, "out_channels": 32, "kernel": 3}, "in_channels"),
    ],
)
def test_invalid_parameters_are_named(raw: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParams) as info:
        registry.solve("conv_params", raw)
    assert info.value.errors[0][0] == parameter


def test_group_message_names_the_channel_count() -> None:
    with pytest.raises(InvalidParams) as info:
        registry.solve(
            "conv_params", {"in_channels": 30, "out_channels": 64, "kernel": 3, "type": "group", "groups": 4}
        )
    assert "in_channels = 30 is not a multiple of 4" in info.value.errors[0][1]


def test_huge_layer_checks_stay_cheap() -> None:
    result = answer(in_channels=2048, out_channels=2048, kernel=3, input=7, padding=1)
    assert result["params"] == 9 * 2048 * 2048
    assert result["macs"] == 9 * 2048 * 2048 * 49


def grouped_conv(
    x: np.ndarray, cout: int, groups: int, kernel: int, stride: int, bias: bool
) -> tuple[np.ndarray, int, int]:
    """A dense-weight conv (zero outside the groups) via SciPy; returns output, params, mults."""
    cin = x.shape[0]
    rng = np.random.default_rng(7)
    connected = (np.arange(cout)[:, None] // (cout // groups)) == (np.arange(cin)[None, :] // (cin // groups))
    weights = rng.uniform(0.5, 1.5, (cout, cin, kernel, kernel)) * connected[:, :, None, None]
    mults, out = 0, None
    for o in range(cout):
        acc = 0.0
        for i in range(cin):
            if connected[o, i]:
                y = correlate2d(x[i], weights[o, i], mode="valid")[::stride, ::stride]
                mults += y.size * kernel * kernel  # one product per tap per kept output
                acc = acc + y
        out = np.zeros((cout, *np.shape(acc))) if out is None else out
        out[o] = acc
    assert out is not None
    return out, int(np.count_nonzero(weights)) + (cout if bias else 0), mults


conv_case = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["standard", "group", "depthwise", "pointwise", "depthwise_separable", "partial"]
        ),
        "cin_unit": st.integers(1, 4),
        "cout_unit": st.integers(1, 4),
        "groups": st.sampled_from([1, 2, 4]),
        "kernel": st.integers(1, 4),
        "size": st.integers(4, 10),
        "stride": st.integers(1, 3),
        "padding": st.integers(0, 2),
        "bias": st.booleans(),
    }
)


@settings(max_examples=400)
@given(case=conv_case)
def test_matches_instrumented_reference(case: dict[str, Any]) -> None:
    kind, g = case["type"], int(case["groups"])
    cin, cout = g * int(case["cin_unit"]), g * int(case["cout_unit"])
    k, stride, pad = int(case["kernel"]), int(case["stride"]), int(case["padding"])
    raw: dict[str, Any] = {"in_channels": cin, "out_channels": cout, "kernel": k, "type": kind}
    raw |= {"input": case["size"], "stride": stride, "padding": pad, "bias": case["bias"]}
    if kind == "group":
        raw["groups"] = g
    if kind == "pointwise":
        raw["kernel"], k = 1, 1
    if kind == "depthwise":
        raw["out_channels"] = cout = cin * int(case["cout_unit"])
    if kind == "partial":
        cin = cout = 4 * int(case["cin_unit"])
        raw |= {"in_channels": cin, "out_channels": cout, "stride": 1, "padding": "same"}
        k = k | 1  # odd kernels keep the size with symmetric padding
        raw["kernel"] = k
    if k > int(case["size"]) + 2 * pad and kind != "partial":
        with pytest.raises(InvalidParams):
            registry.solve("conv_params", raw)
        return
    size = int(case["size"])
    x = np.random.default_rng(1).standard_normal((cin, size, size))
    bias = bool(case["bias"])
    if kind == "depthwise_separable":
        mid, p1, m1 = grouped_conv(np.pad(x, ((0, 0), (pad, pad), (pad, pad))), cin, cin, k, stride, bias)
        out, p2, m2 = grouped_conv(mid, cout, 1, 1, 1, bias)
        params, mults = p1 + p2, m1 + m2
    elif kind == "partial":
        cp = cin // 4
        half = (k - 1) // 2
        out, params, mults = grouped_conv(
            np.pad(x[:cp], ((0, 0), (half, half), (half, half))), cp, 1, k, 1, bias
        )
    else:
        groups = cin if kind == "depthwise" else int(raw.get("groups", 1))
        out, params, mults = grouped_conv(
            np.pad(x, ((0, 0), (pad, pad), (pad, pad))), cout, groups, k, stride, bias
        )
    expected = {"params": params, "macs": mults, "output": list(out.shape[1:])}
    assert answer(**raw) == expected


def test_absurd_layers_are_refused_by_name() -> None:
    with pytest.raises(InvalidParams) as info:
        registry.solve("conv_params", {"in_channels": 100_000, "out_channels": 100_000, "kernel": 100})
    assert info.value.errors[0][0] == "out_channels"
    assert "accepts up to" in info.value.errors[0][1]
