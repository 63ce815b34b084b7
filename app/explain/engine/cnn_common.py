"""Shared pieces of the CNN-arithmetic calculators: geometry, wording and NumPy references.

The closed forms live in the calculators; the functions here *run* things (real sliding-window
convolutions and poolings, explicitly built weight tensors, instrumented products) so that the
checks compare the formula against an actual computation rather than against itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from app.explain.engine.base import Slip, Text, size_text

# Above this many multiplications the checks shrink their NumPy run and scale the count.
PRODUCT_BUDGET = 1_000_000
# Beyond any real layer; larger requests are refused so NumPy's int64 sizes cannot overflow.
MAX_WEIGHTS = 10**12
# Multiply-adds up to which the shape check runs a full 2-D convolution (~15 ms at the limit).
_CONV2D_BUDGET = 20_000_000
# Weight tensors up to this size are really allocated; larger ones are zero-copy views.
_ALLOCATE_LIMIT = 10_000_000


# ---- geometry ----------------------------------------------------------------------------


def effective_kernel(kernel: int, dilation: int) -> int:
    """Span of a dilated kernel: D·(K−1)+1."""
    return dilation * (kernel - 1) + 1


def output_size(size: int, kernel: int, stride: int, pad: tuple[int, int], dilation: int) -> int:
    """⌊(H + P_before + P_after − D(K−1) − 1) / S⌋ + 1."""
    return (size + sum(pad) - effective_kernel(kernel, dilation)) // stride + 1


def same_pads(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """'same' padding of one axis: output ⌈H/S⌉, the odd extra pixel at the end (TF, PyTorch)."""
    total = max((-(-size // stride) - 1) * stride + effective_kernel(kernel, dilation) - size, 0)
    return total // 2, total - total // 2


def axis_names(axis: int) -> tuple[str, str]:
    """(Chinese, English) name of a spatial axis; -1 means both (a square case)."""
    return {0: ("高", "height"), 1: ("宽", "width")}.get(axis, ("高和宽", "height and width"))


# ---- wording -----------------------------------------------------------------------------


def dims(pair: Sequence[int]) -> str:
    """A square value as one number ("stride 2"), otherwise ``H×W``."""
    return str(pair[0]) if pair[0] == pair[1] else size_text(list(pair))


# Per calculator: slip name → (label, one-line explanation), both in Chinese and English.
SlipTexts = dict[str, tuple[Text, Text]]


def a_or_an(text: str, capital: bool = False) -> str:
    """English article for a size read aloud: "an 11×11 kernel", "an 8×8 map", "a 7×7 kernel"."""
    head = text.split("×", maxsplit=1)[0]
    vowel = head.startswith("8") or (len(head) in (2, 5) and head[:2] in ("11", "18"))
    article = "an" if vowel else "a"
    return f"{article.capitalize() if capital else article} {text}"


def slips_from(texts: SlipTexts, answers: dict[str, Any]) -> list[Slip]:
    """Slips in the order of ``answers`` (most common first), keeping only plausible ones."""
    return positive([Slip(name, *texts[name], answer) for name, answer in answers.items()])


def positive(slips: list[Slip]) -> list[Slip]:
    """Drop slips whose sizes are not all ≥ 1: nobody would offer a 0×−3 feature map."""
    return [s for s in slips if all(v >= 1 for v in _numbers(s.answer))]


def _numbers(value: Any) -> list[int | float]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list | tuple):
        return [n for v in value for n in _numbers(v)]
    return [value] if isinstance(value, int | float) else []


# ---- NumPy references ----------------------------------------------------------------------


def conv_windows(
    x: np.ndarray, kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int]
) -> np.ndarray:
    """Windows of a real strided, dilated 2-D convolution over the last two axes of ``x``.

    Shape ``(..., H_out, W_out, K_h, K_w)``: every window the kernel actually visits, with the
    dilation's holes already skipped.
    """
    span = tuple(effective_kernel(k, d) for k, d in zip(kernel, dilation, strict=True))
    view = sliding_window_view(x, span, axis=(-2, -1))
    return view[..., :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]


def conv2d_shape(
    size: Sequence[int],
    kernel: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[tuple[int, int]],
    dilation: Sequence[int],
) -> tuple[list[int], str]:
    """Output shape of a real NumPy convolution of a ``size`` input, and the method used.

    Small cases convolve a random image with a random kernel; huge ones convolve each axis
    separately (a real 1-D convolution per axis), which keeps the cost linear.
    """
    out_guess = [max(n // s, 1) for n, s in zip(size, stride, strict=True)]
    rng = np.random.default_rng(0)
    if out_guess[0] * out_guess[1] * kernel[0] * kernel[1] <= _CONV2D_BUDGET:
        x = np.pad(rng.standard_normal(tuple(size)), list(padding))
        y = np.einsum("ijkl,kl->ij", conv_windows(x, kernel, stride, dilation), rng.random(kernel))
        return list(y.shape), "numpy_conv2d"
    shape = []
    for n, k, s, pad, d in zip(size, kernel, stride, padding, dilation, strict=True):
        line = np.pad(np.arange(1.0, n + 1.0), pad)
        windows = sliding_window_view(line, effective_kernel(k, d))[::s, ::d]
        shape.append(len(windows @ np.ones(k)))
    return shape, "numpy_conv1d_per_axis"


def weight_count(cin: int, cout: int, groups: int, kernel: Sequence[int], bias: bool) -> int:
    """Elements of the weight (and bias) tensors as PyTorch allocates them.

    The weight is ``(C_out, C_in/groups, K_h, K_w)``. It is allocated (booleans) when modest and
    otherwise made a zero-copy broadcast view of that shape, so even a huge layer costs nothing.
    """
    shape = (cout, cin // groups, kernel[0], kernel[1])
    small = cout * (cin // groups) * kernel[0] * kernel[1] <= _ALLOCATE_LIMIT
    weight = np.zeros(shape, dtype=np.bool_) if small else np.broadcast_to(np.False_, shape)
    return int(weight.size + (np.zeros(cout, dtype=np.bool_).size if bias else 0))


def too_big(weights: int) -> str | None:
    """The 422 message when a layer's weight count is beyond any real network."""
    if weights <= MAX_WEIGHTS:
        return None
    return f"this layer would hold {weights:,} weights; the calculator accepts up to {MAX_WEIGHTS:,}"


