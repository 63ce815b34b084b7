"""Parameter count of one RNN / LSTM / GRU layer, gate by gate, as PyTorch allocates it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field

from app.explain.engine.base import Calculator, Check, Params, Slip, Solution, Step, Text

Size = Annotated[int, Field(strict=True, ge=1, le=100_000)]
GATES = {
    "rnn": ("hidden",),
    "lstm": ("input", "forget", "cell", "output"),
    "gru": ("reset", "update", "new"),
}
GATE_ZH = {
    "hidden": "隐藏状态",
    "input": "输入门",
    "forget": "遗忘门",
    "cell": "候选记忆",
    "output": "输出门",
    "reset": "重置门",
    "update": "更新门",
    "new": "候选状态",
}
BIAS_VECTORS = {"none": 0, "single": 1, "double": 2}
# Run a real forward step of the cell when the weights have at most this many elements.
_FORWARD_BUDGET = 2_000_000


class RnnParamsParams(Params):
    """Cell type, input and hidden sizes, and how many bias vectors each gate keeps."""

    cell: Literal["rnn", "lstm", "gru"] = "lstm"
    input_size: Size = 128
    hidden_size: Size = 256
    bias: Literal["none", "single", "double"] = "double"


def count(cell: str, i: int, h: int, biases: int) -> dict[str, Any]:
    """Σ over gates of h·i + h·h + biases·h."""
    gates = [
        {
            "gate": g,
            "input_weights": h * i,
            "hidden_weights": h * h,
            "biases": biases * h,
            "total": h * i + h * h + biases * h,
        }
        for g in GATES[cell]
    ]
    return {"params": sum(g["total"] for g in gates), "gates": gates}


class RnnParams(Calculator[RnnParamsParams]):
    """Learnable parameters of a recurrent layer."""

    name = "rnn_params"
    title = Text("RNN / LSTM / GRU 参数量", "Parameters of an RNN, LSTM or GRU layer")
    params_model = RnnParamsParams
    asks = ("params", "answer")

    def solve(self, p: RnnParamsParams) -> Solution:
        """Count per gate; build PyTorch's tensors (and run a step when small) to check."""
        b = BIAS_VECTORS[p.bias]
        answer = count(p.cell, p.input_size, p.hidden_size, b)
        checks = [_tensor_check(p, answer["params"])]
        if len(GATES[p.cell]) * p.hidden_size * (p.input_size + p.hidden_size) <= _FORWARD_BUDGET:
            checks.append(_forward_check(p, answer["params"]))
        return Solution(answer, _steps(p, answer), checks)

    def sample(self, rng: np.random.Generator, template: RnnParamsParams | None) -> RnnParamsParams:
        """The template's cell and bias style with common layer sizes."""
        cell = template.cell if template else str(rng.choice(["rnn", "lstm", "gru"]))
        bias = template.bias if template else str(rng.choice(["double", "double", "single", "none"]))
        sizes = [16, 32, 50, 64, 100, 128, 200, 256, 300, 512]
        return RnnParamsParams(
            cell=cell, input_size=int(rng.choice(sizes)), hidden_size=int(rng.choice(sizes)), bias=bias
        )

    def prompt(self, p: RnnParamsParams, ask: str) -> Text:
        """'A single-layer LSTM with input 128 and hidden 256 (PyTorch, two biases): how many …?'"""
        bias_zh = {"none": "无偏置", "single": "每个门一个偏置向量", "double": "PyTorch 默认的两个偏置向量"}[
            p.bias
        ]
        bias_en = {
            "none": "no bias",
            "single": "one bias vector per gate",
            "double": "PyTorch's two bias vectors per gate",
        }[p.bias]
        return Text(
            zh=f"单层单向 {p.cell.upper()}，输入维度 {p.input_size}，隐藏维度 {p.hidden_size}（{bias_zh}）。"
            "共有多少个可学习参数？",
            en=f"A single-layer, unidirectional {p.cell.upper()} has input size {p.input_size} and hidden "
            f"size {p.hidden_size} ({bias_en}). How many learnable parameters does it have?",
        )

    def slips(self, p: RnnParamsParams, ask: str) -> list[Slip]:
        """One bias where PyTorch has two, no recurrent weights, wrong gate count, no bias."""
        i, h, b, g = p.input_size, p.hidden_size, BIAS_VECTORS[p.bias], len(GATES[p.cell])
        per_gate = h * (i + h)
        wrong_gates = {"rnn": 4, "lstm": 3, "gru": 4}[p.cell]
        values = {
            "one_bias_vector": g * (per_gate + h) if b == 2 else None,
            "two_bias_vectors": g * (per_gate + 2 * h) if b == 1 else None,
            "forgot_recurrent_weights": g * (h * i + b * h),
            "wrong_gate_count": wrong_gates * (per_gate + b * h),
            "forgot_bias": g * per_gate if b else None,
            "counted_default_biases": g * (per_gate + 2 * h) if b == 0 else None,
            "single_gate": per_gate + b * h,
        }
        out = []
        for name, value in values.items():
            if value is None:
                continue
            label, why = SLIP_TEXTS[name]
            out.append(
                Slip(
                    name,
                    label,
                    why,
                    value if ask == "params" else {"params": value, "gates": count(p.cell, i, h, b)["gates"]},
                )
            )
        return out


