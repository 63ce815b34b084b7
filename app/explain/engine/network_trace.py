"""Trace a small CNN layer by layer: shapes, parameters, MACs, receptive field and jump."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.explain.engine.base import (
    Calculator,
    Check,
    InvalidParams,
    Slip,
    Solution,
    Step,
    Text,
)
from app.explain.engine.cnn_common import (
    conv2d_shape,
    conv_mults_per_position,
    linear_mults,
    slips_from,
    weight_count,
)
from app.explain.engine.conv import resolve_pads
from app.explain.engine.network_layers import (
    BNLayer,
    ConvLayer,
    LinearLayer,
    NetworkTraceParams,
    PoolLayer,
    Row,
    describe_layer,
    trace,
)
from app.explain.engine.network_variants import SLIPS, random_cnn, rescaled, slip_answers
from app.explain.engine.pooling import PoolOutputParams, numpy_pool
from app.explain.engine.receptive import RFLayer, trace_check


def table(rows: list[Row]) -> dict[str, Any]:
    """The answer: one entry per layer, the final output and the totals."""
    return {
        "layers": [
            {
                "type": row.layer.type,
                "output": row.output,
                "params": row.params,
                "macs": row.macs,
                "receptive_field": row.receptive_field,
                "jump": row.jump,
            }
            for row in rows
        ],
        "output": rows[-1].output,
        "total_params": sum(row.params for row in rows),
        "total_macs": sum(row.macs for row in rows),
    }


class NetworkTrace(Calculator[NetworkTraceParams]):
    """A per-layer table of a sequential CNN for one sample."""

    name = "network_trace"
    title = Text("逐层追踪网络", "Trace a network layer by layer")
    params_model = NetworkTraceParams
    asks = ("total_params", "total_macs", "output")

    def validate(self, p: NetworkTraceParams) -> list[tuple[str, str]]:
        """Every layer must accept the shape the previous one produces."""
        try:
            trace(p)
        except InvalidParams as exc:
            return exc.errors
        return []

    def solve(self, p: NetworkTraceParams) -> Solution:
        """Trace with the closed forms; check with built tensors and real NumPy ops."""
        rows = trace(p)
        answer = table(rows)
        return Solution(answer=answer, steps=_steps(p, rows, answer), checks=_checks(p, rows, answer))

    def sample(self, rng: np.random.Generator, template: NetworkTraceParams | None) -> NetworkTraceParams:
        """The template's architecture with new widths and input size, or a small random CNN."""
        for _ in range(100):
            params = random_cnn(rng) if template is None else rescaled(rng, template)
            if params is not None and not self.validate(params):
                return params
        return template or random_cnn(np.random.default_rng(0))

    def prompt(self, p: NetworkTraceParams, ask: str) -> Text:
        """The layer list and the quantity asked."""
        c, h, w = p.input
        zh_layers = "；".join(describe_layer(layer)[0] for layer in p.layers)
        en_layers = "; ".join(describe_layer(layer)[1] for layer in p.layers)
        questions = {
            "total_params": (
                "总参数量（含偏置和 BN 的 γ、β）是多少？",
                "How many parameters does it have in total (biases and BN's γ, β included)?",
            ),
            "total_macs": (
                "处理一个样本需要多少次乘加（只计卷积和全连接层）？",
                "How many multiply-accumulates does one sample take (conv and linear layers)?",
            ),
            "output": ("最终输出的形状是什么？", "What is the shape of the final output?"),
        }
        q_zh, q_en = questions[ask]
        return Text(
            zh=f"输入 {c}×{h}×{w}（C×H×W），依次经过：{zh_layers}。{q_zh}",
            en=f"An input of {c}×{h}×{w} (C×H×W) passes through: {en_layers}. {q_en}",
        )

    def slips(self, p: NetworkTraceParams, ask: str) -> list[Slip]:
        """Biases, BN, padding, stride and grouping slips, re-traced for the quantity asked."""
        return slips_from(SLIPS, slip_answers(p, trace(p), ask))

    def pick(self, answer: Any, ask: str) -> Any:
        """``total_params``, ``total_macs`` or ``output``."""
        return answer[ask]


def _steps(p: NetworkTraceParams, rows: list[Row], answer: dict[str, Any]) -> list[Step]:
    c, h, w = p.input
    steps = [
        Step(
            f"从输入 [{c}, {h}, {w}] 开始，逐层更新形状、参数量、乘加数（MACs）、感受野和 jump。"
            "卷积参数 = K_h·K_w·(C_in/g)·C_out (+C_out 偏置)，MACs = 权重数 × H_out·W_out；"
            "全连接参数 = 输入×输出 (+输出偏置)；BN 有 γ、β 共 2C 个参数；池化、ReLU 没有参数，"
            "按惯例也不计乘加。",
            f"Start from the input [{c}, {h}, {w}] and update shape, parameters, multiply-"
            "accumulates (MACs), receptive field and jump layer by layer. Conv parameters = "
            "K_h·K_w·(C_in/g)·C_out (+C_out biases), MACs = weights × H_out·W_out; linear "
            "parameters = in×out (+out biases); BatchNorm has γ and β, 2C parameters; pooling "
            "and ReLU have none and, by convention, count no MACs.",
        )
    ]
    for i, row in enumerate(rows, 1):
        zh, en = describe_layer(row.layer)
        rf = (
            ""
            if row.receptive_field is None
            else f"；感受野 {row.receptive_field[0]}×{row.receptive_field[1]}，jump {row.jump}"
        )
        rf_en = (
            ""
            if row.receptive_field is None
            else f"; receptive field {row.receptive_field[0]}×{row.receptive_field[1]}, jump {row.jump}"
        )
        steps.append(
            Step(
                f"{i}. {zh}：输出 {row.output}，参数 {row.params:,}，MACs {row.macs:,}{rf}。",
                f"{i}. {en}: output {row.output}, parameters {row.params:,}, MACs {row.macs:,}{rf_en}.",
            )
        )
    params, macs = answer["total_params"], answer["total_macs"]
    steps.append(
        Step(
            f"合计：参数 {params:,}（约 {params / 1e6:.2f} M），"
            f"MACs {macs:,}（约 {macs / 1e9:.3f} G），输出 {answer['output']}。",
            f"Totals: {params:,} parameters (≈ {params / 1e6:.2f} M), "
            f"{macs:,} MACs (≈ {macs / 1e9:.3f} G), output {answer['output']}.",
        )
    )
    return steps


