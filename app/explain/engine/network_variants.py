"""Fresh networks and named slips for ``network_trace``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from app.explain.engine.base import InvalidParams, Text
from app.explain.engine.cnn_common import SlipTexts
from app.explain.engine.network_layers import (
    BNLayer,
    ConvLayer,
    LinearLayer,
    NetworkTraceParams,
    PoolLayer,
    Row,
    trace,
)

_SIZES = [28, 32, 48, 56, 64, 96, 112, 128, 160, 224]


def random_cnn(rng: np.random.Generator) -> NetworkTraceParams:
    """A small VGG-style network: blocks of conv (+BN) + ReLU + max pool, often a linear head."""
    channels = int(rng.choice([1, 3]))
    size = int(rng.choice([28, 32, 64]))
    layers: list[dict[str, Any]] = []
    width, use_bn = int(rng.choice([8, 16, 32])), bool(rng.random() < 0.5)
    for _ in range(int(rng.integers(2, 4))):
        k = int(rng.choice([3, 3, 5]))
        padding = k // 2 if rng.random() < 0.7 else 0
        layers.append({"type": "conv", "out_channels": width, "kernel": k, "padding": padding})
        layers += [{"type": "bn"}] if use_bn else []
        layers += [{"type": "relu"}, {"type": "pool", "kernel": 2}]
        width *= 2
    if rng.random() < 0.6:  # a classifier head; otherwise a feature extractor
        layers += [{"type": "flatten"}, {"type": "linear", "out_features": int(rng.choice([10, 100]))}]
    return NetworkTraceParams.model_validate({"input": [channels, size, size], "layers": layers})


def rescaled(rng: np.random.Generator, template: NetworkTraceParams) -> NetworkTraceParams | None:
    """The template's architecture with a new input size and channel widths."""
    factor = float(rng.choice([0.25, 0.5, 0.75, 1.5, 2.0]))
    c, h, w = template.input
    size = int(rng.choice([s for s in _SIZES if s != h] or _SIZES))
    raw_layers, channels = [], c
    last_linear = max((i for i, x in enumerate(template.layers) if isinstance(x, LinearLayer)), default=-1)
    for i, layer in enumerate(template.layers):
        data = layer.model_dump()
        if isinstance(layer, ConvLayer):
            depthwise = layer.groups > 1 and layer.groups == channels
            data["out_channels"] = channels if depthwise else _scale(layer.out_channels, factor)
            data["groups"] = channels if depthwise else layer.groups
            channels = data["out_channels"]
        elif isinstance(layer, LinearLayer) and i != last_linear:
            data["out_features"] = _scale(layer.out_features, factor)
        raw_layers.append(data)
    raw = {"input": [c, size, round(size * w / h) or 1], "layers": raw_layers}
    try:
        return NetworkTraceParams.model_validate(raw)
    except ValueError:
        return None


def _scale(n: int, factor: float) -> int:
    scaled = max(1, round(n * factor))
    return max(8, round(scaled / 8) * 8) if n >= 16 else scaled


def _with(p: NetworkTraceParams, change: Callable[[Any], dict[str, Any] | None]) -> NetworkTraceParams:
    layers = []
    for layer in p.layers:
        update = change(layer)
        if update is not None and "drop" in update:
            continue
        layers.append(layer.model_copy(update=update) if update else layer)
    return p.model_copy(update={"layers": layers})


# Slips that change the architecture as the learner misread it, then trace again.
_MISREADINGS: dict[str, Callable[[Any], dict[str, Any] | None]] = {
    "ignored_padding": lambda x: {"padding": (0, 0)} if isinstance(x, ConvLayer | PoolLayer) else None,
    "pool_stride_one": lambda x: {"stride": (1, 1)} if isinstance(x, PoolLayer) else None,
    "grouped_as_standard": lambda x: {"groups": 1} if isinstance(x, ConvLayer) else None,
    "ignored_stride": lambda x: {"stride": (1, 1)} if isinstance(x, ConvLayer) else None,
    "ignored_pooling": lambda x: {"drop": True} if isinstance(x, PoolLayer) else None,
}


def _asked(rows: list[Row], ask: str) -> Any:
    if ask == "output":
        return rows[-1].output
    return sum(row.params if ask == "total_params" else row.macs for row in rows)


def slip_answers(p: NetworkTraceParams, rows: list[Row], ask: str) -> dict[str, object]:
    """Each slip's value of the asked quantity (misreadings are traced again for real)."""
    answers: dict[str, object] = {}
    bn = sum(row.params for row in rows if isinstance(row.layer, BNLayer))
    total = _asked(rows, ask)
    if ask == "total_params":
        answers["forgot_biases"] = total - sum(
            row.biases for row in rows if not isinstance(row.layer, BNLayer)
        )
        answers["counted_running_stats"] = total + bn if bn else None
        answers["forgot_bn"] = total - bn if bn else None
    if ask == "total_macs":
        answers["forgot_linear"] = total - sum(row.macs for row in rows if isinstance(row.layer, LinearLayer))
        answers["conv_at_input_size"] = _macs_at_input_size(p, rows)
    answers |= _arithmetic_slips(p, rows, ask, total)
    if ask == "output":
        answers |= _output_slips(rows, total)
    for name, change in _MISREADINGS.items():
        changed = _with(p, change)
        if changed == p:
            continue
        try:
            answers[name] = _asked(trace(changed), ask)
        except InvalidParams:
            continue
    return {k: v for k, v in answers.items() if v is not None}


