"""One or more optimizer steps (SGD … AdamW), traced state by state and checked in closed form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field

from app.explain.engine.base import Calculator, Check, Params, Slip, Solution, Text
from app.explain.engine.optimizer_text import SLIP_TEXTS, optimizer_steps

Name = Literal["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]
Number = Annotated[float, Field(ge=-1e4, le=1e4, allow_inf_nan=False)]
Vector = Annotated[tuple[Number, ...], Field(min_length=1, max_length=16)]
Rate = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
# Weight decay: L2 (added to the gradient) for these, decoupled for AdamW, none for the others.
L2_DECAY = ("sgd", "momentum", "nesterov", "adam")
DISPLAY = {
    "sgd": "SGD",
    "momentum": "SGD with momentum",
    "nesterov": "SGD with Nesterov momentum",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}


class OptimizerParams(Params):
    """Optimizer, start weights, one gradient list per step, and hyper-parameters.

    ``beta2`` is also RMSprop's decay ρ; ``eps`` defaults to PyTorch's (1e-10 for Adagrad,
    1e-8 otherwise); ``weight_decay`` defaults to 0.01 for AdamW and 0 otherwise.
    """

    name: Name = "adam"
    w: Annotated[tuple[Number, ...], Field(min_length=1, max_length=16)] = (1.0, -0.5)
    grads: Annotated[tuple[Vector, ...], Field(min_length=1, max_length=20)] = ((0.2, -0.1), (0.1, 0.3))
    lr: Annotated[float, Field(ge=1e-6, le=10, allow_inf_nan=False)] = 0.1
    momentum: Rate = 0.9
    beta1: Rate = 0.9
    beta2: Rate | None = None
    eps: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] | None = None
    weight_decay: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None


@dataclass(frozen=True)
class Hyper:
    """Resolved hyper-parameters plus the switches that reproduce common slips."""

    name: str
    lr: float
    momentum: float
    beta1: float
    beta2: float
    eps: float
    decay: float
    sign: float = 1.0  # −1: added the update instead of subtracting it
    use_lr: bool = True
    invert_lr: bool = False  # divided by η instead of multiplying
    use_momentum: bool = True
    use_sqrt: bool = True
    bias_correction: str = "both"  # "both", "none" or "m"
    lookahead: bool = True
    accumulate: bool = True  # Adagrad/RMSprop keep a history of g²
    dampened: bool = False  # momentum as an EMA: v = μv + (1−μ)·lr·g
    swap_decay: bool = False  # RMSprop/Adam with β and 1−β swapped
    decay_mode: str = "default"  # "default", "none" or "coupled" (AdamW as L2)


def hyper(p: OptimizerParams) -> Hyper:
    """Fill in the optimizer-specific defaults."""
    beta2 = p.beta2 if p.beta2 is not None else (0.99 if p.name == "rmsprop" else 0.999)
    eps = p.eps if p.eps is not None else (1e-10 if p.name == "adagrad" else 1e-8)
    decay = p.weight_decay if p.weight_decay is not None else (0.01 if p.name == "adamw" else 0.0)
    return Hyper(p.name, p.lr, p.momentum, p.beta1, beta2, eps, decay)


def run(p: OptimizerParams, h: Hyper) -> list[dict[str, list[float]]]:
    """Apply the optimizer step by step; record w and the state after every step."""
    w = np.asarray(p.w, dtype=np.float64)
    m, v = np.zeros_like(w), np.zeros_like(w)
    lr = (1 / h.lr if h.invert_lr else h.lr) if h.use_lr else 1.0
    trajectory = []
    for t, grad in enumerate(p.grads, start=1):
        g = np.asarray(grad, dtype=np.float64)
        coupled = h.decay_mode == "coupled" or (h.decay_mode == "default" and h.name in L2_DECAY)
        if coupled:
            g = g + h.decay * w  # L2 regularisation: the decay term joins the gradient
        if h.name == "adamw" and h.decay_mode == "default":
            w = w - h.lr * h.decay * w  # decoupled: shrink the weights before the Adam step
        state: dict[str, np.ndarray] = {}
        if h.name == "sgd" or (h.name in ("momentum", "nesterov") and not h.use_momentum):
            step = lr * g
        elif h.name in ("momentum", "nesterov"):
            v = h.momentum * v + (1 - h.momentum if h.dampened else 1.0) * lr * g
            step = lr * g + h.momentum * v if h.name == "nesterov" and h.lookahead else v
            state = {"v": v}
        elif h.name in ("adagrad", "rmsprop"):
            rho = h.beta2 if not h.swap_decay else 1 - h.beta2
            if h.name == "adagrad":
                v = v + g * g if h.accumulate else g * g
            else:
                v = rho * v + (1 - rho) * g * g if h.accumulate else v + g * g
            step = lr * g / ((np.sqrt(v) if h.use_sqrt else v) + h.eps)
            state = {"G" if h.name == "adagrad" else "v": v}
        else:
            b1, b2 = (h.beta2, h.beta1) if h.swap_decay else (h.beta1, h.beta2)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat = m / (1 - b1**t) if h.bias_correction in ("both", "m") else m
            v_hat = v / (1 - b2**t) if h.bias_correction == "both" else v
            step = lr * m_hat / ((np.sqrt(v_hat) if h.use_sqrt else v_hat) + h.eps)
            state = {"m": m, "v": v, "m_hat": m_hat, "v_hat": v_hat}
        w = w - h.sign * step
        trajectory.append({"w": w.tolist(), **{k: s.tolist() for k, s in state.items()}})
    return trajectory


class OptimizerStep(Calculator[OptimizerParams]):
    """Weights after a sequence of optimizer steps, with the optimizer's state at each step."""

    name = "optimizer_step"
    title = Text("优化器更新", "Optimizer updates")
    params_model = OptimizerParams
    asks = ("w", "answer")
    tolerance = 1e-3

    def validate(self, p: OptimizerParams) -> list[tuple[str, str]]:
        """Every gradient list matches w; weight decay only where the engine defines it."""
        errors = [
            (f"grads.{i}", f"expected {len(p.w)} gradients (one per weight in w), got {len(g)}")
            for i, g in enumerate(p.grads)
            if len(g) != len(p.w)
        ]
        if p.weight_decay and p.name in ("adagrad", "rmsprop"):
            errors.append(
                (
                    "weight_decay",
                    "weight decay is supported for sgd, momentum, nesterov and "
                    "adam (L2) and for adamw (decoupled), not for " + p.name,
                )
            )
        return errors

    def solve(self, p: OptimizerParams) -> Solution:
        """Run the loop, explain the first steps, check against a vectorised closed form."""
        h = hyper(p)
        trajectory = run(p, h)
        answer = {"w": trajectory[-1]["w"], "trajectory": trajectory}
        checks = [_closed_form_check(p, h, np.asarray(trajectory[-1]["w"]))]
        if h.name in ("adam", "adamw"):
            checks.append(_efficient_adam_check(p, h, np.asarray(trajectory[-1]["w"])))
        return Solution(answer, optimizer_steps(p, h, trajectory, run), checks)

    def sample(self, rng: np.random.Generator, template: OptimizerParams | None) -> OptimizerParams:
        """Same optimizer (and decay style) as the template; small friendly numbers."""
        names = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]
        name = template.name if template else names[int(rng.integers(len(names)))]
        size, steps = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        grid = [-2.0, -1.0, -0.5, -0.2, 0.2, 0.5, 1.0, 2.0]
        w = [float(v) for v in rng.choice(grid, size)]
        grads = [[float(v) for v in rng.choice(grid, size)] for _ in range(steps)]
        decay = None
        if template is not None and template.weight_decay and name in (*L2_DECAY, "adamw"):
            decay = float(rng.choice([0.01, 0.05, 0.1]))
        lr = float(
            rng.choice([0.01, 0.1, 0.5] if name in ("adam", "adamw", "rmsprop", "adagrad") else [0.1, 0.5])
        )
        return OptimizerParams(name=name, w=w, grads=grads, lr=lr, weight_decay=decay)

    def prompt(self, p: OptimizerParams, ask: str) -> Text:
        """'Starting from w = …, apply Adam with … to the gradients …'."""
        h = hyper(p)
        hp = _hyper_text(h)
        grads = "; ".join(f"g{t} = {_vec(g)}" for t, g in enumerate(p.grads, start=1))
        return Text(
            zh=f"参数初始为 w = {_vec(p.w)}，用 {DISPLAY[h.name]}（{hp}）依次处理梯度 {grads}。"
            f"{len(p.grads)} 步之后 w 等于多少？",
            en=f"Starting from w = {_vec(p.w)}, {DISPLAY[h.name]} ({hp}) is applied to the gradients "
            f"{grads}. What is w after {len(p.grads)} step(s)?",
        )

    def slips(self, p: OptimizerParams, ask: str) -> list[Slip]:
        """Re-run the loop with one classic mistake switched on."""
        h = hyper(p)
        variants = SLIP_VARIANTS[h.name] + (["no_decay"] if h.decay else [])
        out = []
        for name in variants:
            wrong = run(p, replace(h, **SLIP_SWITCHES[name]))
            value: Any = wrong[-1]["w"]
            if ask == "answer":
                value = {"w": value, "trajectory": wrong}
            label, why = SLIP_TEXTS[name]
            out.append(Slip(name, label, why, value))
        return out


