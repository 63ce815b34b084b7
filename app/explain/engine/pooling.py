"""Pooling output size, PyTorch's rules included (stride defaults to kernel, ceil_mode)."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from pydantic import Field, StrictBool

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
)
from app.explain.engine.cnn_common import SlipTexts, a_or_an, axis_names, dims, slips_from

# Above this many input pixels the NumPy check pools each axis separately.
_FULL_CHECK_PIXELS = 1_000_000


class PoolOutputParams(Params):
    """Input, kernel, stride (defaults to the kernel), padding and ceil_mode; ints are square."""

    input: Pair = Field(description="input height×width: an int (square) or [height, width]")
    kernel: Pair = Field(description="pooling window: an int or [height, width]")
    stride: Pair | None = Field(None, description="stride; omitted means the kernel size (PyTorch)")
    padding: NonNegativePair = Field((0, 0), description="padding per side, at most kernel/2")
    ceil_mode: StrictBool = Field(False, description="round up, keeping a last partial window")


def strides(p: PoolOutputParams) -> tuple[int, int]:
    """The stride actually used: PyTorch's default is the kernel size (non-overlapping)."""
    return p.stride if p.stride is not None else p.kernel


def pool_size(size: int, kernel: int, stride: int, pad: int, ceil_mode: bool) -> int:
    """PyTorch's pooling_output_shape for one axis (dilation 1)."""
    room = size + 2 * pad - kernel
    if not ceil_mode:
        return room // stride + 1
    out = -(-room // stride) + 1
    # The last window must start inside the input or the left padding, never in the right one.
    return out - 1 if (out - 1) * stride >= size + pad else out


def _axes(p: PoolOutputParams) -> list[tuple[int, int, int, int]]:
    return list(zip(p.input, p.kernel, strides(p), p.padding, strict=True))


class PoolOutputSize(Calculator[PoolOutputParams]):
    """[H_out, W_out] of a 2-D max/average pooling."""

    name = "pool_output_size"
    title = Text("池化输出尺寸", "Pooling output size")
    params_model = PoolOutputParams

    def validate(self, p: PoolOutputParams) -> list[tuple[str, str]]:
        """PyTorch's rules: padding ≤ kernel/2 and at least one output position."""
        for axis, (size, k, s, pad) in enumerate(_axes(p)):
            which = axis_names(axis)[1]
            if pad > k // 2:
                return [
                    (
                        "padding",
                        f"padding {which} {pad} is more than half the kernel {which} {k}: "
                        "PyTorch requires padding ≤ kernel/2 so every window overlaps the input",
                    )
                ]
            if pool_size(size, k, s, pad, p.ceil_mode) < 1:
                return [
                    (
                        "kernel",
                        f"kernel {which} {k} is larger than the padded input {which} "
                        f"{size + 2 * pad}: the kernel is larger than the padded input",
                    )
                ]
        return []

    def solve(self, p: PoolOutputParams) -> Solution:
        """Derive each axis, then pool a real NumPy array and compare."""
        out = [pool_size(*a, p.ceil_mode) for a in _axes(p)]
        return Solution(answer=out, steps=_steps(p, out), checks=_checks(p, out))

    def sample(self, rng: np.random.Generator, template: PoolOutputParams | None) -> PoolOutputParams:
        """A realistic pooling; keeps the template's ceil_mode, stride style, padding and shape."""
        while True:
            size = [int(rng.choice([7, 13, 14, 27, 28, 55, 56, 75, 111, 112, 147, 224]))] * 2
            k = int(rng.choice([2, 2, 3, 3, 5]))
            raw: dict[str, object] = {"kernel": k, "ceil_mode": bool(rng.random() < 0.3)}
            explicit = rng.random() < 0.6
            padded = rng.random() < 0.3
            if template is not None:
                raw["ceil_mode"] = template.ceil_mode
                explicit, padded = template.stride is not None, template.padding != (0, 0)
                if template.input[0] != template.input[1]:
                    size[1] = int(rng.choice([size[0] // 2, size[0] * 3 // 4, size[0] * 2]))
            if explicit:
                raw["stride"] = int(rng.choice([1, 2, 2, 3])) if k > 2 else 2
            if padded:
                raw["padding"] = int(rng.integers(1, k // 2 + 1))
            params = PoolOutputParams.model_validate({**raw, "input": size})
            if not self.validate(params):
                return params

    def prompt(self, p: PoolOutputParams, ask: str) -> Text:
        """'A 55×55 map goes through nn.MaxPool2d(3, stride=2, ceil_mode=True): output size?'"""
        call = _torch_call(p)
        return Text(
            zh=f"{size_text(p.input)} 的特征图经过 PyTorch 的 {call}。输出特征图的高 × 宽是多少？",
            en=f"{a_or_an(size_text(p.input), True)} feature map goes through PyTorch's {call}. "
            "What is the output height × width?",
        )

    def slips(self, p: PoolOutputParams, ask: str) -> list[Slip]:
        """Forgot +1, P for 2P, stride 1, stride = kernel, other rounding, no last-window rule."""
        axes = _axes(p)
        answers: dict[str, object] = {
            "forgot_plus_one": [(h + 2 * pd - k) // s for h, k, s, pd in axes],
            "stride_one": [h + 2 * pd - k + 1 for h, k, s, pd in axes],
            "wrong_rounding": [pool_size(*a, not p.ceil_mode) for a in axes],
            "single_padding": [(h + pd - k) // s + 1 for h, k, s, pd in axes],
            "stride_is_kernel": [pool_size(h, k, k, pd, p.ceil_mode) for h, k, s, pd in axes],
        }
        if p.ceil_mode:
            answers["no_last_window_rule"] = [-(-(h + 2 * pd - k) // s) + 1 for h, k, s, pd in axes]
        if p.padding != (0, 0):
            answers["ignored_padding"] = [pool_size(h, k, s, 0, p.ceil_mode) for h, k, s, _ in axes]
        return slips_from(SLIPS, answers)


def _torch_call(p: PoolOutputParams) -> str:
    def arg(pair: tuple[int, int]) -> str:
        return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"

    parts = [arg(p.kernel)]
    if p.stride is not None:
        parts.append(f"stride={arg(p.stride)}")
    if p.padding != (0, 0):
        parts.append(f"padding={arg(p.padding)}")
    if p.ceil_mode:
        parts.append("ceil_mode=True")
    return f"nn.MaxPool2d({', '.join(parts)})"


def _steps(p: PoolOutputParams, out: list[int]) -> list[Step]:
    steps = []
    if p.stride is None:
        steps.append(
            Step(
                f"没写 stride 时 PyTorch 取 stride = kernel_size = {dims(p.kernel)}："
                "窗口互不重叠，而不是步幅 1。",
                f"With no stride given PyTorch uses stride = kernel_size = {dims(p.kernel)}: "
                "the windows tile the input without overlap — it is not stride 1.",
            )
        )
    rounding = r"\left\lceil" if p.ceil_mode else r"\left\lfloor"
    closing = r"\right\rceil" if p.ceil_mode else r"\right\rfloor"
    steps.append(
        Step(
            "池化与卷积的尺寸公式相同：⌊(H + 2P − K)/S⌋ + 1；ceil_mode=True 时改为向上取整，"
            "让末尾不完整的窗口也算一个。填充值为 −∞（最大池化），PyTorch 要求 P ≤ K/2，"
            "保证每个窗口都至少覆盖一个真实像素。",
            "Pooling uses the convolution size formula ⌊(H + 2P − K)/S⌋ + 1; with ceil_mode=True "
            "the division rounds up so a partial window at the end still counts. Padding is −∞ "
            "(max pooling) and PyTorch requires P ≤ K/2, so every window covers a real pixel.",
            rf"H_{{out}} = {rounding} \frac{{H + 2P - K}}{{S}} {closing} + 1",
        )
    )
    per_axis = _axes(p)
    square = per_axis[0] == per_axis[1]
    for axis, geometry in enumerate(per_axis[:1] if square else per_axis):
        steps += _axis_steps(-1 if square else axis, geometry, p.ceil_mode, out[axis])
    steps.append(Step(f"输出尺寸为 {size_text(out)}。", f"The output is {size_text(out)}."))
    return steps


def _axis_steps(axis: int, geometry: tuple[int, int, int, int], ceil_mode: bool, out: int) -> list[Step]:
    size, k, s, pad = geometry
    zh_axis, en_axis = axis_names(axis)
    padded, sign = size + 2 * pad, "⌈⌉" if ceil_mode else "⌊⌋"
    raw = -(-(padded - k) // s) + 1 if ceil_mode else (padded - k) // s + 1
    steps = [
        Step(
            f"{zh_axis}：{sign[0]}({size}+2×{pad}−{k})/{s}{sign[1]}+1 = {raw}。",
            f"{en_axis.capitalize()}: {sign[0]}({size}+2×{pad}−{k})/{s}{sign[1]}+1 = {raw}.",
        )
    ]
    if raw != out:
        steps.append(
            Step(
                f"但第 {raw} 个窗口将从填充后的位置 {(raw - 1) * s} 开始（从 0 数起），"
                f"而输入在位置 {size + pad - 1} 就结束了：它落在右侧填充里，PyTorch 丢弃这种窗口，"
                f"所以{zh_axis}是 {out}。",
                f"But window {raw} would start at padded position {(raw - 1) * s} (counting from "
                f"0) while the input ends at position {size + pad - 1}: it starts in the right "
                f"padding, and PyTorch drops such a window, so the {en_axis} is {out}.",
            )
        )
    return steps


def _window_starts(size: int, k: int, s: int, pad: int, ceil_mode: bool) -> list[int]:
    """Simulate the sliding: add windows until the padded input is covered (ceil) or full."""
    starts, start, padded = [0], 0, size + 2 * pad
    while start + k < padded:
        start += s
        if start + k > padded and not ceil_mode:  # a partial window only counts in ceil mode
            break
        if start >= size + pad:  # never start in the right padding
            break
        starts.append(start)
    return starts


def numpy_pool(p: PoolOutputParams) -> tuple[list[int], bool, str]:
    """Max-pool a random image padded with −∞ at the simulated window starts."""
    rng = np.random.default_rng(0)
    starts = [_window_starts(*a, p.ceil_mode) for a in _axes(p)]
    if p.input[0] * p.input[1] > _FULL_CHECK_PIXELS:
        lines = [
            _pool_line(rng.standard_normal(h), k, pd, st)
            for (h, k, _, pd), st in zip(_axes(p), starts, strict=True)
        ]
        finite = all(bool(np.isfinite(x).all()) for x in lines)
        return [len(x) for x in lines], finite, "numpy_max_pool1d_per_axis"
    room = [(pd, pd + k) for k, pd in zip(p.kernel, p.padding, strict=True)]
    x = np.pad(rng.standard_normal(p.input), room, constant_values=-np.inf)
    windows = sliding_window_view(x, p.kernel)[np.ix_(starts[0], starts[1])]
    pooled = windows.max(axis=(-2, -1))
    return list(pooled.shape), bool(np.isfinite(pooled).all()), "numpy_max_pool2d"


def _pool_line(x: np.ndarray, k: int, pad: int, starts: list[int]) -> np.ndarray:
    line = np.pad(x, (pad, pad + k), constant_values=-np.inf)
    result: np.ndarray = sliding_window_view(line, k)[starts].max(axis=-1)
    return result


def _checks(p: PoolOutputParams, out: list[int]) -> list[Check]:
    shape, finite, method = numpy_pool(p)
    return [
        Check(method, shape == out, f"NumPy max pooling output shape {shape}; formula {out}"),
        Check("windows_see_input", finite, "every pooling window covers at least one input pixel"),
    ]


SLIPS: SlipTexts = {
    "forgot_plus_one": (
        Text("漏了 +1", "forgot the +1"),
        Text("第一个窗口的位置也要算上。", "The first window position counts too."),
    ),
    "stride_one": (
        Text("把池化步幅当成 1", "used the pooling stride as 1"),
        Text(
            "PyTorch 池化的默认步幅等于核大小，不是 1。",
            "PyTorch pooling defaults to stride = kernel size, not 1.",
        ),
    ),
    "wrong_rounding": (
        Text("取整方向错了", "rounded the wrong way"),
        Text(
            "ceil_mode=False 向下取整，ceil_mode=True 才向上取整。",
            "ceil_mode=False rounds down; only ceil_mode=True rounds up.",
        ),
    ),
    "single_padding": (
        Text("只加了一侧填充 P", "used P instead of 2P"),
        Text("填充加在两侧：H + 2P。", "Padding goes on both sides: H + 2P."),
    ),
    "stride_is_kernel": (
        Text("把步幅当成核大小", "took the stride to equal the kernel"),
        Text(
            "给了 stride 就用给定值；只有省略时才等于核大小。",
            "An explicit stride wins; only an omitted stride equals the kernel size.",
        ),
    ),
    "no_last_window_rule": (
        Text("漏了 PyTorch 的末窗口规则", "forgot PyTorch's last-window rule"),
        Text(
            "向上取整后若最后一个窗口从右侧填充里开始，PyTorch 会去掉它。",
            "After rounding up, a last window that would start in the right padding is dropped.",
        ),
    ),
    "ignored_padding": (
        Text("忘了填充", "ignored the padding"),
        Text("先在两侧加上填充再滑动窗口。", "Add the padding on both sides before sliding."),
    ),
}
