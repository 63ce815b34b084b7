"""Worked steps and slip wording of the optimizer calculator."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from app.explain.engine.base import Step, Text

if TYPE_CHECKING:
    from app.explain.engine.optimizer import Hyper, OptimizerParams

Trajectory = list[dict[str, list[float]]]
Runner = Callable[["OptimizerParams", "Hyper"], Trajectory]
SHOWN_STEPS = 4

RULES: dict[str, tuple[str, str, str]] = {
    "sgd": ("SGD：沿负梯度走一步。", "SGD steps along the negative gradient.", r"w_t = w_{t-1} - \eta\, g_t"),
    "momentum": (
        "动量：速度 v 累积过去的梯度，再用 v 更新参数（PyTorch 存的是 v/η，学习率不变时结果相同）。",
        "Momentum: the velocity v accumulates past gradients and moves the weights (PyTorch stores "
        "v/η; with a constant η the weights are the same).",
        r"v_t = \mu v_{t-1} + \eta g_t,\qquad w_t = w_{t-1} - v_t",
    ),
    "nesterov": (
        "Nesterov 动量：先按速度“向前看”，用前瞻方向 ηg + μv 更新（PyTorch 的写法）。",
        "Nesterov momentum looks ahead along the velocity and steps by ηg + μv (PyTorch's form).",
        r"v_t = \mu v_{t-1} + \eta g_t,\qquad w_t = w_{t-1} - (\eta g_t + \mu v_t)",
    ),
    "adagrad": (
        "Adagrad：每个分量累加梯度平方 G，步长 η/(√G + ε) 只会越来越小（PyTorch 把 ε 加在根号外）。",
        "Adagrad adds up each coordinate's squared gradients in G, so its step η/(√G + ε) only "
        "shrinks (PyTorch adds ε outside the square root).",
        r"G_t = G_{t-1} + g_t^2,\qquad w_t = w_{t-1} - \frac{\eta\, g_t}{\sqrt{G_t} + \epsilon}",
    ),
    "rmsprop": (
        "RMSprop：用指数滑动平均代替 Adagrad 的累加，旧梯度按 ρ 衰减，步长不会一直变小。",
        "RMSprop replaces Adagrad's sum by an exponential moving average that forgets old gradients "
        "at rate ρ, so the step does not keep shrinking.",
        r"v_t = \rho v_{t-1} + (1-\rho) g_t^2,\qquad "
        r"w_t = w_{t-1} - \frac{\eta\, g_t}{\sqrt{v_t} + \epsilon}",
    ),
    "adam": (
        "Adam = 动量（一阶矩 m）+ RMSprop（二阶矩 v），再做偏差修正：m、v 从 0 开始，前几步偏向 0。",
        "Adam = momentum (first moment m) + RMSprop (second moment v), with bias correction because "
        "m and v start at 0 and are biased towards 0 in the first steps.",
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\ v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\ "
        r"\hat m_t = \frac{m_t}{1-\beta_1^t},\ \hat v_t = \frac{v_t}{1-\beta_2^t},\ "
        r"w_t = w_{t-1} - \frac{\eta\,\hat m_t}{\sqrt{\hat v_t} + \epsilon}",
    ),
    "adamw": (
        "AdamW：权重衰减与梯度解耦——先把 w 乘以 (1 − ηλ)，再做普通的 Adam 步；衰减不经过 m、v。",
        "AdamW decouples weight decay from the gradient: w is first multiplied by (1 − ηλ), then an "
        "ordinary Adam step follows; the decay never enters m or v.",
        r"w \leftarrow (1-\eta\lambda)\, w,\qquad "
        r"w_t = w - \frac{\eta\,\hat m_t}{\sqrt{\hat v_t} + \epsilon}",
    ),
}
SLIP_TEXTS: dict[str, tuple[Text, Text]] = {
    "added_update": (
        Text("更新方向反了", "moved along the gradient"),
        Text("梯度下降要减去更新量：w ← w − Δ。", "Gradient descent subtracts the update: w ← w − Δ."),
    ),
    "forgot_lr": (
        Text("漏乘学习率", "forgot the learning rate"),
        Text("每一步都要乘 η。", "Every step is scaled by η."),
    ),
    "divided_by_lr": (
        Text("除以了学习率", "divided by the learning rate"),
        Text("更新量是 η·g：乘以 η，不是除以。", "The update is η·g: multiply by η, do not divide."),
    ),
    "no_momentum": (
        Text("忘了动量（当成 SGD）", "dropped the momentum (plain SGD)"),
        Text("速度 v 会把以前的梯度带进本步。", "The velocity carries earlier gradients into this step."),
    ),
    "dampened_momentum": (
        Text("动量写成了滑动平均 (1−μ)", "wrote momentum as an EMA with (1−μ)"),
        Text(
            "PyTorch/经典动量是 v = μv + ηg，没有 (1−μ) 因子。", "Classic momentum is v = μv + ηg, no (1−μ)."
        ),
    ),
    "no_lookahead": (
        Text("当成普通动量", "used plain momentum"),
        Text("Nesterov 的步长是 ηg + μv，多了一次前瞻。", "Nesterov steps by ηg + μv: one more look-ahead."),
    ),
    "no_sqrt": (
        Text("忘了开平方", "forgot the square root"),
        Text("分母是 √v（均方根），不是 v。", "The denominator is √v (a root mean square), not v."),
    ),
    "no_accumulation": (
        Text("只用了当前的 g²", "used only the current g²"),
        Text("Adagrad 累加全部历史梯度平方。", "Adagrad sums the squares of all past gradients."),
    ),
    "rmsprop_as_adagrad": (
        Text("忘了衰减（变成 Adagrad）", "forgot the decay (Adagrad's sum)"),
        Text("RMSprop 用 ρ 衰减旧的 g²。", "RMSprop decays old squared gradients by ρ."),
    ),
    "swapped_decay_rate": (
        Text("β 与 1−β 用反了", "swapped β and 1−β"),
        Text(
            "旧值乘 β（接近 1），新梯度乘 1−β。",
            "The old average is multiplied by β (near 1), the new term by 1−β.",
        ),
    ),
    "no_bias_correction": (
        Text("Adam 没做偏差修正", "Adam without bias correction"),
        Text(
            "m、v 从 0 开始，要除以 1−β^t 才无偏。", "m and v start at 0; dividing by 1−β^t removes the bias."
        ),
    ),
    "bias_correction_m_only": (
        Text("只修正了 m", "corrected m only"),
        Text("v 也要除以 1−β2^t。", "v must also be divided by 1−β2^t."),
    ),
    "coupled_decay": (
        Text("把 AdamW 的衰减当 L2 加进梯度", "added AdamW's decay to the gradient (L2)"),
        Text(
            "AdamW 的衰减直接作用在 w 上，不经过 m、v。",
            "AdamW decays w directly; the decay never enters m or v.",
        ),
    ),
    "no_decay": (
        Text("忘了权重衰减", "forgot the weight decay"),
        Text("每一步都要把 λw 算进去。", "Every step includes the λw term."),
    ),
}


def _vec(values: Sequence[float]) -> str:
    return "[" + ", ".join(f"{v:.6g}" for v in values) + "]"


def optimizer_steps(p: OptimizerParams, h: Hyper, trajectory: Trajectory, run: Runner) -> list[Step]:
    """The rule, each of the first steps with its state, the optimizer's lesson, the answer."""
    zh, en, latex = RULES[h.name]
    steps = [Step(zh, en, latex)]
    if h.decay and h.name != "adamw":
        steps.append(
            Step(
                f"L2 权重衰减 λ = {h.decay:g}：每步先把梯度换成 g + λw。",
                f"L2 weight decay λ = {h.decay:g}: each step first replaces the gradient by g + λw.",
                r"g_t \leftarrow g_t + \lambda w_{t-1}",
            )
        )
    previous: Sequence[float] = p.w
    for t, (grad, after) in enumerate(zip(p.grads, trajectory, strict=True), start=1):
        if t <= SHOWN_STEPS:
            steps.append(_step_line(t, grad, previous, after))
        previous = after["w"]
    if len(trajectory) > SHOWN_STEPS:
        steps.append(
            Step(
                f"其余 {len(trajectory) - SHOWN_STEPS} 步同理。",
                f"The remaining {len(trajectory) - SHOWN_STEPS} steps work the same way.",
            )
        )
    steps += _lesson(p, h, trajectory, run)
    final = _vec(trajectory[-1]["w"])
    steps.append(
        Step(f"{len(trajectory)} 步后 w = {final}。", f"After {len(trajectory)} step(s), w = {final}.")
    )
    return steps


