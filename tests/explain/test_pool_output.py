"""pool_output_size: PyTorch's cases, its ceil_mode rule, invalid input, a brute-force reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams


def answer(**raw: object) -> object:
    result = registry.solve("pool_output_size", raw)
    assert all(c["passed"] for c in result["checks"])
    return result["answer"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"input": 7, "kernel": 2}, [3, 3]),  # stride defaults to the kernel
        ({"input": 7, "kernel": 2, "ceil_mode": True}, [4, 4]),
        ({"input": 112, "kernel": 3, "stride": 2, "padding": 1}, [56, 56]),  # ResNet stem
        ({"input": 112, "kernel": 3, "stride": 2}, [55, 55]),
        ({"input": 112, "kernel": 3, "stride": 2, "ceil_mode": True}, [56, 56]),  # GoogLeNet
        ({"input": 14, "kernel": 3, "stride": 2, "ceil_mode": True}, [7, 7]),
        ({"input": 55, "kernel": 3, "stride": 2}, [27, 27]),  # AlexNet
        ({"input": 13, "kernel": 3, "stride": 2}, [6, 6]),
        ({"input": 5, "kernel": 2, "padding": 1, "ceil_mode": True}, [3, 3]),  # last window dropped
        ({"input": [6, 9], "kernel": [2, 3]}, [3, 3]),
        ({"input": 2, "kernel": 3, "stride": 2, "ceil_mode": True}, [1, 1]),  # window past the edge
    ],
)
def test_pytorch_sizes(raw: dict[str, object], expected: list[int]) -> None:
    assert answer(**raw) == expected


def test_last_window_rule_is_explained() -> None:
    steps = registry.solve("pool_output_size", {"input": 5, "kernel": 2, "padding": 1, "ceil_mode": True})
    text = " ".join(s["en"] for s in steps["steps"])
    assert "right padding" in text
    assert "stride = kernel_size = 2" in text


def test_prompt_is_a_pytorch_call() -> None:
    calc = registry.get("pool_output_size")
    params = registry.parse_params(
        "pool_output_size", {"input": 55, "kernel": 3, "stride": 2, "ceil_mode": True}
    )
    assert "nn.MaxPool2d(3, stride=2, ceil_mode=True)" in calc.prompt(params, "answer").en


@pytest.mark.parametrize(
    ("raw", "parameter", "words"),
    [
        ({"input": 8, "kernel": 3, "padding": 2}, "padding", "half the kernel"),
        ({"input": 2, "kernel": 3}, "kernel", "larger than the padded input"),
        ({"input": 2, "kernel": 5, "stride": 2, "ceil_mode": True}, "kernel", "larger"),
        ({"input": 8, "kernel": 3, "dilation": 2}, "dilation", "unknown parameter"),
        ({"input": 8, "kernel": 3, "stride": 0}, "stride", "greater than or equal to 1"),
    ],
)
def test_invalid_parameters_are_named(raw: dict[str, object], parameter: str, words: str) -> None:
    with pytest.raises(InvalidParams) as info:
        registry.solve("pool_output_size", raw)
    name, message = info.value.errors[0]
    assert name.startswith(parameter)
    assert words in message


def torch_rule(size: int, kernel: int, stride: int, pad: int, ceil_mode: bool) -> int:
    """aten/src/ATen/native/Pool.h pooling_output_shape, transcribed (dilation 1)."""
    numerator = size + 2 * pad - (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = numerator // stride + 1  # div_rtn: floor division
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def brute_force_pool(image: np.ndarray, kernel: int, stride: int, pad: int, count: int) -> np.ndarray:
    """Max over each of the first ``count`` windows with Python loops, clipping to the input."""
    out = np.empty((count, count))
    for i in range(count):
        for j in range(count):
            r0, c0 = i * stride - pad, j * stride - pad
            rows = slice(max(r0, 0), min(r0 + kernel, image.shape[0]))
            cols = slice(max(c0, 0), min(c0 + kernel, image.shape[1]))
            out[i, j] = image[rows, cols].max()
    return out


@settings(max_examples=1000)
@given(
    size=st.integers(1, 40),
    kernel=st.integers(1, 7),
    stride=st.one_of(st.none(), st.integers(1, 5)),
    pad=st.integers(0, 3),
    ceil_mode=st.booleans(),
)
def test_matches_pytorch_rule(size: int, kernel: int, stride: int | None, pad: int, ceil_mode: bool) -> None:
    raw = {"input": size, "kernel": kernel, "padding": pad, "ceil_mode": ceil_mode}
    if stride is not None:
        raw["stride"] = stride
    expected = torch_rule(size, kernel, stride or kernel, pad, ceil_mode)
    if pad > kernel // 2 or expected < 1:
        with pytest.raises(InvalidParams):
            registry.solve("pool_output_size", raw)
        return
    result = registry.solve("pool_output_size", raw)
    assert result["answer"] == [expected, expected]
    assert all(c["passed"] for c in result["checks"])
    # Every window PyTorch keeps overlaps the real input, so a clipped max exists for each.
    image = np.random.default_rng(size).standard_normal((size, size))
    pooled = brute_force_pool(image, kernel, stride or kernel, pad, expected)
    assert np.isfinite(pooled).all()
