"""Parameters and MACs of standard, grouped, depthwise(-separable) and partial convolutions."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from pydantic import Field, StrictBool

from app.explain.engine.base import (
    Calculator,
    Check,
    Pair,
    Params,
    PositiveInt,
    Slip,
    Solution,
    Text,
    size_text,
)
from app.explain.engine.cnn_common import (
    a_or_an,
    connection_count,
    conv2d_shape,
    conv_mults_per_position,
    dims,
    output_size,
    slips_from,
    too_big,
    weight_count,
)
from app.explain.engine.conv import ConvPadding, kernel_fit_errors, resolve_pads
from app.explain.engine.conv_params_text import SLIPS, conv_params_steps, type_names

_PARTIAL_SIZE = (
    "partial convolution concatenates the untouched channels back, so it must keep the "
    "spatial size: use stride 1 and 'same' padding"
)
ConvType = Literal["standard", "group", "depthwise", "pointwise", "depthwise_separable", "partial"]


class ConvParamsParams(Params):
    """Channels, kernel and type; ``input`` (with stride/padding/dilation) adds MACs and size."""

    in_channels: PositiveInt = Field(description="input channels C_in")
    out_channels: PositiveInt = Field(description="output channels C_out")
    kernel: Pair = Field(description="kernel size: an int or [height, width]")
    type: ConvType = Field("standard", description="kind of convolution")
    groups: PositiveInt | None = Field(None, description="groups (group and grouped pointwise convs)")
    partial_ratio: float = Field(0.25, gt=0, le=1, description="share of channels a partial conv convolves")
    bias: StrictBool = Field(False, description="whether each output channel has a bias")
    input: Pair | None = Field(None, description="input height×width; gives the MACs and output size")
    stride: Pair = Field((1, 1), description="stride")
    padding: ConvPadding = Field((0, 0), description="padding per side, or 'same' / 'valid'")
    dilation: Pair = Field((1, 1), description="dilation")


@dataclass(frozen=True)
class Stage:
    """One real convolution inside the layer (depthwise-separable has two)."""

    cin: int
    cout: int
    groups: int
    kernel: tuple[int, int]

    def weights(self) -> int:
        """K_h·K_w·(C_in/g)·C_out."""
        return self.kernel[0] * self.kernel[1] * (self.cin // self.groups) * self.cout


def partial_channels(p: ConvParamsParams) -> int:
    """C_p = partial_ratio·C_in, the channels FasterNet's PConv actually convolves."""
    return round(p.in_channels * p.partial_ratio)


def stages(p: ConvParamsParams) -> list[Stage]:
    """The convolutions the layer runs, in order."""
    cin, cout, k = p.in_channels, p.out_channels, p.kernel
    match p.type:
        case "standard":
            return [Stage(cin, cout, 1, k)]
        case "group" | "pointwise":
            return [Stage(cin, cout, p.groups or 1, k)]
        case "depthwise":
            return [Stage(cin, cout, cin, k)]
        case "depthwise_separable":
            return [Stage(cin, cin, cin, k), Stage(cin, cout, 1, (1, 1))]
        case _:
            cp = partial_channels(p)
            return [Stage(cp, cp, 1, k)]


def output_hw(p: ConvParamsParams) -> list[int] | None:
    """[H_out, W_out] when the input size is given."""
    if p.input is None:
        return None
    pads = resolve_pads(p.padding, p.input, p.kernel, p.stride, p.dilation)
    return [output_size(*a) for a in zip(p.input, p.kernel, p.stride, pads, p.dilation, strict=True)]


def count(p: ConvParamsParams) -> dict[str, Any]:
    """The closed forms: params = Σ weights (+ biases), MACs = Σ weights × H_out·W_out."""
    parts = stages(p)
    params = sum(s.weights() + (s.cout if p.bias else 0) for s in parts)
    out = output_hw(p)
    macs = None if out is None else sum(s.weights() for s in parts) * out[0] * out[1]
    return {"params": params, "macs": macs, "output": out}


