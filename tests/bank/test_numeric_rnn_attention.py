"""Recompute every numeric item of the rnn and attention topics with NumPy.

Each answer is derived independently of the closed form quoted in the item: parameter counts by
building the actual weight tensors (and running a forward step through them), gradients by
finite differences, decoding results by running greedy and beam search.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

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


def assert_matches(item_id: str, computed: float | list[float]) -> None:
    item = numeric(item_id)
    expected = np.atleast_1d(np.asarray(item.value, dtype=float))
    got = np.atleast_1d(np.asarray(computed, dtype=float))
    assert expected.shape == got.shape
    # The stored value is rounded for display; allow that rounding plus the item's own tolerance.
    assert np.all(np.abs(expected - got) <= max(item.tolerance, 1e-9)), (item_id, got, expected)


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# --- rnn ---------------------------------------------------------------------------------------


def test_bptt_decay_factor_by_finite_difference() -> None:
    rng = np.random.default_rng(0)
    w, u, steps = 0.9, 0.7, 50
    xs = rng.normal(size=steps)

    def run(h0: float) -> float:
        h = h0
        for x in xs:
            h = w * h + u * x
        return h

    eps = 1e-3
    derivative = (run(0.3 + eps) - run(0.3 - eps)) / (2 * eps)
    assert derivative == pytest.approx(np.prod(np.full(steps, w)), rel=1e-6)
    assert_matches("rnn-bptt-decay-factor", derivative)


def lstm_step(params: dict[str, np.ndarray], x: np.ndarray, h: np.ndarray, c: np.ndarray) -> tuple:
    """One LSTM step in PyTorch's layout: rows of the stacked weights are i, f, g, o."""
    gates = params["weight_ih"] @ x + params["weight_hh"] @ h + params["bias_ih"]
    if "bias_hh" in params:
        gates = gates + params["bias_hh"]
    i, f, g, o = np.split(gates, 4)
    c_new = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_new), c_new


def lstm_params(x_size: int, h_size: int, *, two_biases: bool) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    params = {
        "weight_ih": rng.normal(size=(4 * h_size, x_size)),
        "weight_hh": rng.normal(size=(4 * h_size, h_size)),
        "bias_ih": rng.normal(size=4 * h_size),
    }
    if two_biases:
        params["bias_hh"] = rng.normal(size=4 * h_size)
    return params


@pytest.mark.parametrize(
    ("item_id", "two_biases"),
    [("rnn-lstm-params-one-bias", False), ("rnn-lstm-params-pytorch", True)],
)
def test_lstm_parameter_counts(item_id: str, two_biases: bool) -> None:
    x_size, h_size = 100, 256
    params = lstm_params(x_size, h_size, two_biases=two_biases)
    h, c = lstm_step(params, np.ones(x_size), np.zeros(h_size), np.zeros(h_size))
    assert h.shape == c.shape == (h_size,)
    assert_matches(item_id, sum(p.size for p in params.values()))


def test_gru_parameter_count_pytorch_layout() -> None:
    x_size, h_size = 64, 128
    rng = np.random.default_rng(2)
    w_ih = rng.normal(size=(3 * h_size, x_size))
    w_hh = rng.normal(size=(3 * h_size, h_size))
    b_ih = rng.normal(size=3 * h_size)
    b_hh = rng.normal(size=3 * h_size)
    x, h = np.ones(x_size), np.zeros(h_size)
    # PyTorch's GRU: the reset gate multiplies (W_hn h + b_hn), so b_hh is not redundant.
    gi, gh = w_ih @ x + b_ih, w_hh @ h + b_hh
    r = sigmoid(gi[:h_size] + gh[:h_size])
    z = sigmoid(gi[h_size : 2 * h_size] + gh[h_size : 2 * h_size])
    n = np.tanh(gi[2 * h_size :] + r * gh[2 * h_size :])
    assert ((1 - z) * n + z * h).shape == (h_size,)
    assert_matches("rnn-gru-params-pytorch", w_ih.size + w_hh.size + b_ih.size + b_hh.size)


# --- attention ---------------------------------------------------------------------------------


def test_context_vector_with_stable_softmax() -> None:
    encoder = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    decoder = np.array([1.0, 2.0])
    weights = softmax(encoder @ decoder)
    assert weights.sum() == pytest.approx(1.0)
    assert_matches("att-context-vector-example", list(weights @ encoder))


def test_multi_head_attention_parameter_count() -> None:
    d_model = 512
    rng = np.random.default_rng(3)

    def count(heads: int) -> int:
        d_head = d_model // heads
        per_head = [
            (rng.normal(size=(d_model, d_head)), rng.normal(size=d_head))
            for _ in range(3 * heads)  # Q, K and V projections of every head
        ]
        w_out, b_out = rng.normal(size=(heads * d_head, d_model)), rng.normal(size=d_model)
        tokens = rng.normal(size=(5, d_model))
        q, k, v = (
            np.concatenate([tokens @ w + b for w, b in per_head[i * heads : (i + 1) * heads]], axis=1)
            for i in range(3)
        )
        split = [np.split(m, heads, axis=1) for m in (q, k, v)]
        outs = [softmax(qh @ kh.T / np.sqrt(d_head)) @ vh for qh, kh, vh in zip(*split, strict=True)]
        assert (np.concatenate(outs, axis=1) @ w_out + b_out).shape == tokens.shape
        return sum(w.size + b.size for w, b in per_head) + w_out.size + b_out.size

    assert count(8) == count(16) == count(1)
    assert_matches("att-mha-param-count", count(8))


def test_perplexity_is_exp_of_mean_cross_entropy() -> None:
    probs = np.array([0.5, 0.25, 0.125, 0.5])
    perplexity = np.exp(-np.mean(np.log(probs)))
    assert perplexity == pytest.approx(np.prod(1 / probs) ** (1 / len(probs)))
    assert_matches("att-perplexity-example", perplexity)


def test_greedy_and_beam_search_on_the_toy_decoder() -> None:
    first = {"A": 0.5, "B": 0.4, "C": 0.1}
    second = {
        "A": {"X": 0.4, "Y": 0.3, "Z": 0.3},
        "B": {"X": 0.9, "Y": 0.05, "Z": 0.05},
        "C": {"X": 1 / 3, "Y": 1 / 3, "Z": 1 / 3},
    }

    def step(prefix: str) -> dict[str, float]:
        return first if not prefix else second[prefix[-1]]

    def beam_search(width: int) -> float:
        beams = [("", 0.0)]  # (prefix, log-probability)
        for _ in range(2):
            candidates = [
                (prefix + token, logp + np.log(p))
                for prefix, logp in beams
                for token, p in step(prefix).items()
            ]
            beams = sorted(candidates, key=lambda c: c[1], reverse=True)[:width]
        return float(np.exp(beams[0][1]))

    exhaustive = max(first[a] * second[a][b] for a in first for b in second[a])
    assert beam_search(2) == pytest.approx(exhaustive)
    assert_matches("att-greedy-beam-example", [beam_search(1), beam_search(2)])
