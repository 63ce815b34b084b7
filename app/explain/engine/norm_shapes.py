"""Statistic shapes and learnable parameters of batch, layer, instance and group normalisation."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import Field, StrictBool

from app.explain.engine.base import Calculator, Check, Params, PositiveInt, Slip, Solution, Text
from app.explain.engine.cnn_common import slips_from
from app.explain.engine.norm_text import SLIPS, norm_steps, torch_module

Norm = Literal["batch", "layer", "instance", "group"]
# PyTorch's defaults: InstanceNorm has no affine parameters unless asked for.
DEFAULT_AFFINE = {"batch": True, "layer": True, "instance": False, "group": True}
# Above this many elements the NumPy check runs on a smaller tensor of the same layout.
_CHECK_ELEMENTS = 200_000
_MAX_ELEMENTS = 10**15


class NormShapesParams(Params):
    """Input shape (batch first, channels second) and the normalisation."""

    input_shape: list[PositiveInt] = Field(
        min_length=2, max_length=5, description="input shape, batch first and channels second"
    )
    norm: Norm = Field("batch", description="which normalisation")
    normalized_shape: list[PositiveInt] | None = Field(
        None, min_length=1, max_length=4, description="trailing dimensions LayerNorm normalises"
    )
    groups: PositiveInt | None = Field(None, description="number of groups (GroupNorm)")
    affine: StrictBool | None = Field(None, description="learnable γ and β; omitted means PyTorch's default")


def affine(p: NormShapesParams) -> bool:
    """Whether γ and β exist (PyTorch's default when not given)."""
    return DEFAULT_AFFINE[p.norm] if p.affine is None else p.affine


def stat_shape(shape: list[int], norm: str, normalized: list[int] | None, groups: int | None) -> list[int]:
    """Shape of the mean/variance, kept-dims so it broadcasts against the input.

    Group norm's statistics broadcast against the input viewed as (B, G, C/G, *spatial).
    """
    rest = [1] * (len(shape) - 2)
    if norm == "batch":
        return [1, shape[1], *rest]
    if norm == "instance":
        return [shape[0], shape[1], *rest]
    if norm == "group":
        return [shape[0], groups or 1, 1, *rest]
    k = len(normalized or [])
    return [*shape[: len(shape) - k], *([1] * k)]


def learnable(p: NormShapesParams) -> int:
    """γ and β: one per channel (per normalised element for LayerNorm), if affine."""
    if not affine(p):
        return 0
    return 2 * (math.prod(p.normalized_shape or []) if p.norm == "layer" else p.input_shape[1])


class NormShapes(Calculator[NormShapesParams]):
    """{"stat_shape", "learnable_params"} of a normalisation layer."""

    name = "norm_shapes"
    title = Text("归一化统计量形状与参数", "Normalisation statistic shapes and parameters")
    params_model = NormShapesParams
    asks = ("stat_shape", "learnable_params")

    def validate(self, p: NormShapesParams) -> list[tuple[str, str]]:
        """Each normalisation's own parameters and shape rules."""
        shape = p.input_shape
        if math.prod(shape) > _MAX_ELEMENTS:
            return [("input_shape", f"{math.prod(shape):,} elements; the calculator accepts up to 10^15")]
        if p.norm == "layer":
            if p.normalized_shape is None:
                why = "the trailing dimensions it normalises over, e.g. [768]"
                return [("normalized_shape", f"layer norm needs normalized_shape: {why}")]
            k = len(p.normalized_shape)
            if k >= len(shape) or shape[len(shape) - k :] != p.normalized_shape:
                why = f"the trailing dimensions of input_shape {shape} (batch excluded)"
                return [("normalized_shape", f"{p.normalized_shape} must match {why}")]
        elif p.normalized_shape is not None:
            return [("normalized_shape", "only layer norm takes normalized_shape")]
        if p.norm == "group":
            if p.groups is None:
                return [("groups", "group norm needs groups")]
            if shape[1] % p.groups:
                return [("groups", f"groups = {p.groups} must divide the {shape[1]} channels")]
        elif p.groups is not None:
            return [("groups", "only group norm takes groups")]
        if p.norm == "instance" and len(shape) < 3:
            return [("input_shape", "instance norm needs spatial dimensions: (B, C, L) or more")]
        return []

    def solve(self, p: NormShapesParams) -> Solution:
        """Shapes by the definition, checked by normalising a real tensor two ways."""
        stats = stat_shape(p.input_shape, p.norm, p.normalized_shape, p.groups)
        params = learnable(p)
        answer = {"stat_shape": stats, "learnable_params": params}
        steps = norm_steps(p, stats, params, affine(p))
        return Solution(answer=answer, steps=steps, checks=_checks(p, answer))

    def sample(self, rng: np.random.Generator, template: NormShapesParams | None) -> NormShapesParams:
        """A realistic tensor; keeps the template's normalisation, rank and normalised depth."""
        norm = template.norm if template is not None else str(rng.choice(list(DEFAULT_AFFINE)))
        rank = len(template.input_shape) if template is not None else int(rng.choice([2, 3, 4, 4, 5]))
        rank = max(rank, 3) if norm == "instance" else rank
        channels = int(rng.choice([16, 32, 64, 96, 128, 256, 512, 768]))
        shape = [int(rng.choice([4, 8, 16, 32, 64])), channels]
        shape += [int(rng.choice([7, 14, 16, 28, 32, 56])) for _ in range(rank - 2)]
        raw: dict[str, Any] = {"input_shape": shape, "norm": norm}
        if norm == "layer":
            depth = len(template.normalized_shape or [1]) if template is not None else 1
            raw["normalized_shape"] = shape[rank - min(depth, rank - 1) :]
        if norm == "group":
            raw["groups"] = int(rng.choice([g for g in (2, 4, 8, 16, 32) if channels % g == 0]))
        if template is not None and template.affine is not None:
            raw["affine"] = template.affine
        return NormShapesParams.model_validate(raw)

    def prompt(self, p: NormShapesParams, ask: str) -> Text:
        """'A (32, 64, 56, 56) tensor goes through nn.BatchNorm2d(64): shape of the mean?'"""
        shape = f"({', '.join(map(str, p.input_shape))})"
        module = torch_module(p)
        if ask == "stat_shape":
            q_zh = "它计算的均值/方差张量（保持维度、可与输入广播）的形状是什么？"
            q_en = (
                "What is the shape of the mean/variance it computes, with kept dimensions "
                "so that it broadcasts against the input?"
            )
        else:
            q_zh, q_en = "它有多少个可学习参数？", "How many learnable parameters does it have?"
        return Text(
            zh=f"形状为 {shape} 的张量经过 PyTorch 的 {module}（训练模式）。{q_zh}",
            en=f"A tensor of shape {shape} goes through PyTorch's {module} in training mode. {q_en}",
        )

    def slips(self, p: NormShapesParams, ask: str) -> list[Slip]:
        """Wrong axes for the statistics; running stats, per-pixel or per-group γ/β for params."""
        return slips_from(SLIPS, _slip_answers(p, ask))

    def pick(self, answer: Any, ask: str) -> Any:
        """``stat_shape`` or ``learnable_params``."""
        return answer[ask]


def _slip_answers(p: NormShapesParams, ask: str) -> dict[str, object]:
    shape, c = p.input_shape, p.input_shape[1]
    if ask == "learnable_params":
        per_channel = 2 * c
        answers: dict[str, object] = {
            "counted_running_stats": 2 * per_channel if p.norm in ("batch", "instance") else None,
            "instance_default_affine": per_channel if p.norm == "instance" else None,
            "per_position_affine": 2 * math.prod(shape[1:]),
            "forgot_beta": learnable(p) // 2,
            "per_group_affine": 2 * (p.groups or 1) if p.norm == "group" else None,
            "last_dim_only": 2 * shape[-1] if p.norm == "layer" else None,
            "per_channel_affine": per_channel if p.norm == "layer" else None,
        }
        return {k: v for k, v in answers.items() if v is not None and v != 0}
    b, rest = shape[0], [1] * (len(shape) - 2)
    g = p.groups or 1
    candidates: dict[str, dict[str, object]] = {
        "batch": {
            "bn_per_sample": [b, c, *rest],
            "bn_per_pixel": [1, *shape[1:]],
            "bn_as_layer": [b, 1, *rest],
        },
        "layer": {
            "ln_over_batch": [1, *shape[1:]],
            "ln_as_batch": [1, c, *rest],
            "ln_per_sample": [b, *([1] * (len(shape) - 1))],
        },
        "instance": {
            "in_as_batch": [1, c, *rest],
            "in_as_layer": [b, 1, *rest],
            "bn_per_pixel": [1, *shape[1:]],
        },
        "group": {
            "gn_swapped": [b, c // g, 1, *rest],
            "gn_as_layer": [b, 1, 1, *rest],
            "gn_as_instance": [b, c, 1, *rest],
        },
    }
    return candidates[p.norm]


def _labels(shape: list[int], p: NormShapesParams) -> np.ndarray:
    """For every element, the id of the statistic it shares — straight from the definition."""
    idx: np.ndarray = np.indices(shape)
    c = shape[1]
    labels: np.ndarray
    if p.norm == "batch":
        labels = idx[1]
    elif p.norm == "instance":
        labels = idx[0] * c + idx[1]
    elif p.norm == "group":
        g = p.groups or 1
        labels = idx[0] * g + idx[1] // (c // g)
    else:
        return _layer_labels(shape, idx, len(p.normalized_shape or []))
    return labels


def _layer_labels(shape: list[int], idx: np.ndarray, normalized: int) -> np.ndarray:
    lead = len(shape) - normalized
    labels: np.ndarray = np.ravel_multi_index(tuple(idx[:lead]), shape[:lead])
    return labels


def _reduced(p: NormShapesParams) -> NormShapesParams:
    """Same layout, small sizes: the check's tensor when the real one is too big."""
    shape = list(p.input_shape)
    if math.prod(shape) <= _CHECK_ELEMENTS:
        return p
    g = p.groups or 1
    channels = min(shape[1], 2 * g) if p.norm == "group" else min(shape[1], 8)
    shape = [min(shape[0], 3), channels, *(min(n, 5) for n in shape[2:])]
    normalized = shape[len(shape) - len(p.normalized_shape) :] if p.normalized_shape else None
    return p.model_copy(update={"input_shape": shape, "normalized_shape": normalized})


def _checks(p: NormShapesParams, answer: dict[str, Any]) -> list[Check]:
    return [_stats_check(p), _affine_check(p, answer["learnable_params"])]


def _stats_check(p: NormShapesParams) -> Check:
    """Means by the definition (bincount over labels) against means over the kept-dims axes."""
    small = _reduced(p)
    shape = small.input_shape
    stats = stat_shape(shape, small.norm, small.normalized_shape, small.groups)
    x = np.random.default_rng(0).standard_normal(shape)
    labels = _labels(shape, small).ravel()
    counts = np.bincount(labels)
    means = np.bincount(labels, weights=x.ravel()) / counts
    view = x.reshape(shape[0], small.groups or 1, -1, *shape[2:]) if small.norm == "group" else x
    kept = view.mean(axis=tuple(i for i, n in enumerate(stats) if n == 1), keepdims=True)
    ok = list(kept.shape) == stats and len(counts) == math.prod(stats)
    ok = ok and bool(np.allclose(np.broadcast_to(kept, view.shape).ravel(), means[labels]))
    where = "" if small is p else f" (on a smaller tensor {shape} of the same layout)"
    detail = (
        f"by definition {len(counts)} groups of elements share a statistic{where}; the mean "
        f"over the other axes has shape {list(kept.shape)} and equal values (formula {stats})"
    )
    return Check("numpy_group_means", ok, detail)


def _affine_check(p: NormShapesParams, expected: int) -> Check:
    """Build γ and β as PyTorch does and apply them to a tensor of the input's shape."""
    if not affine(p):
        return Check("affine_tensors", expected == 0, "affine=False: no γ or β tensors exist")
    shape = (p.normalized_shape or []) if p.norm == "layer" else [p.input_shape[1]]
    # Real arrays when modest; zero-copy views of the same shape for a huge normalized_shape.
    small = math.prod(shape) <= 10_000_000
    gamma = np.ones(shape) if small else np.broadcast_to(np.float64(1), shape)
    beta = np.zeros(shape) if small else np.broadcast_to(np.float64(0), shape)
    # LayerNorm's γ lines up with the trailing axes; the others' with the channel axis.
    lined_up = shape if p.norm == "layer" else [shape[0], *[1] * (len(p.input_shape) - 2)]
    fits = np.broadcast_shapes(tuple(p.input_shape), tuple(lined_up)) == tuple(p.input_shape)
    built = gamma.size + beta.size
    detail = f"γ and β of shape {shape} broadcast onto the input: {built}; formula {expected}"
    return Check("affine_tensors", fits and built == expected, detail)
