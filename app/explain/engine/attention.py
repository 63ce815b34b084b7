"""Scaled dot-product attention: scores, softmax weights and the weighted sum of the values."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field

from app.explain.engine.base import Calculator, Check, Params, Slip, Solution, Step, Text

Number = Annotated[float, Field(ge=-1000, le=1000, allow_inf_nan=False)]
Row = Annotated[tuple[Number, ...], Field(min_length=1, max_length=16)]
Matrix = Annotated[tuple[Row, ...], Field(min_length=1, max_length=16)]
MaskRow = tuple[Literal[0, 1], ...]


class AttentionParams(Params):
    """Q (n_q × d), K (n_k × d), V (n_k × d_v; defaults to K as in seq2seq), scale, mask.

    ``mask[i][j] = 1`` lets query i attend to key j, 0 blocks it; ``"causal"`` keeps j ≤ i.
    """

    query: Matrix = ((1.0, 0.0, 1.0),)
    key: Matrix = ((1.0, 0.0, 1.0), (0.0, 1.0, 0.0), (1.0, 1.0, 1.0))
    value: Matrix | None = None
    scale: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)] | None = None
    mask: Literal["causal"] | tuple[MaskRow, ...] | None = None


@dataclass(frozen=True)
class Slipped:
    """Switches for the classic mistakes."""

    scale: str = "right"  # "none": no 1/√d; "d": divided by d; "times": multiplied by √d
    axis: int = 1  # 0: softmax over the queries (columns) instead of the keys
    use_mask: bool = True
    linear: bool = False  # normalised the scores by their sum instead of a softmax
    weigh_keys: bool = False  # summed the keys instead of the values


def arrays(p: AttentionParams) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Q, K, V and the boolean keep-mask."""
    q, k = np.asarray(p.query, dtype=np.float64), np.asarray(p.key, dtype=np.float64)
    v = np.asarray(p.value if p.value is not None else p.key, dtype=np.float64)
    if p.mask == "causal":
        keep = np.tril(np.ones((len(q), len(k)), dtype=bool))
    elif p.mask is None:
        keep = np.ones((len(q), len(k)), dtype=bool)
    else:
        keep = np.asarray(p.mask, dtype=bool)
    return q, k, v, keep


def scale_of(p: AttentionParams) -> float:
    return p.scale if p.scale is not None else 1 / math.sqrt(len(p.query[0]))


def attend(p: AttentionParams, s: Slipped | None = None) -> dict[str, Any]:
    """Scores, a max-shifted softmax over each query's allowed keys, and the output."""
    s = s or Slipped()
    q, k, v, keep = arrays(p)
    keep = keep if s.use_mask else np.ones_like(keep)
    d = q.shape[1]
    factor = {"right": scale_of(p), "none": 1.0, "d": 1 / d, "times": math.sqrt(d)}[s.scale]
    scores = q @ k.T * factor
    masked = np.where(keep, scores, -np.inf)
    if s.linear:
        weights = np.where(keep, scores, 0.0)
        weights = weights / weights.sum(axis=s.axis, keepdims=True)
    else:
        shifted = masked - masked.max(axis=s.axis, keepdims=True)  # the largest exponent is e⁰ = 1
        e = np.where(keep, np.exp(np.where(keep, shifted, 0.0)), 0.0)
        weights = e / e.sum(axis=s.axis, keepdims=True)
    output = weights @ (k if s.weigh_keys else v)
    return {
        "scores": [
            [float(x) if ok else None for x, ok in zip(row, m, strict=True)]
            for row, m in zip(scores, keep, strict=True)
        ],
        "weights": weights.tolist(),
        "output": output.tolist(),
    }


