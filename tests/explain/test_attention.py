"""Scaled dot-product attention against scipy's softmax and hand-worked values."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import softmax

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams, plain, same_answer


def test_default_seq2seq_context_vector_by_hand() -> None:
    """q = [1, 0, 1] against h = [1,0,1], [0,1,0], [1,1,1]: dot products 2, 0, 2, scaled by 1/√3."""
    result = registry.solve("attention", {})
    s = 2 / math.sqrt(3)
    e = [math.exp(s), 1.0, math.exp(s)]
    alpha = [v / sum(e) for v in e]
    context = [alpha[0] + alpha[2], alpha[1] + alpha[2], alpha[0] + alpha[2]]
    answer = result["answer"]
    assert answer["scores"][0] == pytest.approx([s, 0.0, s])
    assert answer["weights"][0] == pytest.approx(alpha)
    assert answer["output"][0] == pytest.approx(context)
    assert all(c["passed"] for c in result["checks"])


def test_causal_mask_blocks_the_future() -> None:
    raw = {"query": [[1, 0], [0, 1]], "key": [[1, 0], [0, 1]], "value": [[1, 2], [3, 4]], "mask": "causal"}
    answer = registry.solve("attention", raw)["answer"]
    assert answer["scores"][0][1] is None
    assert answer["weights"][0] == [1.0, 0.0]
    assert answer["output"][0] == [1.0, 2.0]


def test_huge_scores_do_not_overflow() -> None:
    raw = {"query": [[1000, 1000]], "key": [[1000, 1000], [-1000, 1000], [999, 1000]]}
    result = registry.solve("attention", raw)
    assert all(math.isfinite(w) for w in result["answer"]["weights"][0])
    assert result["answer"]["weights"][0][0] == pytest.approx(1.0)
    assert all(c["passed"] for c in result["checks"])


def test_explicit_scale_and_steps() -> None:
    result = registry.solve("attention", {"scale": 1.0})
    assert result["answer"]["scores"][0] == [2.0, 0.0, 2.0]
    text = " ".join(s["en"] for s in registry.solve("attention", {})["steps"])
    assert "maximum is subtracted" in text and "Why √d" in text


matrices = st.integers(1, 4)
entries = st.floats(-5, 5, allow_nan=False)


@settings(max_examples=300)
@given(matrices, matrices, st.integers(1, 4), st.integers(1, 3), st.booleans(), st.data())
def test_matches_scipy_softmax(
    n_q: int, n_k: int, d: int, d_v: int, masked: bool, data: st.DataObject
) -> None:
    q = data.draw(st.lists(st.lists(entries, min_size=d, max_size=d), min_size=n_q, max_size=n_q))
    k = data.draw(st.lists(st.lists(entries, min_size=d, max_size=d), min_size=n_k, max_size=n_k))
    v = data.draw(st.lists(st.lists(entries, min_size=d_v, max_size=d_v), min_size=n_k, max_size=n_k))
    raw: dict[str, object] = {"query": q, "key": k, "value": v}
    keep = np.ones((n_q, n_k), dtype=bool)
    if masked:
        rows = data.draw(
            st.lists(
                st.lists(st.sampled_from([0, 1]), min_size=n_k, max_size=n_k), min_size=n_q, max_size=n_q
            )
        )
        rows = [r if any(r) else [1, *r[1:]] for r in rows]
        raw["mask"], keep = rows, np.array(rows, dtype=bool)
    result = registry.solve("attention", raw)
    scores = np.array(q) @ np.array(k).T / math.sqrt(d)
    weights = softmax(np.where(keep, scores, -np.inf), axis=1)
    assert np.allclose(result["answer"]["weights"], weights, rtol=1e-12, atol=1e-12)
    assert np.allclose(result["answer"]["output"], weights @ np.array(v), rtol=1e-9, atol=1e-9)
    assert all(c["passed"] for c in result["checks"])


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"key": [[1, 2]]}, "key"),
        ({"value": [[1.0]]}, "value"),
        ({"mask": [[0, 0, 0]]}, "mask"),
        ({"mask": [[1, 1]]}, "mask"),
        ({"mask": "future"}, "mask"),
        ({"query": [[1, 2, 3], [1]]}, "query"),
        ({"scale": 0}, "scale"),
    ],
)
def test_invalid_parameters_name_the_parameter(raw: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParams) as caught:
        registry.solve("attention", raw)
    assert any(p.startswith(parameter) for p, _ in caught.value.errors), caught.value.errors


TEMPLATES = [
    None,
    {"query": [[1, 0], [0, 1]], "key": [[1, 0], [0, 1]], "value": [[1, 2], [3, 4]], "mask": "causal"},
]


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("ask", ["output", "weights", "scores", "answer"])
def test_variants_have_three_named_distractors(template: dict[str, object] | None, ask: str) -> None:
    for seed in range(5):
        variant = registry.variant("attention", seed, template=template, ask=ask).to_dict()
        assert variant == registry.variant("attention", seed, template=template, ask=ask).to_dict()
        wrong = [d["answer"] for d in variant["distractors"]]
        assert len(wrong) == 3, [d["name"] for d in variant["distractors"]]
        assert not any(same_answer(w, variant["answer"], variant["tolerance"]) for w in wrong)
        assert not any(same_answer(a, b, variant["tolerance"]) for a, b in itertools.combinations(wrong, 2))
        assert all(c["passed"] for c in variant["solution"]["checks"])
        assert plain(variant) == variant
        if template is not None:
            assert variant["params"]["mask"] == "causal"