class ConvParams(Calculator[ConvParamsParams]):
    """{"params", "macs", "output"} of one convolution layer for one sample."""

    name = "conv_params"
    title = Text("卷积参数量与计算量", "Convolution parameters and MACs")
    params_model = ConvParamsParams
    asks = ("params", "macs")

    def validate(self, p: ConvParamsParams) -> list[tuple[str, str]]:
        """Groups divide the channels, the type's own rules, and the kernel fits the input."""
        errors = _type_errors(p) or _group_errors(p)
        huge = None if errors else too_big(max(s.weights() for s in stages(p)))
        errors = errors or ([("out_channels", huge)] if huge else [])
        if p.input is not None and not errors:
            pads = resolve_pads(p.padding, p.input, p.kernel, p.stride, p.dilation)
            spans = [d * (k - 1) + 1 for k, d in zip(p.kernel, p.dilation, strict=True)]
            padded = [n + sum(pd) for n, pd in zip(p.input, pads, strict=True)]
            errors = kernel_fit_errors("kernel", p.input, (spans[0], spans[1]), padded)
            if not errors and p.type == "partial" and output_hw(p) != list(p.input):
                errors = [("padding", _PARTIAL_SIZE)]
        return errors

    def solve(self, p: ConvParamsParams) -> Solution:
        """Count from the formulas; check against built tensors and a real convolution of ones."""
        answer = count(p)
        steps = conv_params_steps(p, stages(p), answer, partial_channels(p))
        return Solution(answer=answer, steps=steps, checks=_checks(p, answer))

    def sample(self, rng: np.random.Generator, template: ConvParamsParams | None) -> ConvParamsParams:
        """A realistic layer of the template's type (and bias); always with an input size."""
        kind = template.type if template is not None else str(rng.choice(list(type_names())))
        bias = template.bias if template is not None else bool(rng.random() < 0.3)
        while True:
            raw = _sample_raw(rng, kind)
            if kind == "partial" and template is not None:
                raw["partial_ratio"] = template.partial_ratio
                if _partial_errors(ConvParamsParams.model_validate({**raw, "type": kind})):
                    raw["in_channels"] = raw["out_channels"] = template.in_channels
            params = ConvParamsParams.model_validate({**raw, "type": kind, "bias": bias})
            if not self.validate(params):
                return params

    def prompt(self, p: ConvParamsParams, ask: str) -> Text:
        """Describes the layer and asks for its parameters or its multiply-accumulates."""
        zh_type, en_type = type_names()[p.type]
        extra_zh, extra_en = "", ""
        if p.type == "group" or (p.type == "pointwise" and (p.groups or 1) > 1):
            extra_zh, extra_en = f"，分 {p.groups} 组", f", {p.groups} groups"
        if p.type == "partial":
            ratio = Fraction(p.partial_ratio).limit_denominator(1000)
            extra_zh = f"，只对 {ratio} 的通道做卷积"
            extra_en = f", convolving {ratio} of the channels"
        bias_zh, bias_en = ("带偏置", "with bias") if p.bias else ("不带偏置", "without bias")
        where_zh, where_en = "", ""
        if p.input is not None:
            where_zh = f"输入 {size_text(p.input)}，步幅 {dims(p.stride)}，填充 {_pad(p)}。"
            where_en = f" The input is {size_text(p.input)}, stride {dims(p.stride)}, padding {_pad(p)}."
        q_zh = "参数量是多少？" if ask == "params" else "处理一个样本需要多少次乘加（MACs）？"
        q_en = (
            "How many parameters does it have?"
            if ask == "params"
            else "How many multiply-accumulates (MACs) does one sample take?"
        )
        return Text(
            zh=f"一个{zh_type}层：{p.in_channels} → {p.out_channels} 通道，卷积核 "
            f"{size_text(p.kernel)}{extra_zh}，{bias_zh}。{where_zh}{q_zh}",
            en=f"A {en_type} layer maps {p.in_channels} → {p.out_channels} channels with "
            f"{a_or_an(size_text(p.kernel))} kernel{extra_en}, {bias_en}.{where_en} {q_en}",
        )

    def slips(self, p: ConvParamsParams, ask: str) -> list[Slip]:
        """Bias, groups, kernel and size slips for the quantity asked."""
        return slips_from(SLIPS, _slip_answers(p, ask))

    def pick(self, answer: Any, ask: str) -> Any:
        """``params`` or ``macs`` of the answer."""
        return answer[ask]