class Attention(Calculator[AttentionParams]):
    """softmax(QKᵀ·scale + mask)·V, row by row."""

    name = "attention"
    title = Text("缩放点积注意力", "Scaled dot-product attention")
    params_model = AttentionParams
    asks = ("output", "weights", "scores", "answer")
    tolerance = 1e-3

    def validate(self, p: AttentionParams) -> list[tuple[str, str]]:
        """Rectangular matrices with matching d, V rows = K rows, a mask leaving every query a key."""
        errors: list[tuple[str, str]] = []
        for key in ("query", "key", "value"):
            matrix = getattr(p, key)
            if matrix is not None and len({len(r) for r in matrix}) != 1:
                errors.append((key, "every row needs the same number of columns"))
        if errors:
            return errors
        d = len(p.query[0])
        if len(p.key[0]) != d:
            errors.append(("key", f"keys need d = {d} columns like the queries (QKᵀ), got {len(p.key[0])}"))
        if p.value is not None and len(p.value) != len(p.key):
            errors.append(("value", f"expected one value row per key ({len(p.key)}), got {len(p.value)}"))
        if isinstance(p.mask, tuple):
            if len(p.mask) != len(p.query) or any(len(r) != len(p.key) for r in p.mask):
                errors.append(
                    ("mask", f"expected {len(p.query)} rows of {len(p.key)} zeros/ones (queries × keys)")
                )
            elif any(not any(r) for r in p.mask):
                errors.append(
                    ("mask", "every query must be allowed at least one key (a row of zeros gives NaN)")
                )
        return errors

    def solve(self, p: AttentionParams) -> Solution:
        """Compute, explain, and check with an unshifted exp (or log-sum-exp) and plain loops."""
        answer = attend(p)
        return Solution(answer, _steps(p, answer), _checks(p, answer))

    def sample(self, rng: np.random.Generator, template: AttentionParams | None) -> AttentionParams:
        """Same shapes (and mask style) as the template, small integer entries."""
        n_q = len(template.query) if template else int(rng.integers(1, 3))
        n_k = len(template.key) if template else int(rng.integers(2, 4))
        d = len(template.query[0]) if template else int(rng.choice([2, 4]))
        own_values = template is None or template.value is not None
        d_v = len(template.value[0]) if template and template.value else 2

        def mat(rows: int, cols: int) -> tuple[tuple[float, ...], ...]:
            return tuple(tuple(float(x) for x in rng.integers(-2, 3, cols)) for _ in range(rows))

        mask = template.mask if template and template.mask == "causal" and n_q == n_k else None
        return AttentionParams(
            query=mat(n_q, d), key=mat(n_k, d), value=mat(n_k, d_v) if own_values else None, mask=mask
        )

    def prompt(self, p: AttentionParams, ask: str) -> Text:
        """'Q = …, K = …, V = …: what are the attention weights/output?'"""
        what = {
            "output": ("注意力输出（上下文向量）", "the attention output (context vectors)"),
            "weights": ("注意力权重", "the attention weights"),
            "scores": ("缩放后的打分", "the scaled scores"),
            "answer": ("打分、权重和输出", "the scores, weights and output"),
        }[ask]
        values = f"V = {_mat(p.value)}" if p.value is not None else "V = K"
        shown = "" if p.mask is None else "causal" if p.mask == "causal" else _mat(p.mask)
        mask_zh = "" if not shown else "，因果掩码" if shown == "causal" else f"，掩码 {shown}（1 = 可见）"
        mask_en = (
            "" if not shown else ", causal mask" if shown == "causal" else f", mask {shown} (1 = visible)"
        )
        scale = "1/√d" if p.scale is None else f"{p.scale:g}"
        return Text(
            zh=f"Q = {_mat(p.query)}，K = {_mat(p.key)}，{values}，缩放因子 {scale}{mask_zh}。求{what[0]}。",
            en=f"Q = {_mat(p.query)}, K = {_mat(p.key)}, {values}, scale {scale}{mask_en}. Find {what[1]}.",
        )

    def slips(self, p: AttentionParams, ask: str) -> list[Slip]:
        """No √d, /d, wrong softmax axis, mask ignored, linear normalisation, keys for values."""
        variants = {
            "forgot_scaling": Slipped(scale="none"),
            "divided_by_d": Slipped(scale="d"),
            "softmax_wrong_axis": Slipped(axis=0),
            "ignored_mask": Slipped(use_mask=False),
            "no_softmax": Slipped(linear=True),
            "weighted_keys": Slipped(weigh_keys=True),
            "multiplied_by_sqrt_d": Slipped(scale="times"),
        }
        if p.scale is not None:
            del variants["divided_by_d"], variants["multiplied_by_sqrt_d"]
        out = []
        for name, switch in variants.items():
            with np.errstate(divide="ignore", invalid="ignore"):
                wrong = attend(p, switch)
            value = wrong if ask == "answer" else wrong[ask]
            if _finite(value):
                out.append(Slip(name, *SLIP_TEXTS[name], value))
        return out


SLIP_TEXTS = {
    "forgot_scaling": (
        Text("忘了除以 √d", "forgot the √d scaling"),
        Text(
            "点积的方差随 d 增长，除以 √d 防止 softmax 饱和。",
            "Dot products grow with d; dividing by √d keeps the softmax from saturating.",
        ),
    ),
    "multiplied_by_sqrt_d": (
        Text("乘了 √d 而不是除以 √d", "multiplied by √d instead of dividing"),
        Text("打分要除以 √d，让方差回到 1。", "Scores are divided by √d to bring their variance back to 1."),
    ),
    "divided_by_d": (
        Text("除以 d 而不是 √d", "divided by d instead of √d"),
        Text("缩放因子是 1/√d。", "The scale is 1/√d."),
    ),
    "softmax_wrong_axis": (
        Text("softmax 的维度错了", "softmax over the wrong axis"),
        Text(
            "每个查询在所有键上归一化（按行），不是按列。",
            "Each query normalises over the keys (rows), not over the queries (columns).",
        ),
    ),
    "ignored_mask": (
        Text("忘了掩码", "ignored the mask"),
        Text(
            "被遮住的位置打分设为 −∞，softmax 后权重为 0。",
            "Masked positions get a −∞ score and weight 0 after the softmax.",
        ),
    ),
    "no_softmax": (
        Text("用打分除以总和代替 softmax", "divided the scores by their sum instead of a softmax"),
        Text("权重是 e^{s} 归一化，不是 s 本身归一化。", "Weights normalise e^s, not s itself."),
    ),
    "weighted_keys": (
        Text("加权求和用了 K 而不是 V", "summed the keys instead of the values"),
        Text("输出是权重对 V 的加权和。", "The output is the weighted sum of V."),
    ),
}


