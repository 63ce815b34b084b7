"""Worked steps and slip wording of the back-propagation calculator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from app.explain.engine.base import Step, Text

if TYPE_CHECKING:
    from app.explain.engine.backprop_core import BackpropParams

# Spell out the chain rule weight by weight up to this many weights (the seed's net has 8).
PER_WEIGHT_LIMIT = 12
PRIME = {
    "sigmoid": ("σ′(z) = a(1 − a)", r"\sigma'(z)=a(1-a)"),
    "tanh": ("tanh′(z) = 1 − a²", r"\tanh'(z)=1-a^2"),
    "relu": ("ReLU′(z) = [z > 0]", r"\mathrm{ReLU}'(z)=[z>0]"),
    "identity": ("f′(z) = 1", r"f'(z)=1"),
    "softmax": ("softmax 的雅可比 diag(p) − ppᵀ", r"\partial p/\partial z=\mathrm{diag}(p)-pp^\top"),
}
SLIP_TEXTS: dict[str, tuple[Text, Text]] = {
    "t_minus_y": (
        Text("用了 t − y 而不是 y − t", "used t − y instead of y − t"),
        Text(
            "L = ½(y−t)² 对 y 求导得 y − t；写成 t − y 会让所有梯度反号。",
            "d/dy ½(y−t)² = y − t; writing t − y flips the sign of every gradient.",
        ),
    ),
    "forgot_output_derivative": (
        Text("漏了输出层激活函数的导数", "forgot the activation's derivative"),
        Text("y = f(o)，链式法则要乘 f′(o)。", "y = f(o), so the chain rule multiplies by f′(o)."),
    ),
    "forgot_hidden_derivative": (
        Text("漏了隐藏层激活函数的导数", "forgot the hidden layer's activation derivative"),
        Text(
            "误差传回隐藏层时还要乘 f′(z)。",
            "The error passed back into a hidden layer is multiplied by f′(z).",
        ),
    ),
    "used_z_for_a": (
        Text("用 z 代替了激活值 a", "used z instead of the activation a"),
        Text(
            "∂z/∂w 是这条连接的输入，也就是上一层的激活值 a。",
            "∂z/∂w is the input of that connection: the previous layer's activation a.",
        ),
    ),
    "forgot_input": (
        Text("漏乘了输入 a", "forgot to multiply by the input"),
        Text(
            "∂L/∂w = δ · a：权重梯度要乘上它所连接的输入。",
            "∂L/∂w = δ · a: a weight's gradient includes the input it multiplies.",
        ),
    ),
    "forgot_half": (
        Text("忽略了 ½（按 (y−t)² 求导）", "dropped the ½ (differentiated (y−t)²)"),
        Text(
            "损失是 ½(y−t)²，½ 正好抵消求导出来的 2。",
            "The loss is ½(y−t)²: the ½ cancels the 2 from the derivative.",
        ),
    ),
    "loss_forgot_half": (
        Text("漏了 ½", "forgot the ½"),
        Text("L = ½(y−t)²。", "L = ½(y−t)²."),
    ),
    "loss_abs": (
        Text("用了绝对误差", "used the absolute error"),
        Text("这里是平方误差。", "This loss squares the error."),
    ),
    "loss_minus_sign": (
        Text("漏了负号", "dropped the minus sign"),
        Text("交叉熵是 −Σ t log y，总是 ≥ 0。", "Cross-entropy is −Σ t log y, never negative."),
    ),
    "loss_log10": (
        Text("用了以 10 为底的对数", "used log base 10"),
        Text("交叉熵用自然对数。", "Cross-entropy uses the natural logarithm."),
    ),
    "loss_no_output_activation": (
        Text("没过输出激活就算损失", "computed the loss before the output activation"),
        Text("损失作用在 y = f(o) 上，不是 o。", "The loss is taken on y = f(o), not on o."),
    ),
    "loss_forgot_normaliser": (
        Text("漏了 softmax 的归一化项", "forgot softmax's normaliser"),
        Text("log p_k = z_k − log Σ e^{z}，不能只取 z_k。", "log p_k = z_k − log Σ e^z, not just z_k."),
    ),
    "loss_dropped_negative_term": (
        Text("漏了 (1−t)·log(1−y) 项", "dropped the (1−t)·log(1−y) term"),
        Text(
            "二分类交叉熵对正、负两类都要计入。",
            "Binary cross-entropy counts both the positive and the negative class.",
        ),
    ),
    "no_output_activation": (
        Text("漏了输出层激活", "forgot the output activation"),
        Text("y = f(o)，不是 o。", "y = f(o), not o."),
    ),
    "no_hidden_activation": (
        Text("漏了隐藏层激活", "forgot the hidden activation"),
        Text("隐藏层输出是 a = f(z)。", "A hidden layer outputs a = f(z)."),
    ),
    "sigmoid_sign": (
        Text("sigmoid 的指数漏了负号", "dropped the minus in the sigmoid"),
        Text(
            "σ(o) = 1/(1+e^{−o})；1/(1+e^{o}) 是 1 − σ(o)。", "σ(o) = 1/(1+e^{−o}); 1/(1+e^{o}) is 1 − σ(o)."
        ),
    ),
    "softmax_unnormalised": (
        Text("softmax 没有归一化", "forgot to normalise the softmax"),
        Text("p_k = e^{z_k} / Σ_j e^{z_j}，要除以总和。", "p_k = e^{z_k} / Σ_j e^{z_j}: divide by the sum."),
    ),
    "forgot_bias": (
        Text("漏加偏置", "forgot the bias"),
        Text("z = Wa + b。", "z = Wa + b."),
    ),
}


def _vec(values: Sequence[float] | np.ndarray) -> str:
    return "[" + ", ".join(f"{float(v):.6g}" for v in values) + "]"


def _mat(values: np.ndarray) -> str:
    return "[" + "; ".join(_vec(row) for row in values) + "]"


def backprop_steps(
    p: BackpropParams,
    params: list[tuple[np.ndarray, np.ndarray]],
    zs: list[np.ndarray],
    acts: list[np.ndarray],
    loss: float,
    grads: list[dict[str, np.ndarray]],
) -> list[Step]:
    """Forward pass, loss, output error, layer-by-layer chain rule, per-weight lines, update."""
    shape = "-".join(str(len(a)) for a in acts)
    steps = [
        Step(
            f"{shape} 网络。W^(l) 是“输出 × 输入”矩阵，W^(l)_ji 连接上一层单元 i 和本层单元 j"
            "（种子题记作 w_ij）。前向：z = Wa + b，a = f(z)。",
            f"A {shape} network. W^(l) is an out × in matrix; W^(l)_ji connects unit i of the layer "
            "below to unit j (the seed writes w_ij). Forward: z = Wa + b, a = f(z).",
            r"z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)},\quad a^{(l)} = f\big(z^{(l)}\big)",
        )
    ]
    for layer_no, (layer, z, a) in enumerate(zip(p.layers, zs, acts[1:], strict=True), start=1):
        steps.append(
            Step(
                f"第 {layer_no} 层：z = {_vec(z)}，a = {layer.activation}(z) = {_vec(a)}。",
                f"Layer {layer_no}: z = {_vec(z)}, a = {layer.activation}(z) = {_vec(a)}.",
            )
        )
    steps.append(_loss_step(p, acts[-1], loss))
    steps.append(_output_error_step(p, grads[-1]["bias"]))
    for k in range(len(p.layers) - 1, -1, -1):
        steps.append(
            Step(
                f"第 {k + 1} 层的梯度：∂L/∂W = δ·aᵀ = {_mat(grads[k]['weights'])}，"
                f"∂L/∂b = δ = {_vec(grads[k]['bias'])}。",
                f"Layer {k + 1} gradients: ∂L/∂W = δ aᵀ = {_mat(grads[k]['weights'])}, ∂L/∂b = δ = "
                f"{_vec(grads[k]['bias'])}.",
                rf"\frac{{\partial L}}{{\partial W^{{({k + 1})}}}} = \delta^{{({k + 1})}} a^{{({k})\top}}",
            )
        )
        if k > 0:
            zh, latex = PRIME[p.layers[k - 1].activation]
            steps.append(
                Step(
                    f"把误差传回第 {k} 层：δ = (Wᵀδ) ⊙ f′(z)，其中 {zh}；δ = {_vec(grads[k - 1]['bias'])}。",
                    f"Pass the error back to layer {k}: δ = (Wᵀδ) ⊙ f′(z) with {zh}; δ = "
                    f"{_vec(grads[k - 1]['bias'])}.",
                    rf"\delta^{{({k})}} = \big(W^{{({k + 1})\top}}\delta^{{({k + 1})}}\big) "
                    rf"\odot f'\big(z^{{({k})}}\big),\ {latex}",
                )
            )
    if sum(g["weights"].size for g in grads) <= PER_WEIGHT_LIMIT:
        steps += _per_weight_steps(p, params, zs, acts, grads)
    if p.lr is not None:
        updated = "；".join(
            f"W{k + 1} = {_mat(w - p.lr * g['weights'])}"
            for k, ((w, _), g) in enumerate(zip(params, grads, strict=True))
        )
        steps.append(
            Step(
                f"学习率 η = {p.lr:g}，一步梯度下降 W ← W − η∇W：{updated}。",
                f"With learning rate η = {p.lr:g}, one gradient step W ← W − η∇W gives "
                f"{updated.replace('；', '; ')}.",
                r"W \leftarrow W - \eta\, \nabla_W L",
            )
        )
    return steps


def _loss_step(p: BackpropParams, y: np.ndarray, loss: float) -> Step:
    t = np.atleast_1d(np.asarray(p.target, dtype=np.float64))
    if p.loss == "half_squared_error":
        return Step(
            f"损失 L = ½Σ(y − t)² = ½Σ({_vec(y)} − {_vec(t)})² = {loss:.6g}。",
            f"Loss L = ½Σ(y − t)² = ½Σ({_vec(y)} − {_vec(t)})² = {loss:.6g}.",
            r"L = \tfrac12 \sum_k (y_k - t_k)^2",
        )
    return Step(
        f"交叉熵损失 L = {loss:.6g}（由 logits 稳定地计算，避免 log 0）。",
        f"Cross-entropy loss L = {loss:.6g} (computed stably from the logits, no log 0).",
        r"L = -\sum_k t_k \log y_k",
    )


def _output_error_step(p: BackpropParams, delta: np.ndarray) -> Step:
    last = p.layers[-1].activation
    if p.loss == "cross_entropy":
        return Step(
            f"输出误差：{last} 配交叉熵时 f′ 与 log 的导数正好相消，δ = y − t = {_vec(delta)}。",
            f"Output error: with {last} and cross-entropy the derivatives of f and log cancel, "
            f"δ = y − t = {_vec(delta)}.",
            r"\delta^{(L)} = y - t",
        )
    zh, latex = PRIME[last]
    return Step(
        "输出误差：∂L/∂y = y − t（种子题写成 t − y 是符号错误：½(y − t)² 对 y 的导数是 y − t）；"
        f"再乘输出激活的导数 {zh}：δ = (y − t) ⊙ f′(o) = {_vec(delta)}。",
        "Output error: ∂L/∂y = y − t (the seed's t − y is a sign error: the derivative of "
        f"½(y − t)² with respect to y is y − t); times the output activation's derivative {zh}: "
        f"δ = (y − t) ⊙ f′(o) = {_vec(delta)}.",
        rf"\delta^{{(L)}} = \frac{{\partial L}}{{\partial y}} \odot f'(o) = (y-t)\odot f'(o),\ {latex}",
    )


def _slope(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """f′ of an element-wise activation, from its output where that is simpler."""
    table = {"sigmoid": a * (1 - a), "tanh": 1 - a * a, "relu": (z > 0).astype(float)}
    slope: np.ndarray = table.get(name, np.ones_like(z))
    return slope


def _per_weight_steps(
    p: BackpropParams,
    params: list[tuple[np.ndarray, np.ndarray]],
    zs: list[np.ndarray],
    acts: list[np.ndarray],
    grads: list[dict[str, np.ndarray]],
) -> list[Step]:
    """One line per weight: the seed's ∇w formulas with numbers (and the sign corrected)."""
    seed_like = len(p.layers) == 2 and len(acts[-1]) == 1 and p.loss == "half_squared_error"
    if not seed_like or "softmax" in (p.layers[0].activation, p.layers[1].activation):
        return _delta_lines(grads, acts)
    err = float(acts[-1][0] - np.atleast_1d(np.asarray(p.target, dtype=np.float64))[0])
    out_slope = float(_slope(p.layers[1].activation, zs[1], acts[2])[0])
    hidden_slope = _slope(p.layers[0].activation, zs[0], acts[1])
    w2 = params[1][0][0]
    lines = []
    for j, a_j in enumerate(acts[1]):
        value = float(grads[1]["weights"][0, j])
        lines.append(
            f"∂L/∂W^(2)_1{j + 1} = (y − t)·f′(o)·a_{j + 1} = {err:.6g} × {out_slope:.6g} × "
            f"{a_j:.6g} = {value:.6g}"
        )
    for j in range(len(acts[1])):
        for i, x_i in enumerate(acts[0]):
            value = float(grads[0]["weights"][j, i])
            lines.append(
                f"∂L/∂W^(1)_{j + 1}{i + 1} = (y − t)·f′(o)·W^(2)_1{j + 1}·f′(z_{j + 1})·x_{i + 1} = "
                f"{err:.6g} × {out_slope:.6g} × {w2[j]:.6g} × {hidden_slope[j]:.6g} × {x_i:.6g} "
                f"= {value:.6g}"
            )
    return [
        Step(
            "逐个权重写出链式法则：" + "；".join(lines) + "。",
            "The chain rule weight by weight: " + "; ".join(lines) + ".",
            r"\frac{\partial L}{\partial w^{(2)}_{j1}} = (y-t)\,f'(o)\,a_j,\quad "
            r"\frac{\partial L}{\partial w^{(1)}_{ij}} = (y-t)\,f'(o)\,w^{(2)}_{j1}\,f'(z_j)\,x_i",
        )
    ]


def _delta_lines(grads: list[dict[str, np.ndarray]], acts: list[np.ndarray]) -> list[Step]:
    """For other networks: ∂L/∂W_ji = δ_j · a_i for every weight."""
    lines = [
        f"W^({k + 1})_{j + 1}{i + 1} = {g['bias'][j]:.6g} × {acts[k][i]:.6g} = {g['weights'][j, i]:.6g}"
        for k, g in enumerate(grads)
        for j in range(len(g["bias"]))
        for i in range(len(acts[k]))
    ]
    return [
        Step(
            "逐个权重：∂L/∂W_ji = δ_j · a_i（δ_j 已含激活函数的导数，a_i 是这条连接的输入）："
            + "；".join(lines)
            + "。",
            "Weight by weight, ∂L/∂W_ji = δ_j · a_i (δ_j already includes the activation's derivative; a_i "
            "is the connection's input): " + "; ".join(lines) + ".",
            r"\frac{\partial L}{\partial W^{(l)}_{ji}} = \delta^{(l)}_j\, a^{(l-1)}_i",
        )
    ]
