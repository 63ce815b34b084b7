"""Activation values and derivatives against math-module references and finite differences."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams, plain, same_answer

NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "silu"]


def sig(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def reference(name: str, alpha: float) -> Callable[[float], float]:
    """Plain-Python activations (math module only), independent of the engine's NumPy code."""
    return {
        "sigmoid": sig,
        "tanh": math.tanh,
        "relu": lambda x: max(x, 0.0),
        "leaky_relu": lambda x: x if x > 0 else alpha * x,
        "elu": lambda x: x if x > 0 else alpha * math.expm1(x),
        "softplus": lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))),
        "gelu": lambda x: x * 0.5 * (1 + math.erf(x / math.sqrt(2))),
        "silu": lambda x: x * sig(x),
    }[name]


def solve(**raw: object) -> dict[str, object]:
    return registry.solve("activation", raw)


# ---- golden values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value", "derivative"),
    [
        ({"name": "sigmoid", "x": 1}, 0.7310585786300049, 0.19661193324148185),
        ({"name": "sigmoid", "x": 0}, 0.5, 0.25),
        ({"name": "tanh", "x": 0.5}, 0.46211715726000974, 0.7864477329659274),
        ({"name": "relu", "x": [-1, 0, 2]}, [0.0, 0.0, 2.0], [0.0, 0.0, 1.0]),
        ({"name": "leaky_relu", "x": [-2, 0, 3]}, [-0.02, 0.0, 3.0], [0.01, 0.01, 1.0]),
        ({"name": "leaky_relu", "x": -2, "alpha": 0.2}, -0.4, 0.2),
        ({"name": "elu", "x": -1}, -0.6321205588285577, 0.36787944117144233),
        ({"name": "elu", "x": 0, "alpha": 2}, 0.0, 2.0),
        ({"name": "softplus", "x": 0}, 0.6931471805599453, 0.5),
        ({"name": "softplus", "x": 100}, 100.0, 1.0),
        ({"name": "gelu", "x": 1}, 0.8413447460685429, 1.0833154705876864),
        ({"name": "gelu", "x": 0}, 0.0, 0.5),
        ({"name": "silu", "x": 1}, 0.7310585786300049, 0.9276705118714866),
    ],
)
def test_golden(raw: dict[str, object], value: object, derivative: object) -> None:
    result = registry.solve("activation", raw)
    assert same_answer(result["answer"], {"value": value, "derivative": derivative}, 1e-12)
    assert all(c["passed"] for c in result["checks"])


def test_relu_prime_at_zero_is_zero_like_pytorch() -> None:
    answer = solve(name="relu", x=0.0)["answer"]
    assert answer == {"value": 0.0, "derivative": 0.0}


def test_sigmoid_saturates_without_overflow() -> None:
    answer = solve(name="sigmoid", x=[-100, 100])["answer"]
    assert answer["value"][1] == 1.0 and 0 < answer["value"][0] < 1e-40
    assert answer["derivative"][0] > 0


def test_steps_are_bilingual_with_latex() -> None:
    steps = solve(name="gelu", x=[0.5])["steps"]
    assert all(s["zh"] and s["en"] for s in steps)
    assert any(s["latex"] and "Phi" in s["latex"] for s in steps)


# ---- properties ------------------------------------------------------------------------------

xs = st.lists(st.floats(-20, 20, allow_nan=False).filter(lambda v: abs(v) > 1e-3), min_size=1, max_size=6)


@settings(max_examples=300)
@given(st.sampled_from(NAMES), xs, st.floats(0.01, 3))
def test_values_and_derivatives_match_independent_references(name: str, x: list[float], alpha: float) -> None:
    raw: dict[str, object] = {"name": name, "x": x}
    if name in ("leaky_relu", "elu"):
        raw["alpha"] = alpha
    else:
        alpha = 0.0
    answer = registry.solve("activation", raw)["answer"]
    f = reference(name, alpha)
    h = 1e-6
    for xi, v, d in zip(x, answer["value"], answer["derivative"], strict=True):
        assert v == pytest.approx(f(xi), rel=1e-12, abs=1e-12)
        assert d == pytest.approx((f(xi + h) - f(xi - h)) / (2 * h), rel=1e-5, abs=1e-7)


@settings(max_examples=100)
@given(st.sampled_from(NAMES), st.floats(-50, 50, allow_nan=False))
def test_checks_always_pass(name: str, x: float) -> None:
    assert all(c["passed"] for c in solve(name=name, x=x)["checks"])


# ---- contract --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"name": "swish"}, "name"),
        ({"x": 1000}, "x"),
        ({"x": []}, "x"),
        ({"name": "sigmoid", "alpha": 0.1}, "alpha"),
        ({"name": "elu", "alpha": -1}, "alpha"),
        ({"beta": 1}, "beta"),
    ],
)
def test_invalid_parameters_name_the_parameter(raw: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParams) as caught:
        registry.solve("activation", raw)
    assert any(p.startswith(parameter) for p, _ in caught.value.errors), caught.value.errors


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("ask", ["derivative", "value", "answer"])
def test_variants_have_three_named_distractors(name: str, ask: str) -> None:
    template = {"name": name, "x": [1.0, 2.0]}
    for seed in range(4):
        variant = registry.variant("activation", seed, template=template, ask=ask).to_dict()
        assert variant == registry.variant("activation", seed, template=template, ask=ask).to_dict()
        assert variant["params"]["name"] == name
        wrong = [d["answer"] for d in variant["distractors"]]
        assert len(wrong) == 3
        assert not any(same_answer(w, variant["answer"], variant["tolerance"]) for w in wrong)
        assert not any(same_answer(a, b, variant["tolerance"]) for a, b in itertools.combinations(wrong, 2))
        assert plain(variant) == variant
