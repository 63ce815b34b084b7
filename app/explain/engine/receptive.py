"""Receptive field of a stack of convolution/pooling layers, with the jump of every layer."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from pydantic import Field

from app.explain.engine.base import (
    Calculator,
    Check,
    Params,
    PositiveInt,
    Slip,
    Solution,
    Step,
    Text,
)
from app.explain.engine.cnn_common import SlipTexts, effective_kernel, slips_from

# The forward impulse check runs N impulses through every layer; above this cost it traces back.
_IMPULSE_BUDGET = 20_000_000
# Fields wider than this are traced by their extreme taps only (Python ints, no overflow).
_TAP_TRACE_LIMIT = 2_000_000


class RFLayer(Params):
    """One layer along one axis: kernel size, stride and dilation."""

    kernel: PositiveInt = Field(description="kernel size along the axis")
    stride: PositiveInt = Field(1, description="stride")
    dilation: PositiveInt = Field(1, description="dilation")


class ReceptiveFieldParams(Params):
    """Layers from the input upward."""

    layers: list[RFLayer] = Field(
        min_length=1, max_length=64, description="layers from the input up: {kernel, stride, dilation}"
    )


def rf_table(layers: list[RFLayer]) -> list[tuple[int, int]]:
    """(receptive field, jump) after each layer: r += (D(K−1)+1 − 1)·j_prev, j *= S."""
    r, j, out = 1, 1, []
    for layer in layers:
        r += (effective_kernel(layer.kernel, layer.dilation) - 1) * j
        j *= layer.stride
        out.append((r, j))
    return out


class ReceptiveField(Calculator[ReceptiveFieldParams]):
    """Receptive field (in input pixels, along one axis) of one unit of the last layer."""

    name = "receptive_field"
    title = Text("感受野", "Receptive field")
    params_model = ReceptiveFieldParams

    def solve(self, p: ReceptiveFieldParams) -> Solution:
        """The recurrence layer by layer, checked by tracing which input pixels reach an output."""
        table = rf_table(p.layers)
        r, j = table[-1]
        return Solution(answer=r, steps=_steps(p, table), checks=[trace_check(p.layers, r, j)])

    def sample(self, rng: np.random.Generator, template: ReceptiveFieldParams | None) -> ReceptiveFieldParams:
        """2–6 layers; keeps the template's depth (±1) and whether it dilates."""
        count = int(rng.integers(2, 7))
        dilated = bool(rng.random() < 0.2)
        if template is not None:
            count = max(1, len(template.layers) + int(rng.integers(-1, 2)))
            dilated = any(layer.dilation > 1 for layer in template.layers)
        layers = []
        for _ in range(count):
            k = int(rng.choice([1, 2, 3, 3, 3, 5, 7]))
            layer = {"kernel": k, "stride": 2 if k == 2 else int(rng.choice([1, 1, 2]))}
            if dilated and k >= 3:
                layer["dilation"] = int(rng.choice([1, 2, 4]))
            layers.append(layer)
        return ReceptiveFieldParams.model_validate({"layers": layers})

    def prompt(self, p: ReceptiveFieldParams, ask: str) -> Text:
        """Lists the layers and asks for the receptive field of one output unit."""
        zh = "；".join(f"第 {i} 层 {_layer_text(layer, 'zh')}" for i, layer in enumerate(p.layers, 1))
        en = "; ".join(f"layer {i}: {_layer_text(layer, 'en')}" for i, layer in enumerate(p.layers, 1))
        return Text(
            zh=f"从输入开始依次经过：{zh}。最后一层的一个输出单元在输入上的感受野（单个方向）是多少像素？",
            en=f"Starting at the input, the layers are — {en}. How many input pixels (along one "
            "axis) does the receptive field of one unit of the last layer span?",
        )

    def slips(self, p: ReceptiveFieldParams, ask: str) -> list[Slip]:
        """Summed kernels, forgot the jump, summed strides, own stride, ignored dilation, r₀=0."""
        spans = [effective_kernel(layer.kernel, layer.dilation) for layer in p.layers]
        strides = [layer.stride for layer in p.layers]
        jumps_before = [1, *(j for _, j in rf_table(p.layers)[:-1])]
        r = rf_table(p.layers)[-1][0]
        answers: dict[str, object] = {
            "forgot_jump": 1 + sum(s - 1 for s in spans),
            "own_stride": 1
            + sum((s - 1) * j * st for s, j, st in zip(spans, jumps_before, strides, strict=True)),
            "summed_kernels": sum(layer.kernel for layer in p.layers),
            "summed_strides": 1 + sum((s - 1) * max(1, sum(strides[:i])) for i, s in enumerate(spans)),
            "ignored_dilation": rf_table([layer.model_copy(update={"dilation": 1}) for layer in p.layers])[
                -1
            ][0],
            "started_from_zero": r - 1,
        }
        return slips_from(SLIPS, answers)


