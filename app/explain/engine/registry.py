"""The calculator registry: validate parameters, solve, and generate variants by name."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from functools import cache
from typing import Any

import numpy as np
from pydantic import ValidationError

from app.explain.engine.base import (
    Calculator,
    InvalidParams,
    Params,
    Slip,
    Variant,
    plain,
    same_answer,
)

_CALCULATORS: dict[str, Calculator[Any]] = {}
DISTRACTOR_COUNT = 3
_MAX_SAMPLE_TRIES = 50


class UnknownCalculator(KeyError):
    """No calculator has this name."""


def register(calculator: Calculator[Any]) -> Calculator[Any]:
    """Add a calculator instance to the registry."""
    _CALCULATORS[calculator.name] = calculator
    return calculator


def names() -> list[str]:
    """Registered calculator names, sorted."""
    return sorted(_CALCULATORS)


def get(name: str) -> Calculator[Any]:
    """The calculator called ``name``; raise UnknownCalculator."""
    try:
        return _CALCULATORS[name]
    except KeyError:
        raise UnknownCalculator(name) from None


def describe(name: str) -> dict[str, Any]:
    """Name, title, parameter JSON Schema, defaults and askable quantities."""
    calc = get(name)
    model = calc.params_model
    defaults = {
        key: plain(f.default)
        for key, f in model.model_fields.items()
        if not f.is_required() and f.default is not None
    }
    return {
        "name": calc.name,
        "title": asdict(calc.title),
        "schema": model.model_json_schema(),
        "defaults": defaults,
        "asks": list(calc.asks),
    }


def parse_params(name: str, raw: Mapping[str, Any]) -> Params:
    """Validate raw parameters; raise InvalidParams naming each bad parameter."""
    calc = get(name)
    stray = [
        (key, "expected a number, got a boolean")
        for key, value in raw.items()
        if key in _numeric_fields(name) and _holds_bool(value)
    ]
    if stray:
        raise InvalidParams(stray)
    try:
        params = calc.params_model.model_validate(dict(raw))
    except ValidationError as exc:
        raise InvalidParams(_errors(exc)) from None
    problems = calc.validate(params)
    if problems:
        raise InvalidParams(problems)
    return params


@cache
def _numeric_fields(name: str) -> frozenset[str]:
    """Parameters whose schema allows no boolean anywhere: ``true`` there is a client's mistake.

    Lax validation would read ``true`` as 1 in a number or a matrix; the schema never offers it.
    """
    schema = get(name).params_model.model_json_schema()
    return frozenset(
        key
        for key, prop in schema.get("properties", {}).items()
        if '"boolean"' not in json.dumps(_resolve_refs(prop, schema.get("$defs", {})))
    )


def _resolve_refs(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _resolve_refs(defs.get(node["$ref"].rsplit("/", 1)[-1], {}), defs)
        return {k: _resolve_refs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve_refs(v, defs) for v in node]
    return node


def _holds_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, list | tuple):
        return any(_holds_bool(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_bool(v) for v in value.values())
    return False


def _errors(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for error in exc.errors():
        loc = ".".join(str(p) for p in error["loc"]) or "params"
        msg = str(error["msg"]).removeprefix("Value error, ")
        out.append((loc, "unknown parameter" if error["type"] == "extra_forbidden" else msg))
    return out


def solve(name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The full worked answer as JSON data: name, params, answer, steps, checks."""
    calc = get(name)
    params = parse_params(name, raw)
    solution = calc.solve(params)
    return {
        "name": name,
        "params": params.model_dump(mode="json"),
        "answer": plain(solution.answer),
        "steps": [asdict(s) for s in solution.steps],
        "checks": [asdict(c) for c in solution.checks],
    }


def variant(
    name: str, seed: int, *, template: Mapping[str, Any] | None = None, ask: str | None = None
) -> Variant:
    """A generated question, deterministic for ``seed``, with named-slip distractors."""
    calc = get(name)
    ask = ask or calc.asks[0]
    if ask not in calc.asks:
        raise InvalidParams([("ask", f"expected one of {', '.join(calc.asks)}")])
    base = parse_params(name, template) if template is not None else None
    rng = np.random.default_rng(seed)
    for _ in range(_MAX_SAMPLE_TRIES):
        params = calc.sample(rng, base)
        solution = calc.solve(params)
        answer = plain(calc.pick(solution.answer, ask))
        distractors = _distinct_slips(calc, params, ask, answer)
        if len(distractors) >= DISTRACTOR_COUNT:
            break
    return Variant(
        name=name,
        seed=seed,
        ask=ask,
        params=params.model_dump(mode="json"),
        prompt=calc.prompt(params, ask),
        answer=answer,
        tolerance=calc.tolerance,
        solution=solution,
        distractors=distractors[:DISTRACTOR_COUNT],
    )


def _distinct_slips(calc: Calculator[Any], params: Params, ask: str, answer: Any) -> list[Slip]:
    chosen: list[Slip] = []
    for slip in calc.slips(params, ask):
        wrong = plain(slip.answer)
        if same_answer(wrong, answer, calc.tolerance):
            continue
        if any(same_answer(wrong, plain(c.answer), calc.tolerance) for c in chosen):
            continue
        chosen.append(slip)
    return chosen


def validate_item(calculator: str, params: Mapping[str, Any], ask: str | None) -> list[tuple[str, str]]:
    """Problems with a bank item's calculator reference, as (field, message) pairs."""
    if calculator not in _CALCULATORS:
        return [("calculator", f"unknown calculator {calculator!r}, expected one of {', '.join(names())}")]
    errors: list[tuple[str, str]] = []
    calc = _CALCULATORS[calculator]
    if ask is not None and ask not in calc.asks:
        errors.append(("ask", f"expected one of {', '.join(calc.asks)}"))
    try:
        parse_params(calculator, params)
    except InvalidParams as exc:
        errors.extend((f"params.{p}", m) for p, m in exc.errors)
    return errors
