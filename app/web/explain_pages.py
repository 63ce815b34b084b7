"""Browser pages of the explain engine: a form per calculator and a practice mode with distractors."""

from __future__ import annotations

import random
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.core.deps import TemplatesDep
from app.explain import forms
from app.explain.engine import registry
from app.explain.engine.base import InvalidParams

router = APIRouter(prefix="/explain", include_in_schema=False)
Name = Annotated[str, Path(max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]


@router.get("", response_class=HTMLResponse)
def index(request: Request, templates: TemplatesDep) -> Response:
    """Every calculator, with links to its form and its practice mode."""
    calculators = [registry.describe(name) for name in registry.names()]
    return templates.TemplateResponse(request, "explain/index.html", {"calculators": calculators})


@router.get("/{name}", response_class=HTMLResponse)
def calculator(request: Request, templates: TemplatesDep, name: Name) -> Response:
    """The calculator's form; with parameters in the query, the worked answer and its checks."""
    _known(name)
    raw = {k: v for k, v in request.query_params.items() if k != "go"}
    context: dict[str, Any] = {"calc": registry.describe(name), "fields": forms.fields(name, raw)}
    if "go" in request.query_params:
        try:
            context["result"] = registry.solve(name, forms.parse(raw))
        except InvalidParams as exc:
            context["errors"] = dict(exc.errors)
    return templates.TemplateResponse(request, "explain/calculator.html", context)


@router.get("/{name}/practice", response_class=HTMLResponse)
def practice(
    request: Request,
    templates: TemplatesDep,
    name: Name,
    seed: Annotated[int | None, Query(ge=0, le=2**31)] = None,
    pick: Annotated[int | None, Query(ge=0, le=3)] = None,
) -> Response:
    """A generated question as multiple choice: the answer among three named-slip distractors."""
    _known(name)
    seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    variant = registry.variant(name, seed).to_dict()
    options = [{"answer": variant["answer"], "slip": None}] + [
        {"answer": d["answer"], "slip": d} for d in variant["distractors"]
    ]
    random.Random(seed).shuffle(options)  # deterministic per seed, so the pick index stays valid
    context = {
        "calc": registry.describe(name),
        "variant": variant,
        "options": options,
        "seed": seed,
        "pick": pick,
        "picked": options[pick] if pick is not None and pick < len(options) else None,
    }
    return templates.TemplateResponse(request, "explain/practice.html", context)


def _known(name: str) -> None:
    if name not in registry.names():
        raise HTTPException(404, "No such calculator")
