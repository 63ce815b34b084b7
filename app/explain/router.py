"""The explain API: list calculators, solve one, generate a variant (a fixed contract)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Query

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams
from app.explain.schemas import CalculatorPublic, SolutionPublic, VariantPublic

router = APIRouter(prefix="/api/v1/explain", tags=["explain"])
Name = Annotated[str, Path(max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
# Every quantity any calculator can ask for; which ones a calculator accepts is in GET /api/v1/explain.
if TYPE_CHECKING:
    Ask = str
else:
    Ask = Literal[tuple(sorted({a for n in registry.names() for a in registry.get(n).asks}))]
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
    ask: Annotated[
        Ask | None, Query(description="one of this calculator's asks (see GET /api/v1/explain)")
    ] = None,
) -> VariantPublic:
    """A generated question: fresh parameters, answer, steps and three named-slip distractors."""
    _known(name)
    try:
        generated = registry.variant(name, secrets.randbelow(2**31) if seed is None else seed, ask=ask)
    except InvalidParams as exc:
        raise invalid(exc, where="query") from None
    data = generated.to_dict()
    return VariantPublic.model_validate(
        {**data, "steps": data["solution"]["steps"], "checks": data["solution"]["checks"]}
    )


def _known(name: str) -> None:
    if name not in registry.names():
        raise HTTPException(404, f"Unknown calculator {name!r}; see GET /api/v1/explain")


def invalid(exc: InvalidParams, where: str = "body") -> HTTPException:
    """FastAPI-style 422: ``[{"loc": [where, param], "msg": rule, "type": "invalid_parameter"}]``."""
    detail = [
        {"loc": [where, *param.split(".")], "msg": f"{param}: {message}", "type": "invalid_parameter"}
        for param, message in exc.errors
    ]
    return HTTPException(422, detail)
