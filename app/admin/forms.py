"""The editor form: an item body ⇄ flat form fields (``prompt.zh``, ``choices.2.why.en`` …).

Field names follow the item's own paths, so a validation error on ``choices[2].why.en`` finds its
input (``choices.2.why.en``) without a lookup table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from app.admin.validation import FieldError

PAIRS = ("prompt", "answer", "unit")
SCALARS = ("kind", "id", "topic", "difficulty", "tags", "seeds", "value", "tolerance", "calculator", "ask")
_ROW = re.compile(r"^(choices|key_points)\.(\d{1,2})\.(.+)$")
_SPLIT = re.compile(r"[\s,]+")
_INT = re.compile(r"^[-+]?\d+$")
KIND_FIELDS = {
    "choice": ("choices",),
    "multi": ("choices",),
    "numeric": ("value", "tolerance", "unit"),
    "computed": ("calculator", "params", "ask"),
    "open": (),
}


@dataclass
class FormState:
    """What the editor shows: flat values plus the rows of choices and key points."""

    values: dict[str, str] = field(default_factory=dict)
    choices: list[dict[str, Any]] = field(default_factory=list)
    key_points: list[dict[str, str]] = field(default_factory=list)

    def get(self, name: str) -> str:
        """A flat value ("" when absent)."""
        return self.values.get(name, "")


def from_body(body: Any, topic: str) -> FormState:
    """The form showing an item (an empty form when the data is not item-shaped, e.g. bad YAML)."""
    try:
        return _from_body(body, topic)
    except (KeyError, TypeError, AttributeError, ValueError):
        return FormState({"topic": topic})


def _from_body(body: Mapping[str, Any], topic: str) -> FormState:
    values = {"topic": topic, "kind": str(body["kind"]), "id": str(body["id"])}
    values["difficulty"] = str(body.get("difficulty", ""))
    values["tags"] = ", ".join(body.get("tags", []))
    values["seeds"] = ", ".join(body.get("seeds", []))
    for name in PAIRS:
        values.update(_pair_values(name, body.get(name)))
    if "value" in body:
        value = body["value"]
        values["value"] = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if body.get("tolerance"):
        values["tolerance"] = str(body["tolerance"])
    for name in ("calculator", "ask"):
        if body.get(name):
            values[name] = str(body[name])
    if body.get("params"):
        values["params"] = yaml.safe_dump(body["params"], sort_keys=False, allow_unicode=True).strip()
    choices = [
        {
            **_pair_values("text", c["text"]),
            **_pair_values("why", c["why"]),
            "correct": c.get("correct", False),
        }
        for c in body.get("choices", [])
    ]
    points = [{"zh": p["zh"], "en": p["en"]} for p in body.get("key_points", [])]
    return FormState(values, choices, points)


def from_form(form: Iterable[tuple[str, Any]]) -> FormState:
    """The form as submitted (text inputs only; files are ignored)."""
    state = FormState()
    rows: dict[str, dict[int, dict[str, Any]]] = {"choices": {}, "key_points": {}}
    for name, value in form:
        if not isinstance(value, str):
            continue
        match = _ROW.match(name)
        if match:
            group, index, rest = match.group(1), int(match.group(2)), match.group(3)
            rows[group].setdefault(index, {})[rest] = value if rest != "correct" else True
        elif name in SCALARS or name == "params" or name.split(".")[0] in PAIRS:
            state.values[name] = value
    state.choices = [_choice_row(rows["choices"][i]) for i in sorted(rows["choices"])]
    state.key_points = [
        {"zh": r.get("zh", ""), "en": r.get("en", "")} for _, r in sorted(rows["key_points"].items())
    ]
    return state


def to_raw(state: FormState) -> tuple[dict[str, Any], list[FieldError]]:
    """The item data the form describes, and the problems found before validation (params YAML)."""
    kind = state.get("kind")
    raw: dict[str, Any] = {"id": state.get("id").strip(), "kind": kind}
    raw["difficulty"] = _number(state.get("difficulty"))
    raw["tags"] = [t for t in _SPLIT.split(state.get("tags")) if t]
    raw["seeds"] = [s for s in _SPLIT.split(state.get("seeds")) if s]
    for name in ("prompt", "answer"):
        pair = _bilingual(state, name)
        if pair is not None:
            raw[name] = pair
    points = [p for p in state.key_points if p["zh"].strip() or p["en"].strip()]
    if points:
        raw["key_points"] = points
    errors: list[FieldError] = []
    wanted = KIND_FIELDS.get(kind, ())
    if "choices" in wanted:
        raw["choices"] = [_choice_data(c) for c in state.choices if not _blank_choice(c)]
    if "value" in wanted:
        raw.update(_numeric_data(state))
    if "calculator" in wanted:
        raw.update(_computed_data(state, errors))
    return raw, errors


def _pair_values(name: str, value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {f"{name}.zh": value, f"{name}.en": value}
    return {f"{name}.zh": str(value.get("zh", "")), f"{name}.en": str(value.get("en", ""))}


def _choice_row(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("text.zh", "text.en", "why.zh", "why.en")
    return {**{k: str(row.get(k, "")) for k in keys}, "correct": row.get("correct") is True}


def _bilingual(state: FormState, name: str) -> dict[str, str] | None:
    zh, en = state.get(f"{name}.zh"), state.get(f"{name}.en")
    return None if not zh.strip() and not en.strip() else {"zh": zh, "en": en}


def _text_or_pair(zh: str, en: str) -> str | dict[str, str]:
    # One language given, or both the same: a language-neutral text such as "4" or "(B, C)".
    if not zh.strip() or not en.strip() or zh == en:
        return en if en.strip() else zh
    return {"zh": zh, "en": en}


def _blank_choice(row: dict[str, Any]) -> bool:
    return not row["correct"] and not any(row[k].strip() for k in ("text.zh", "text.en", "why.zh", "why.en"))


def _choice_data(row: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"text": _text_or_pair(row["text.zh"], row["text.en"])}
    if row["correct"]:
        data["correct"] = True
    data["why"] = {"zh": row["why.zh"], "en": row["why.en"]}
    return data


def _number(text: str) -> Any:
    """An int or float when the text is one; the text itself otherwise (the schema reports it)."""
    text = text.strip()
    if _INT.match(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def _numeric_data(state: FormState) -> dict[str, Any]:
    data: dict[str, Any] = {}
    parts = [p for p in _SPLIT.split(state.get("value").strip(" []()")) if p]
    if parts:  # left out when empty: the schema then reports a missing value
        data["value"] = _number(parts[0]) if len(parts) == 1 else [_number(p) for p in parts]
    if state.get("tolerance").strip():
        data["tolerance"] = _number(state.get("tolerance"))
    zh, en = state.get("unit.zh"), state.get("unit.en")
    if zh.strip() or en.strip():
        data["unit"] = _text_or_pair(zh, en)
    return data


def _computed_data(state: FormState, errors: list[FieldError]) -> dict[str, Any]:
    data: dict[str, Any] = {"calculator": state.get("calculator").strip()}
    text = state.get("params").strip()
    try:
        params = yaml.safe_load(text) if text else {}
    except yaml.YAMLError as exc:
        errors.append(FieldError("params", f"invalid YAML: {getattr(exc, 'problem', None) or exc}"))
        params = {}
    data["params"] = params
    if state.get("ask").strip():
        data["ask"] = state.get("ask").strip()
    return data
