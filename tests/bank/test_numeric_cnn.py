"""Recompute every numeric item of the cnn topic with NumPy, independently of the YAML working.

Shapes come from a real sliding-window convolution, MACs from the im2col products it performs,
parameter counts from the weight arrays it needs, and the INF/NaN puzzle from direct convolution
of a 1080×1920 float32 image.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import correlate

from app.bank.schema import NumericItem
from app.bank.source import load
from app.core.config import PROJECT_ROOT

RNG = np.random.default_rng(0)


@cache
def _numeric_items() -> dict[str, NumericItem]:
    bank = load(PROJECT_ROOT / "questions")
    return {i.item.id: i.item for i in bank.items if isinstance(i.item, NumericItem)}


def value(item_id: str) -> float | list[float]:
    return _numeric_items()[item_id].value


def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    groups: int = 1,
) -> tuple[np.ndarray, int]:
    """Cross-correlate x (C, H, W) with w (C_out, C_in/groups, K, K); return (output, MACs)."""
    c_in, _, _ = x.shape
    c_out, c_group, k, _ = w.shape
    assert c_in == c_group * groups and c_out % groups == 0
    span = dilation * (k - 1) + 1
    padded = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(padded, (span, span), axis=(1, 2))
    windows = windows[:, ::stride, ::stride, ::dilation, ::dilation]  # (C, Ho, Wo, K, K)
    h_out, w_out = windows.shape[1:3]
    out_per_group, outputs, macs = c_out // groups, [], 0
    for g in range(groups):
        cols = windows[g * c_group : (g + 1) * c_group].transpose(1, 2, 0, 3, 4)
        cols = cols.reshape(h_out * w_out, c_group * k * k)
        weights = w[g * out_per_group : (g + 1) * out_per_group].reshape(out_per_group, -1)
        outputs.append((cols @ weights.T).T.reshape(out_per_group, h_out, w_out))
        macs += cols.shape[0] * cols.shape[1] * weights.shape[0]  # one MAC per product summed
    return np.concatenate(outputs), macs


def max_pool(x: np.ndarray, k: int, stride: int) -> np.ndarray:
    return sliding_window_view(x, (k, k), axis=(1, 2))[:, ::stride, ::stride].max(axis=(3, 4))


def n_params(*arrays: np.ndarray) -> int:
    return sum(a.size for a in arrays)


def test_conv2d_matches_scipy() -> None:
    x, w = RNG.normal(size=(4, 13, 11)), RNG.normal(size=(6, 2, 3, 3))
    out, _ = conv2d(x, w, stride=2, padding=1, dilation=2, groups=2)
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    dilated = np.zeros((6, 2, 5, 5))
    dilated[:, :, ::2, ::2] = w
    for o in range(6):
        g = o // 3
        full = sum(correlate(padded[2 * g + c], dilated[o, c], mode="valid") for c in range(2))
        np.testing.assert_allclose(out[o], full[::2, ::2])


# ---------------------------------------------------------------- output sizes


def test_conv_output_stem() -> None:
    out, _ = conv2d(RNG.normal(size=(1, 224, 224)), np.ones((1, 1, 7, 7)), stride=2, padding=3)
    assert out.shape[1] == out.shape[2] == value("cnn-conv-output-stem")


def test_alexnet_conv1_shape() -> None:
    out, _ = conv2d(RNG.normal(size=(3, 227, 227)), RNG.normal(size=(96, 3, 11, 11)), stride=4)
    assert list(out.shape) == value("cnn-alexnet-conv1-shape")


def test_alexnet_pool_shape() -> None:
    assert list(max_pool(RNG.normal(size=(96, 55, 55)), 3, 2).shape) == value("cnn-alexnet-pool-shape")


def test_dilated_output_size() -> None:
    out, _ = conv2d(RNG.normal(size=(1, 100, 100)), np.ones((1, 1, 3, 3)), stride=2, padding=1, dilation=3)
    assert out.shape[1] == value("cnn-dilated-output-size")


# ---------------------------------------------------------------- receptive field


def _window_matrix(n_in: int, k: int, stride: int) -> np.ndarray:
    """The 0/1 dependency matrix of a 1-D sliding window (conv or pool) with no padding."""
    n_out = (n_in - k) // stride + 1
    m = np.zeros((n_out, n_in))
    for o in range(n_out):
        m[o, o * stride : o * stride + k] = 1
    return m


def test_receptive_field_stack() -> None:
    layers = [(3, 1), (3, 1), (2, 2), (3, 1), (3, 2), (3, 1)]
    n, dependency = 200, np.eye(200)
    for k, s in layers:
        m = _window_matrix(n, k, s)
        dependency, n = m @ dependency, m.shape[0]
    support = np.flatnonzero(dependency[n // 2])
    assert support[-1] - support[0] + 1 == value("cnn-receptive-field-stack")


# ---------------------------------------------------------------- parameters and MACs


def test_conv_params_with_bias() -> None:
    w, b = np.zeros((128, 64, 3, 3)), np.zeros(128)
    assert n_params(w, b) == value("cnn-conv-params-bias")


def test_conv_macs() -> None:
    _, macs = conv2d(RNG.normal(size=(64, 56, 56)), RNG.normal(size=(128, 64, 3, 3)), padding=1)
    assert macs / 1e6 == pytest.approx(value("cnn-conv-macs"), abs=1e-9)


def test_depthwise_separable_params() -> None:
    depthwise, pointwise = np.zeros((128, 1, 3, 3)), np.zeros((256, 128, 1, 1))
    x = RNG.normal(size=(128, 8, 8))
    mid, _ = conv2d(x, RNG.normal(size=depthwise.shape), padding=1, groups=128)
    out, _ = conv2d(mid, RNG.normal(size=pointwise.shape))
    assert out.shape == (256, 8, 8)
    assert n_params(depthwise, pointwise) == value("cnn-dwsep-params")
    ratio = n_params(depthwise, pointwise) / n_params(np.zeros((256, 128, 3, 3)))
    assert ratio == pytest.approx(1 / 256 + 1 / 9)


def test_group_conv_params() -> None:
    w, b = np.zeros((256, 256 // 8, 3, 3)), np.zeros(256)
    out, _ = conv2d(RNG.normal(size=(256, 6, 6)), RNG.normal(size=w.shape), padding=1, groups=8)
    assert out.shape[0] == 256
    assert n_params(w, b) == value("cnn-group-conv-params")


def test_partial_conv_macs() -> None:
    c, c_p = 64, 64 // 4
    x = RNG.normal(size=(c, 56, 56))
    conv_part, macs = conv2d(x[:c_p], RNG.normal(size=(c_p, c_p, 3, 3)), padding=1)
    out = np.concatenate([conv_part, x[c_p:]])  # the other channels pass through untouched
    assert out.shape == x.shape
    assert macs / 1e6 == pytest.approx(value("cnn-partial-conv-macs"), abs=1e-9)
    _, full_macs = conv2d(x, RNG.normal(size=(c, c, 3, 3)), padding=1)
    assert full_macs == 16 * macs


def test_inception_bottleneck_macs() -> None:
    x = RNG.normal(size=(192, 28, 28))
    reduced, macs_1x1 = conv2d(x, RNG.normal(size=(16, 192, 1, 1)))
    out, macs_5x5 = conv2d(reduced, RNG.normal(size=(32, 16, 5, 5)), padding=2)
    assert out.shape == (32, 28, 28)
    assert (macs_1x1 + macs_5x5) / 1e6 == pytest.approx(value("cnn-inception-bottleneck-macs"), abs=1e-9)


def test_densenet_channels() -> None:
    features = [RNG.normal(size=(64, 8, 8))]
    for _ in range(6):  # each layer sees the concatenation and adds k = 32 channels
        stacked = np.concatenate(features)
        growth, _ = conv2d(stacked, RNG.normal(size=(32, stacked.shape[0], 3, 3)), padding=1)
        features.append(growth)
    block_out = np.concatenate(features)
    compressed = int(np.floor(0.5 * block_out.shape[0]))
    transition, _ = conv2d(block_out, RNG.normal(size=(compressed, block_out.shape[0], 1, 1)))
    pooled = sliding_window_view(transition, (2, 2), axis=(1, 2))[:, ::2, ::2].mean(axis=(3, 4))
    assert pooled.shape == (value("cnn-densenet-channels"), 4, 4)


# ---------------------------------------------------------------- INF / NaN puzzle

KERNELS = [
    np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float32),
    np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=np.float32),
    np.array([[0, 1, 1], [1, 1, 1], [1, 1, 0]], dtype=np.float32),
    np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=np.float32),
]


def direct_conv_valid(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """True convolution (kernel flipped), no padding, as nine shifted multiply-adds."""
    flipped = kernel[::-1, ::-1]
    h, w = image.shape
    out = np.zeros((h - 2, w - 2), dtype=np.float32)
    with np.errstate(invalid="ignore"):  # inf * 0 -> nan is the point of the exercise
        for a in range(3):
            for b in range(3):
                out += flipped[a, b] * image[a : a + h - 2, b : b + w - 2]
    return out


def _l_shaped_corners(h: int, w: int) -> list[tuple[int, int]]:
    points = []
    for ci, cj, di, dj in [(0, 0, 1, 1), (0, w - 1, 1, -1), (h - 1, 0, -1, 1), (h - 1, w - 1, -1, -1)]:
        points += [(ci, cj + dj * t) for t in range(13)] + [(ci + di * t, cj) for t in range(1, 13)]
    return points


def test_inf_nan_puzzle_284_is_attained() -> None:
    h, w = 1080, 1920
    image = RNG.uniform(-0.99, 0.99, size=(h, w)).astype(np.float32)
    points = _l_shaped_corners(h, w)
    assert len(set(points)) == 100
    for i, j in points:
        image[i, j] = np.inf
    counts = [int(np.isnan(direct_conv_valid(image, k)).sum()) for k in KERNELS]
    assert counts == [0, 92, 92, 100]
    assert sum(counts) == value("cnn-inf-nan-puzzle")


def test_inf_nan_safe_pixels_of_kernels_2_and_3_are_disjoint() -> None:
    h, w = 9, 11
    safe = []
    for kernel in KERNELS[1:3]:
        hit = np.zeros((h, w), dtype=bool)
        for a, b in np.argwhere(kernel[::-1, ::-1] == 0):
            hit[a : a + h - 2, b : b + w - 2] = True
        safe.append(~hit)
    assert safe[0].sum() == safe[1].sum() == 8
    assert not (safe[0] & safe[1]).any()
