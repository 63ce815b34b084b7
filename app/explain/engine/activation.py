"""Activation functions and their derivatives, checked by finite differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field

from app.explain.engine.activation_math import (
    DEFAULT_ALPHA,
    DERIVATIVES,
    DISPLAY,
    FORMULAS,
    KINKED,
    NOTES,
    PLAIN,
    VALUES,
    phi,
)
from app.explain.engine.activation_slips import DERIVATIVE_SLIPS, VALUE_SLIPS
from app.explain.engine.base import Calculator, Check, Params, Slip, Solution, Step, Text

Name = Literal["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "silu"]
Number = Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]
_H = 1e-5  # finite-difference step: truncation ~h², round-off ~1e-16/h, both far below 1e-6


class ActivationParams(Params):
    """Activation name, the input(s) x and α (leaky slope or ELU scale)."""

    name: Name = "sigmoid"
    x: Number | Annotated[list[Number], Field(min_length=1, max_length=32)] = 1.0
    alpha: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)] | None = None


def _alpha(p: ActivationParams) -> float:
    return p.alpha if p.alpha is not None else DEFAULT_ALPHA.get(p.name, 0.0)


def _xs(p: ActivationParams) -> np.ndarray:
    return np.atleast_1d(np.asarray(p.x, dtype=np.float64))


def _shape(p: ActivationParams, values: np.ndarray) -> Any:
    """A list when x is a list, a number when x is a number."""
    return [float(v) for v in values] if isinstance(p.x, list) else float(values[0])


class Activation(Calculator[ActivationParams]):
    """f(x) and f′(x) of a common activation."""

    name = "activation"
    title = Text("激活函数及其导数", "Activation functions and their derivatives")
    params_model = ActivationParams
    asks = ("derivative", "value", "answer")
    tolerance = 5e-4

    def validate(self, p: ActivationParams) -> list[tuple[str, str]]:
        """α only means something for leaky ReLU and ELU."""
        if p.alpha is not None and p.name not in DEFAULT_ALPHA:
            return [("alpha", f"alpha applies to leaky_relu and elu only, not to {p.name}")]
        return []

    def solve(self, p: ActivationParams) -> Solution:
        """Evaluate f and f′, explain them, check by finite differences and a second formula."""
        x, a = _xs(p), _alpha(p)
        value, slope = VALUES[p.name](x, a), DERIVATIVES[p.name](x, a)
        answer = {"value": _shape(p, value), "derivative": _shape(p, slope)}
        checks = [_finite_difference_check(p.name, x, a, slope), _value_check(p.name, x, a, value)]
        return Solution(answer, _steps(p, x, a, value, slope), checks)

    def sample(self, rng: np.random.Generator, template: ActivationParams | None) -> ActivationParams:
        """Same function and same scalar/list form as the template, fresh inputs."""
        names = list(VALUES)
        name = template.name if template else names[int(rng.integers(len(names)))]
        grid = [-3.0, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0]
        if name in KINKED:
            grid += [0.0, 0.0]
        as_list = isinstance(template.x, list) if template else bool(rng.integers(2))
        picks = [float(v) for v in rng.choice(grid, size=3 if as_list else 1, replace=False)]
        alpha = None
        if name in DEFAULT_ALPHA and (template is None or template.alpha is not None):
            alpha = float(
                rng.choice([0.01, 0.1, 0.2]) if name == "leaky_relu" else rng.choice([0.5, 1.0, 2.0])
            )
        return ActivationParams(name=name, x=sorted(picks) if as_list else picks[0], alpha=alpha)

    def prompt(self, p: ActivationParams, ask: str) -> Text:
        """'For ELU with α = 1, what is f′(x) at x = …?'"""
        label = DISPLAY[p.name] + (f" (α = {_alpha(p):g})" if p.name in DEFAULT_ALPHA else "")
        xs = ", ".join(f"{v:g}" for v in _xs(p))
        what_zh = {"value": "f(x)", "derivative": "f′(x)", "answer": "f(x) 和 f′(x)"}[ask]
        what_en = {"value": "f(x)", "derivative": "f′(x)", "answer": "f(x) and f′(x)"}[ask]
        return Text(
            zh=f"激活函数 {label}，在 x = {xs} 处 {what_zh} 等于多少？（x = 0 处按 PyTorch 的约定）",
            en=f"For the activation {label}, what is {what_en} at x = {xs}? (At x = 0 use "
            "PyTorch's convention.)",
        )

    def slips(self, p: ActivationParams, ask: str) -> list[Slip]:
        """Named wrong formulas for the asked quantity."""
        x, a = _xs(p), _alpha(p)
        table = VALUE_SLIPS if ask == "value" else DERIVATIVE_SLIPS
        out = []
        for name, label, why, fn in table[p.name]:
            wrong = _shape(p, np.asarray(fn(x, a), dtype=np.float64))
            if ask == "answer":
                wrong = {"value": _shape(p, VALUES[p.name](x, a)), "derivative": wrong}
            out.append(Slip(name, label, why, wrong))
        return out


def _steps(p: ActivationParams, x: np.ndarray, a: float, value: np.ndarray, slope: np.ndarray) -> list[Step]:
    f, df = FORMULAS[p.name]
    alpha = f"，α = {a:g}" if p.name in DEFAULT_ALPHA else ""
    alpha_en = f", α = {a:g}" if p.name in DEFAULT_ALPHA else ""
    steps = [
        Step(
            f"{DISPLAY[p.name]} 的定义{alpha}：{PLAIN[p.name][0]}。",
            f"Definition of {DISPLAY[p.name]}{alpha_en}: {PLAIN[p.name][0]}.",
            f,
        ),
        Step(f"对 x 求导：{PLAIN[p.name][1]}。", f"Its derivative: {PLAIN[p.name][1]}.", df),
    ]
    for xi, v, d in zip(x[:8], value[:8], slope[:8], strict=True):
        kink = p.name in KINKED and xi == 0
        zh = f"x = {xi:g}：f(x) = {v:.6g}，f′(x) = {d:.6g}"
        en = f"x = {xi:g}: f(x) = {v:.6g}, f′(x) = {d:.6g}"
        if kink:
            zh += "（x = 0 是折点，左导数和右导数不同，PyTorch 取左侧的值）"
            en += " (x = 0 is a kink where the left and right slopes differ; PyTorch uses the left one)"
        steps.append(Step(zh + "。", en + ".", rf"f({xi:g}) = {v:.6g},\quad f'({xi:g}) = {d:.6g}"))
    if len(x) > 8:
        steps.append(
            Step(f"其余 {len(x) - 8} 个点同理。", f"The other {len(x) - 8} points work the same way.")
        )
    steps.append(Step(*NOTES[p.name]))
    return steps


def _finite_difference_check(name: str, x: np.ndarray, a: float, slope: np.ndarray) -> Check:
    """Central differences at smooth points; one-sided ones next to a kink.

    At the kink itself the left difference is PyTorch's choice (ReLU′(0) = 0); just right of it
    the right difference, so the stencil never straddles the kink.
    """
    f = VALUES[name]
    central = (f(x + _H, a) - f(x - _H, a)) / (2 * _H)
    # Second-order one-sided differences: error O(h²) like the central one.
    left = (3 * f(x, a) - 4 * f(x - _H, a) + f(x - 2 * _H, a)) / (2 * _H)
    right = (-3 * f(x, a) + 4 * f(x + _H, a) - f(x + 2 * _H, a)) / (2 * _H)
    near = (np.abs(x) < 2 * _H) & (name in KINKED)
    numeric = np.where(near, np.where(x > 0, right, left), central)
    error = float(np.max(np.abs(numeric - slope)))
    return Check(
        "finite_difference",
        error < 1e-5,
        f"max |numeric − analytic| = {error:.2e} (central differences, h = {_H:g}; "
        "left differences at kinks)",
    )


def _value_check(name: str, x: np.ndarray, a: float, value: np.ndarray) -> Check:
    """The value again from a different identity (or a quadrature for Φ)."""
    s = (1 + np.tanh(x / 2)) / 2  # σ(x) through tanh
    other: dict[str, Callable[[], np.ndarray]] = {
        "sigmoid": lambda: s,
        "tanh": lambda: np.expm1(2 * x) / (np.exp(2 * x) + 1),
        "relu": lambda: (x + np.abs(x)) / 2,
        "leaky_relu": lambda: (1 + a) / 2 * x + (1 - a) / 2 * np.abs(x),
        "elu": lambda: np.maximum(x, 0) + a * (np.exp(np.minimum(x, 0)) - 1),
        "softplus": lambda: np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))),
        "gelu": lambda: x * _cdf_by_quadrature(x),
        "silu": lambda: x * s,
    }
    error = float(np.max(np.abs(other[name]() - value)))
    return Check("independent_value", error < 1e-9, f"max difference from a second formula = {error:.2e}")


def _cdf_by_quadrature(x: np.ndarray) -> np.ndarray:
    """Φ(x) = ½ + ∫₀ˣ φ(t) dt by Simpson's rule on 2001 points (no erf involved)."""
    t = np.linspace(0.0, 1.0, 2001)[None, :] * x[:, None]
    y = phi(t)
    h = x / 2000
    simpson: np.ndarray = (
        h / 3 * (y[:, 0] + y[:, -1] + 4 * y[:, 1:-1:2].sum(axis=1) + 2 * y[:, 2:-1:2].sum(axis=1))
    )
    return 0.5 + simpson