def _checks(p: NetworkTraceParams, rows: list[Row], answer: dict[str, Any]) -> list[Check]:
    return [
        _tensor_check(p, rows, answer),
        _forward_check(p, rows),
        _macs_check(p, rows, answer),
        *_rf_checks(p, rows),
    ]


def _tensor_check(p: NetworkTraceParams, rows: list[Row], answer: dict[str, Any]) -> Check:
    """Allocate every weight, bias, γ and β tensor (lazily) and count their elements."""
    built, shape = 0, list(p.input)
    for row in rows:
        layer = row.layer
        if isinstance(layer, ConvLayer):
            built += weight_count(shape[0], layer.out_channels, layer.groups, layer.kernel, layer.bias)
        elif isinstance(layer, LinearLayer):
            built += weight_count(shape[0], layer.out_features, 1, (1, 1), layer.bias)
        elif isinstance(layer, BNLayer):
            built += 2 * np.zeros(shape[0], dtype=np.bool_).size
        shape = row.output
    detail = (
        f"weight/bias/γ/β tensors built layer by layer hold {built:,} elements; "
        f"table total {answer['total_params']:,}"
    )
    return Check("weight_tensors", built == answer["total_params"], detail)


def _forward_check(p: NetworkTraceParams, rows: list[Row]) -> Check:
    """Push one channel of a real image through every conv and pool with NumPy."""
    hw, mismatches = [p.input[1], p.input[2]], []
    for i, row in enumerate(rows):
        layer = row.layer
        if isinstance(layer, ConvLayer):
            pads = resolve_pads(layer.padding, (hw[0], hw[1]), layer.kernel, layer.stride, layer.dilation)
            hw, _ = conv2d_shape(hw, layer.kernel, layer.stride, pads, layer.dilation)
        elif isinstance(layer, PoolLayer):
            pool = PoolOutputParams(
                input=(hw[0], hw[1]),
                kernel=layer.kernel,
                stride=layer.stride,
                padding=layer.padding,
                ceil_mode=layer.ceil_mode,
            )
            hw = numpy_pool(pool)[0]
        else:
            continue
        if hw != row.output[1:]:
            mismatches.append(i)
    detail = (
        "real NumPy convolutions/poolings give the same H×W after every spatial layer; "
        f"mismatches at {mismatches or 'none'}"
    )
    return Check("numpy_forward_shapes", not mismatches, detail)


def _macs_check(p: NetworkTraceParams, rows: list[Row], answer: dict[str, Any]) -> Check:
    """Multiplications counted by real all-ones convolutions/products, scaled by positions."""
    counted, shape = 0, list(p.input)
    for row in rows:
        layer = row.layer
        if isinstance(layer, ConvLayer):
            per = conv_mults_per_position(
                shape[0], layer.out_channels, layer.groups, layer.kernel, dilation=layer.dilation
            )
            counted += per * row.output[1] * row.output[2]
        elif isinstance(layer, LinearLayer):
            counted += linear_mults(shape[0], layer.out_features)
        shape = row.output
    detail = f"counted {counted:,} multiplications; table total {answer['total_macs']:,}"
    return Check("counted_multiplications", counted == answer["total_macs"], detail)


def _rf_checks(p: NetworkTraceParams, rows: list[Row]) -> list[Check]:
    """Trace the receptive field of the last spatial layer along each axis."""
    spatial = [(i, row) for i, row in enumerate(rows) if isinstance(row.layer, ConvLayer | PoolLayer)]
    if not spatial:
        return []
    last, last_row = spatial[-1]
    assert last_row.receptive_field is not None and last_row.jump is not None
    checks = []
    for axis in (0, 1):
        layers = [
            RFLayer(
                kernel=row.layer.kernel[axis],
                stride=(row.layer.stride or row.layer.kernel)[axis],
                dilation=row.layer.dilation[axis] if isinstance(row.layer, ConvLayer) else 1,
            )
            for _, row in spatial
        ]
        check = trace_check(layers, last_row.receptive_field[axis], last_row.jump[axis])
        checks.append(
            Check(
                f"{check.method}_{('height', 'width')[axis]}",
                check.passed,
                f"layer {last + 1}: {check.detail}",
            )
        )
    return checks
