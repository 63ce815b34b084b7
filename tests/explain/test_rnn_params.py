"""RNN/LSTM/GRU parameter counts against PyTorch's known totals and explicitly built tensors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams, plain, same_answer


@pytest.mark.parametrize(
    ("cell", "i", "h", "bias", "expected"),
    [
        # sum(p.numel() for p in nn.LSTM(10, 20).parameters()) == 2560, GRU 1920, RNN 640
        ("lstm", 10, 20, "double", 2560),
        ("gru", 10, 20, "double", 1920),
        ("rnn", 10, 20, "double", 640),
        ("lstm", 10, 20, "none", 2400),
        ("lstm", 128, 256, "double", 395264),
        ("gru", 300, 100, "single", 120300),  # Keras GRU with reset_after=False
    ],
)
def test_known_totals(cell: str, i: int, h: int, bias: str, expected: int) -> None:
    result = registry.solve("rnn_params", {"cell": cell, "input_size": i, "hidden_size": h, "bias": bias})
    assert result["answer"]["params"] == expected
    assert sum(g["total"] for g in result["answer"]["gates"]) == expected
    assert all(c["passed"] for c in result["checks"])


def test_gate_breakdown_names_pytorch_gates() -> None:
    gates = registry.solve("rnn_params", {"cell": "lstm", "input_size": 3, "hidden_size": 2})["answer"][
        "gates"
    ]
    assert [g["gate"] for g in gates] == ["input", "forget", "cell", "output"]
    assert gates[0] == {"gate": "input", "input_weights": 6, "hidden_weights": 4, "biases": 4, "total": 14}


def test_huge_layers_are_counted_without_allocating() -> None:
    result = registry.solve("rnn_params", {"cell": "gru", "input_size": 100_000, "hidden_size": 100_000})
    assert result["answer"]["params"] == 3 * (100_000 * 200_000 + 200_000)
    assert [c["method"] for c in result["checks"]] == ["parameter_tensors"]


def build_and_count(cell: str, i: int, h: int, bias: str) -> int:
    """Allocate every gate's weight matrices and bias vectors, then count the elements."""
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    vectors = {"none": 0, "single": 1, "double": 2}[bias]
    tensors = []
    for _ in range(gates):
        tensors += [np.zeros((h, i)), np.zeros((h, h))] + [np.zeros(h) for _ in range(vectors)]
    return sum(t.size for t in tensors)


@settings(max_examples=300)
@given(
    st.sampled_from(["rnn", "lstm", "gru"]),
    st.integers(1, 64),
    st.integers(1, 64),
    st.sampled_from(["none", "single", "double"]),
)
def test_matches_explicitly_built_tensors(cell: str, i: int, h: int, bias: str) -> None:
    result = registry.solve("rnn_params", {"cell": cell, "input_size": i, "hidden_size": h, "bias": bias})
    assert result["answer"]["params"] == build_and_count(cell, i, h, bias)
    assert all(c["passed"] for c in result["checks"])


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"cell": "transformer"}, "cell"),
        ({"hidden_size": 0}, "hidden_size"),
        ({"input_size": True}, "input_size"),
        ({"input_size": 2.5}, "input_size"),
        ({"bias": "triple"}, "bias"),
        ({"layers": 2}, "layers"),
    ],
)
def test_invalid_parameters_name_the_parameter(raw: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParams) as caught:
        registry.solve("rnn_params", raw)
    assert any(p.startswith(parameter) for p, _ in caught.value.errors), caught.value.errors


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bias", ["none", "single", "double"])
def test_variants_have_three_named_distractors(cell: str, bias: str) -> None:
    template = {"cell": cell, "bias": bias}
    for seed in range(5):
        variant = registry.variant("rnn_params", seed, template=template).to_dict()
        assert variant == registry.variant("rnn_params", seed, template=template).to_dict()
        assert (variant["params"]["cell"], variant["params"]["bias"]) == (cell, bias)
        wrong = [d["answer"] for d in variant["distractors"]]
        assert len(wrong) == 3, [d["name"] for d in variant["distractors"]]
        assert not any(same_answer(w, variant["answer"]) for w in wrong)
        assert not any(same_answer(a, b) for a, b in itertools.combinations(wrong, 2))
        assert plain(variant) == variant


def test_one_bias_vector_is_the_first_distractor_for_pytorch_layers() -> None:
    variant = registry.variant("rnn_params", 0, template={"cell": "lstm", "bias": "double"}).to_dict()
    assert variant["distractors"][0]["name"] == "one_bias_vector"