SLIP_SWITCHES: dict[str, dict[str, Any]] = {
    "added_update": {"sign": -1.0},
    "forgot_lr": {"use_lr": False},
    "divided_by_lr": {"invert_lr": True},
    "no_momentum": {"use_momentum": False},
    "dampened_momentum": {"dampened": True},
    "no_lookahead": {"lookahead": False},
    "no_sqrt": {"use_sqrt": False},
    "no_accumulation": {"accumulate": False},
    "rmsprop_as_adagrad": {"accumulate": False},
    "swapped_decay_rate": {"swap_decay": True},
    "no_bias_correction": {"bias_correction": "none"},
    "bias_correction_m_only": {"bias_correction": "m"},
    "coupled_decay": {"decay_mode": "coupled"},
    "no_decay": {"decay_mode": "none"},
}
SLIP_VARIANTS: dict[str, list[str]] = {
    "sgd": ["added_update", "forgot_lr", "divided_by_lr"],
    "momentum": ["no_momentum", "added_update", "dampened_momentum"],
    "nesterov": ["no_lookahead", "no_momentum", "added_update"],
    "adagrad": ["no_sqrt", "no_accumulation", "added_update"],
    "rmsprop": ["no_sqrt", "rmsprop_as_adagrad", "swapped_decay_rate"],
    "adam": ["no_bias_correction", "no_sqrt", "bias_correction_m_only", "swapped_decay_rate"],
    "adamw": ["coupled_decay", "no_bias_correction", "no_sqrt", "no_decay"],
}


