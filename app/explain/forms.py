"""Turn a calculator's JSON Schema into form fields, and form text back into parameters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

from app.explain.engine import registry


@dataclass(frozen=True)
class Field:
    """One form field: a text input, a select, or a textarea for lists and tables."""

    name: str
    widget: str  # "input" | "select" | "textarea"
    value: str
    options: tuple[str, ...] = ()
    required: bool = False
    description: str = ""


def fields(name: str, raw: dict[str, str]) -> list[Field]:
    """Fields for calculator ``name``, filled from ``raw`` or an example."""
    described = registry.describe(name)
    schema = described["schema"]
    example = registry.variant(name, 0).params
    required = set(schema.get("required", []))
    out = []
    for key, declared in schema.get("properties", {}).items():
        prop = _resolve(declared, schema)
        value = raw[key] if key in raw else show(example.get(key, described["defaults"].get(key)))
        options = tuple(str(o) for o in _enum(prop))
        widget = "select" if options else ("textarea" if _is_structured(prop) else "input")
        out.append(Field(key, widget, value, options, key in required, prop.get("description", "")))
    return out


def parse(raw: dict[str, str]) -> dict[str, Any]:
    """Form text → parameters; each value is read as YAML (``3``, ``[3, 5]``, ``same``, a table)."""
    params: dict[str, Any] = {}
    for key, text in raw.items():
        if text.strip() == "":
            continue
        try:
            params[key] = yaml.safe_load(text)
        except yaml.YAMLError:
            params[key] = text
    return params


def show(value: Any) -> str:
    """A parameter value as the text a learner would type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _resolve(prop: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref")
    if ref:
        return dict(schema.get("$defs", {}).get(ref.rsplit("/", 1)[-1], {}))
    return prop


def _enum(prop: dict[str, Any]) -> list[Any]:
    if "enum" in prop:
        return list(prop["enum"])
    if prop.get("type") == "boolean":
        return [True, False]
    return []


def _is_structured(prop: dict[str, Any]) -> bool:
    """Objects and lists of lists/objects (layer lists, matrices) get a textarea."""
    variants = [prop, *prop.get("anyOf", [])]
    for variant in variants:
        if variant.get("type") == "object" or "$ref" in variant:
            return True
        items = variant.get("items", {})
        if variant.get("type") == "array" and (
            items.get("type") in ("array", "object") or {"$ref", "anyOf", "oneOf"} & items.keys()
        ):
            return True
    return False
