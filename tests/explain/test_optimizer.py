"""Optimizer steps against hand-worked values and an independent PyTorch-style reference."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams, plain, same_answer

NAMES = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]


def torch_like(name: str, w0: list[float], grads: list[list[float]], lr: float, wd: float) -> list[float]:
    """Coordinate-wise re-implementation of torch.optim's update rules (default hyper-parameters)."""
    out = []
    for i, start in enumerate(w0):
        w = start
        buf = m = v = total = 0.0
        for t, g_all in enumerate(grads, start=1):
            g = g_all[i]
            if name in ("sgd", "momentum", "nesterov", "adam"):
                g += wd * w
            if name == "sgd":
                w -= lr * g
            elif name in ("momentum", "nesterov"):
                buf = g if t == 1 else 0.9 * buf + g
                w -= lr * (g + 0.9 * buf if name == "nesterov" else buf)
            elif name == "adagrad":
                total += g * g
                w -= lr * g / (math.sqrt(total) + 1e-10)
            elif name == "rmsprop":
                v = 0.99 * v + 0.01 * g * g
                w -= lr * g / (math.sqrt(v) + 1e-8)
            else:
                if name == "adamw":
                    w *= 1 - lr * wd
                m = 0.9 * m + 0.1 * g
                v = 0.999 * v + 0.001 * g * g
                w -= lr * (m / (1 - 0.9**t)) / (math.sqrt(v / (1 - 0.999**t)) + 1e-8)
        out.append(w)
    return out


def solve(**raw: object) -> dict[str, object]:
    return registry.solve("optimizer_step", raw)


# ---- golden values ---------------------------------------------------------------------------


def test_sgd_subtracts_the_scaled_gradients() -> None:
    answer = solve(name="sgd", w=[1.0, -0.5], grads=[[0.2, -0.1], [0.1, 0.3]], lr=0.1)["answer"]
    assert np.allclose(answer["w"], [0.97, -0.52], rtol=0, atol=1e-12)
    assert np.allclose(
        [s["w"] for s in answer["trajectory"]], [[0.98, -0.49], [0.97, -0.52]], rtol=0, atol=1e-12
    )


def test_momentum_velocity_by_hand() -> None:
    answer = solve(name="momentum", w=[1.0], grads=[[1.0], [1.0]], lr=0.1, momentum=0.9)["answer"]
    # v1 = 0.1, w1 = 0.9; v2 = 0.9·0.1 + 0.1 = 0.19, w2 = 0.71
    assert same_answer(answer["trajectory"], [{"w": [0.9], "v": [0.1]}, {"w": [0.71], "v": [0.19]}], 1e-12)


def test_adagrad_and_rmsprop_by_hand() -> None:
    ada = solve(name="adagrad", w=[0.0], grads=[[3.0], [4.0]], lr=1.0)["answer"]
    assert ada["trajectory"][1]["G"] == [25.0]
    assert ada["w"][0] == pytest.approx(-1.0 - 4 / 5)
    rms = solve(name="rmsprop", w=[0.0], grads=[[2.0]], lr=0.1, beta2=0.9)["answer"]
    assert rms["trajectory"][0]["v"] == pytest.approx([0.4])
    assert rms["w"][0] == pytest.approx(-0.1 * 2 / math.sqrt(0.4))


def test_adam_first_step_is_about_lr_thanks_to_bias_correction() -> None:
    result = solve(name="adam", w=[1.0, -0.5], grads=[[0.2, -0.1]], lr=0.1)
    assert result["answer"]["w"] == pytest.approx([0.9, -0.4], abs=1e-7)
    state = result["answer"]["trajectory"][0]
    assert state["m"] == pytest.approx([0.02, -0.01]) and state["m_hat"] == pytest.approx([0.2, -0.1])
    text = " ".join(s["en"] for s in result["steps"])
    assert "Without it the first step" in text and "3.16η" in text


def test_adamw_decays_the_weights_before_the_step() -> None:
    answer = solve(name="adamw", w=[2.0], grads=[[0.0]], lr=0.1, weight_decay=0.5)["answer"]
    assert answer["w"] == pytest.approx([1.9])  # zero gradient: only the decoupled decay acts


def test_default_is_adam_and_every_check_passes() -> None:
    result = solve()
    assert result["params"]["name"] == "adam"
    assert result["answer"]["w"] == pytest.approx(
        torch_like("adam", [1.0, -0.5], [[0.2, -0.1], [0.1, 0.3]], 0.1, 0)
    )
    assert {c["method"] for c in result["checks"]} == {"closed_form", "adam_efficient_form"}
    assert all(c["passed"] for c in result["checks"])


# ---- properties ------------------------------------------------------------------------------

numbers = st.floats(-5, 5, allow_nan=False)


@settings(max_examples=300)
@given(st.sampled_from(NAMES), st.integers(1, 4), st.integers(1, 6), st.data())
def test_matches_an_independent_torch_style_loop(
    name: str, size: int, steps: int, data: st.DataObject
) -> None:
    w = data.draw(st.lists(numbers, min_size=size, max_size=size))
    grads = data.draw(
        st.lists(st.lists(numbers, min_size=size, max_size=size), min_size=steps, max_size=steps)
    )
    lr = data.draw(st.sampled_from([0.001, 0.01, 0.1, 0.5]))
    wd = 0.0 if name in ("adagrad", "rmsprop") else data.draw(st.sampled_from([0.0, 0.01, 0.1]))
    if name == "adamw" and wd == 0.0:
        wd = 0.01
    result = solve(name=name, w=w, grads=grads, lr=lr, weight_decay=wd)
    assert np.allclose(result["answer"]["w"], torch_like(name, w, grads, lr, wd), rtol=1e-9, atol=1e-9)
    assert all(c["passed"] for c in result["checks"])


# ---- contract --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"grads": [[0.1]]}, "grads.0"),
        ({"name": "lion"}, "name"),
        ({"name": "adagrad", "weight_decay": 0.1}, "weight_decay"),
        ({"lr": 0}, "lr"),
        ({"beta1": 1.0}, "beta1"),
        ({"w": []}, "w"),
        ({"grads": []}, "grads"),
    ],
)
def test_invalid_parameters_name_the_parameter(raw: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParams) as caught:
        registry.solve("optimizer_step", raw)
    assert any(p.startswith(parameter) for p, _ in caught.value.errors), caught.value.errors


@pytest.mark.parametrize("name", NAMES)
def test_variants_have_three_named_distractors(name: str) -> None:
    template = {"name": name, "w": [1.0], "grads": [[0.5]]}
    if name == "adamw":
        template["weight_decay"] = 0.01
    for seed in range(5):
        variant = registry.variant("optimizer_step", seed, template=template).to_dict()
        assert variant == registry.variant("optimizer_step", seed, template=template).to_dict()
        assert variant["params"]["name"] == name
        wrong = [d["answer"] for d in variant["distractors"]]
        assert len(wrong) == 3, [d["name"] for d in variant["distractors"]]
        assert not any(same_answer(w, variant["answer"], variant["tolerance"]) for w in wrong)
        assert not any(same_answer(a, b, variant["tolerance"]) for a, b in itertools.combinations(wrong, 2))
        assert all(c["passed"] for c in variant["solution"]["checks"])
        assert plain(variant) == variant


def test_answer_ask_distractors_carry_whole_trajectories() -> None:
    variant = registry.variant("optimizer_step", 1, ask="answer").to_dict()
    assert all(set(d["answer"]) == {"w", "trajectory"} for d in variant["distractors"])
