"""conv_output_size: exact cases, 'same'/'valid' semantics, invalid input, and a SciPy reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import correlate2d

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams


def solve(**raw: object) -> dict[str, object]:
    return registry.solve("conv_output_size", raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"input": 224, "kernel": 7, "stride": 2, "padding": 3}, [112, 112]),  # ResNet stem
        ({"input": 227, "kernel": 11, "stride": 4}, [55, 55]),  # AlexNet conv1
        ({"input": 224, "kernel": 11, "stride": 4}, [54, 54]),  # the famous 224 slip
        ({"input": 32, "kernel": 5}, [28, 28]),  # LeNet C1
        ({"input": 28, "kernel": 3, "padding": 2, "dilation": 2}, [28, 28]),
        ({"input": [224, 100], "kernel": [7, 3], "stride": [2, 1], "padding": [3, 1]}, [112, 100]),
        ({"input": 7, "kernel": 3, "stride": 2}, [3, 3]),
        ({"input": 224, "kernel": 7, "stride": 2, "padding": "same"}, [112, 112]),
        ({"input": 225, "kernel": 3, "stride": 2, "padding": "same"}, [113, 113]),
        ({"input": 10, "kernel": 3, "stride": 1, "padding": "same", "dilation": 2}, [10, 10]),
        ({"input": 10, "kernel": 3, "padding": "valid"}, [8, 8]),
        ({"input": 10, "kernel": 3, "padding": "SAME"}, [10, 10]),
    ],
)
def test_exact_sizes(raw: dict[str, object], expected: list[int]) -> None:
    result = solve(**raw)
    assert result["answer"] == expected
    assert all(c["passed"] for c in result["checks"])  # type: ignore[union-attr,index]


def test_same_padding_is_explained_with_its_split() -> None:
    steps = solve(input=224, kernel=7, stride=2, padding="same")["steps"]
    text = " ".join(s["en"] for s in steps)  # type: ignore[union-attr,index]
    assert "⌈H/S⌉" in text
    assert "2+3" in text  # total padding 5: 2 before, 3 after
    assert "stride 1" in text  # PyTorch's restriction


def test_prompt_says_stride_2_not_2x2() -> None:
    params = registry.parse_params("conv_output_size", {"input": 224, "kernel": 7, "stride": 2, "padding": 3})
    prompt = registry.get("conv_output_size").prompt(params, "answer")
    assert "stride 2," in prompt.en
    assert "2×2" not in prompt.en
    assert "步幅 2，" in prompt.zh
    assert "dilation" not in prompt.en


def test_square_axes_are_worked_once() -> None:
    steps = solve(input=224, kernel=7, stride=2, padding=3)["steps"]
    assert any(s["en"].startswith("Height and width") for s in steps)  # type: ignore[index,union-attr]


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"input": 5, "kernel": 7}, "kernel"),
        ({"input": 5, "kernel": 3, "dilation": 3}, "kernel"),
        ({"input": 5, "kernel": 0}, "kernel.0"),
        ({"input": 5, "kernel": 3, "stride": True}, "stride"),
        ({"input": 5, "kernel": 3, "padding": "full"}, "padding"),
        ({"input": [5, 5, 5], "kernel": 3}, "input"),
        ({"input": 5, "kernel": 3, "groups": 2}, "groups"),
    ],
)
def test_invalid_parameters_are_named(raw: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParams) as info:
        registry.solve("conv_output_size", raw)
    assert any(p.startswith(parameter) for p, _ in info.value.errors)


def test_kernel_too_large_message_says_why() -> None:
    with pytest.raises(InvalidParams) as info:
        registry.solve("conv_output_size", {"input": 5, "kernel": [3, 7]})
    assert info.value.errors[0][0] == "kernel"
    assert "kernel width spans 7" in info.value.errors[0][1]
    assert "larger than the padded input" in info.value.errors[0][1]


def reference_shape(size: int, kernel: int, stride: int, pad: tuple[int, int], dilation: int) -> int:
    """SciPy cross-correlation with a zero-stuffed (dilated) kernel, then every stride-th output."""
    image = np.zeros((1, size + sum(pad)))
    dilated = np.zeros((1, dilation * (kernel - 1) + 1))
    dilated[0, ::dilation] = 1.0
    full = correlate2d(image, dilated, mode="valid")
    return int(full[:, ::stride].shape[1])


def reference_same_pads(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's documented 'same' rule, written independently."""
    out = -(-size // stride)
    needed = max(0, (out - 1) * stride + dilation * (kernel - 1) + 1 - size)
    return needed // 2, needed - needed // 2


axis = st.tuples(
    st.integers(1, 60), st.integers(1, 9), st.integers(1, 5), st.integers(0, 4), st.integers(1, 4)
)


@settings(max_examples=1000)
@given(h=axis, w=axis, same=st.booleans())
def test_matches_scipy_convolution(
    h: tuple[int, int, int, int, int], w: tuple[int, int, int, int, int], same: bool
) -> None:
    raw = {"input": [h[0], w[0]], "kernel": [h[1], w[1]], "stride": [h[2], w[2]], "dilation": [h[4], w[4]]}
    raw["padding"] = "same" if same else [h[3], w[3]]
    pads = [reference_same_pads(a[0], a[1], a[2], a[4]) if same else (a[3], a[3]) for a in (h, w)]
    fits = all(a[0] + sum(p) >= a[4] * (a[1] - 1) + 1 for a, p in zip((h, w), pads, strict=True))
    if not fits:
        with pytest.raises(InvalidParams):
            registry.solve("conv_output_size", raw)
        return
    result = registry.solve("conv_output_size", raw)
    expected = [reference_shape(a[0], a[1], a[2], p, a[4]) for a, p in zip((h, w), pads, strict=True)]
    assert result["answer"] == expected
    assert all(c["passed"] for c in result["checks"])


def test_huge_input_falls_back_to_per_axis_check() -> None:
    result = solve(input=100_000, kernel=3, padding=1)
    assert result["answer"] == [100_000, 100_000]
    assert result["checks"][0]["method"] == "numpy_conv1d_per_axis"
    assert all(c["passed"] for c in result["checks"])  # type: ignore[union-attr,index]