def _arithmetic_slips(p: NetworkTraceParams, rows: list[Row], ask: str, total: Any) -> dict[str, Any]:
    """K instead of K×K in the convs; C instead of C·H·W for the linear after a flatten."""
    if ask == "output":
        return {}
    field = "weights" if ask == "total_params" else "macs"
    square = [
        r for r in rows if isinstance(r.layer, ConvLayer) and r.layer.kernel[0] == r.layer.kernel[1] > 1
    ]
    lost = sum(getattr(r, field) - getattr(r, field) // r.layer.kernel[0] for r in square)
    answers: dict[str, Any] = {"kernel_not_squared": total - lost if square else None}
    shape, flat_from = list(p.input), None
    for row in rows:
        if row.layer.type == "flatten" and len(shape) == 3:
            flat_from = shape
        elif isinstance(row.layer, LinearLayer) and flat_from is not None:
            c, h, w = flat_from
            answers["flatten_channels_only"] = total - (c * h * w - c) * row.layer.out_features
            flat_from = None
        shape = row.output
    return answers


def _output_slips(rows: list[Row], total: list[int]) -> dict[str, Any]:
    """Layout and stopping-point slips for the final shape."""
    if len(total) == 3:
        return {"channels_last": [total[1], total[2], total[0]]}
    answers: dict[str, Any] = {}
    maps = [row.output for row in rows if len(row.output) == 3]
    if maps:
        answers["last_feature_map"] = maps[-1]
    flats = [row for row in rows if row.layer.type == "flatten"]
    if flats:
        answers["flatten_length"] = flats[-1].output
    linears = [i for i, row in enumerate(rows) if isinstance(row.layer, LinearLayer)]
    if linears and linears[-1] > 0:
        answers["last_linear_input"] = rows[linears[-1] - 1].output
    return answers


def _macs_at_input_size(p: NetworkTraceParams, rows: list[Row]) -> int:
    shape, total = list(p.input), 0
    for row in rows:
        if isinstance(row.layer, ConvLayer):
            total += row.weights * shape[1] * shape[2]
        else:
            total += row.macs
        shape = row.output
    return total


SLIPS: SlipTexts = {
    "kernel_not_squared": (
        Text("卷积核用了 K 而不是 K×K", "used K instead of K×K for the kernels"),
        Text("二维卷积核有 K×K 个位置。", "A 2-D kernel has K×K taps."),
    ),
    "flatten_channels_only": (
        Text("展平后只算了通道数", "flattened to C instead of C·H·W"),
        Text(
            "展平把 C×H×W 个数都排成一行，全连接层的输入是 C·H·W。",
            "Flatten lines up all C×H×W values: the linear layer sees C·H·W inputs.",
        ),
    ),
    "forgot_biases": (
        Text("漏了偏置", "forgot the biases"),
        Text(
            "nn.Conv2d 和 nn.Linear 默认带偏置，每个输出一个。",
            "nn.Conv2d and nn.Linear have one bias per output by default.",
        ),
    ),
    "counted_running_stats": (
        Text("把 BN 的 running_mean/var 算成参数", "counted BN's running statistics"),
        Text(
            "滑动均值和方差是缓冲区，不是可学习参数。",
            "Running mean and variance are buffers, not learnable parameters.",
        ),
    ),
    "forgot_bn": (
        Text("漏了 BN 的 γ、β", "forgot BatchNorm's γ and β"),
        Text("每个 BN 层有 2C 个可学习参数。", "Every BatchNorm layer learns 2C parameters."),
    ),
    "forgot_linear": (
        Text("漏了全连接层", "left out the linear layers"),
        Text("全连接层每个权重也做一次乘加。", "Every linear weight also does one multiply-accumulate."),
    ),
    "conv_at_input_size": (
        Text("用了输入尺寸而不是输出尺寸", "used each conv's input size instead of its output size"),
        Text(
            "卷积的乘加数按输出位置数 H_out·W_out 计。",
            "A conv's MACs scale with its output positions H_out·W_out.",
        ),
    ),
    "ignored_padding": (
        Text("忽略了填充", "ignored the padding"),
        Text(
            "填充让特征图保持更大，后面的尺寸和全连接层都会变。",
            "Padding keeps the maps larger, which changes every later size.",
        ),
    ),
    "pool_stride_one": (
        Text("把池化步幅当成 1", "used the pooling stride as 1"),
        Text("池化默认步幅等于核大小。", "Pooling's stride defaults to its kernel size."),
    ),
    "grouped_as_standard": (
        Text("把分组卷积当普通卷积", "counted the grouped conv as a standard conv"),
        Text("分组卷积每个核只看 C_in/g 个通道。", "A grouped conv's filters see only C_in/g channels."),
    ),
    "ignored_pooling": (
        Text("漏了池化层", "skipped the pooling layers"),
        Text("每个池化层也会缩小特征图。", "Every pooling layer shrinks the feature map too."),
    ),
    "channels_last": (
        Text("写成了 H×W×C", "wrote it channels-last"),
        Text("PyTorch 的布局是 C×H×W（通道在前）。", "PyTorch's layout is C×H×W, channels first."),
    ),
    "last_feature_map": (
        Text("停在了最后一个特征图", "stopped at the last feature map"),
        Text(
            "后面的展平和全连接层还会改变形状。", "The flatten and linear layers after it change the shape."
        ),
    ),
    "flatten_length": (
        Text("给了展平后的长度", "gave the flattened length"),
        Text("展平之后还有全连接层。", "Linear layers still follow the flatten."),
    ),
    "last_linear_input": (
        Text("给了最后一层的输入", "gave the last layer's input"),
        Text(
            "输出的长度是最后一个全连接层的 out_features。",
            "The output length is the last linear's out_features.",
        ),
    ),
    "ignored_stride": (
        Text("忽略了卷积步幅", "ignored the conv strides"),
        Text("步幅为 2 的卷积把特征图缩小一半。", "A stride-2 conv halves the feature map."),
    ),
}