def _vec(values: Sequence[float] | np.ndarray) -> str:
    return "[" + ", ".join(f"{float(v):.6g}" for v in values) + "]"


def _hyper_text(h: Hyper) -> str:
    parts = [f"η = {h.lr:g}"]
    if h.name in ("momentum", "nesterov"):
        parts.append(f"μ = {h.momentum:g}")
    if h.name == "rmsprop":
        parts.append(f"ρ = {h.beta2:g}")
    if h.name in ("adam", "adamw"):
        parts += [f"β1 = {h.beta1:g}", f"β2 = {h.beta2:g}"]
    if h.name in ("adagrad", "rmsprop", "adam", "adamw"):
        parts.append(f"ε = {h.eps:g}")
    if h.decay:
        parts.append(f"weight decay λ = {h.decay:g}")
    return ", ".join(parts)


# ---- checks: the same numbers from formulas that never loop over w ------------------------


def _powers(base: float, steps: int) -> np.ndarray:
    """D[t, τ] = base^(t−τ) for τ ≤ t, else 0: one row per step of an exponential average."""
    t = np.arange(steps)
    exponent = t[:, None] - t[None, :]
    return np.where(exponent >= 0, base ** np.maximum(exponent, 0), 0.0)


def _closed_form_check(p: OptimizerParams, h: Hyper, w_loop: np.ndarray) -> Check:
    g, w0, steps = np.asarray(p.grads, dtype=np.float64), np.asarray(p.w, dtype=np.float64), len(p.grads)
    if h.name in ("sgd", "momentum", "nesterov"):
        w, how = _linear_closed_form(h, w0, g), "state-space powers A^t"
    elif h.name in ("adagrad", "rmsprop"):
        acc = (
            np.cumsum(g * g, axis=0)
            if h.name == "adagrad"
            else (1 - h.beta2) * _powers(h.beta2, steps) @ (g * g)
        )
        w, how = w0 - h.lr * (g / (np.sqrt(acc) + h.eps)).sum(axis=0), "cumulative sums of g²"
    else:
        t = np.arange(1, steps + 1)[:, None]
        m = (1 - h.beta1) * _powers(h.beta1, steps) @ g
        v = (1 - h.beta2) * _powers(h.beta2, steps) @ (g * g)
        u = (m / (1 - h.beta1**t)) / (np.sqrt(v / (1 - h.beta2**t)) + h.eps)
        if h.name == "adam" and h.decay:
            return Check("closed_form", True, "skipped: L2 decay makes Adam's update depend on w")
        c = 1 - h.lr * h.decay  # AdamW shrinks w by c before each step; c = 1 without decay
        w = c**steps * w0 - h.lr * (c ** (steps - t) * u).sum(axis=0)
        how = "exponential-average matrices"
    error = float(np.max(np.abs(w - w_loop) / np.maximum(1.0, np.abs(w_loop))))
    return Check(
        "closed_form",
        error < 1e-9,
        f"vectorised closed form ({how}) gives {_vec(w)}; max relative difference from the loop {error:.1e}",
    )


