"""Batch normalisation forward pass in training mode, with PyTorch's running statistics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from pydantic import Field

from app.explain.engine.base import Calculator, Check, Params, Slip, Solution, Step, Text

Number = Annotated[float, Field(ge=-1e4, le=1e4, allow_inf_nan=False)]
Row = Annotated[tuple[Number, ...], Field(min_length=1, max_length=16)]
PerFeature = Number | Row


class BatchNormParams(Params):
    """A batch × features input, scale γ, shift β, ε and PyTorch's momentum (running stats start 0/1)."""

    x: Annotated[tuple[Row, ...], Field(min_length=2, max_length=64)] = (
        (1.0, 2.0),
        (3.0, 6.0),
        (5.0, 4.0),
        (7.0, 0.0),
    )
    gamma: PerFeature = 1.0
    beta: PerFeature = 0.0
    eps: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 1e-5
    momentum: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.1


@dataclass(frozen=True)
class Slipped:
    """Switches for the classic mistakes."""

    ddof: int = 0  # 1: the unbiased variance used for the batch statistics
    axis: int = 0  # 1: normalised each sample over its features (that is LayerNorm)
    gamma_as_variance: bool = False  # scaled by √γ, as if γ were the output variance
    divide_by_variance: bool = False  # (x − μ)/(σ² + ε) instead of /√(σ² + ε)
    running_ddof: int = 1  # 0: the biased variance went into the running average
    swap_momentum: bool = False  # new = momentum·old + (1 − momentum)·batch (Keras' convention)
    mean_over_m_minus_1: bool = False  # divided the sum by m − 1 for the mean too
    std_for_var: bool = False  # reported the standard deviation as the variance
    no_momentum: bool = False  # replaced the running statistics by the batch's
    running_var_from_zero: bool = False  # started running_var at 0 like running_mean
    running_mean_from_one: bool = False  # started running_mean at 1 like running_var
    sum_for_mean: bool = False  # reported the column sums as the mean


def _vector(value: PerFeature, n: int) -> np.ndarray:
    return np.full(n, float(value)) if isinstance(value, int | float) else np.asarray(value, dtype=np.float64)


def compute(p: BatchNormParams, v: Slipped | None = None) -> dict[str, Any]:
    """The forward pass with explicit sums (no np.mean/np.var, which the checks use)."""
    v = v or Slipped()
    x = np.asarray(p.x, dtype=np.float64)
    m, n = x.shape
    gamma, beta = _vector(p.gamma, n), _vector(p.beta, n)
    count = x.shape[v.axis]
    mean = x.sum(axis=v.axis, keepdims=True) / (count - v.mean_over_m_minus_1)
    var = ((x - mean) ** 2).sum(axis=v.axis, keepdims=True) / (count - v.ddof)
    scale = var + p.eps if v.divide_by_variance else np.sqrt(var + p.eps)
    x_hat = (x - mean) / scale
    y = (np.sqrt(gamma) if v.gamma_as_variance else gamma) * x_hat + beta
    batch_mean = x.sum(axis=0) / m
    batch_var = ((x - batch_mean) ** 2).sum(axis=0) / (m - v.running_ddof)
    keep, take = (p.momentum, 1 - p.momentum) if v.swap_momentum else (1 - p.momentum, p.momentum)
    keep, take = (0.0, 1.0) if v.no_momentum else (keep, take)
    return {
        "mean": (mean * count if v.sum_for_mean else mean).ravel().tolist(),
        "var": (np.sqrt(var) if v.std_for_var else var).ravel().tolist(),
        "x_hat": x_hat.tolist(),
        "y": y.tolist(),
        "running_mean": (keep * (1.0 if v.running_mean_from_one else 0.0) + take * batch_mean).tolist(),
        "running_var": (keep * (0.0 if v.running_var_from_zero else 1.0) + take * batch_var).tolist(),
    }


