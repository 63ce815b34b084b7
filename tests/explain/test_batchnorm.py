"""BatchNorm forward pass against hand-worked values and a PyTorch-semantics NumPy reference."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams, plain, same_answer


def torch_bn(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float, momentum: float
) -> dict[str, np.ndarray]:
    """nn.BatchNorm1d in training mode, one step from running_mean = 0 and running_var = 1."""
    mean, var = x.mean(axis=0), x.var(axis=0)
    y = (x - mean) / np.sqrt(var + eps) * gamma + beta
    return {
        "mean": mean,
        "var": var,
        "y": y,
        "running_mean": momentum * mean,
        "running_var": (1 - momentum) + momentum * x.var(axis=0, ddof=1),
    }


def test_default_batch_by_hand() -> None:
    result = registry.solve("bn_forward", {})
    answer = result["answer"]
    assert answer["mean"] == [4.0, 3.0]
    assert answer["var"] == [5.0, 5.0]
    assert answer["running_mean"] == pytest.approx([0.4, 0.3])
    assert answer["running_var"] == pytest.approx([0.9 + 0.1 * 20 / 3] * 2)
    assert answer["x_hat"][0] == pytest.approx([-3 / np.sqrt(5 + 1e-5), -1 / np.sqrt(5 + 1e-5)])
    assert all(c["passed"] for c in result["checks"])


def test_gamma_is_a_standard_deviation_not_a_variance() -> None:
    answer = registry.solve("bn_forward", {"gamma": [4.0, 0.5], "beta": [1.0, -1.0], "eps": 1e-9})["answer"]
    y = np.array(answer["y"])
    assert y.mean(axis=0) == pytest.approx([1.0, -1.0])
    assert y.std(axis=0) == pytest.approx([4.0, 0.5], rel=1e-6)
    steps = registry.solve("bn_forward", {})["steps"]
    assert any("variance γ², not γ" in s["en"] for s in steps)
    assert any("eval mode" in s["en"] for s in steps)


@settings(max_examples=300)
@given(st.integers(2, 8), st.integers(1, 4), st.data())
def test_matches_pytorch_semantics(m: int, n: int, data: st.DataObject) -> None:
    values = st.floats(-100, 100, allow_nan=False)
    x = data.draw(st.lists(st.lists(values, min_size=n, max_size=n), min_size=m, max_size=m))
    gamma = data.draw(st.lists(st.floats(-3, 3, allow_nan=False), min_size=n, max_size=n))
    beta = data.draw(st.lists(st.floats(-3, 3, allow_nan=False), min_size=n, max_size=n))
    eps = data.draw(st.sampled_from([1e-5, 1e-3, 0.1]))
    momentum = data.draw(st.sampled_from([0.1, 0.01, 0.5, 1.0]))
    result = registry.solve(
        "bn_forward", {"x": x, "gamma": gamma, "beta": beta, "eps": eps, "momentum": momentum}
    )
    expected = torch_bn(np.array(x), np.array(gamma), np.array(beta), eps, momentum)
    for key, value in expected.items():
        assert np.allclose(result["answer"][key], value, rtol=1e-9, atol=1e-9), key
    assert all(c["passed"] for c in result["checks"])


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"x": [[1, 2], [3]]}, "x.1"),
        ({"x": [[1, 2]]}, "x"),
        ({"gamma": [1, 2, 3]}, "gamma"),
        ({"beta": [1]}, "beta"),
        ({"eps": 0}, "eps"),
        ({"momentum": 1.5}, "momentum"),
        ({"running_mean": [0, 0]}, "running_mean"),
    ],
)
def test_invalid_parameters_name_the_parameter(raw: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParams) as caught:
        registry.solve("bn_forward", raw)
    assert any(p.startswith(parameter) for p, _ in caught.value.errors), caught.value.errors


@pytest.mark.parametrize("ask", ["y", "mean", "var", "x_hat", "running_mean", "running_var", "answer"])
def test_variants_have_three_named_distractors(ask: str) -> None:
    for seed in range(5):
        variant = registry.variant("bn_forward", seed, ask=ask).to_dict()
        assert variant == registry.variant("bn_forward", seed, ask=ask).to_dict()
        wrong = [d["answer"] for d in variant["distractors"]]
        assert len(wrong) == 3, [d["name"] for d in variant["distractors"]]
        assert not any(same_answer(w, variant["answer"], variant["tolerance"]) for w in wrong)
        assert not any(same_answer(a, b, variant["tolerance"]) for a, b in itertools.combinations(wrong, 2))
        assert all(c["passed"] for c in variant["solution"]["checks"])
        assert plain(variant) == variant


def test_variants_keep_the_template_batch_shape() -> None:
    template = {"x": [[1, 2, 3], [4, 5, 6]]}
    params = registry.variant("bn_forward", 7, template=template).params
    assert len(params["x"]) == 2 and len(params["x"][0]) == 3