SLIP_TEXTS = {
    "one_bias_vector": (
        Text("只算了一个偏置向量", "counted one bias vector where PyTorch has two"),
        Text("PyTorch 每个门有 b_ih 和 b_hh 两个偏置向量。", "PyTorch keeps b_ih and b_hh for every gate."),
    ),
    "two_bias_vectors": (
        Text("算了两个偏置向量", "counted two bias vectors"),
        Text("这里每个门只有一个偏置向量。", "Here each gate has a single bias vector."),
    ),
    "forgot_recurrent_weights": (
        Text("漏了循环权重 W_hh", "forgot the recurrent weights W_hh"),
        Text(
            "每个门还要看上一时刻的 h，需要 h×h 的权重。",
            "Each gate also reads the previous h, which needs h×h weights.",
        ),
    ),
    "wrong_gate_count": (
        Text("门的个数算错", "used the wrong number of gates"),
        Text(
            "RNN 1 组、LSTM 4 组（i、f、g、o）、GRU 3 组（r、z、n）。",
            "RNN has 1 block, LSTM 4 (i, f, g, o), GRU 3 (r, z, n).",
        ),
    ),
    "forgot_bias": (
        Text("漏了偏置", "forgot the biases"),
        Text("每个门都有偏置。", "Every gate has its bias."),
    ),
    "counted_default_biases": (
        Text("仍按默认的两个偏置计算", "still counted the two default biases"),
        Text("bias=False 时 b_ih 和 b_hh 都不存在。", "With bias=False neither b_ih nor b_hh exists."),
    ),
    "single_gate": (
        Text("只算了一个门", "counted a single gate"),
        Text("每个门都有自己的一套权重。", "Every gate has its own weights."),
    ),
}


def _steps(p: RnnParamsParams, a: dict[str, Any]) -> list[Step]:
    i, h, b = p.input_size, p.hidden_size, BIAS_VECTORS[p.bias]
    names = GATES[p.cell]
    g = len(names)
    zh_names = "、".join(GATE_ZH[n] for n in names)
    steps = [
        Step(
            "每个门（或候选状态）都是 [x_t, h_{t−1}] 的仿射变换，输出 h 维："
            f"输入权重 h×i = {h}×{i}，循环权重 h×h = {h}×{h}，再加 {b} 个长度为 h 的偏置向量。",
            "Every gate (or candidate) is an affine map of [x_t, h_{t−1}] with h outputs: input weights "
            f"h×i = {h}×{i}, recurrent weights h×h = {h}×{h}, plus {b} bias vector(s) of length h.",
            r"\text{gate} = \sigma\big(W_{i}x_t + b_{i} + W_{h}h_{t-1} + b_{h}\big)",
        ),
        Step(
            f"{p.cell.upper()} 有 {g} 组这样的权重：{zh_names}。",
            f"{p.cell.upper()} has {g} such block(s): {', '.join(names)}.",
            {
                "rnn": r"h_t=\tanh(W_{ih}x_t+b_{ih}+W_{hh}h_{t-1}+b_{hh})",
                "lstm": r"i,f,g,o:\ c_t=f\odot c_{t-1}+i\odot g,\ h_t=o\odot\tanh c_t",
                "gru": r"r,z:\ n=\tanh(W_{in}x+b_{in}+r\odot(W_{hn}h+b_{hn})),\ "
                r"h_t=(1-z)\odot n+z\odot h_{t-1}",
            }[p.cell],
        ),
        Step(
            f"每组：{h}×{i} + {h}×{h} + {b}×{h} = {h * i} + {h * h} + {b * h} = {a['gates'][0]['total']}。",
            f"Per block: {h}×{i} + {h}×{h} + {b}×{h} = {h * i} + {h * h} + {b * h} = "
            f"{a['gates'][0]['total']}.",
            rf"h\,i + h^2 + {b}h = {a['gates'][0]['total']}",
        ),
        Step(
            f"合计 {g} × {a['gates'][0]['total']} = {a['params']}。",
            f"In total {g} × {a['gates'][0]['total']} = {a['params']}.",
            rf"{g}\,\big(h(i+h) + {b}h\big) = {a['params']}",
        ),
    ]
    if p.bias == "double":
        extra = (
            "GRU 里 b_hn 在重置门里面（r ⊙ (W_hn h + b_hn)），两个偏置并不冗余。"
            if p.cell == "gru"
            else "数学上 b_ih + b_hh 可以合成一个向量，但 PyTorch（为兼容 cuDNN）保留两个。"
        )
        extra_en = (
            "In a GRU, b_hn sits inside the reset gate (r ⊙ (W_hn h + b_hn)), so the two biases "
            "are not redundant."
            if p.cell == "gru"
            else "Mathematically b_ih + b_hh could be one vector, but PyTorch (for cuDNN) keeps both."
        )
        steps.append(
            Step(
                f"PyTorch 把它们存成 weight_ih_l0 ({g * h}×{i})、weight_hh_l0 ({g * h}×{h})、"
                f"bias_ih_l0 和 bias_hh_l0（各 {g * h}）。{extra}",
                f"PyTorch stores weight_ih_l0 ({g * h}×{i}), weight_hh_l0 ({g * h}×{h}), bias_ih_l0 "
                f"and bias_hh_l0 ({g * h} each). {extra_en}",
            )
        )
    steps.append(
        Step(
            "多层时第 2 层的输入维度是 h（双向为 2h），双向再乘 2。",
            "For stacked layers the second layer's input size is h (2h if bidirectional); "
            "a bidirectional layer doubles the count.",
        )
    )
    return steps


