"""Worked steps, module names and slip texts of ``norm_shapes``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from app.explain.engine.base import Step, Text
from app.explain.engine.cnn_common import SlipTexts

if TYPE_CHECKING:
    from app.explain.engine.norm_shapes import NormShapesParams


def torch_module(p: NormShapesParams) -> str:
    """The PyTorch module these parameters describe, e.g. ``nn.BatchNorm2d(64)``."""
    c, dim = p.input_shape[1], max(len(p.input_shape) - 2, 1)
    flag = "" if p.affine is None else f", affine={p.affine}"
    if p.norm == "batch":
        return f"nn.BatchNorm{dim}d({c}{flag})"
    if p.norm == "instance":
        return f"nn.InstanceNorm{dim}d({c}{flag})"
    if p.norm == "group":
        return f"nn.GroupNorm({p.groups}, {c}{flag})"
    shape = p.normalized_shape or []
    arg = str(shape[0]) if len(shape) == 1 else str(shape)
    flag = "" if p.affine is None else f", elementwise_affine={p.affine}"
    return f"nn.LayerNorm({arg}{flag})"


def _who(p: NormShapesParams) -> tuple[str, str, str]:
    """(zh, en, LaTeX) of which elements share one mean and variance."""
    shape = p.input_shape
    spatial = math.prod(shape[2:])
    match p.norm:
        case "batch":
            n = shape[0] * spatial
            return (
                f"每个通道一组统计量，跨整个 batch 和所有空间位置求：每组 {n} 个数。",
                f"One mean/variance per channel, over the whole batch and every spatial "
                f"position: {n} values each.",
                r"\mu_c = \frac{1}{N H W} \sum_{n,h,w} x_{n,c,h,w}",
            )
        case "instance":
            return (
                f"每个样本的每个通道各自一组统计量，只跨空间位置求：每组 {spatial} 个数。",
                f"One mean/variance per sample and channel, over the spatial positions only: "
                f"{spatial} values each.",
                r"\mu_{n,c} = \frac{1}{H W} \sum_{h,w} x_{n,c,h,w}",
            )
        case "group":
            g = p.groups or 1
            n = shape[1] // g * spatial
            return (
                f"把 {shape[1]} 个通道分成 {g} 组，每个样本的每组一组统计量："
                f"每组 {shape[1] // g}×{spatial} = {n} 个数；统计量相对于视图 (B, G, C/G, …) 广播。",
                f"The {shape[1]} channels form {g} groups; one mean/variance per sample and group: "
                f"{shape[1] // g}×{spatial} = {n} values each, broadcasting against the view "
                "(B, G, C/G, …).",
                r"\mu_{n,g} = \frac{1}{(C/G) H W} \sum_{c \in g,\,h,\,w} x_{n,c,h,w}",
            )
        case _:
            n = math.prod(p.normalized_shape or [])
            return (
                f"对每个样本（以及 normalized_shape 前面的每个位置）在最后 "
                f"{len(p.normalized_shape or [])} 个维度 {p.normalized_shape} 上求：每组 {n} 个数，"
                "与 batch 中其他样本无关。",
                f"Per sample (and per position before normalized_shape), over the last "
                f"{len(p.normalized_shape or [])} dimension(s) {p.normalized_shape}: {n} values "
                "each, independent of the other samples in the batch.",
                r"\mu = \frac{1}{D} \sum_{d} x_{\dots, d}",
            )


def norm_steps(p: NormShapesParams, stats: list[int], params: int, has_affine: bool) -> list[Step]:
    """Who shares a statistic, the kept-dims shape, and γ/β."""
    zh, en, latex = _who(p)
    steps = [Step(zh, en, latex)]
    steps.append(
        Step(
            f"求均值的维度保留为 1，其余维度保持原大小：统计量形状 {stats}，"
            f"共 {math.prod(stats)} 组均值/方差。",
            f"Keep the reduced axes as 1 and the others at full size: statistic shape {stats}, "
            f"{math.prod(stats)} means/variances in all.",
        )
    )
    if p.norm == "batch":
        steps.append(
            Step(
                "running_mean 和 running_var 是缓冲区（推理时使用的滑动平均），不是可学习参数。",
                "running_mean and running_var are buffers (moving averages used at inference), "
                "not learnable parameters.",
            )
        )
    if not has_affine:
        default_zh, default_en = (
            ("（InstanceNorm 的默认值）", " (InstanceNorm's default)") if p.affine is None else ("", "")
        )
        steps.append(
            Step(
                f"affine=False{default_zh}：没有 γ 和 β，可学习参数为 0。",
                f"affine=False{default_en}: no γ or β, so 0 learnable parameters.",
            )
        )
    else:
        per = p.normalized_shape if p.norm == "layer" else [p.input_shape[1]]
        steps.append(
            Step(
                f"γ 和 β 的形状都是 {per}（{'每个被归一化的元素' if p.norm == 'layer' else '每个通道'}"
                f"一个），可学习参数 2×{math.prod(per or [])} = {params}。",
                f"γ and β both have shape {per} (one per "
                f"{'normalised element' if p.norm == 'layer' else 'channel'}): "
                f"2×{math.prod(per or [])} = {params} learnable parameters.",
                r"y = \gamma \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta",
            )
        )
    return steps


def _pair(label: tuple[str, str], why: tuple[str, str]) -> tuple[Text, Text]:
    return Text(*label), Text(*why)


SLIPS: SlipTexts = {
    "bn_per_sample": _pair(
        ("BN 统计量按样本求", "BN statistics per sample"),
        ("BatchNorm 跨整个 batch 求每个通道的统计量。", "BatchNorm pools each channel over the batch."),
    ),
    "bn_per_pixel": _pair(
        ("按每个像素位置求统计量", "statistics per pixel position"),
        ("空间位置也参与求均值，只保留通道维。", "Spatial positions are averaged too; only C stays."),
    ),
    "bn_as_layer": _pair(
        ("当成了 LayerNorm", "took BatchNorm for LayerNorm"),
        ("BN 按通道、跨样本；LN 才按样本。", "BN is per channel across samples; LN is per sample."),
    ),
    "ln_over_batch": _pair(
        ("LayerNorm 跨 batch 求", "LayerNorm over the batch"),
        ("LN 对每个样本单独求，与 batch 大小无关。", "LN normalises each sample on its own."),
    ),
    "ln_as_batch": _pair(
        ("当成了 BatchNorm", "took LayerNorm for BatchNorm"),
        ("LN 不在样本之间共享统计量。", "LN shares no statistics between samples."),
    ),
    "ln_per_sample": _pair(
        ("对整个样本求", "normalised the whole sample"),
        (
            "LN 只在 normalized_shape 指定的末尾维度上求。",
            "LN reduces only normalized_shape's trailing dims.",
        ),
    ),
    "in_as_batch": _pair(
        ("当成了 BatchNorm", "took InstanceNorm for BatchNorm"),
        ("InstanceNorm 每个样本各算各的。", "InstanceNorm computes statistics per sample."),
    ),
    "in_as_layer": _pair(
        ("当成了 LayerNorm", "took InstanceNorm for LayerNorm"),
        ("InstanceNorm 每个通道各算各的。", "InstanceNorm computes statistics per channel."),
    ),
    "gn_swapped": _pair(
        ("把 G 当成每组的通道数", "took G as channels per group"),
        ("G 是组数，每组有 C/G 个通道。", "G is the number of groups; each holds C/G channels."),
    ),
    "gn_as_layer": _pair(
        ("当成了 LayerNorm", "took GroupNorm for LayerNorm"),
        ("只有 G = 1 时 GroupNorm 才等于 LayerNorm。", "GroupNorm equals LayerNorm only at G = 1."),
    ),
    "gn_as_instance": _pair(
        ("当成了 InstanceNorm", "took GroupNorm for InstanceNorm"),
        ("只有 G = C 时 GroupNorm 才等于 InstanceNorm。", "GroupNorm equals InstanceNorm only at G = C."),
    ),
    "counted_running_stats": _pair(
        ("把 running_mean/var 算成参数", "counted the running statistics"),
        ("滑动均值和方差是缓冲区，不参与梯度更新。", "Running mean and variance are buffers, not learned."),
    ),
    "instance_default_affine": _pair(
        ("以为 InstanceNorm 默认有 γ、β", "assumed InstanceNorm is affine by default"),
        ("PyTorch 的 InstanceNorm 默认 affine=False。", "PyTorch's InstanceNorm defaults to affine=False."),
    ),
    "per_position_affine": _pair(
        ("每个位置一个 γ、β", "one γ and β per position"),
        ("γ、β 按通道（LN 按归一化元素）共享。", "γ and β are per channel (per normalised element in LN)."),
    ),
    "forgot_beta": _pair(
        ("漏了 β", "forgot β"),
        ("仿射变换既有缩放 γ 也有平移 β。", "The affine step has both a scale γ and a shift β."),
    ),
    "per_group_affine": _pair(
        ("每组一个 γ、β", "one γ and β per group"),
        ("GroupNorm 的 γ、β 仍是每个通道一个。", "GroupNorm still has one γ and β per channel."),
    ),
    "per_channel_affine": _pair(
        ("按通道算了 γ、β", "one γ and β per channel, as in BatchNorm"),
        ("LayerNorm 的 γ、β 形状是 normalized_shape。", "LayerNorm's γ and β have normalized_shape's shape."),
    ),
    "last_dim_only": _pair(
        ("只算了最后一维", "counted only the last dimension"),
        ("γ、β 的形状就是 normalized_shape。", "γ and β have exactly normalized_shape's shape."),
    ),
}
