"""Convolution output size: the reference calculator of the explain engine."""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from pydantic import BeforeValidator

from app.explain.engine.base import (
    Calculator,
    Check,
    NonNegativePair,
    Pair,
    Params,
    Slip,
    Solution,
    Step,
    Text,
    size_text,
    to_pair,
)

Padding = Literal["same", "valid"] | NonNegativePair
# Above this many multiply-adds the NumPy check convolves each axis separately (still real).
_FULL_CHECK_BUDGET = 20_000_000


def _padding(value: object) -> object:
    return value if value in ("same", "valid") else to_pair(value)


class ConvOutputParams(Params):
    """Input, kernel, stride, padding and dilation; ints mean square sizes."""

    input: Pair
    kernel: Pair
    stride: Pair = (1, 1)
    padding: Annotated[Padding, BeforeValidator(_padding)] = (0, 0)
    dilation: Pair = (1, 1)


def effective_kernel(kernel: int, dilation: int) -> int:
    """Span of a dilated kernel: D·(K−1)+1."""
    return dilation * (kernel - 1) + 1


def pads(p: ConvOutputParams) -> list[tuple[int, int]]:
    """(before, after) padding per axis; "same" pads like TensorFlow (extra at the end)."""
    if p.padding == "valid":
        return [(0, 0), (0, 0)]
    if p.padding == "same":
        out = []
        for size, k, s, d in zip(p.input, p.kernel, p.stride, p.dilation, strict=True):
            total = max((math.ceil(size / s) - 1) * s + effective_kernel(k, d) - size, 0)
            out.append((total // 2, total - total // 2))
        return out
    return [(pad, pad) for pad in p.padding]


def output_size(size: int, kernel: int, stride: int, pad: tuple[int, int], dilation: int) -> int:
    """⌊(H + P_before + P_after − D(K−1) − 1) / S⌋ + 1."""
    return (size + sum(pad) - effective_kernel(kernel, dilation)) // stride + 1


class ConvOutputSize(Calculator[ConvOutputParams]):
    """[H_out, W_out] of a 2-D convolution."""

    name = "conv_output_size"
    title = Text("卷积输出尺寸", "Convolution output size")
    params_model = ConvOutputParams

    def validate(self, p: ConvOutputParams) -> list[tuple[str, str]]:
        """The dilated kernel must fit inside the padded input on both axes."""
        for axis, (size, k, d, pad) in enumerate(zip(p.input, p.kernel, p.dilation, pads(p), strict=True)):
            span, padded = effective_kernel(k, d), size + sum(pad)
            if span > padded:
                which = ("height", "width")[axis]
                return [("kernel", f"kernel {which} spans {span} (D·(K−1)+1) but the padded input "
                         f"{which} is only {padded}: the kernel is larger than the padded input")]
        return []

    def solve(self, p: ConvOutputParams) -> Solution:
        """Derive the size axis by axis and verify it with a real NumPy convolution."""
        padding = pads(p)
        out = [output_size(*a) for a in zip(p.input, p.kernel, p.stride, padding, p.dilation, strict=True)]
        steps = _steps(p, padding, out)
        checks = [_numpy_check(p, padding, out), _coverage_check(p, padding, out)]
        return Solution(answer=out, steps=steps, checks=checks)

    def sample(self, rng: np.random.Generator, template: ConvOutputParams | None) -> ConvOutputParams:
        """A realistic layer; keeps the template's style (dilated, strided, 'same')."""
        while True:
            k = int(rng.choice([1, 3, 3, 5, 7, 11]))
            size = int(rng.choice([7, 13, 14, 28, 32, 56, 64, 112, 128, 224, 227, 256, 299]))
            stride = int(rng.choice([1, 2, 2, 3, 4]))
            dilation = int(rng.choice([1, 1, 2, 3])) if template is None else (
                int(rng.choice([2, 3, 4])) if template.dilation != (1, 1) else 1)
            padding: object = int(rng.choice([0, k // 2, 1, 2]))
            if template is not None and isinstance(template.padding, str):
                padding = template.padding
            params = ConvOutputParams.model_validate(
                {"input": size, "kernel": k, "stride": stride, "padding": padding, "dilation": dilation})
            if not self.validate(params):
                return params

    def prompt(self, p: ConvOutputParams, ask: str) -> Text:
        """'Input 224×224, kernel 7×7, …: what is the output size?'"""
        pad = p.padding if isinstance(p.padding, str) else size_text(p.padding)
        return Text(
            zh=(f"输入特征图 {size_text(p.input)}，卷积核 {size_text(p.kernel)}，步幅 {size_text(p.stride)}，"
                f"填充 {pad}，膨胀率 {size_text(p.dilation)}。输出特征图的高 × 宽是多少？"),
            en=(f"An input feature map of {size_text(p.input)} is convolved with a {size_text(p.kernel)} "
                f"kernel, stride {size_text(p.stride)}, padding {pad}, dilation {size_text(p.dilation)}. "
                "What is the output height × width?"),
        )

    def slips(self, p: ConvOutputParams, ask: str) -> list[Slip]:
        """Forgot +1, P instead of 2P, ignored stride, ignored dilation, rounded up."""
        padding = pads(p)
        axes = list(zip(p.input, p.kernel, p.stride, padding, p.dilation, strict=True))

        def each(f: object) -> list[int]:
            return [f(*a) for a in axes]  # type: ignore[operator]

        return [
            Slip("forgot_plus_one", Text("漏了 +1", "forgot the +1"),
                 Text("位置数 = 可滑动距离 / 步幅 + 1，第一个位置也要算上。",
                      "The count of positions is the sliding distance / stride plus one: the first position counts."),
                 each(lambda h, k, s, pd, d: (h + sum(pd) - effective_kernel(k, d)) // s)),
            Slip("single_padding", Text("只加了一侧填充 P", "used P instead of 2P"),
                 Text("填充加在两侧，输入变为 H + 2P。", "Padding is added on both sides: the input grows to H + 2P."),
                 each(lambda h, k, s, pd, d: max(h + pd[0] - effective_kernel(k, d), -1) // s + 1)),
            Slip("ignored_stride", Text("忽略了步幅", "ignored the stride"),
                 Text("步幅 S 会把可滑动距离除以 S。", "A stride S divides the sliding distance by S."),
                 each(lambda h, k, s, pd, d: h + sum(pd) - effective_kernel(k, d) + 1)),
            Slip("ignored_dilation", Text("忽略了膨胀率", "ignored dilation"),
                 Text("膨胀后的卷积核跨度是 D·(K−1)+1，而不是 K。",
                      "A dilated kernel spans D·(K−1)+1 pixels, not K."),
                 each(lambda h, k, s, pd, d: (h + sum(pd) - k) // s + 1)),
            Slip("rounded_up", Text("向上取整", "rounded up instead of down"),
                 Text("放不下完整卷积核的位置不算，应向下取整。",
                      "A window that does not fit entirely is dropped, so the division rounds down."),
                 each(lambda h, k, s, pd, d: -(-(h + sum(pd) - effective_kernel(k, d)) // s) + 1)),
        ]


def _steps(p: ConvOutputParams, padding: list[tuple[int, int]], out: list[int]) -> list[Step]:
    steps = [Step(
        "每个空间维度独立计算：输出 = ⌊(输入 + 两侧填充 − 膨胀后核跨度) / 步幅⌋ + 1。",
        "Each spatial axis is computed on its own: output = ⌊(input + padding on both sides − dilated kernel span) / stride⌋ + 1.",
        r"H_{out} = \left\lfloor \frac{H + 2P - D(K-1) - 1}{S} \right\rfloor + 1",
    )]
    if p.padding == "same":
        steps.append(Step(
            "“same” 填充：输出取 ⌈H/S⌉，所需的总填充不对称时多出的一格补在下/右侧（TensorFlow 约定）。",
            "'same' padding: the output is ⌈H/S⌉; when the total padding is odd the extra row/column goes at the bottom/right (TensorFlow's convention).",
        ))
    for axis, (size, k, s, pad, d) in enumerate(zip(p.input, p.kernel, p.stride, padding, p.dilation, strict=True)):
        zh_axis, en_axis = ("高", "height") if axis == 0 else ("宽", "width")
        span = effective_kernel(k, d)
        steps.append(Step(
            f"{zh_axis}：核跨度 {d}×({k}−1)+1 = {span}；填充后 {size}+{pad[0]}+{pad[1]} = {size + sum(pad)}；"
            f"⌊({size + sum(pad)}−{span})/{s}⌋+1 = {out[axis]}。",
            f"{en_axis}: kernel span {d}×({k}−1)+1 = {span}; padded input {size}+{pad[0]}+{pad[1]} = "
            f"{size + sum(pad)}; ⌊({size + sum(pad)}−{span})/{s}⌋+1 = {out[axis]}.",
            rf"\left\lfloor \frac{{{size + sum(pad)} - {span}}}{{{s}}} \right\rfloor + 1 = {out[axis]}",
        ))
        left_over = (size + sum(pad) - span) % s
        if left_over:
            steps.append(Step(
                f"{zh_axis}方向最后 {left_over} 行/列放不下一个完整窗口，被丢弃（这就是向下取整）。",
                f"Along the {en_axis}, the last {left_over} row(s)/column(s) cannot hold a full window and are dropped — that is the floor.",
            ))
    steps.append(Step(f"输出尺寸为 {size_text(out)}。", f"The output is {size_text(out)}."))
    return steps


def _conv_axis_positions(size: int, pad: tuple[int, int], k: int, s: int, d: int) -> np.ndarray:
    """Run a real 1-D dilated, strided convolution and return its output."""
    x = np.pad(np.arange(1.0, size + 1.0), pad)
    windows = sliding_window_view(x, effective_kernel(k, d))[::s, ::d]
    result: np.ndarray = windows @ np.ones(k)
    return result


def _numpy_check(p: ConvOutputParams, padding: list[tuple[int, int]], out: list[int]) -> Check:
    kh, kw = (effective_kernel(k, d) for k, d in zip(p.kernel, p.dilation, strict=True))
    budget = out[0] * out[1] * p.kernel[0] * p.kernel[1]
    if budget <= _FULL_CHECK_BUDGET:
        rng = np.random.default_rng(0)
        x = np.pad(rng.standard_normal(p.input), padding)
        windows = sliding_window_view(x, (kh, kw))[:: p.stride[0], :: p.stride[1], :: p.dilation[0], :: p.dilation[1]]
        y = np.einsum("ijkl,kl->ij", windows, rng.standard_normal(p.kernel))
        shape, method = list(y.shape), "numpy_conv2d"
    else:
        shape = [len(_conv_axis_positions(*a)) for a in zip(p.input, padding, p.kernel, p.stride, p.dilation, strict=True)]
        method = "numpy_conv1d_per_axis"
    return Check(method, shape == out, f"NumPy convolution output shape {shape}; formula {out}")


def _coverage_check(p: ConvOutputParams, padding: list[tuple[int, int]], out: list[int]) -> Check:
    """The last window fits inside the padded input and one more would not."""
    ok = True
    for size, k, s, pad, d, n in zip(p.input, p.kernel, p.stride, padding, p.dilation, out, strict=True):
        last_end = (n - 1) * s + effective_kernel(k, d)
        ok &= last_end <= size + sum(pad) < last_end + s
    return Check("window_bounds", ok, "last window ends inside the padded input; one more stride would not fit")
