"""Explain-engine answers for bank items: the item's own worked answer and fresh variants."""

from __future__ import annotations

from typing import Any

from app.explain.engine import registry
from app.explain.engine.base import Variant


def item_solution(body: dict[str, Any]) -> dict[str, Any]:
    """The worked answer of a computed item's own parameters, plus the graded part."""
    result = registry.solve(body["calculator"], body.get("params", {}))
    calc = registry.get(body["calculator"])
    ask = body.get("ask") or calc.asks[0]
    return {
        **result,
        "ask": ask,
        "graded": calc.pick(result["answer"], ask),
        "tolerance": calc.tolerance,
    }


def item_variant(body: dict[str, Any], seed: int) -> Variant:
    """A fresh variant in the spirit of a computed item, deterministic for ``seed``."""
    return registry.variant(body["calculator"], seed, template=body.get("params"), ask=body.get("ask"))
