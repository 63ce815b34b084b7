"""Convolution output size: the reference calculator of the explain engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

import numpy as np
from pydantic import BeforeValidator, Field

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
from app.explain.engine.cnn_common import (
    SlipTexts,
    a_or_an,
    axis_names,
    conv2d_shape,
    dims,
    effective_kernel,
    output_size,
    same_pads,
    slips_from,
)

__all__ = ["ConvOutputParams", "ConvOutputSize", "ConvPadding", "effective_kernel", "output_size"]


def _padding(value: object) -> object:
    if isinstance(value, str):
        return value.strip().lower()
    return to_pair(value)


# An int or [top/bottom, left/right] pads both sides of an axis; "same" keeps ⌈H/S⌉, "valid" is 0.
ConvPadding = Annotated[Literal["same", "valid"] | NonNegativePair, BeforeValidator(_padding)]
Axis = tuple[int, int, int, tuple[int, int], int]  # size, kernel, stride, (before, after), dilation


class ConvOutputParams(Params):
    """Input, kernel, stride, padding and dilation; ints mean square sizes."""

    input: Pair = Field(description="input height×width: an int (square) or [height, width]")
    kernel: Pair = Field(description="kernel size: an int or [height, width]")
    stride: Pair = Field((1, 1), description="stride: an int or [height, width]")
    padding: ConvPadding = Field((0, 0), description="zero padding per side, or 'same' / 'valid'")
    dilation: Pair = Field((1, 1), description="dilation (1 = an ordinary kernel)")


def resolve_pads(
    padding: str | tuple[int, int],
    size: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> list[tuple[int, int]]:
    """(before, after) padding per axis for an explicit, 'same' or 'valid' padding."""
    if padding == "valid":
        return [(0, 0), (0, 0)]
    if padding == "same":
        return [same_pads(*a) for a in zip(size, kernel, stride, dilation, strict=True)]
    assert not isinstance(padding, str)
    return [(pad, pad) for pad in padding]


def pads(p: ConvOutputParams) -> list[tuple[int, int]]:
    """(before, after) padding per axis of these parameters."""
    return resolve_pads(p.padding, p.input, p.kernel, p.stride, p.dilation)


def axes(p: ConvOutputParams) -> list[Axis]:
    """Per-axis arguments of :func:`output_size`."""
    return list(zip(p.input, p.kernel, p.stride, pads(p), p.dilation, strict=True))


def kernel_fit_errors(
    field: str, size: tuple[int, int], kernel: tuple[int, int], padded: list[int]
) -> list[tuple[str, str]]:
    """The 422 message when a (dilated) kernel is larger than the padded input."""
    for axis, (span, room) in enumerate(zip(kernel, padded, strict=True)):
        if span > room:
            which = axis_names(axis)[1]
            return [
                (
                    field,
                    f"kernel {which} spans {span} (D·(K−1)+1) but the padded input {which} is "
                    f"only {room} (input {size[axis]} plus padding): the kernel is larger than "
                    "the padded input",
                )
            ]
    return []


class ConvOutputSize(Calculator[ConvOutputParams]):
    """[H_out, W_out] of a 2-D convolution."""

    name = "conv_output_size"
    title = Text("卷积输出尺寸", "Convolution output size")
    params_model = ConvOutputParams

    def validate(self, p: ConvOutputParams) -> list[tuple[str, str]]:
        """The dilated kernel must fit inside the padded input on both axes."""
        spans = [effective_kernel(k, d) for k, d in zip(p.kernel, p.dilation, strict=True)]
        padded = [size + sum(pad) for size, pad in zip(p.input, pads(p), strict=True)]
        return kernel_fit_errors("kernel", p.input, (spans[0], spans[1]), padded)

    def solve(self, p: ConvOutputParams) -> Solution:
        """Derive the size axis by axis and verify it with a real NumPy convolution."""
        out = [output_size(*a) for a in axes(p)]
        shape, method = conv2d_shape(p.input, p.kernel, p.stride, pads(p), p.dilation)
        checks = [
            Check(method, shape == out, f"NumPy convolution output shape {shape}; formula {out}"),
            _coverage_check(p, out),
        ]
        return Solution(answer=out, steps=conv_steps(p, out), checks=checks)

    def sample(self, rng: np.random.Generator, template: ConvOutputParams | None) -> ConvOutputParams:
        """A realistic layer; keeps the template's style (padding mode, dilation, stride, shape)."""
        while True:
            k = int(rng.choice([1, 3, 3, 5, 7, 11]))
            size = [int(rng.choice([7, 13, 14, 28, 32, 56, 64, 112, 128, 224, 227, 256, 299]))] * 2
            stride = int(rng.choice([1, 2, 2, 3, 4]))
            dilation = int(rng.choice([1, 1, 2, 3]))
            padding: object = int(rng.choice([0, k // 2, 1, 2]))
            if template is not None:
                dilation = int(rng.choice([2, 3, 4])) if template.dilation != (1, 1) else 1
                stride = 1 if template.stride == (1, 1) else int(rng.choice([2, 3, 4]))
                if isinstance(template.padding, str):
                    padding = template.padding
                if template.input[0] != template.input[1]:
                    size[1] = int(rng.choice([size[0] // 2, size[0] * 3 // 4, size[0] * 2]))
            raw = {"input": size, "kernel": k, "stride": stride, "padding": padding}
            params = ConvOutputParams.model_validate({**raw, "dilation": dilation})
            if size[1] >= 1 and not self.validate(params):
                return params

    def prompt(self, p: ConvOutputParams, ask: str) -> Text:
        """'A 224×224 input, a 7×7 kernel, stride 2, padding 3: what is the output size?'"""
        if isinstance(p.padding, str):
            pad_zh, pad_en = f"“{p.padding}” 填充", f"'{p.padding}' padding"
        else:
            pad_zh, pad_en = f"填充 {dims(p.padding)}", f"padding {dims(p.padding)}"
        dil_zh = f"，膨胀率 {dims(p.dilation)}" if p.dilation != (1, 1) else ""
        dil_en = f", dilation {dims(p.dilation)}" if p.dilation != (1, 1) else ""
        return Text(
            zh=(
                f"输入特征图 {size_text(p.input)}，卷积核 {size_text(p.kernel)}，"
                f"步幅 {dims(p.stride)}，{pad_zh}{dil_zh}。输出特征图的高 × 宽是多少？"
            ),
            en=(
                f"{a_or_an(size_text(p.input), True)} input feature map is convolved with "
                f"{a_or_an(size_text(p.kernel))} kernel, stride {dims(p.stride)}, {pad_en}{dil_en}. "
                "What is the output height × width?"
            ),
        )

    def slips(self, p: ConvOutputParams, ask: str) -> list[Slip]:
        """Forgot +1, P instead of 2P, ignored stride/dilation/padding, rounded up, 'same' myths."""

        def each(f: Callable[[int, int, int, tuple[int, int], int], int]) -> list[int]:
            return [f(*a) for a in axes(p)]

        span = effective_kernel
        answers: dict[str, object] = {
            "forgot_plus_one": each(lambda h, k, s, pd, d: (h + sum(pd) - span(k, d)) // s),
            "single_padding": each(lambda h, k, s, pd, d: (h + pd[0] - span(k, d)) // s + 1),
            "ignored_stride": each(lambda h, k, s, pd, d: h + sum(pd) - span(k, d) + 1),
            "ignored_dilation": each(lambda h, k, s, pd, d: (h + sum(pd) - k) // s + 1),
            "rounded_up": each(lambda h, k, s, pd, d: -(-(h + sum(pd) - span(k, d)) // s) + 1),
            "ignored_padding": each(lambda h, k, s, pd, d: (h - span(k, d)) // s + 1),
        }
        if p.padding == "same":
            answers["same_keeps_size"] = list(p.input)
            answers["same_floor"] = [h // s for h, s in zip(p.input, p.stride, strict=True)]
        return slips_from(SLIPS, answers)


SLIPS: SlipTexts = {
    "forgot_plus_one": (
        Text("漏了 +1", "forgot the +1"),
        Text(
            "位置数 = 可滑动距离 / 步幅 + 1，第一个位置也要算上。",
            "Positions = sliding distance / stride + 1: the first position counts too.",
        ),
    ),
    "single_padding": (
        Text("只加了一侧填充 P", "used P instead of 2P"),
        Text(
            "填充加在两侧，输入变为 H + 2P。",
            "Padding is added on both sides: the input grows to H + 2P.",
        ),
    ),
    "ignored_stride": (
        Text("忽略了步幅", "ignored the stride"),
        Text("步幅 S 会把可滑动距离除以 S。", "A stride S divides the sliding distance by S."),
    ),
    "ignored_dilation": (
        Text("忽略了膨胀率", "ignored dilation"),
        Text(
            "膨胀后的卷积核跨度是 D·(K−1)+1，而不是 K。",
            "A dilated kernel spans D·(K−1)+1 pixels, not K.",
        ),
    ),
    "rounded_up": (
        Text("向上取整", "rounded up instead of down"),
        Text(
            "放不下完整卷积核的位置不算，应向下取整。",
            "A window that does not fit entirely is dropped, so the division rounds down.",
        ),
    ),
    "ignored_padding": (
        Text("忘了填充", "ignored the padding"),
        Text(
            "填充会让输入在每一侧变大，先加上再滑动。",
            "Padding enlarges the input on each side; add it before sliding the kernel.",
        ),
    ),
    "same_keeps_size": (
        Text("以为 “same” 总是保持尺寸", "took 'same' to keep the size"),
        Text(
            "“same” 只在步幅 1 时保持尺寸，一般是 ⌈H/S⌉。",
            "'same' keeps the size only at stride 1; in general the output is ⌈H/S⌉.",
        ),
    ),
    "same_floor": (
        Text("“same” 用了向下取整", "used ⌊H/S⌋ for 'same'"),
        Text(
            "“same” 的输出是 ⌈H/S⌉：最后不完整的一步也会补齐。",
            "'same' gives ⌈H/S⌉: the last partial step is padded, not dropped.",
        ),
    ),
}


def conv_steps(p: ConvOutputParams, out: list[int]) -> list[Step]:
    """The worked answer: the formula, padding semantics, each axis, and the floor."""
    steps = [
        Step(
            "每个空间维度独立计算：输出 = ⌊(输入 + 两侧填充 − 膨胀后核跨度) / 步幅⌋ + 1。"
            "分子是卷积核左上角能滑动的距离，除以步幅得步数，再加上起始位置。",
            "Each spatial axis is computed on its own: output = ⌊(input + padding on both sides "
            "− dilated kernel span) / stride⌋ + 1. The numerator is how far the kernel can slide; "
            "dividing by the stride counts the steps, and +1 counts the starting position.",
            r"H_{out} = \left\lfloor \frac{H + 2P - D(K-1) - 1}{S} \right\rfloor + 1",
        )
    ]
    steps += _padding_steps(p)
    per_axis = axes(p)
    square = per_axis[0] == per_axis[1]
    for axis, (size, k, s, pad, d) in enumerate(per_axis[:1] if square else per_axis):
        zh_axis, en_axis = axis_names(-1 if square else axis)
        span, padded = effective_kernel(k, d), size + sum(pad)
        steps.append(
            Step(
                f"{zh_axis}：核跨度 {d}×({k}−1)+1 = {span}；填充后 {size}+{pad[0]}+{pad[1]} = "
                f"{padded}；⌊({padded}−{span})/{s}⌋+1 = {out[axis]}。",
                f"{en_axis.capitalize()}: kernel span {d}×({k}−1)+1 = {span}; padded input "
                f"{size}+{pad[0]}+{pad[1]} = {padded}; ⌊({padded}−{span})/{s}⌋+1 = {out[axis]}.",
                rf"\left\lfloor \frac{{{padded} - {span}}}{{{s}}} \right\rfloor + 1 = {out[axis]}",
            )
        )
        left_over = (padded - span) % s
        if left_over:
            steps.append(
                Step(
                    f"{zh_axis}方向最后 {left_over} 行/列放不下一个完整窗口，被丢弃（这就是向下取整）。",
                    f"Along the {en_axis}, the last {left_over} row(s)/column(s) cannot hold a "
                    "full window and are dropped — that is the floor.",
                )
            )
    steps.append(Step(f"输出尺寸为 {size_text(out)}。", f"The output is {size_text(out)}."))
    return steps


def _padding_steps(p: ConvOutputParams) -> list[Step]:
    """What 'same' and 'valid' mean, with the padding they resolve to."""
    if p.padding == "valid":
        return [Step("“valid” 表示不填充：P = 0。", "'valid' means no padding: P = 0.")]
    if p.padding != "same":
        return []
    resolved = ", ".join(f"{a}+{b}" for a, b in pads(p))
    return [
        Step(
            "“same” 填充：先定输出 ⌈H/S⌉（步幅 1 时就等于输入），再反推所需的总填充 "
            "P_total = max((⌈H/S⌉−1)·S + D(K−1)+1 − H, 0)，前面放 ⌊P_total/2⌋，"
            "多出的一格放在下/右侧（TensorFlow 的约定；"
            "PyTorch 的 padding='same' 相同，但只允许步幅 1）。"
            f"这里每个轴的填充（前+后）为 {resolved}。",
            "'same' padding: first fix the output at ⌈H/S⌉ (equal to the input at stride 1), then "
            "work back to the total padding P_total = max((⌈H/S⌉−1)·S + D(K−1)+1 − H, 0); "
            "⌊P_total/2⌋ goes before and the odd extra row/column at the bottom/right "
            "(TensorFlow's convention; PyTorch's padding='same' agrees but allows only stride 1). "
            f"Here the padding per axis (before+after) is {resolved}.",
            r"P_{total} = \max\left((\lceil H/S \rceil - 1)S + D(K-1) + 1 - H,\ 0\right)",
        )
    ]


def _coverage_check(p: ConvOutputParams, out: list[int]) -> Check:
    """The last window fits inside the padded input and one more would not."""
    ok = True
    for (size, k, s, pad, d), n in zip(axes(p), out, strict=True):
        last_end = (n - 1) * s + effective_kernel(k, d)
        ok &= last_end <= size + sum(pad) < last_end + s
    detail = "last window ends inside the padded input; one more stride would not fit"
    return Check("window_bounds", ok, detail)
