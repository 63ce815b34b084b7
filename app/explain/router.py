"""The explain API: list calculators, solve one, generate a variant (a fixed contract)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams
from app.explain.schemas import CalculatorPublic, SolutionPublic, VariantPublic

router = APIRouter(prefix="/api/v1/explain", tags=["explain"])
Name = Annotated[str, Path(max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown calculator"},
    422: {"description": "Invalid parameters: each error names the parameter and the rule broken"},
}


@router.get("")
def list_calculators() -> list[CalculatorPublic]:
    """Every calculator with its parameter JSON Schema and defaults."""
    return [CalculatorPublic.model_validate(registry.describe(name)) for name in registry.names()]


@router.post("/{name}", responses=RESPONSES)
def solve(name: Name, params: Annotated[dict[str, Any], Body()]) -> SolutionPublic:
    """The worked answer for these parameters, with steps in zh/en and NumPy checks."""
    _known(name)
    try:
        return SolutionPublic.model_validate(registry.solve(name, params))
    except InvalidParams as exc:
        raise invalid(exc) from None


@router.get("/{name}/variant", responses=RESPONSES)
def variant(
    name: Name,
    seed: Annotated[int | None, Query(ge=0, le=2**32 - 1, description="same seed, same question")] = None,
    ask: Annotated[str | None, Query(max_length=40)] = None,
) -> VariantPublic:
    """A generated question: fresh parameters, answer, steps and three named-slip distractors."""
    _known(name)
    try:
        generated = registry.variant(name, secrets.randbelow(2**31) if seed is None else seed, ask=ask)
    except InvalidParams as exc:
        raise invalid(exc) from None
    data = generated.to_dict()
    return VariantPublic.model_validate(
        {**data, "steps": data["solution"]["steps"], "checks": data["solution"]["checks"]}
    )


def _known(name: str) -> None:
    if name not in registry.names():
        raise HTTPException(404, f"Unknown calculator {name!r}; see GET /api/v1/explain")


def invalid(exc: InvalidParams) -> HTTPException:
    """FastAPI-style 422: ``[{"loc": ["body", param], "msg": rule, "type": "invalid_parameter"}]``."""
    detail = [
        {"loc": ["body", *param.split(".")], "msg": f"{param}: {message}", "type": "invalid_parameter"}
        for param, message in exc.errors
    ]
    return HTTPException(422, detail)