def _pad(p: ConvParamsParams) -> str:
    return f"'{p.padding}'" if isinstance(p.padding, str) else dims(p.padding)


def _type_errors(p: ConvParamsParams) -> list[tuple[str, str]]:
    """Each type's own rules about groups, kernel and channels."""
    if p.type in ("standard", "depthwise_separable", "partial") and p.groups not in (None, 1):
        return [("groups", f"a {p.type} convolution has no groups parameter (leave it out)")]
    if p.type == "group" and p.groups is None:
        return [("groups", "a group convolution needs groups")]
    if p.type == "pointwise" and p.kernel != (1, 1):
        return [("kernel", "a pointwise convolution is 1×1: set kernel to 1")]
    if p.type == "depthwise":
        return _depthwise_errors(p)
    return _partial_errors(p) if p.type == "partial" else []


def _depthwise_errors(p: ConvParamsParams) -> list[tuple[str, str]]:
    if p.groups not in (None, p.in_channels):
        return [("groups", "a depthwise convolution has groups = in_channels")]
    if p.out_channels % p.in_channels:
        rule = "a multiple of in_channels (the depth multiplier)"
        return [("out_channels", f"a depthwise convolution needs out_channels to be {rule}")]
    return []


def _partial_errors(p: ConvParamsParams) -> list[tuple[str, str]]:
    cp = p.in_channels * p.partial_ratio
    if p.out_channels != p.in_channels:
        rule = "out_channels must equal in_channels"
        return [("out_channels", f"partial convolution keeps the channel count: {rule}")]
    if cp < 1 or abs(cp - round(cp)) > 1e-9:
        rule = "must be a whole number of channels"
        return [("partial_ratio", f"partial_ratio × in_channels = {cp:g} {rule}")]
    return []


def _group_errors(p: ConvParamsParams) -> list[tuple[str, str]]:
    g = p.groups or 1
    for field, channels in (("in_channels", p.in_channels), ("out_channels", p.out_channels)):
        if channels % g:
            why = f"{field} = {channels} is not a multiple of {g}"
            return [("groups", f"groups = {g} must divide both channel counts, but {why}")]
    return []