class BatchNormForward(Calculator[BatchNormParams]):
    """BN statistics, normalised values, output and updated running statistics."""

    name = "bn_forward"
    title = Text("批归一化前向计算", "Batch normalisation forward pass")
    params_model = BatchNormParams
    asks = ("y", "mean", "var", "x_hat", "running_mean", "running_var", "answer")
    tolerance = 1e-3

    def validate(self, p: BatchNormParams) -> list[tuple[str, str]]:
        """Rows of equal length; γ and β either one number or one per feature."""
        n = len(p.x[0])
        errors = [
            (f"x.{i}", f"every sample needs {n} features like the first one, got {len(row)}")
            for i, row in enumerate(p.x)
            if len(row) != n
        ]
        for key in ("gamma", "beta"):
            value = getattr(p, key)
            if not isinstance(value, int | float) and len(value) != n:
                errors.append((key, f"expected one number or {n} values (one per feature), got {len(value)}"))
        return errors

    def solve(self, p: BatchNormParams) -> Solution:
        """Compute, explain, and check against NumPy's own mean/var and a folded affine form."""
        answer = compute(p)
        return Solution(answer, _steps(p, answer), _checks(p, answer))

    def sample(self, rng: np.random.Generator, template: BatchNormParams | None) -> BatchNormParams:
        """A small integer batch (non-constant columns), γ and β from friendly grids."""
        m = int(rng.integers(3, 6)) if template is None else len(template.x)
        n = int(rng.integers(1, 4)) if template is None else len(template.x[0])
        while True:
            x = rng.integers(-5, 9, size=(m, n)).astype(float)
            if np.all(x.std(axis=0) > 0):
                break
        gamma = tuple(float(g) for g in rng.choice([0.5, 1.0, 2.0, 3.0], n))
        beta = tuple(float(b) for b in rng.choice([-1.0, 0.0, 0.5, 1.0], n))
        rows = tuple(tuple(float(v) for v in row) for row in x)
        return BatchNormParams(x=rows, gamma=gamma, beta=beta)

    def prompt(self, p: BatchNormParams, ask: str) -> Text:
        """'A BN layer in training mode receives …: what is …?'"""
        rows = "; ".join("[" + ", ".join(f"{v:g}" for v in row) + "]" for row in p.x)
        what = {
            "y": ("输出 y", "the output y"),
            "mean": ("批均值 μ", "the batch mean μ"),
            "var": ("批方差 σ²", "the batch variance σ²"),
            "x_hat": ("归一化后的 x̂", "the normalised x̂"),
            "running_mean": ("更新后的 running_mean", "the updated running_mean"),
            "running_var": ("更新后的 running_var", "the updated running_var"),
            "answer": (
                "μ、σ²、x̂、y 和更新后的 running 统计量",
                "μ, σ², x̂, y and the updated running statistics",
            ),
        }[ask]
        return Text(
            zh=f"训练模式下的 BatchNorm（每列一个特征，batch = {len(p.x)}）输入 x = [{rows}]，"
            f"γ = {_show(p.gamma)}，β = {_show(p.beta)}，ε = {p.eps:g}，momentum = {p.momentum:g}"
            f"（PyTorch 约定，running 统计量初始为 0 和 1）。求{what[0]}。",
            en=f"A BatchNorm layer in training mode (one feature per column, batch of {len(p.x)}) receives "
            f"x = [{rows}], γ = {_show(p.gamma)}, β = {_show(p.beta)}, ε = {p.eps:g}, momentum = "
            f"{p.momentum:g} (PyTorch's convention; running statistics start at 0 and 1). Find {what[1]}.",
        )

    def slips(self, p: BatchNormParams, ask: str) -> list[Slip]:
        """Unbiased batch variance, γ as a variance, wrong axis, dividing by σ², running-stat slips."""
        out = []
        for name, switch in SLIPS.items():
            wrong = compute(p, switch)
            value = wrong if ask == "answer" else wrong[ask]
            out.append(Slip(name, *SLIP_TEXTS[name], value))
        return out


