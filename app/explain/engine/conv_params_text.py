"""Worked steps and slip texts of ``conv_params`` (kept apart so the calculator stays short)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.explain.engine.base import Step, Text, size_text
from app.explain.engine.cnn_common import SlipTexts, dims

if TYPE_CHECKING:
    from app.explain.engine.conv_params import ConvParamsParams, Stage


def type_names() -> dict[str, tuple[str, str]]:
    """Convolution type → (Chinese, English) name."""
    return {
        "standard": ("普通卷积", "standard convolution"),
        "group": ("分组卷积", "group convolution"),
        "depthwise": ("深度（逐通道）卷积", "depthwise convolution"),
        "pointwise": ("逐点（1×1）卷积", "pointwise (1×1) convolution"),
        "depthwise_separable": ("深度可分离卷积", "depthwise separable convolution"),
        "partial": ("部分卷积（FasterNet PConv）", "partial convolution (FasterNet PConv)"),
    }


def conv_params_steps(p: ConvParamsParams, parts: list[Stage], answer: dict[str, Any], cp: int) -> list[Step]:
    """Why the weight tensor has its shape, the count, the output size and the MACs."""
    steps = [_type_step(p, parts, cp)]
    weights = sum(s.weights() for s in parts)
    if p.bias:
        biases = sum(s.cout for s in parts)
        steps.append(
            Step(
                f"每个输出通道一个偏置，共 {biases} 个：参数量 = {weights:,} + {biases:,} = "
                f"{answer['params']:,}。",
                f"One bias per output channel, {biases} in all: parameters = {weights:,} + "
                f"{biases} = {answer['params']:,}.",
            )
        )
    else:
        steps.append(
            Step(
                f"不带偏置（后面通常接 BN，偏置会被 BN 的 β 吸收）：参数量 = {answer['params']:,}。",
                "No bias (a BatchNorm usually follows and its β absorbs any bias): "
                f"parameters = {answer['params']:,}.",
            )
        )
    steps += _comparison_steps(p, parts, cp)
    if answer["output"] is not None and p.input is not None:
        steps += _macs_steps(p, weights, answer)
    return steps


def _type_step(p: ConvParamsParams, parts: list[Stage], cp: int) -> Step:
    (kh, kw), cin, cout = p.kernel, p.in_channels, p.out_channels
    k = f"{kh}×{kw}"
    match p.type:
        case "standard" | "pointwise" if parts[0].groups == 1:
            return Step(
                f"{cout} 个卷积核，每个形状为 {k}×{cin}（看全部输入通道）：{k}×{cin}×{cout} = "
                f"{parts[0].weights():,} 个权重。",
                f"{cout} filters, each {k}×{cin} (it sees every input channel): {k}×{cin}×{cout} "
                f"= {parts[0].weights():,} weights.",
                r"K_h K_w C_{in} C_{out}",
            )
        case "group" | "pointwise" | "depthwise":
            g = parts[0].groups
            return Step(
                f"输入通道分成 g = {g} 组，每个卷积核只看本组的 {cin}/{g} = {cin // g} 个通道："
                f"权重 (C_out, C_in/g, K_h, K_w) = ({cout}, {cin // g}, {kh}, {kw})，共 "
                f"{parts[0].weights():,} 个，是普通卷积的 1/g。" + _depthwise_note(p, "zh"),
                f"The input channels are split into g = {g} groups and each filter sees only its "
                f"group's {cin}/{g} = {cin // g} channels: weight (C_out, C_in/g, K_h, K_w) = "
                f"({cout}, {cin // g}, {kh}, {kw}), {parts[0].weights():,} weights, 1/g of a "
                "standard conv." + _depthwise_note(p, "en"),
                r"K_h K_w \frac{C_{in}}{g} C_{out} = \frac{K_h K_w C_{in} C_{out}}{g}",
            )
        case "depthwise_separable":
            dw, pw = parts[0].weights(), parts[1].weights()
            return Step(
                f"先做逐通道的 {k} 深度卷积（{k}×{cin} = {dw}），再用 1×1 逐点卷积混合通道"
                f"（{cin}×{cout} = {pw}）：共 {dw + pw:,} 个权重。",
                f"A {k} depthwise conv filters each channel on its own ({k}×{cin} = {dw:,}), then "
                f"a 1×1 pointwise conv mixes the channels ({cin}×{cout} = {pw:,}): "
                f"{dw + pw:,} weights.",
                r"K_h K_w C_{in} + C_{in} C_{out}",
            )
        case _:
            return Step(
                f"FasterNet 的部分卷积只对 C_p = {p.partial_ratio:g}×{cin} = {cp} 个通道做普通 "
                f"{k} 卷积（输入输出都是 C_p），其余 {cin - cp} 个通道原样拼回：权重 "
                f"{k}×{cp}×{cp} = {parts[0].weights():,}。",
                f"FasterNet's partial convolution runs a standard {k} conv on only C_p = "
                f"{p.partial_ratio:g}×{cin} = {cp} channels (C_p in, C_p out) and passes the other "
                f"{cin - cp} through unchanged: {k}×{cp}×{cp} = {parts[0].weights():,} weights.",
                r"K_h K_w C_p^2,\quad C_p = r\, C_{in}",
            )


def _depthwise_note(p: ConvParamsParams, lang: str) -> str:
    if p.type != "depthwise":
        return ""
    mult = p.out_channels // p.in_channels
    if lang == "zh":
        return f"深度卷积就是 g = C_in 的分组卷积：每个核只看 1 个通道（通道倍增 {mult}）。"
    return f" Depthwise is the g = C_in case: each filter sees one channel (multiplier {mult})."


def _comparison_steps(p: ConvParamsParams, parts: list[Stage], cp: int) -> list[Step]:
    (kh, kw), cin, cout = p.kernel, p.in_channels, p.out_channels
    standard = kh * kw * cin * cout
    weights = sum(s.weights() for s in parts)
    if p.type == "depthwise_separable":
        return [
            Step(
                f"与同形状的普通卷积（{standard}）相比：{weights}/{standard} = "
                f"1/{cout} + 1/{kh * kw} ≈ {weights / standard:.4f}。",
                f"Against the standard conv of the same shape ({standard:,}): {weights}/{standard} "
                f"= 1/{cout} + 1/{kh * kw} ≈ {weights / standard:.4f}.",
                r"\frac{K^2 C_{in} + C_{in} C_{out}}{K^2 C_{in} C_{out}} "
                r"= \frac{1}{C_{out}} + \frac{1}{K^2}",
            )
        ]
    if p.type == "partial":
        r = cp / cin
        return [
            Step(
                f"与普通卷积（{standard:,}）相比是 (C_p/C_in)² = {r:g}² = {r * r:g}"
                f"（比例 1/4 时就是 1/16）。",
                f"Against the standard conv ({standard:,}) that is (C_p/C_in)² = {r:g}² = "
                f"{r * r:g} (1/16 at the usual ratio of 1/4).",
            )
        ]
    return []


def _macs_steps(p: ConvParamsParams, weights: int, answer: dict[str, Any]) -> list[Step]:
    out = answer["output"]
    assert p.input is not None
    pad = f"'{p.padding}'" if isinstance(p.padding, str) else dims(p.padding)
    return [
        Step(
            f"输出尺寸：{size_text(p.input)} 经 {size_text(p.kernel)} 卷积（步幅 "
            f"{dims(p.stride)}，填充 {pad}）得 {size_text(out)}（公式见卷积输出尺寸）。",
            f"Output size: {size_text(p.input)} through the {size_text(p.kernel)} conv (stride "
            f"{dims(p.stride)}, padding {pad}) gives {size_text(out)} (see the convolution "
            "output size formula).",
        ),
        Step(
            f"每个权重在每个输出位置各做一次乘加，偏置只是加法："
            f"MACs = {weights:,} × {out[0]}×{out[1]} = {answer['macs']:,}。",
            f"Each weight does one multiply-accumulate per output position; a bias is only an "
            f"addition: MACs = {weights:,} × {out[0]}×{out[1]} = {answer['macs']:,}.",
            r"\text{MACs} = \#\text{weights} \times H_{out} W_{out}",
        ),
    ]


SLIPS: SlipTexts = {
    "counted_as_standard": (
        Text("按普通卷积算了", "counted the grouped conv as a standard conv"),
        Text(
            "分组/深度/部分卷积的每个核只看部分通道，不是 K²·C_in·C_out。",
            "Each filter sees only some channels here, so it is not K²·C_in·C_out.",
        ),
    ),
    "divided_twice": (
        Text("除了两次 g", "divided by g twice"),
        Text(
            "K²·(C_in/g)·(C_out/g) 还要乘回 g 组：总共只除一次 g。",
            "K²·(C_in/g)·(C_out/g) is per group; times g groups it is divided by g once.",
        ),
    ),
    "only_depthwise": (
        Text("只算了深度卷积部分", "counted only the depthwise part"),
        Text(
            "深度可分离 = 深度卷积 + 1×1 逐点卷积，两部分都要算。",
            "Depthwise separable = depthwise + 1×1 pointwise: count both parts.",
        ),
    ),
    "only_pointwise": (
        Text("只算了逐点卷积部分", "counted only the pointwise part"),
        Text(
            "别漏了前面的 K×K 深度卷积。",
            "Do not drop the K×K depthwise conv in front.",
        ),
    ),
    "ratio_once": (
        Text("部分卷积比例只乘了一次", "applied the partial ratio only once"),
        Text(
            "PConv 的输入和输出都是 C_p 个通道，所以是比例的平方。",
            "PConv has C_p channels in and out, so the ratio enters squared.",
        ),
    ),
    "forgot_in_channels": (
        Text("漏了输入通道数", "forgot the input channels"),
        Text(
            "每个卷积核覆盖它能看到的全部输入通道：K×K×C_in/g。",
            "Each filter spans all the input channels it sees: K×K×C_in/g.",
        ),
    ),
    "added_channels": (
        Text("把通道数相加了", "added the channel counts"),
        Text(
            "每个输出通道都连着每个输入通道：是 C_in·C_out，不是 C_in + C_out。",
            "Every output channel connects to every input channel: C_in·C_out, not C_in + C_out.",
        ),
    ),
    "kernel_not_squared": (
        Text("用了 K 而不是 K×K", "used K instead of K×K"),
        Text(
            "二维卷积核有 K_h×K_w 个位置。",
            "A 2-D kernel has K_h×K_w taps.",
        ),
    ),
    "forgot_bias": (
        Text("漏了偏置", "forgot the bias"),
        Text(
            "bias=True 时每个输出通道还有一个偏置参数。",
            "With bias=True every output channel adds one bias parameter.",
        ),
    ),
    "phantom_bias": (
        Text("多算了偏置", "counted a bias that is not there"),
        Text(
            "bias=False 时没有偏置参数。",
            "With bias=False there are no bias parameters.",
        ),
    ),
    "per_position": (
        Text("没乘输出尺寸", "forgot the output size"),
        Text(
            "卷积核在每个输出位置都要算一遍：乘以 H_out·W_out。",
            "The kernel runs at every output position: multiply by H_out·W_out.",
        ),
    ),
    "input_size_not_output": (
        Text("乘了输入尺寸而不是输出尺寸", "used the input size instead of the output size"),
        Text(
            "计算量按输出位置数算：H_out·W_out。",
            "MACs count output positions: H_out·W_out.",
        ),
    ),
    "ignored_stride": (
        Text("忽略了步幅", "ignored the stride"),
        Text(
            "步幅让输出变小，计算量也随之变小。",
            "The stride shrinks the output, and the MACs with it.",
        ),
    ),
}