def _layer_text(layer: RFLayer, lang: str) -> str:
    k = f"{layer.kernel}×{layer.kernel}"
    if lang == "zh":
        dil = f"，膨胀率 {layer.dilation}" if layer.dilation > 1 else ""
        return f"{k} 核，步幅 {layer.stride}{dil}"
    dil = f", dilation {layer.dilation}" if layer.dilation > 1 else ""
    return f"{k} kernel, stride {layer.stride}{dil}"


def _steps(p: ReceptiveFieldParams, table: list[tuple[int, int]]) -> list[Step]:
    steps = [
        Step(
            "从输入像素本身开始：r₀ = 1，j₀ = 1。j（jump）是当前层相邻两个单元"
            "在输入上相隔的像素数，等于之前所有步幅的乘积。第 l 层的核多覆盖 D(K−1) 个下层单元，"
            "每个相隔 j_{l−1} 个输入像素，所以感受野增加 D(K−1)·j_{l−1}。"
            "（常见资料把 ∏ 写成 Σ，是错的：步幅是相乘的。）",
            "Start from one input pixel: r₀ = 1, j₀ = 1. The jump j is how many input pixels apart "
            "two neighbouring units of a layer are — the product of all strides so far. Layer l's "
            "kernel reaches D(K−1) more units of the layer below, each j_{l−1} input pixels apart, "
            "so the receptive field grows by D(K−1)·j_{l−1}. (Some notes write Σ instead of ∏; "
            "that is wrong: strides multiply.)",
            r"r_l = r_{l-1} + D_l (K_l - 1)\, j_{l-1},\quad "
            r"j_l = j_{l-1} S_l = \prod_{i \le l} S_i",
        )
    ]
    prev_r, prev_j = 1, 1
    for i, (layer, (r, j)) in enumerate(zip(p.layers, table, strict=True), 1):
        growth = f"({layer.kernel}−1)"
        if layer.dilation > 1:
            growth = f"{layer.dilation}×{growth}"
        tex = growth.replace("×", r" \times ").replace("−", "-")
        steps.append(
            Step(
                f"第 {i} 层（{_layer_text(layer, 'zh')}）：r = {prev_r} + {growth}×{prev_j} = {r}；"
                f"j = {prev_j}×{layer.stride} = {j}。",
                f"Layer {i} ({_layer_text(layer, 'en')}): r = {prev_r} + {growth}×{prev_j} = {r}; "
                f"j = {prev_j}×{layer.stride} = {j}.",
                rf"r_{{{i}}} = {prev_r} + {tex} \times {prev_j} = {r}",
            )
        )
        prev_r, prev_j = r, j
    reached = len(backward_trace(p.layers, 0)) if prev_r <= _TAP_TRACE_LIMIT else prev_r
    if reached < prev_r:
        steps.append(
            Step(
                f"注意膨胀：这 {prev_r} 个像素的范围里只有 {reached} 个真正连到输出单元，"
                "其余是空洞（网格效应）。",
                f"Note the dilation: only {reached} of the {prev_r} pixels in that span actually "
                "feed the unit; the rest fall in the holes (the gridding effect).",
            )
        )
    steps.append(
        Step(
            f"最后一层每个单元看到输入上连续 {prev_r} 个像素的范围（二维时为 {prev_r}×{prev_r}），"
            f"相邻单元的感受野相隔 {prev_j} 个像素。",
            f"Each unit of the last layer sees a span of {prev_r} input pixels ({prev_r}×{prev_r} "
            f"in 2-D); neighbouring units' fields are {prev_j} pixel{'s' if prev_j > 1 else ''} apart.",
        )
    )
    return steps