SLIPS = {
    "unbiased_batch_variance": Slipped(ddof=1),
    "gamma_as_variance": Slipped(gamma_as_variance=True),
    "wrong_axis": Slipped(axis=1),
    "divided_by_variance": Slipped(divide_by_variance=True),
    "biased_running_variance": Slipped(running_ddof=0),
    "momentum_reversed": Slipped(swap_momentum=True),
    "std_for_var": Slipped(std_for_var=True),
    "mean_over_m_minus_1": Slipped(mean_over_m_minus_1=True),
    "no_momentum": Slipped(no_momentum=True),
    "running_var_from_zero": Slipped(running_var_from_zero=True),
    "running_mean_from_one": Slipped(running_mean_from_one=True),
    "sum_for_mean": Slipped(sum_for_mean=True),
}
SLIP_TEXTS: dict[str, tuple[Text, Text]] = {
    "unbiased_batch_variance": (
        Text("批统计量用了无偏方差", "used the unbiased variance for the batch statistics"),
        Text(
            "训练时归一化用有偏方差（除以 m）；m/(m−1) 只用于 running_var。",
            "Training normalises with the biased variance (divide by m); m/(m−1) is for running_var only.",
        ),
    ),
    "gamma_as_variance": (
        Text("把 γ 当成方差", "took γ as the variance"),
        Text(
            "γ 是输出的标准差（方差是 γ²），直接乘 γ，不是 √γ。",
            "γ is the output's standard deviation (variance γ²): multiply by γ, not √γ.",
        ),
    ),
    "wrong_axis": (
        Text("在错误的维度上求统计量", "normalised over the wrong axis"),
        Text(
            "BN 对每个特征在 batch 维上求均值方差；按样本求是 LayerNorm。",
            "BN takes statistics per feature over the batch; per sample is LayerNorm.",
        ),
    ),
    "divided_by_variance": (
        Text("除以方差而不是标准差", "divided by the variance, not the standard deviation"),
        Text("x̂ = (x − μ)/√(σ² + ε)。", "x̂ = (x − μ)/√(σ² + ε)."),
    ),
    "biased_running_variance": (
        Text("running_var 用了有偏方差", "used the biased variance for running_var"),
        Text(
            "PyTorch 更新 running_var 时用无偏估计 σ²·m/(m−1)。",
            "PyTorch feeds the unbiased σ²·m/(m−1) into running_var.",
        ),
    ),
    "momentum_reversed": (
        Text("momentum 的含义弄反了", "reversed the momentum convention"),
        Text(
            "PyTorch：new = (1 − momentum)·old + momentum·batch（Keras 的 0.99 是反过来的）。",
            "PyTorch: new = (1 − momentum)·old + momentum·batch (Keras' 0.99 is the other way round).",
        ),
    ),
    "mean_over_m_minus_1": (
        Text("均值除以了 m − 1", "divided the mean by m − 1"),
        Text(
            "均值总是除以 m；m − 1 只出现在无偏方差里。",
            "A mean divides by m; m − 1 belongs to the unbiased variance.",
        ),
    ),
    "std_for_var": (
        Text("给出了标准差", "gave the standard deviation"),
        Text("σ² 是方差，σ 才是标准差。", "σ² is the variance; σ is the standard deviation."),
    ),
    "no_momentum": (
        Text("running 统计量直接换成了 batch 统计量", "replaced the running statistics by the batch's"),
        Text(
            "running 统计量是指数滑动平均，每步只移动 momentum 那么多。",
            "Running statistics are an exponential moving average: each step moves them by momentum only.",
        ),
    ),
    "running_var_from_zero": (
        Text("running_var 从 0 开始", "started running_var at 0"),
        Text(
            "PyTorch 的 running_var 初始为 1（running_mean 才是 0）。",
            "PyTorch initialises running_var to 1 (running_mean to 0).",
        ),
    ),
    "running_mean_from_one": (
        Text("running_mean 从 1 开始", "started running_mean at 1"),
        Text(
            "PyTorch 的 running_mean 初始为 0（running_var 才是 1）。",
            "PyTorch initialises running_mean to 0 (running_var to 1).",
        ),
    ),
    "sum_for_mean": (
        Text("求和后忘了除以 m", "forgot to divide the sum by m"),
        Text("均值 = 总和 / m。", "The mean is the sum divided by m."),
    ),
}


def _show(value: PerFeature) -> str:
    return f"{value:g}" if isinstance(value, int | float) else "[" + ", ".join(f"{v:g}" for v in value) + "]"


def _vec(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.6g}" for v in values) + "]"


def _mat(rows: list[list[float]]) -> str:
    return "[" + "; ".join(_vec(r) for r in rows) + "]"