def _step_line(
    t: int, grad: Sequence[float], previous: Sequence[float], after: dict[str, list[float]]
) -> Step:
    names = {"v": "v", "G": "G", "m": "m", "m_hat": "m̂", "v_hat": "v̂"}
    state = "，".join(f"{names[k]} = {_vec(v)}" for k, v in after.items() if k != "w")
    state_en = ", ".join(f"{names[k]} = {_vec(v)}" for k, v in after.items() if k != "w")
    sep_zh, sep_en = ("；" + state + "；") if state else "；", (f"; {state_en}; " if state_en else "; ")
    return Step(
        f"第 {t} 步：g = {_vec(grad)}{sep_zh}w 从 {_vec(previous)} 变为 {_vec(after['w'])}。",
        f"Step {t}: g = {_vec(grad)}{sep_en}w goes from {_vec(previous)} to {_vec(after['w'])}.",
    )


def _lesson(p: OptimizerParams, h: Hyper, trajectory: Trajectory, run: Runner) -> list[Step]:
    final = trajectory[-1]["w"]
    if h.name in ("adam", "adamw"):
        plain = run(p, replace(h, bias_correction="none"))[-1]["w"]
        ratio = (1 - h.beta1) / (1 - h.beta2) ** 0.5
        out = [
            Step(
                f"偏差修正为什么重要：第 1 步 m̂ = g、v̂ = g²，步长约为 η = {h.lr:g}。不修正时第 1 步是 "
                f"η(1−β1)/√(1−β2) ≈ {ratio:.3g}η（β1 = {h.beta1:g}, β2 = {h.beta2:g}），结果会是 "
                f"w = {_vec(plain)}，而不是 {_vec(final)}。",
                f"Why bias correction matters: at step 1, m̂ = g and v̂ = g², so the step is about η = "
                f"{h.lr:g}. Without it the first step is η(1−β1)/√(1−β2) ≈ {ratio:.3g}η (β1 = {h.beta1:g}, "
                f"β2 = {h.beta2:g}), and w would end at {_vec(plain)} instead of {_vec(final)}.",
                r"\frac{(1-\beta_1)\,|g|}{\sqrt{(1-\beta_2)\,g^2}} = \frac{1-\beta_1}{\sqrt{1-\beta_2}}",
            )
        ]
        if h.name == "adamw":
            coupled = run(p, replace(h, decay_mode="coupled"))[-1]["w"]
            out.append(
                Step(
                    f"如果把 λ = {h.decay:g} 当作 L2 加进梯度（Adam + L2），衰减会被 √v̂ 缩放，结果是 "
                    f"{_vec(coupled)}——这就是 AdamW 要“解耦”的原因。",
                    f"Adding λ = {h.decay:g} to the gradient instead (Adam + L2) lets √v̂ rescale the decay "
                    f"and gives {_vec(coupled)} — the reason AdamW decouples it.",
                )
            )
        return out
    if h.name == "adagrad":
        g_sum = trajectory[-1]["G"]
        rates = [h.lr / (g**0.5 + h.eps) for g in g_sum]
        return [
            Step(
                f"Adagrad 的有效学习率 η/(√G + ε) 现在是 {_vec(rates)}，只会继续变小——"
                "这就是它后期学不动的原因。",
                f"Adagrad's effective learning rate η/(√G + ε) is now {_vec(rates)} and can only shrink, "
                "which is why it stalls late in training.",
            )
        ]
    if h.name == "rmsprop":
        summed = run(p, replace(h, accumulate=False))[-1]["w"]
        first = 1 / (1 - h.beta2) ** 0.5
        return [
            Step(
                "注意 RMSprop 没有偏差修正：v 从 0 开始，第 1 步 v = (1−ρ)g²，"
                f"步长约为 η/√(1−ρ) ≈ {first:.3g}η，前几步会特别大（Adam 的偏差修正正是为此）。",
                "RMSprop has no bias correction: v starts at 0, so at step 1 v = (1−ρ)g² and the step is "
                f"about η/√(1−ρ) ≈ {first:.3g}η — the first steps are large (which Adam's correction fixes).",
                r"\frac{\eta\,|g|}{\sqrt{(1-\rho)g^2}} = \frac{\eta}{\sqrt{1-\rho}}",
            ),
            Step(
                f"若像 Adagrad 一样不衰减地累加 g²，结果会是 {_vec(summed)}；"
                "RMSprop 的 ρ 让旧梯度逐渐被遗忘。",
                f"Summing g² without decay, as Adagrad does, would give {_vec(summed)}; RMSprop's ρ lets "
                "old gradients fade.",
            ),
        ]
    if h.name in ("momentum", "nesterov"):
        sgd = run(p, replace(h, use_momentum=False))[-1]["w"]
        return [
            Step(
                f"没有动量的 SGD 会得到 {_vec(sgd)}；方向一致的梯度在 v 里叠加，步子越走越大。",
                f"Plain SGD would give {_vec(sgd)}; gradients that agree pile up in v, so the steps grow.",
            )
        ]
    return []