def connection_count(cin: int, cout: int, groups: int, kernel: Sequence[int]) -> int | None:
    """Weights of a grouped conv counted as a dense ``(C_out, C_in)`` connection mask.

    Output channel o sees input channel i only when both fall in the same group; the count of
    such pairs times K_h·K_w must equal the grouped tensor's size. None when the mask is too big.
    """
    if cin * cout > 4 * PRODUCT_BUDGET:
        return None
    out_group = np.arange(cout)[:, None] // (cout // groups)
    in_group = np.arange(cin)[None, :] // (cin // groups)
    return int(np.count_nonzero(out_group == in_group)) * kernel[0] * kernel[1]


def conv_mults_per_position(
    cin: int,
    cout: int,
    groups: int,
    kernel: Sequence[int],
    *,
    dilation: Sequence[int] = (1, 1),
    budget: int = PRODUCT_BUDGET,
) -> int:
    """Multiplications per output position, counted by a real grouped convolution of ones.

    With every input and weight equal to 1, each output of the convolution *is* the number of
    multiply-adds that produced it, so summing a real 2×2-output convolution counts them. When
    that would exceed ``budget`` only a slice of the output channels (or one group) is run and
    the count is scaled: every output channel of every group costs the same.
    """
    cin_g, cout_g = cin // groups, cout // groups
    per_channel = 4 * cin_g * kernel[0] * kernel[1]
    run_groups = groups if per_channel * groups <= budget else 1
    chunk = max(1, min(cout_g, budget // max(per_channel * run_groups, 1)))
    span = [effective_kernel(k, d) + 1 for k, d in zip(kernel, dilation, strict=True)]
    x = np.ones((run_groups, cin_g, span[0], span[1]))
    w = np.ones((run_groups, chunk, cin_g * kernel[0] * kernel[1]))
    # im2col: every window becomes a row, so the convolution is one batched matrix product.
    windows = conv_windows(x, kernel, (1, 1), dilation)  # (g, C_in/g, H_out, W_out, K_h, K_w)
    positions = int(windows.shape[2] * windows.shape[3])
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(run_groups, positions, -1)
    y = cols @ w.transpose(0, 2, 1)  # (g, positions, chunk): each entry counts its products
    counted = round(float(y.sum()))
    return counted // (run_groups * chunk * positions) * cout_g * groups


def linear_mults(in_features: int, out_features: int, budget: int = PRODUCT_BUDGET) -> int:
    """Multiplications of ``W @ x``, the sum of a real all-ones product on a slice, scaled.

    Every (row, column) pair of ``W`` is one product, so a ``rows × cols`` slice counts
    rows·cols of them and the whole layer in·out.
    """
    cols = min(in_features, budget)
    rows = max(1, min(out_features, budget // cols))
    counted = round(float((np.ones((rows, cols)) @ np.ones(cols)).sum()))
    return counted // (rows * cols) * in_features * out_features
