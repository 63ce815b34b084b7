"""Matrix-chain order against textbook values and an independent brute-force enumeration."""

from __future__ import annotations

import itertools
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams, plain, same_answer


def cheapest(dims: list[int]) -> int:
    """Minimum cost by plain recursion over every last split (no DP table, no orders)."""

    @cache
    def best(i: int, j: int) -> int:
        if i == j:
            return 0
        return min(best(i, k) + best(k + 1, j) + dims[i] * dims[k + 1] * dims[j + 1] for k in range(i, j))

    return best(0, len(dims) - 2)


def cost_of(order: str, dims: list[int]) -> int:
    """Parse a fully parenthesised order and add up its products."""
    names = {chr(ord("A") + k): (dims[k], dims[k + 1]) for k in range(len(dims) - 1)}
    stack: list[tuple[int, int] | str] = []
    total = 0
    for ch in order:
        if ch == "(":
            stack.append(ch)
        elif ch == ")":
            right, left = stack.pop(), stack.pop()
            assert stack.pop() == "("
            assert isinstance(left, tuple) and isinstance(right, tuple) and left[1] == right[0]
            total += left[0] * left[1] * right[1]
            stack.append((left[0], right[1]))
        else:
            stack.append(names[ch])
    assert len(stack) == 1
    return total


@pytest.mark.parametrize(
    ("dims", "cost", "order"),
    [
        ([10, 100, 5, 50], 7500, "((AB)C)"),
        ([30, 35, 15, 5, 10, 20, 25], 15125, "((A(BC))((DE)F))"),  # CLRS 15.2
        ([40, 20, 30, 10, 30], 26000, "((A(BC))D)"),
    ],
)
def test_golden(dims: list[int], cost: int, order: str) -> None:
    result = registry.solve("matrix_chain", {"dims": dims})
    assert result["answer"] == {"cost": cost, "order": order}
    assert all(c["passed"] for c in result["checks"])


def test_two_matrices() -> None:
    assert registry.solve("matrix_chain", {"dims": [2, 3, 4]})["answer"] == {"cost": 24, "order": "(AB)"}


def test_seed_rule_m_lt_n_lt_p_lt_q_means_ab_first() -> None:
    for dims in itertools.combinations(range(1, 12), 4):
        assert registry.solve("matrix_chain", {"dims": list(dims)})["answer"]["order"] == "((AB)C)"


def test_steps_list_both_orders_for_three_matrices_and_the_dp_beyond() -> None:
    three = " ".join(s["en"] for s in registry.solve("matrix_chain", {})["steps"])
    assert "(AB)C costs" in three and "A(BC) costs" in three and "75000" in three
    six = " ".join(
        s["en"] for s in registry.solve("matrix_chain", {"dims": [30, 35, 15, 5, 10, 20, 25]})["steps"]
    )
    assert "dynamic programme" in six and "Length 6: A..F = 15125" in six


def test_long_chains_use_the_dp_only() -> None:
    result = registry.solve("matrix_chain", {"dims": list(range(1, 28))})
    assert result["answer"]["cost"] == cheapest(list(range(1, 28)))
    assert [c["method"] for c in result["checks"]] == ["numpy_product"]


@settings(max_examples=300)
@given(st.lists(st.integers(1, 60), min_size=3, max_size=9))
def test_matches_brute_force(dims: list[int]) -> None:
    result = registry.solve("matrix_chain", {"dims": dims})
    answer = result["answer"]
    assert answer["cost"] == cheapest(dims)
    assert cost_of(answer["order"], dims) == answer["cost"]
    assert all(c["passed"] for c in result["checks"])


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"dims": [3, 4]}, "dims"),
        ({"dims": [3, 0, 4]}, "dims.1"),
        ({"dims": [3, 4.5, 4]}, "dims.1"),
        ({"dims": list(range(1, 40))}, "dims"),
        ({"shapes": [1, 2]}, "shapes"),
    ],
)
def test_invalid_parameters_name_the_parameter(raw: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParams) as caught:
        registry.solve("matrix_chain", raw)
    assert any(p.startswith(parameter) for p, _ in caught.value.errors), caught.value.errors


@pytest.mark.parametrize(
    ("template", "ask"),
    [
        (None, "cost"),
        (None, "answer"),
        ({"dims": [1, 2, 3, 4, 5]}, "order"),
        ({"dims": [1, 2, 3, 4, 5, 6]}, "cost"),
    ],
)
def test_variants_have_three_named_distractors(template: dict[str, object] | None, ask: str) -> None:
    for seed in range(5):
        variant = registry.variant("matrix_chain", seed, template=template, ask=ask).to_dict()
        assert variant == registry.variant("matrix_chain", seed, template=template, ask=ask).to_dict()
        wrong = [d["answer"] for d in variant["distractors"]]
        assert len(wrong) == 3, [d["name"] for d in variant["distractors"]]
        assert not any(same_answer(w, variant["answer"]) for w in wrong)
        assert not any(same_answer(a, b) for a, b in itertools.combinations(wrong, 2))
        assert all(c["passed"] for c in variant["solution"]["checks"])
        assert plain(variant) == variant
        if template is not None:
            assert len(variant["params"]["dims"]) == len(template["dims"])  # type: ignore[arg-type]


def test_three_matrices_have_only_one_wrong_order() -> None:
    variant = registry.variant("matrix_chain", 0, ask="order").to_dict()
    assert len(variant["distractors"]) == 1