def _tensors(p: RnnParamsParams) -> dict[str, np.ndarray]:
    """PyTorch's parameter tensors with their real shapes (zero-stride views: no memory)."""
    g, i, h, b = len(GATES[p.cell]), p.input_size, p.hidden_size, BIAS_VECTORS[p.bias]
    cell = np.zeros(1, dtype=np.bool_)
    shapes = {"weight_ih": (g * h, i), "weight_hh": (g * h, h), "bias_ih": (g * h,), "bias_hh": (g * h,)}
    kept = list(shapes)[: 2 + b]
    return {name: np.broadcast_to(cell, shapes[name]) for name in kept}


def _tensor_check(p: RnnParamsParams, expected: int) -> Check:
    tensors = _tensors(p)
    total = sum(t.size for t in tensors.values())
    shapes = ", ".join(f"{k} {tuple(t.shape)}" for k, t in tensors.items())
    return Check("parameter_tensors", total == expected, f"{shapes}: {total} elements")


def _forward_check(p: RnnParamsParams, expected: int) -> Check:
    """Run one real time step with random weights; count the elements the step actually used."""
    rng = np.random.default_rng(0)
    g, i, h, b = len(GATES[p.cell]), p.input_size, p.hidden_size, BIAS_VECTORS[p.bias]
    w_ih, w_hh = rng.standard_normal((g * h, i)) * 0.01, rng.standard_normal((g * h, h)) * 0.01
    b_ih = rng.standard_normal(g * h) if b >= 1 else np.zeros(g * h)
    b_hh = rng.standard_normal(g * h) if b == 2 else np.zeros(g * h)
    x, h0, c0 = rng.standard_normal(i), rng.standard_normal(h), rng.standard_normal(h)
    gi, gh = w_ih @ x + b_ih, w_hh @ h0 + b_hh

    def sig(v: np.ndarray) -> np.ndarray:
        out: np.ndarray = 1 / (1 + np.exp(-v))
        return out

    if p.cell == "rnn":
        h1 = np.tanh(gi + gh)
    elif p.cell == "lstm":
        ig, fg, cg, og = np.split(gi + gh, 4)
        h1 = sig(og) * np.tanh(sig(fg) * c0 + sig(ig) * np.tanh(cg))
    else:
        (ri, zi, ni), (rh, zh, nh) = np.split(gi, 3), np.split(gh, 3)
        r, z = sig(ri + rh), sig(zi + zh)
        h1 = (1 - z) * np.tanh(ni + r * nh) + z * h0
    used = w_ih.size + w_hh.size + (b_ih.size if b >= 1 else 0) + (b_hh.size if b == 2 else 0)
    ok = h1.shape == (h,) and bool(np.all(np.isfinite(h1))) and used == expected
    return Check(
        "forward_step",
        ok,
        f"one {p.cell.upper()} step maps x ({i}) and h ({h}) to h′ {h1.shape} "
        f"using {used} weights and biases",
    )
