"""Recompute every numeric item of the optimisation, regularisation and normalisation topics with NumPy.

Each test derives the answer independently (by simulating the optimiser, layer or schedule) and checks
it against the item's ``value`` within the item's own ``tolerance``, so a typo in the bank fails here.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from app.bank.loader import Bank
from app.bank.schema import NumericItem
from app.bank.source import load
from app.core.config import PROJECT_ROOT


@cache
def bank() -> Bank:
    return load(PROJECT_ROOT / "questions")


def numeric(item_id: str) -> NumericItem:
    found = [i.item for i in bank().items if i.item.id == item_id]
    assert len(found) == 1, f"{item_id} not found exactly once"
    item = found[0]
    assert isinstance(item, NumericItem)
    return item


def check(item_id: str, computed: float | list[float]) -> None:
    item = numeric(item_id)
    expected = np.atleast_1d(np.asarray(item.value, dtype=float))
    got = np.atleast_1d(np.asarray(computed, dtype=float))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=item.tolerance + 1e-12)


def adam_step(w: float, g: float, lr: float, b1: float, b2: float, eps: float, *, correct: bool) -> float:
    m = (1 - b1) * g
    v = (1 - b2) * g * g
    if correct:
        m, v = m / (1 - b1), v / (1 - b2)
    return w - lr * m / (np.sqrt(v) + eps)


# --- optimisation -------------------------------------------------------------------------------


def test_momentum_two_steps() -> None:
    w, v = 1.0, 0.0
    for _ in range(2):
        v = 0.9 * v + 0.1 * (2 * w)  # f(w) = w², f'(w) = 2w
        w -= v
    check("opt-momentum-two-steps", w)


def test_adagrad_constant_gradient() -> None:
    w, acc, steps = 1.0, 0.0, []
    for _ in range(4):
        g = 2.0
        acc += g * g
        step = 0.1 * g / np.sqrt(acc)
        w -= step
        steps.append(step)
    check("opt-adagrad-constant-gradient", [steps[-1], w])
    # the step only depends on t, not on g
    assert np.allclose(steps, 0.1 / np.sqrt(np.arange(1, 5)))


def test_rmsprop_two_steps() -> None:
    w, s = 1.0, 0.0
    for _ in range(2):
        g = 2.0
        s = 0.9 * s + 0.1 * g * g
        w -= 0.01 * g / np.sqrt(s)
    check("opt-rmsprop-two-steps", w)


def test_adam_first_step_with_and_without_bias_correction() -> None:
    args = (1.0, 0.5, 0.01, 0.9, 0.999, 1e-8)
    with_correction = adam_step(*args, correct=True)
    without = adam_step(*args, correct=False)
    check("opt-adam-first-step", [with_correction, without])
    # without correction the first step is inflated by (1 - b1) / sqrt(1 - b2)
    assert (1.0 - without) / (1.0 - with_correction) == pytest.approx(0.1 / np.sqrt(0.001), rel=1e-6)


def test_adam_l2_versus_adamw() -> None:
    w0, lr, lam = 2.0, 0.001, 0.01
    l2 = adam_step(w0, 0.0 + lam * w0, lr, 0.9, 0.999, 1e-8, correct=True)
    decayed = w0 - lr * lam * w0
    adamw = adam_step(decayed, 0.0, lr, 0.9, 0.999, 1e-8, correct=True)  # zero loss gradient: no Adam move
    check("opt-adamw-vs-l2-one-step", [l2, adamw])


def test_warmup_cosine_schedule() -> None:
    peak, warmup, total = 3e-4, 1000, 10000
    t = np.arange(total + 1)
    progress = np.clip((t - warmup) / (total - warmup), 0, 1)
    lr = np.where(t < warmup, peak * t / warmup, 0.5 * peak * (1 + np.cos(np.pi * progress)))
    check("opt-warmup-cosine-schedule", [lr[500] / 1e-4, lr[7750] / 1e-4])


# --- regularisation -----------------------------------------------------------------------------


def test_inverted_dropout_values() -> None:
    x, p = 2.0, 0.2
    rng = np.random.default_rng(0)
    keep = rng.random(200_000) >= p
    train_out = np.where(keep, x / (1 - p), 0.0)
    kept_value = float(train_out[keep][0])
    assert train_out.mean() == pytest.approx(x, rel=0.01)  # expectation preserved in training
    check("reg-inverted-dropout-values", [kept_value, x])  # test time: identity


def test_weight_decay_shrink() -> None:
    w = 1.0
    for _ in range(1000):
        w -= 0.1 * (0.0 + 5e-4 * w)  # gradient of (λ/2) w² is λw
    check("reg-weight-decay-shrink", w)


# --- normalisation ------------------------------------------------------------------------------


def batchnorm_train(x: np.ndarray, gamma: float, beta: float) -> np.ndarray:
    return gamma * (x - x.mean()) / np.sqrt(x.var()) + beta


def test_bn_output_variance() -> None:
    x = np.random.default_rng(1).exponential(size=10_000)  # deliberately non-normal input
    y = batchnorm_train(x, gamma=3.0, beta=1.0)
    assert y.mean() == pytest.approx(1.0)
    check("norm-bn-output-variance", y.var())


def test_bn_running_stats_update() -> None:
    batch = np.array([1.0, 2.0, 3.0, 6.0])
    running_mean = 0.9 * 0.0 + 0.1 * batch.mean()
    running_var = 0.9 * 1.0 + 0.1 * batch.var(ddof=1)
    check("norm-bn-running-stats-update", [running_mean, running_var])


def test_fold_bn_into_conv() -> None:
    w, b, mu, var, gamma, beta = 0.5, 0.2, 1.0, 4.0, 3.0, 0.1
    x = np.linspace(-5, 5, 11)
    bn_out = gamma * ((w * x + b) - mu) / np.sqrt(var) + beta
    folded_w, folded_b = np.polyfit(x, bn_out, 1)  # the composite is affine: recover slope and intercept
    check("norm-fold-bn-into-conv", [folded_w, folded_b])


def test_groupnorm_statistics_count() -> None:
    n, c, h, w, groups = 8, 64, 32, 32, 32
    x = np.zeros((n, c, h, w)).reshape(n, groups, c // groups, h, w)
    means = x.mean(axis=(2, 3, 4))
    elements_per_group = x[0, 0].size
    check("norm-groupnorm-statistics-count", [means.size, elements_per_group])
