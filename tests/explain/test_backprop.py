"""Back-propagation against hand-derived seed formulas and independent finite differences."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams, plain, same_answer


def sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


# ---- the seed's 3-2-1 network ------------------------------------------------------------------


def test_seed_network_by_the_seed_formulas_with_the_sign_fixed() -> None:
    """∇w_j1 = (y − t)·f(o)(1 − f(o))·a_j and ∇w_ij = ∇a_j·f(z_j)(1 − f(z_j))·x_i (y − t, not t − y)."""
    x, t = [0.5, 1.0, -0.5], 1.0
    w1 = [[0.1, 0.3, -0.2], [0.4, -0.1, 0.2]]
    w2 = [0.5, -0.3]
    a = [sig(sum(w * xi for w, xi in zip(row, x, strict=True))) for row in w1]
    y = sig(sum(w * aj for w, aj in zip(w2, a, strict=True)))
    out_delta = (y - t) * y * (1 - y)
    grad_w2 = [out_delta * aj for aj in a]
    grad_w1 = [[out_delta * w2[j] * a[j] * (1 - a[j]) * xi for xi in x] for j in range(2)]
    result = registry.solve("backprop", {})
    answer = result["answer"]
    assert answer["output"] == pytest.approx([y])
    assert answer["loss"] == pytest.approx(0.5 * (y - t) ** 2)
    assert np.allclose(answer["grads"][1]["weights"], [grad_w2], rtol=1e-12, atol=0)
    assert np.allclose(answer["grads"][0]["weights"], grad_w1, rtol=1e-12, atol=0)
    assert answer["grads"][1]["bias"] == pytest.approx([out_delta])
    assert "updated" not in answer
    assert all(c["passed"] for c in result["checks"])


def test_steps_spell_out_the_chain_rule_per_weight_and_fix_the_seed_sign() -> None:
    steps = registry.solve("backprop", {})["steps"]
    text = " ".join(s["en"] for s in steps)
    assert "the seed's t − y is a sign error" in text
    assert text.count("∂L/∂W^(1)_") == 6 and text.count("∂L/∂W^(2)_") == 2
    assert all(s["zh"] and s["en"] for s in steps)


def test_learning_rate_gives_one_sgd_update() -> None:
    answer = registry.solve("backprop", {"lr": 0.5})["answer"]
    w2 = np.array([[0.5, -0.3]]) - 0.5 * np.array(answer["grads"][1]["weights"])
    assert np.allclose(answer["updated"][1]["weights"], w2)


def test_softmax_cross_entropy_output_error_is_y_minus_t() -> None:
    raw = {
        "x": [1.0, 2.0],
        "target": [0.0, 1.0, 0.0],
        "loss": "cross_entropy",
        "layers": [
            {
                "weights": [[0.2, -0.1], [0.4, 0.3], [-0.5, 0.1]],
                "bias": [0.1, 0.0, -0.1],
                "activation": "softmax",
            }
        ],
    }
    answer = registry.solve("backprop", raw)["answer"]
    z = np.array([[0.2, -0.1], [0.4, 0.3], [-0.5, 0.1]]) @ [1.0, 2.0] + [0.1, 0.0, -0.1]
    p = np.exp(z) / np.exp(z).sum()
    assert answer["output"] == pytest.approx(p.tolist())
    assert answer["loss"] == pytest.approx(-math.log(p[1]))
    assert answer["grads"][0]["bias"] == pytest.approx((p - [0, 1, 0]).tolist())


def test_saturated_sigmoid_cross_entropy_stays_finite() -> None:
    raw = {"x": [100.0], "target": 0.0, "loss": "cross_entropy", "layers": [{"weights": [[100.0]]}]}
    answer = registry.solve("backprop", raw)["answer"]
    assert answer["loss"] == pytest.approx(10000.0)  # −log(1 − σ(10⁴)) = softplus(10⁴)


# ---- properties --------------------------------------------------------------------------------


def numeric_grads(
    x: np.ndarray, t: np.ndarray, layers: list[dict[str, Any]], loss: str
) -> list[dict[str, np.ndarray]]:
    """Central differences of an independent forward pass (plain loops over units)."""

    def act(name: str, z: np.ndarray) -> np.ndarray:
        if name == "softmax":
            e = np.exp(z - z.max())
            return e / e.sum()
        return {"sigmoid": lambda v: 1 / (1 + np.exp(-v)), "tanh": np.tanh, "identity": lambda v: v}[name](z)

    def total(params: list[tuple[np.ndarray, np.ndarray]]) -> float:
        a = x
        for (w, b), layer in zip(params, layers, strict=True):
            a = act(
                layer["activation"],
                np.array([sum(w[j, i] * a[i] for i in range(len(a))) + b[j] for j in range(len(w))]),
            )
        if loss == "half_squared_error":
            return float(0.5 * np.sum((a - t) ** 2))
        if layers[-1]["activation"] == "softmax":
            return float(-np.sum(t * np.log(a)))
        return float(-np.sum(t * np.log(a) + (1 - t) * np.log(1 - a)))

    params = [(np.array(layer["weights"], float), np.array(layer["bias"], float)) for layer in layers]
    out, h = [], 1e-6
    for k, (w, b) in enumerate(params):
        grads = {}
        for key, array in (("weights", w), ("bias", b)):
            g = np.zeros_like(array)
            for index in np.ndindex(array.shape):
                array[index] += h
                up = total(params)
                array[index] -= 2 * h
                down = total(params)
                array[index] += h
                g[index] = (up - down) / (2 * h)
            grads[key] = g
        out.append(grads)
        del k
    return out


weights_st = st.floats(-1.5, 1.5, allow_nan=False)


@st.composite
def networks(draw: st.DrawFn) -> tuple[list[float], Any, list[dict[str, Any]], str]:
    widths = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    loss = draw(st.sampled_from(["half_squared_error", "cross_entropy"]))
    layers = []
    for k, (n_in, n_out) in enumerate(itertools.pairwise(widths)):
        last = k == len(widths) - 2
        choices = (
            ["sigmoid", "tanh", "identity"]
            if not last or loss == "half_squared_error"
            else ["sigmoid", "softmax"]
        )
        layers.append({
            "weights": [[draw(weights_st) for _ in range(n_in)] for _ in range(n_out)],
            "bias": [draw(weights_st) for _ in range(n_out)],
            "activation": draw(st.sampled_from(choices)),
        })  # fmt: skip
    x = [draw(st.floats(-2, 2, allow_nan=False)) for _ in range(widths[0])]
    if loss == "cross_entropy" and layers[-1]["activation"] == "softmax":
        hot = draw(st.integers(0, widths[-1] - 1))
        target: Any = [float(i == hot) for i in range(widths[-1])]
    elif loss == "cross_entropy":
        target = [draw(st.sampled_from([0.0, 0.25, 1.0])) for _ in range(widths[-1])]
    else:
        target = [draw(st.floats(-1, 1, allow_nan=False)) for _ in range(widths[-1])]
    return x, target, layers, loss


@settings(max_examples=200)
@given(networks())
def test_gradients_match_independent_finite_differences(
    net: tuple[list[float], Any, list[dict[str, Any]], str],
) -> None:
    x, target, layers, loss = net
    result = registry.solve("backprop", {"x": x, "target": target, "layers": layers, "loss": loss})
    expected = numeric_grads(np.array(x), np.array(target), layers, loss)
    for got, want in zip(result["answer"]["grads"], expected, strict=True):
        assert np.allclose(got["weights"], want["weights"], rtol=1e-5, atol=1e-7)
        assert np.allclose(got["bias"], want["bias"], rtol=1e-5, atol=1e-7)
    assert all(c["passed"] for c in result["checks"])


# ---- contract ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"x": [1.0, 2.0]}, "layers.0.weights"),
        ({"target": [1.0, 0.0]}, "target"),
        ({"loss": "cross_entropy", "layers": [{"weights": [[1, 1, 1]], "activation": "relu"}]}, "loss"),
        ({"loss": "cross_entropy", "target": 2.0}, "target"),
        ({"layers": [{"weights": [[1, 1, 1]], "bias": [1, 2]}]}, "layers.0.bias"),
        (
            {"layers": [{"weights": [[1, 1, 1]], "activation": "softmax"}, {"weights": [[1]]}]},
            "layers.0.activation",
        ),
        ({"layers": [{"weights": [[1, 1, 1]], "activation": "swish"}]}, "layers.0.activation"),
        ({"lr": -1}, "lr"),
    ],
)
def test_invalid_parameters_name_the_parameter(raw: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParams) as caught:
        registry.solve("backprop", raw)
    assert any(p.startswith(parameter) for p, _ in caught.value.errors), caught.value.errors


SOFTMAX_NET = {
    "x": [1.0, -1.0],
    "target": [1.0, 0.0, 0.0],
    "loss": "cross_entropy",
    "layers": [
        {"weights": [[0.1, 0.2], [0.3, 0.4]], "bias": [0.0, 0.1], "activation": "tanh"},
        {"weights": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], "activation": "softmax"},
    ],
}


@pytest.mark.parametrize("template", [None, SOFTMAX_NET])
@pytest.mark.parametrize("ask", ["grads", "loss", "output", "answer"])
def test_variants_have_three_named_distractors(template: dict[str, object] | None, ask: str) -> None:
    for seed in range(4):
        variant = registry.variant("backprop", seed, template=template, ask=ask).to_dict()
        assert variant == registry.variant("backprop", seed, template=template, ask=ask).to_dict()
        wrong = [d["answer"] for d in variant["distractors"]]
        assert len(wrong) == 3, [d["name"] for d in variant["distractors"]]
        assert not any(same_answer(w, variant["answer"], variant["tolerance"]) for w in wrong)
        assert not any(same_answer(a, b, variant["tolerance"]) for a, b in itertools.combinations(wrong, 2))
        assert all(c["passed"] for c in variant["solution"]["checks"])
        assert plain(variant) == variant