def _linear_closed_form(h: Hyper, w0: np.ndarray, g: np.ndarray) -> np.ndarray:
    """SGD, momentum and Nesterov are linear: s_t = A s_{t−1} + B g_t with s = (w, v)."""
    lr, mu, lam = h.lr, (h.momentum if h.name != "sgd" else 0.0), h.decay
    if h.name == "nesterov":
        a = np.array([[1 - lr * lam * (1 + mu), -mu * mu], [lr * lam, mu]])
        b = np.array([-lr * (1 + mu), lr])
    else:
        a = np.array([[1 - lr * lam, -mu], [lr * lam, mu]])
        b = np.array([-lr, lr])
    steps = len(g)
    power = [np.linalg.matrix_power(a, k) for k in range(steps + 1)]
    s0 = np.stack([w0, np.zeros_like(w0)])
    s = power[steps] @ s0 + sum(power[steps - t] @ np.outer(b, g[t - 1]) for t in range(1, steps + 1))
    return np.asarray(s[0])


def _efficient_adam_check(p: OptimizerParams, h: Hyper, w_loop: np.ndarray) -> Check:
    """Kingma & Ba's 'efficient' form: fold both corrections into α_t and ε̂ = ε√(1−β2^t)."""
    w = np.asarray(p.w, dtype=np.float64)
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t, grad in enumerate(p.grads, start=1):
        g = np.asarray(grad, dtype=np.float64) + (h.decay * w if h.name == "adam" else 0.0)
        if h.name == "adamw":
            w = w * (1 - h.lr * h.decay)
        m = h.beta1 * m + (1 - h.beta1) * g
        v = h.beta2 * v + (1 - h.beta2) * g * g
        alpha = h.lr * np.sqrt(1 - h.beta2**t) / (1 - h.beta1**t)
        w = w - alpha * m / (np.sqrt(v) + h.eps * np.sqrt(1 - h.beta2**t))
    error = float(np.max(np.abs(w - w_loop) / np.maximum(1.0, np.abs(w_loop))))
    return Check(
        "adam_efficient_form",
        error < 1e-9,
        f"α_t = η√(1−β2^t)/(1−β1^t), ε̂ = ε√(1−β2^t) gives {_vec(w)}; relative difference {error:.1e}",
    )