def _sample_raw(rng: np.random.Generator, kind: str) -> dict[str, Any]:
    widths = [16, 24, 32, 48, 64, 96, 128, 160, 256, 320, 512]
    cin, cout = int(rng.choice(widths)), int(rng.choice(widths))
    k = 1 if kind == "pointwise" else int(rng.choice([3, 3, 3, 5, 7]))
    size = int(rng.choice([7, 14, 28, 56, 112, 224]))
    stride = int(rng.choice([1, 1, 2]))
    raw: dict[str, Any] = {"in_channels": cin, "out_channels": cout, "kernel": k}
    raw |= {"input": size, "stride": stride, "padding": k // 2}
    if kind == "group":
        raw["groups"] = int(rng.choice([2, 4, 8, 16, 32]))
    if kind == "depthwise":
        raw["out_channels"] = cin * int(rng.choice([1, 1, 1, 2]))
    if kind == "partial":
        raw |= {"out_channels": cin, "stride": 1, "padding": "same"}
    return raw


def _checks(p: ConvParamsParams, answer: dict[str, Any]) -> list[Check]:
    parts = stages(p)
    built = sum(weight_count(s.cin, s.cout, s.groups, s.kernel, p.bias) for s in parts)
    shapes = " + ".join(f"({s.cout}, {s.cin // s.groups}, {s.kernel[0]}, {s.kernel[1]})" for s in parts)
    bias = " + biases" if p.bias else ""
    detail = f"built weight tensors {shapes}{bias}: {built} elements; formula {answer['params']}"
    checks = [Check("weight_tensors", built == answer["params"], detail)]
    grouped = [s for s in parts if s.groups > 1]
    masks = [connection_count(s.cin, s.cout, s.groups, s.kernel) for s in grouped]
    if grouped and all(m is not None for m in masks):
        dense = sum(m or 0 for m in masks)
        expected = sum(s.weights() for s in grouped)
        detail = (
            f"dense (C_out, C_in) mask of which output channel sees which input channel: "
            f"{dense} connected weights; grouped formula {expected}"
        )
        checks.append(Check("group_connection_mask", dense == expected, detail))
    out = answer["output"]
    if p.input is not None and out is not None:
        pads = resolve_pads(p.padding, p.input, p.kernel, p.stride, p.dilation)
        shape, method = conv2d_shape(p.input, p.kernel, p.stride, pads, p.dilation)
        checks.append(Check(method, shape == out, f"NumPy convolution output {shape}; formula {out}"))
        per_position = sum(
            conv_mults_per_position(s.cin, s.cout, s.groups, s.kernel, dilation=p.dilation) for s in parts
        )
        counted = per_position * shape[0] * shape[1]
        detail = (
            f"a real grouped convolution of ones counts {per_position} multiplications per "
            f"output position × {shape[0]}×{shape[1]} positions = {counted}; "
            f"formula {answer['macs']}"
        )
        checks.append(Check("counted_multiplications", counted == answer["macs"], detail))
    return checks


def _slip_answers(p: ConvParamsParams, ask: str) -> dict[str, object]:
    """Each slip's value of the asked quantity, most common slips first."""
    parts = stages(p)
    weights, biases = sum(s.weights() for s in parts), sum(s.cout for s in parts)
    (kh, kw), groups = p.kernel, parts[0].groups
    # Wrong weight counts; the bias (if any) is still counted correctly on top of them.
    wrong: dict[str, int] = {}
    if groups > 1 or p.type in ("depthwise_separable", "partial"):
        wrong["counted_as_standard"] = kh * kw * p.in_channels * p.out_channels
    if groups > 1 and p.type != "depthwise_separable":
        wrong["divided_twice"] = kh * kw * p.in_channels * p.out_channels // groups**2
    if p.type == "depthwise_separable":
        wrong["only_depthwise"] = parts[0].weights()
        wrong["only_pointwise"] = parts[1].weights()
    if p.type == "partial":
        wrong["ratio_once"] = kh * kw * partial_channels(p) * p.out_channels
    if p.type in ("standard", "group", "pointwise"):
        wrong["forgot_in_channels"] = kh * kw * p.out_channels
        wrong["added_channels"] = kh * kw * (p.in_channels + p.out_channels)
    if kh == kw > 1:
        wrong["kernel_not_squared"] = weights - parts[0].weights() + parts[0].weights() // kh
    if ask == "params":
        answers: dict[str, object] = {n: v + (biases if p.bias else 0) for n, v in wrong.items()}
        answers["forgot_bias" if p.bias else "phantom_bias"] = weights if p.bias else weights + biases
        return answers
    out = output_hw(p) or [1, 1]
    answers = {"per_position": weights}
    if p.input is not None:
        answers["input_size_not_output"] = weights * p.input[0] * p.input[1]
    answers |= {n: v * out[0] * out[1] for n, v in wrong.items()}
    if p.input is not None and p.stride != (1, 1):
        unstrided = output_hw(p.model_copy(update={"stride": (1, 1)})) or out
        answers["ignored_stride"] = weights * unstrided[0] * unstrided[1]
    return answers
