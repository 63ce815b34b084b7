"""The activation functions, their derivatives and formulas (NumPy, float64)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

Fn = Callable[[np.ndarray, float], np.ndarray]
# Functions with a kink at 0, where PyTorch picks the left derivative (ReLU′(0) = 0).
KINKED = ("relu", "leaky_relu", "elu")
DEFAULT_ALPHA = {"leaky_relu": 0.01, "elu": 1.0}
DISPLAY = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "elu": "ELU",
    "softplus": "softplus",
    "gelu": "GELU",
    "silu": "SiLU",
}


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1/(1+e^{−x}) without overflow: e^{−|x|} never exceeds 1."""
    e = np.exp(-np.abs(x))
    out: np.ndarray = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return out


def phi(x: np.ndarray) -> np.ndarray:
    """φ(x), the standard normal density."""
    out: np.ndarray = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return out


def cdf(x: np.ndarray) -> np.ndarray:
    """Φ(x), the standard normal CDF, through math.erf (NumPy has no erf)."""
    erf: np.ndarray = np.vectorize(math.erf, otypes=[float])(x / math.sqrt(2))
    return 0.5 * (1 + erf)


VALUES: dict[str, Fn] = {
    "sigmoid": lambda x, a: sigmoid(x),
    "tanh": lambda x, a: np.tanh(x),
    "relu": lambda x, a: np.maximum(x, 0.0),
    "leaky_relu": lambda x, a: np.where(x > 0, x, a * x),
    "elu": lambda x, a: np.where(x > 0, x, a * np.expm1(np.minimum(x, 0.0))),
    "softplus": lambda x, a: np.logaddexp(0.0, x),
    "gelu": lambda x, a: x * cdf(x),
    "silu": lambda x, a: x * sigmoid(x),
}
DERIVATIVES: dict[str, Fn] = {
    "sigmoid": lambda x, a: sigmoid(x) * (1 - sigmoid(x)),
    "tanh": lambda x, a: 1 - np.tanh(x) ** 2,
    "relu": lambda x, a: (x > 0).astype(float),
    "leaky_relu": lambda x, a: np.where(x > 0, 1.0, a),
    "elu": lambda x, a: np.where(x > 0, 1.0, a * np.exp(np.minimum(x, 0.0))),
    "softplus": lambda x, a: sigmoid(x),
    "gelu": lambda x, a: cdf(x) + x * phi(x),
    "silu": lambda x, a: sigmoid(x) * (1 + x * (1 - sigmoid(x))),
}
FORMULAS: dict[str, tuple[str, str]] = {
    "sigmoid": (r"\sigma(x)=\frac{1}{1+e^{-x}}", r"\sigma'(x)=\sigma(x)\,(1-\sigma(x))"),
    "tanh": (r"\tanh x=\frac{e^{x}-e^{-x}}{e^{x}+e^{-x}}", r"\tanh'(x)=1-\tanh^2 x"),
    "relu": (r"\mathrm{ReLU}(x)=\max(0,x)", r"\mathrm{ReLU}'(x)=[x>0]"),
    "leaky_relu": (
        r"f(x)=\begin{cases}x & x>0\\ \alpha x & x\le 0\end{cases}",
        r"f'(x)=\begin{cases}1 & x>0\\ \alpha & x\le 0\end{cases}",
    ),
    "elu": (
        r"f(x)=\begin{cases}x & x>0\\ \alpha(e^{x}-1) & x\le 0\end{cases}",
        r"f'(x)=\begin{cases}1 & x>0\\ \alpha e^{x} & x\le 0\end{cases}",
    ),
    "softplus": (r"\mathrm{softplus}(x)=\ln(1+e^{x})", r"\mathrm{softplus}'(x)=\sigma(x)"),
    "gelu": (
        r"\mathrm{GELU}(x)=x\,\Phi(x),\ \Phi(x)=\tfrac12\big(1+\mathrm{erf}(x/\sqrt2)\big)",
        r"\mathrm{GELU}'(x)=\Phi(x)+x\,\varphi(x),\ \varphi(x)=\tfrac{e^{-x^2/2}}{\sqrt{2\pi}}",
    ),
    "silu": (r"\mathrm{SiLU}(x)=x\,\sigma(x)", r"\mathrm{SiLU}'(x)=\sigma(x)\,\big(1+x(1-\sigma(x))\big)"),
}
# The same formulas as plain text, for readers without LaTeX (the CLI).
PLAIN: dict[str, tuple[str, str]] = {
    "sigmoid": ("σ(x) = 1/(1 + e^(−x))", "σ′(x) = σ(x)(1 − σ(x))"),
    "tanh": ("tanh(x) = (e^x − e^(−x))/(e^x + e^(−x))", "tanh′(x) = 1 − tanh²(x)"),
    "relu": ("ReLU(x) = max(0, x)", "ReLU′(x) = 1 if x > 0 else 0"),
    "leaky_relu": ("f(x) = x if x > 0 else αx", "f′(x) = 1 if x > 0 else α"),
    "elu": ("f(x) = x if x > 0 else α(e^x − 1)", "f′(x) = 1 if x > 0 else α·e^x"),
    "softplus": ("softplus(x) = ln(1 + e^x)", "softplus′(x) = σ(x)"),
    "gelu": ("GELU(x) = x·Φ(x), Φ(x) = ½(1 + erf(x/√2))", "GELU′(x) = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π)"),
    "silu": ("SiLU(x) = x·σ(x)", "SiLU′(x) = σ(x)(1 + x(1 − σ(x)))"),
}
NOTES: dict[str, tuple[str, str]] = {
    "sigmoid": (
        "σ′ 最大只有 0.25（在 x = 0），层层相乘容易梯度消失。",
        "σ′ is at most 0.25 (at x = 0), so stacked sigmoids shrink gradients.",
    ),
    "tanh": (
        "tanh(x) = 2σ(2x) − 1（缩放再平移的 sigmoid），输出以 0 为中心，导数最大为 1。",
        "tanh(x) = 2σ(2x) − 1 (a scaled and shifted sigmoid): zero-centred, slope ≤ 1.",
    ),
    "relu": (
        "x = 0 处不可导，PyTorch 取 ReLU′(0) = 0；x < 0 时梯度为 0，神经元可能“死亡”。",
        "ReLU has no derivative at 0; PyTorch uses ReLU′(0) = 0. For x < 0 the gradient is "
        "0, so a unit can die.",
    ),
    "leaky_relu": (
        "负半轴保留斜率 α，神经元不会死亡；x = 0 处 PyTorch 取 α。",
        "The negative side keeps slope α, so units do not die; PyTorch uses α at 0.",
    ),
    "elu": (
        "负半轴平滑地趋于 −α；x = 0 处 PyTorch 取 α·e⁰ = α（α = 1 时处处可导）。",
        "The negative side tends smoothly to −α; at 0 PyTorch uses α·e⁰ = α (with α = 1 "
        "the function is differentiable everywhere).",
    ),
    "softplus": (
        "softplus 是 ReLU 的光滑版本，导数正好是 sigmoid。",
        "Softplus is a smooth ReLU whose derivative is exactly the sigmoid.",
    ),
    "gelu": (
        "GELU 按输入落在标准正态下的概率 Φ(x) 缩放输入（这里用 erf 精确式，不是 tanh 近似）。",
        "GELU scales x by Φ(x), the standard normal CDF (the exact erf form, not the tanh approximation).",
    ),
    "silu": (
        "SiLU（Swish）= x·σ(x)，非单调，在 x ≈ −1.28 处取最小值。",
        "SiLU (Swish) = x·σ(x) is not monotonic: its minimum is near x ≈ −1.28.",
    ),
}
