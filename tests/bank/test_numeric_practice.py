"""Recompute every numeric item of the training-practice, transfer-learning, hardware-frameworks
and ml-basics topics with NumPy.

Each answer is derived independently of the closed form quoted in the item where that is cheap:
losses from real softmax/sigmoid evaluations, gradients by finite differences, parameter and
memory counts from the arrays themselves, the matrix-chain cost by multiplying real matrices with
an operation counter, the perceptron bound by running the perceptron, VIF from an inverse
correlation matrix.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from app.bank.schema import NumericItem
from app.bank.source import load
from app.core.config import PROJECT_ROOT


@cache
def numeric(item_id: str) -> NumericItem:
    bank = load(PROJECT_ROOT / "questions")
    found = [loaded.item for loaded in bank.items if loaded.item.id == item_id]
    assert len(found) == 1, f"{item_id} not found exactly once"
    item = found[0]
    assert isinstance(item, NumericItem)
    return item


def assert_matches(item_id: str, computed: float) -> None:
    item = numeric(item_id)
    assert isinstance(item.value, int | float)
    # The stored value is rounded for display; the item's tolerance covers that rounding.
    assert abs(float(item.value) - float(computed)) <= max(item.tolerance, 1e-9), (
        item_id,
        computed,
        item.value,
    )


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


# --- training-practice -------------------------------------------------------------------------


def test_random_search_hit_probability() -> None:
    # Exact complement rule, cross-checked by simulation: 60 uniform draws, "good" = top 5%.
    exact = 1.0 - 0.95**60
    rng = np.random.default_rng(0)
    hits = (rng.random((200_000, 60)) >= 0.95).any(axis=1).mean()
    assert abs(hits - exact) < 0.003
    assert_matches("train-random-search-prob", exact)


def test_linear_scaling_learning_rate() -> None:
    base_lr, base_batch, new_batch = 0.1, 256, 1024
    assert_matches("train-linear-scaling", base_lr * new_batch / base_batch)


def test_initial_cross_entropy_is_log_of_class_count() -> None:
    rng = np.random.default_rng(1)
    logits = rng.normal(scale=1e-3, size=(4096, 10))  # small random init: near-equal logits
    labels = rng.integers(0, 10, size=4096)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(4096), labels].mean()
    assert_matches("train-initial-loss", loss)


def test_mse_gradient_through_sigmoid() -> None:
    def loss(z: float) -> float:
        return float(0.5 * (sigmoid(np.array(z)) - 1.0) ** 2)

    z, h = -4.0, 1e-6
    grad = (loss(z + h) - loss(z - h)) / (2 * h)
    assert_matches("train-mse-sigmoid-gradient", grad)
    # The cross-entropy gradient the answer compares with is about 57 times larger.
    ce_grad = (-np.log(sigmoid(np.array(z + h))) + np.log(sigmoid(np.array(z - h)))) / (2 * h)
    assert 50 < ce_grad / grad < 60


def test_contrastive_loss_for_dissimilar_pair() -> None:
    a, b = np.array([0.0, 0.0]), np.array([0.3, 0.0])
    d = np.linalg.norm(a - b)
    assert_matches("train-contrastive-loss", 0.5 * max(0.0, 1.0 - d) ** 2)


# --- transfer-learning -------------------------------------------------------------------------


def test_regression_head_parameter_count() -> None:
    weight, bias = np.zeros((4, 512)), np.zeros(4)
    features = np.ones(512)
    assert (weight @ features + bias).shape == (4,)  # outputs x, y, w, h
    assert_matches("tl-regression-head-params", weight.size + bias.size)


# --- hardware-frameworks -----------------------------------------------------------------------


def count_matmul(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, int]:
    """Multiply and return the naive scalar-multiplication count p*q*r."""
    (p, q), (q2, r) = x.shape, y.shape
    assert q == q2
    return x @ y, p * q * r


def test_cheapest_matrix_chain_order() -> None:
    rng = np.random.default_rng(2)
    a, b, c = rng.random((10, 100)), rng.random((100, 5)), rng.random((5, 50))
    ab, n1 = count_matmul(a, b)
    left, n2 = count_matmul(ab, c)
    bc, n3 = count_matmul(b, c)
    right, n4 = count_matmul(a, bc)
    assert np.allclose(left, right)  # same product, different cost
    assert (n1 + n2, n3 + n4) == (7500, 75000)
    assert_matches("hw-matrix-chain", min(n1 + n2, n3 + n4))


def test_adam_training_memory() -> None:
    params = 25_000_000
    itemsize = np.dtype(np.float32).itemsize
    tensors = ["weights", "gradients", "adam_m", "adam_v"]
    assert_matches("hw-adam-memory", len(tensors) * params * itemsize / 1e6)


# --- ml-basics ---------------------------------------------------------------------------------


def test_perceptron_mistake_bound() -> None:
    radius, margin = 2.0, 0.5
    bound = (radius / margin) ** 2
    # Run the perceptron on separable data meeting the theorem's conditions: it never exceeds the bound.
    rng = np.random.default_rng(3)
    w_star = np.array([1.0, 0.0])
    x = rng.uniform(-1.4, 1.4, size=(400, 2))
    y = np.sign(x @ w_star)
    keep = (np.abs(x @ w_star) >= margin) & (np.linalg.norm(x, axis=1) <= radius)
    x, y = x[keep], y[keep]
    w, updates = np.zeros(2), 0
    for _ in range(100):
        mistakes = 0
        for xi, yi in zip(x, y, strict=True):
            if yi * (w @ xi) <= 0:
                w += yi * xi
                updates += 1
                mistakes += 1
        if mistakes == 0:
            break
    assert mistakes == 0 and updates <= bound
    assert_matches("ml-perceptron-bound", bound)


def test_pca_components_for_85_percent() -> None:
    eigenvalues = np.array([4.0, 2.0, 1.0, 0.5, 0.5])
    rng = np.random.default_rng(4)
    basis, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    cov = basis @ np.diag(eigenvalues) @ basis.T  # a covariance with exactly these eigenvalues
    found = np.sort(np.linalg.eigvalsh(cov))[::-1]
    ratio = np.cumsum(found) / found.sum()
    assert_matches("ml-pca-components", int(np.argmax(ratio >= 0.85)) + 1)


def test_variance_inflation_factor() -> None:
    # Two predictors with correlation r: regressing one on the other gives R^2 = r^2 = 0.9.
    r = np.sqrt(0.9)
    corr = np.array([[1.0, r], [r, 1.0]])
    vif = np.diag(np.linalg.inv(corr))  # VIF_j is the j-th diagonal of the inverse correlation
    assert np.allclose(vif[0], vif[1])
    assert_matches("ml-vif", vif[0])