def _steps(p: BatchNormParams, a: dict[str, Any]) -> list[Step]:
    m = len(p.x)
    unbiased = [v * m / (m - 1) for v in a["var"]]
    inference = _inference_output(p, a)
    return [
        Step(
            f"每个特征（每一列）在 batch 维上求均值：μ = {_vec(a['mean'])}。",
            f"Each feature (column) is averaged over the batch: μ = {_vec(a['mean'])}.",
            r"\mu_d = \frac1m \sum_{i=1}^m x_{i,d}",
        ),
        Step(
            f"训练时用有偏方差（除以 m = {m}）：σ² = {_vec(a['var'])}。",
            f"Training uses the biased variance (divide by m = {m}): σ² = {_vec(a['var'])}.",
            r"\sigma_d^2 = \frac1m \sum_{i=1}^m (x_{i,d}-\mu_d)^2",
        ),
        Step(
            f"归一化：x̂ = (x − μ)/√(σ² + ε)，ε = {p.eps:g} 防止除以 0：x̂ = {_mat(a['x_hat'])}。",
            f"Normalise: x̂ = (x − μ)/√(σ² + ε), with ε = {p.eps:g} against division by 0: "
            f"x̂ = {_mat(a['x_hat'])}.",
            r"\hat x_{i,d} = \frac{x_{i,d}-\mu_d}{\sqrt{\sigma_d^2+\epsilon}}",
        ),
        Step(
            f"缩放平移：y = γx̂ + β = {_mat(a['y'])}。每列输出的均值是 β、标准差约为 |γ|——方差是 γ²，"
            "不是种子题说的 γ。",
            f"Scale and shift: y = γx̂ + β = {_mat(a['y'])}. Each column now has mean β and standard "
            "deviation about |γ| — variance γ², not γ as the seed says.",
            r"y_{i,d} = \gamma_d \hat x_{i,d} + \beta_d",
        ),
        Step(
            f"更新 running 统计量（PyTorch：new = (1 − momentum)·old + momentum·batch，初始 0 和 1）："
            f"running_mean = {_vec(a['running_mean'])}；running_var 用无偏方差 σ²·m/(m−1) = "
            f"{_vec(unbiased)}，得 {_vec(a['running_var'])}。",
            "Update the running statistics (PyTorch: new = (1 − momentum)·old + momentum·batch, starting "
            f"from 0 and 1): running_mean = {_vec(a['running_mean'])}; running_var takes the unbiased "
            f"σ²·m/(m−1) = {_vec(unbiased)}, giving {_vec(a['running_var'])}.",
            r"\hat\mu \leftarrow (1-\alpha)\hat\mu + \alpha\mu,\quad "
            r"\hat\sigma^2 \leftarrow (1-\alpha)\hat\sigma^2 + \alpha\,\frac{m}{m-1}\sigma^2",
        ),
        Step(
            "推理时不再用当前 batch 的统计量（可能只有一个样本），而是用 running 统计量："
            f"同一批数据在 eval 模式下会得到 y = {_mat(inference)}——running 统计量只走了一步，"
            "离真实分布还很远，所以训练要跑足够多步，BN 才在推理时可用。",
            "At inference BN no longer uses the batch's statistics (there may be a single sample) but the "
            f"running ones: the same batch in eval mode gives y = {_mat(inference)} — after one step the "
            "running statistics are still far from the data, which is why BN needs many training steps "
            "before it works at inference.",
            r"y = \gamma \frac{x-\hat\mu}{\sqrt{\hat\sigma^2+\epsilon}} + \beta",
        ),
    ]


def _inference_output(p: BatchNormParams, a: dict[str, Any]) -> list[list[float]]:
    x = np.asarray(p.x, dtype=np.float64)
    n = x.shape[1]
    gamma, beta = _vector(p.gamma, n), _vector(p.beta, n)
    rm, rv = np.asarray(a["running_mean"]), np.asarray(a["running_var"])
    return [[float(v) for v in row] for row in gamma * (x - rm) / np.sqrt(rv + p.eps) + beta]


def _checks(p: BatchNormParams, a: dict[str, Any]) -> list[Check]:
    x = np.asarray(p.x, dtype=np.float64)
    n, m = x.shape[1], x.shape[0]
    gamma, beta = _vector(p.gamma, n), _vector(p.beta, n)
    mean, var = np.mean(x, axis=0), np.var(x, axis=0)
    stats_error = float(max(np.max(np.abs(mean - a["mean"])), np.max(np.abs(var - a["var"]))))
    x_hat = np.asarray(a["x_hat"])
    moments = float(
        max(np.max(np.abs(x_hat.mean(axis=0))), np.max(np.abs(x_hat.var(axis=0) - var / (var + p.eps))))
    )
    scale = gamma / np.sqrt(var + p.eps)
    folded = scale * x + (beta - scale * mean)
    fold_error = float(np.max(np.abs(folded - np.asarray(a["y"]))))
    expected_var = (1 - p.momentum) + p.momentum * np.var(x, axis=0, ddof=1)
    run_error = float(np.max(np.abs(expected_var - np.asarray(a["running_var"]))))
    return [
        Check(
            "numpy_statistics",
            stats_error < 1e-9,
            f"np.mean/np.var(ddof=0) per column differ by at most {stats_error:.1e}",
        ),
        Check(
            "normalised_moments",
            moments < 1e-9,
            f"x̂ has column mean 0 and variance σ²/(σ²+ε) (within {moments:.1e})",
        ),
        Check(
            "folded_affine",
            fold_error < 1e-9,
            f"folded into one affine map y = s·x + (β − s·μ), s = γ/√(σ²+ε): difference {fold_error:.1e}",
        ),
        Check(
            "running_var_unbiased",
            run_error < 1e-9,
            f"running_var from np.var(ddof=1) (m = {m}): difference {run_error:.1e}",
        ),
    ]