def _finite(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return value is None or math.isfinite(value)


def _vec(row: Any) -> str:
    return "[" + ", ".join("−∞" if x is None else f"{x:.6g}" for x in row) + "]"


def _mat(rows: Any) -> str:
    return "[" + "; ".join(_vec(r) for r in rows) + "]"


def _steps(p: AttentionParams, a: dict[str, Any]) -> list[Step]:
    keep = arrays(p)[3]
    d = len(p.query[0])
    scale = scale_of(p)
    scale_text = f"1/√{d} = {scale:.6g}" if p.scale is None else f"{scale:g}"
    steps = [
        Step(
            f"打分：每个查询与每个键做点积，再乘缩放因子 {scale_text}：S = QKᵀ·scale = {_mat(a['scores'])}。",
            f"Scores: dot every query with every key and multiply by the scale {scale_text}: "
            f"S = QKᵀ·scale = {_mat(a['scores'])}.",
            r"S = \frac{QK^\top}{\sqrt d}",
        ),
    ]
    if not keep.all():
        steps.append(
            Step(
                "掩码为 0 的位置打分置为 −∞，softmax 之后权重正好是 0。",
                "Masked positions get a score of −∞, so their weight after the softmax is exactly 0.",
            )
        )
    steps += [
        Step(
            "softmax 按行（对每个查询的所有键）做。为了数值稳定，先减去每行最大值：最大项变成 e⁰ = 1，"
            "不会溢出，结果不变（分子分母同乘 e^{−max}）。"
            f"权重 A = {_mat(a['weights'])}，每行和为 1。",
            "The softmax runs along each row (over one query's keys). For stability each row's maximum is "
            "subtracted first: the largest term becomes e⁰ = 1, nothing overflows, and the result is the "
            f"same (numerator and denominator both scale by e^(−max)). Weights A = {_mat(a['weights'])}; "
            "every row sums to 1.",
            r"A_{ij} = \frac{e^{S_{ij}-\max_k S_{ik}}}{\sum_j e^{S_{ij}-\max_k S_{ik}}}",
        ),
        Step(
            f"输出是权重对 V 的加权和（每行是一个上下文向量）：O = AV = {_mat(a['output'])}。",
            "The output is the weighted sum of the values (one context vector per query): "
            f"O = AV = {_mat(a['output'])}.",
            r"O = AV,\quad c_i = \sum_j A_{ij} v_j",
        ),
    ]
    if p.value is None:
        steps.append(
            Step(
                "这里 V = K，正是 seq2seq 注意力里用编码器隐藏状态 h_j 同时当键和值的做法：c = Σ α_j h_j。",
                "Here V = K, as in seq2seq attention where the encoder states h_j serve as keys and "
                "values: c = Σ α_j h_j.",
            )
        )
    if p.scale is None:
        steps.append(
            Step(
                f"为什么除以 √d：若 q、k 各分量独立、方差为 1，点积的方差是 d = {d}；"
                "除以 √d 让打分方差回到 1，softmax 不会过早饱和、梯度不会消失。",
                f"Why √d: with independent unit-variance components the dot product has variance d = {d}; "
                "dividing by √d brings it back to 1, so the softmax does not saturate and its gradients "
                "do not vanish.",
            )
        )
    return steps


def _checks(p: AttentionParams, a: dict[str, Any]) -> list[Check]:
    q, k, v, keep = arrays(p)
    scores = q @ k.T * scale_of(p)
    if np.max(np.abs(scores)) < 700:
        with np.errstate(divide="ignore"):
            e = np.exp(scores) * keep
        reference, how = e / e.sum(axis=1, keepdims=True), "plain np.exp without the shift"
    else:
        lse = np.array([np.logaddexp.reduce(row[m]) for row, m in zip(scores, keep, strict=True)])
        reference, how = np.where(keep, np.exp(np.where(keep, scores, 0) - lse[:, None]), 0.0), "log-sum-exp"
    w = np.asarray(a["weights"])
    soft_error = float(np.max(np.abs(reference - w)))
    loop = [[sum(w[i, j] * v[j, c] for j in range(len(v))) for c in range(v.shape[1])] for i in range(len(q))]
    loop_error = float(np.max(np.abs(np.asarray(loop) - np.asarray(a["output"]))))
    rows = float(np.max(np.abs(w.sum(axis=1) - 1)))
    return [
        Check(
            "softmax_reference",
            soft_error < 1e-12 * max(1.0, float(np.max(np.abs(scores)))),
            f"{how} gives the same weights (max difference {soft_error:.1e})",
        ),
        Check(
            "loop_output", loop_error < 1e-12, f"Σ_j A_ij v_j by plain loops: max difference {loop_error:.1e}"
        ),
        Check(
            "rows_sum_to_one",
            rows < 1e-12 and bool(np.all(w[~keep] == 0)),
            f"every row of A sums to 1 (within {rows:.1e}); masked weights are 0",
        ),
    ]
