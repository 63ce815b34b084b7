"""Recompute every numeric item of the activations and gradients topics independently with NumPy."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from math import erf, sqrt
from typing import Any

import numpy as np

from app.bank.loader import Bank
from app.bank.schema import NumericItem
from app.bank.source import load
from app.core.config import PROJECT_ROOT


@cache
def bank() -> Bank:
    return load(PROJECT_ROOT / "questions")


def numeric(item_id: str) -> NumericItem:
    found = [loaded.item for loaded in bank().items if loaded.item.id == item_id]
    assert len(found) == 1, f"{item_id} not found exactly once"
    item = found[0]
    assert isinstance(item, NumericItem)
    return item


def assert_matches(item_id: str, computed: float | list[float], digits: float) -> None:
    """The stored value equals the recomputed one to the precision it is written with,
    and that rounding error stays well inside the item's tolerance."""
    item = numeric(item_id)
    stored = np.atleast_1d(np.asarray(item.value, dtype=float))
    exact = np.atleast_1d(np.asarray(computed, dtype=float))
    assert stored.shape == exact.shape
    assert np.all(np.abs(stored - exact) <= digits), (item_id, stored, exact)
    assert digits <= item.tolerance or (item.tolerance == 0 and digits == 0)


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))
    return result


def numerical_derivative(f: Callable[[float], Any], z: float, h: float = 1e-6) -> float:
    return float((f(z + h) - f(z - h)) / (2 * h))


# --- activations -------------------------------------------------------------------------------


def test_sigmoid_derivative_at_zero() -> None:
    assert_matches("act-sigmoid-derivative-zero", numerical_derivative(sigmoid, 0.0), 1e-6)


def test_tanh_derivative_at_zero() -> None:
    assert_matches("act-tanh-derivative-zero", numerical_derivative(np.tanh, 0.0), 1e-6)


def test_gelu_at_one() -> None:
    gelu_one = 1.0 * 0.5 * (1.0 + erf(1.0 / sqrt(2.0)))
    assert_matches("act-gelu-at-one", gelu_one, 5e-5)


def test_tanh_is_scaled_and_shifted_sigmoid() -> None:
    # Backs the identity taught in act-tanh-sigmoid-relation and act-saturation-vanishing.
    z = np.linspace(-6, 6, 241)
    assert np.allclose(np.tanh(z), 2 * sigmoid(2 * z) - 1)
    assert not np.allclose(np.tanh(z), sigmoid(z) - 0.5)


# --- gradients ---------------------------------------------------------------------------------


def test_sigmoid_depth_bound() -> None:
    n = 1
    while 0.25**n >= 1e-6:
        n += 1
    assert_matches("grad-sigmoid-depth-bound", n, 0)


def test_clip_by_global_norm() -> None:
    g = np.array([-6.0, 2.0, 3.0])
    max_norm = 3.5
    norm = np.linalg.norm(g)
    clipped = g * min(1.0, max_norm / norm)
    assert_matches("grad-clip-norm-numeric", clipped.tolist(), 1e-9)


def test_he_normal_std_for_conv() -> None:
    fan_in = 3 * 3 * 64
    assert_matches("grad-he-std", np.sqrt(2.0 / fan_in), 5e-5)


def test_xavier_uniform_bound() -> None:
    fan_in, fan_out = 256, 128
    variance = 2.0 / (fan_in + fan_out)
    bound = np.sqrt(3.0 * variance)  # U(-a, a) has variance a^2 / 3
    assert_matches("grad-xavier-uniform-bound", bound, 1e-9)


def _three_two_one_gradients() -> tuple[np.ndarray, np.ndarray]:
    """Gradients of the 3-2-1 sigmoid network in the backprop items, by finite differences."""
    x = np.array([1.0, 2.0, -1.0])
    w1 = np.array([[0.3, -0.2], [0.1, 0.4], [-0.2, 0.1]])  # w1[i, j]: input i -> hidden j
    w2 = np.array([0.6, -0.4])
    t = 1.0

    def loss(w1_: np.ndarray, w2_: np.ndarray) -> float:
        y = sigmoid(sigmoid(x @ w1_) @ w2_)
        return float(0.5 * (y - t) ** 2)

    h = 1e-6
    g1 = np.zeros_like(w1)
    for idx in np.ndindex(w1.shape):
        up, down = w1.copy(), w1.copy()
        up[idx] += h
        down[idx] -= h
        g1[idx] = (loss(up, w2) - loss(down, w2)) / (2 * h)
    g2 = np.zeros_like(w2)
    for j in range(2):
        up, down = w2.copy(), w2.copy()
        up[j] += h
        down[j] -= h
        g2[j] = (loss(w1, up) - loss(w1, down)) / (2 * h)
    return g1, g2


def test_backprop_output_weight() -> None:
    _, g2 = _three_two_one_gradients()
    assert_matches("grad-backprop-output-weight", g2[0], 5e-5)


def test_backprop_hidden_weight() -> None:
    g1, _ = _three_two_one_gradients()
    # w^(1)_21: from input x_2 (row index 1) to hidden unit 1 (column index 0).
    assert_matches("grad-backprop-hidden-weight", g1[1, 0], 5e-5)


def test_no_unchecked_numeric_items_in_these_topics() -> None:
    ours = {
        loaded.item.id
        for loaded in bank().items
        if loaded.topic in ("activations", "gradients") and isinstance(loaded.item, NumericItem)
    }
    assert ours == {
        "act-sigmoid-derivative-zero",
        "act-tanh-derivative-zero",
        "act-gelu-at-one",
        "grad-sigmoid-depth-bound",
        "grad-clip-norm-numeric",
        "grad-he-std",
        "grad-xavier-uniform-bound",
        "grad-backprop-output-weight",
        "grad-backprop-hidden-weight",
    }