def impulse_influence(layers: list[RFLayer], length: int) -> np.ndarray:
    """Run one impulse per input pixel through real (all-ones) convolutions, batched.

    Row i of the result marks which outputs the impulse at input pixel i reached; values are
    clipped to 0/1 after every layer, so it records influence, not magnitude.
    """
    x = np.eye(length)
    for layer in layers:
        span = effective_kernel(layer.kernel, layer.dilation)
        windows = sliding_window_view(x, span, axis=1)[:, :: layer.stride, :: layer.dilation]
        x = (windows.sum(axis=-1) > 0).astype(float)
    return x


def backward_trace(layers: list[RFLayer], unit: int) -> np.ndarray:
    """Input pixels that reach output ``unit``, found by walking the taps back layer by layer."""
    marked = np.array([unit])
    for layer in reversed(layers):
        taps = np.arange(layer.kernel) * layer.dilation
        marked = np.unique(marked[:, None] * layer.stride + taps[None, :])
    return marked


def trace_check(layers: list[RFLayer], r: int, j: int) -> Check:
    """Which input pixels reach output units 0 and 1: their span must be r, their offset j."""
    length = r + j
    cost = length * length * sum(layer.kernel for layer in layers)
    if length > _TAP_TRACE_LIMIT:
        (lo0, hi0), (lo1, _) = interval_trace(layers, 0), interval_trace(layers, 1)
        span, offset = hi0 - lo0 + 1, lo1 - lo0
        detail = f"outermost taps of output 0 span {span} (formula {r}); output 1 starts {offset} later"
        return Check("backward_interval_trace", span == r and offset == j, f"{detail} (jump {j})")
    if cost <= _IMPULSE_BUDGET:
        reached = impulse_influence(layers, length)
        first, second = np.nonzero(reached[:, 0])[0], np.nonzero(reached[:, 1])[0]
        method = "numpy_impulse_trace"
    else:
        first, second = backward_trace(layers, 0), backward_trace(layers, 1)
        method = "backward_tap_trace"
    span = int(first.max() - first.min() + 1)
    offset = int(second.min() - first.min())
    detail = (
        f"{len(first)} input pixels reach output 0, spanning {span} (formula {r}); "
        f"output 1's field starts {offset} pixel(s) later (jump {j})"
    )
    return Check(method, span == r and offset == j, detail)


def interval_trace(layers: list[RFLayer], unit: int) -> tuple[int, int]:
    """First and last input pixel that output ``unit`` reads, walking the outermost taps back."""
    lo = hi = unit
    for layer in reversed(layers):
        lo, hi = lo * layer.stride, hi * layer.stride + (layer.kernel - 1) * layer.dilation
    return lo, hi


SLIPS: SlipTexts = {
    "forgot_jump": (
        Text("忘了乘 jump（之前步幅的乘积）", "forgot the jump (product of previous strides)"),
        Text(
            "下采样之后每个单元相隔 j 个输入像素，增量是 (K−1)·j 而不是 K−1。",
            "After downsampling, units are j input pixels apart: add (K−1)·j, not K−1.",
        ),
    ),
    "own_stride": (
        Text("把本层步幅也乘进去了", "used the layer's own stride in its jump"),
        Text(
            "第 l 层的增量用 j_{l−1}：本层步幅只影响更上面的层。",
            "Layer l grows by (K−1)·j_{l−1}: its own stride only affects the layers above.",
        ),
    ),
    "summed_kernels": (
        Text("直接把核大小相加", "summed kernel sizes instead of (k−1)·jump"),
        Text(
            "相邻层的窗口有重叠，每层只新增 (K−1)·j 个像素。",
            "Windows of consecutive layers overlap: each layer adds only (K−1)·j pixels.",
        ),
    ),
    "summed_strides": (
        Text("把步幅相加而不是相乘", "added the strides instead of multiplying them"),
        Text(
            "jump 是之前所有步幅的乘积 ∏S_i，不是和 ΣS_i。",
            "The jump is the product of the previous strides ∏S_i, not their sum ΣS_i.",
        ),
    ),
    "ignored_dilation": (
        Text("忽略了膨胀率", "ignored dilation"),
        Text(
            "膨胀卷积的核跨度是 D(K−1)+1。",
            "A dilated kernel spans D(K−1)+1 pixels.",
        ),
    ),
    "started_from_zero": (
        Text("从 r₀ = 0 开始", "started from r₀ = 0"),
        Text(
            "输入像素自身的感受野是 1，递推从 r₀ = 1 开始。",
            "An input pixel's own receptive field is 1: the recurrence starts at r₀ = 1.",
        ),
    ),
}
