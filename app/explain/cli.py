"""``deepprep explain``: print a calculator's worked answer in the terminal."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import yaml

from app.explain.engine import registry
from app.explain.engine.base import InvalidParams


def run(name: str | None, pairs: Sequence[str], *, as_json: bool, lang: str) -> int:
    """List calculators, or solve ``name`` with KEY=VALUE parameters; return an exit code."""
    if not name:
        for calc in registry.names():
            title = registry.describe(calc)["title"][lang]
            print(f"{calc:22} {title}")
        return 0
    try:
        result = registry.solve(name, parse_pairs(pairs))
    except registry.UnknownCalculator:
        print(
            f"unknown calculator {name!r}; try one of: {', '.join(registry.names())}",
            file=sys.stderr,
        )
        return 2
    except (InvalidParams, ValueError) as exc:
        print(f"invalid parameters: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2) if as_json else render_text(result, lang))
    return 0


def parse_pairs(pairs: Sequence[str]) -> dict[str, Any]:
    """``["input=224", "kernel=[3,5]"]`` → ``{"input": 224, "kernel": [3, 5]}`` (values are YAML)."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"expected KEY=VALUE, got {pair!r}")
        params[key] = yaml.safe_load(value)
    return params


def render_text(result: dict[str, Any], lang: str) -> str:
    """The worked answer as numbered lines, then the checks."""
    lines = [f"{result['name']}: {json.dumps(result['answer'], ensure_ascii=False)}", ""]
    lines += [f"{i}. {step[lang]}" for i, step in enumerate(result["steps"], 1)]
    lines.append("")
    for check in result["checks"]:
        mark = "✓" if check["passed"] else "✗"
        lines.append(f"{mark} {check['method']}: {check['detail']}")
    return "\n".join(lines)
