"""Layer models of ``network_trace`` and the closed-form trace through them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool

from app.explain.engine.base import (
    InvalidParams,
    NonNegativePair,
    Pair,
    Params,
    PositiveInt,
)
from app.explain.engine.cnn_common import dims, effective_kernel, output_size, too_big
from app.explain.engine.conv import ConvPadding, kernel_fit_errors, resolve_pads
from app.explain.engine.pooling import pool_size


class ConvLayer(Params):
    """nn.Conv2d: bias defaults to True as in PyTorch."""

    type: Literal["conv"]
    out_channels: PositiveInt
    kernel: Pair
    stride: Pair = (1, 1)
    padding: ConvPadding = (0, 0)
    dilation: Pair = (1, 1)
    groups: PositiveInt = 1
    bias: StrictBool = True


class PoolLayer(Params):
    """nn.MaxPool2d / nn.AvgPool2d: stride defaults to the kernel."""

    type: Literal["pool"]
    kernel: Pair
    stride: Pair | None = None
    padding: NonNegativePair = (0, 0)
    ceil_mode: StrictBool = False
    mode: Literal["max", "avg"] = "max"


class BNLayer(Params):
    """nn.BatchNorm2d / BatchNorm1d over the current channels (γ and β learnable)."""

    type: Literal["bn"]


class ReLULayer(Params):
    """Elementwise; changes nothing this table counts."""

    type: Literal["relu"]


class FlattenLayer(Params):
    """[C, H, W] → [C·H·W]."""

    type: Literal["flatten"]


class LinearLayer(Params):
    """nn.Linear on a flat input."""

    type: Literal["linear"]
    out_features: PositiveInt
    bias: StrictBool = True


Layer = Annotated[
    ConvLayer | PoolLayer | BNLayer | ReLULayer | FlattenLayer | LinearLayer,
    Field(discriminator="type"),
]


class NetworkTraceParams(Params):
    """Input [C, H, W] and the layers in order."""

    input: tuple[PositiveInt, PositiveInt, PositiveInt] = Field(description="input [C, H, W]")
    layers: list[Layer] = Field(
        min_length=1,
        max_length=200,
        description="layers in order: {type: conv|pool|bn|relu|flatten|linear, …}",
    )


@dataclass
class Row:
    """One layer of the table; ``weights``/``biases`` split ``params`` for the steps and slips."""

    layer: Any
    output: list[int]
    weights: int = 0
    biases: int = 0
    macs: int = 0
    receptive_field: list[int] | None = None
    jump: list[int] | None = None

    @property
    def params(self) -> int:
        """Weights plus biases (BatchNorm's γ and β count as weights and biases)."""
        return self.weights + self.biases


def trace(p: NetworkTraceParams) -> list[Row]:
    """Shapes, parameters, MACs, receptive field and jump after every layer.

    Raises InvalidParams naming ``layers.<i>.<field>`` when a layer cannot take its input.
    """
    shape, rf, jump = list(p.input), [1, 1], [1, 1]
    rows: list[Row] = []
    for i, layer in enumerate(p.layers):
        row = _step(i, layer, shape, rf, jump)
        rows.append(row)
        shape = row.output
        rf, jump = row.receptive_field or [0, 0], row.jump or [0, 0]
    return rows


def _fail(i: int, name: str, message: str) -> InvalidParams:
    return InvalidParams([(f"layers.{i}.{name}", message)])


def _step(i: int, layer: Any, shape: list[int], rf: list[int], jump: list[int]) -> Row:
    if isinstance(layer, LinearLayer):
        if len(shape) != 1:
            raise _fail(i, "type", f"linear needs a flat input but gets {shape}: add a flatten")
        n = shape[0] * layer.out_features
        if huge := too_big(n):
            raise _fail(i, "out_features", huge)
        return Row(layer, [layer.out_features], n, layer.out_features if layer.bias else 0, n)
    if isinstance(layer, FlattenLayer):
        return Row(layer, [shape[0] * shape[1] * shape[2]] if len(shape) == 3 else shape)
    if isinstance(layer, BNLayer):
        return Row(layer, shape, shape[0], shape[0], 0, _keep(rf), _keep(jump))
    if isinstance(layer, ReLULayer):
        return Row(layer, shape, 0, 0, 0, _keep(rf), _keep(jump))
    if len(shape) != 3:
        raise _fail(i, "type", f"{layer.type} needs a [C, H, W] input but gets {shape}")
    if isinstance(layer, PoolLayer):
        return _pool_row(i, layer, shape, rf, jump)
    return _conv_row(i, layer, shape, rf, jump)


def _keep(values: list[int]) -> list[int] | None:
    return list(values) if values != [0, 0] else None


def _conv_row(i: int, layer: ConvLayer, shape: list[int], rf: list[int], jump: list[int]) -> Row:
    cin, hw = shape[0], (shape[1], shape[2])
    for name, channels in (("in", cin), ("out", layer.out_channels)):
        if channels % layer.groups:
            why = f"groups = {layer.groups} must divide the {channels} {name}put channels"
            raise _fail(i, "groups", why)
    pads = resolve_pads(layer.padding, hw, layer.kernel, layer.stride, layer.dilation)
    spans = [effective_kernel(k, d) for k, d in zip(layer.kernel, layer.dilation, strict=True)]
    padded = [n + sum(pd) for n, pd in zip(hw, pads, strict=True)]
    errors = kernel_fit_errors(f"layers.{i}.kernel", hw, (spans[0], spans[1]), padded)
    if errors:
        raise InvalidParams(errors)
    geometry = zip(hw, layer.kernel, layer.stride, pads, layer.dilation, strict=True)
    out = [output_size(*a) for a in geometry]
    weights = layer.kernel[0] * layer.kernel[1] * cin // layer.groups * layer.out_channels
    if huge := too_big(weights):
        raise _fail(i, "out_channels", huge)
    biases = layer.out_channels if layer.bias else 0
    new_rf, new_jump = _grow(rf, jump, spans, layer.stride)
    macs = weights * out[0] * out[1]
    return Row(layer, [layer.out_channels, *out], weights, biases, macs, new_rf, new_jump)


def _pool_row(i: int, layer: PoolLayer, shape: list[int], rf: list[int], jump: list[int]) -> Row:
    stride = layer.stride or layer.kernel
    out = []
    geometry = zip(shape[1:], layer.kernel, stride, layer.padding, strict=True)
    for axis, (n, k, s, pad) in enumerate(geometry):
        if pad > k // 2:
            why = f"padding {pad} is more than half the kernel {k} (PyTorch: padding ≤ kernel/2)"
            raise _fail(i, "padding", why)
        size = pool_size(n, k, s, pad, layer.ceil_mode)
        if size < 1:
            which = ("height", "width")[axis]
            why = f"kernel {which} {k} is larger than the padded input {which} {n + 2 * pad}"
            raise _fail(i, "kernel", why)
        out.append(size)
    new_rf, new_jump = _grow(rf, jump, list(layer.kernel), stride)
    return Row(layer, [shape[0], *out], 0, 0, 0, new_rf, new_jump)


def _grow(
    rf: list[int], jump: list[int], spans: list[int], stride: tuple[int, int]
) -> tuple[list[int], list[int]]:
    """Receptive field r += (span − 1)·j and jump j *= s, per axis."""
    new_rf = [r + (k - 1) * j for r, k, j in zip(rf, spans, jump, strict=True)]
    return new_rf, [j * s for j, s in zip(jump, stride, strict=True)]


def describe_layer(layer: Any) -> tuple[str, str]:
    """(Chinese, English) one-line description, e.g. 'conv 3×3, 64, stride 2, padding 1'."""
    if isinstance(layer, ConvLayer):
        extras_zh, extras_en = _conv_extras(layer)
        size = f"{layer.kernel[0]}×{layer.kernel[1]}"
        return (
            f"卷积 {size}，{layer.out_channels} 通道{extras_zh}",
            f"conv {size}, {layer.out_channels} channels{extras_en}",
        )
    if isinstance(layer, PoolLayer):
        kind_zh, kind_en = ("最大池化", "max pool") if layer.mode == "max" else ("平均池化", "avg pool")
        stride = layer.stride or layer.kernel
        pad = f"，填充 {dims(layer.padding)}" if layer.padding != (0, 0) else ""
        pad_en = f", padding {dims(layer.padding)}" if layer.padding != (0, 0) else ""
        ceil_zh, ceil_en = ("，ceil_mode", ", ceil_mode") if layer.ceil_mode else ("", "")
        size = f"{layer.kernel[0]}×{layer.kernel[1]}"
        return (
            f"{kind_zh} {size}，步幅 {dims(stride)}{pad}{ceil_zh}",
            f"{kind_en} {size}, stride {dims(stride)}{pad_en}{ceil_en}",
        )
    if isinstance(layer, LinearLayer):
        no_bias = ("", "") if layer.bias else ("（无偏置）", " (no bias)")
        return (
            f"全连接 → {layer.out_features}{no_bias[0]}",
            f"linear → {layer.out_features}{no_bias[1]}",
        )
    names = {"bn": ("BatchNorm", "BatchNorm"), "relu": ("ReLU", "ReLU"), "flatten": ("展平", "flatten")}
    return names[layer.type]


def _conv_extras(layer: ConvLayer) -> tuple[str, str]:
    pad = f"'{layer.padding}'" if isinstance(layer.padding, str) else dims(layer.padding)
    zh = f"，步幅 {dims(layer.stride)}，填充 {pad}"
    en = f", stride {dims(layer.stride)}, padding {pad}"
    if layer.dilation != (1, 1):
        zh, en = zh + f"，膨胀率 {dims(layer.dilation)}", en + f", dilation {dims(layer.dilation)}"
    if layer.groups > 1:
        zh, en = zh + f"，{layer.groups} 组", en + f", groups {layer.groups}"
    if not layer.bias:
        zh, en = zh + "，无偏置", en + ", no bias"
    return zh, en
