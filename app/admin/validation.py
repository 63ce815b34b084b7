"""Validate an edited item with the loader's own rules and messages, before anything is saved."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.bank import loader, yamlsource
from app.bank.schema import Item
from app.bank.source import validate_computed


@dataclass(frozen=True)
class FieldError:
    """One problem: the field (``choices[1].why.en``, "" for the whole item), the loader's message,
    and the line when the item came as YAML text."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.field}: {self.message}" if self.field else f"{where}{self.message}"


class ItemInvalid(ValueError):
    """The item breaks a bank rule; ``errors`` lists every problem."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def validate_item(raw: Any, *, bank_dir: Path, located: yamlsource.Located | None = None) -> Item:
    """The validated item, or ItemInvalid with the same messages ``deepprep check`` prints."""
    item, issues = loader.check_item(
        raw,
        located=located,
        seed_ids=loader.load_seed_ids(bank_dir),
        validate_computed=validate_computed,
    )
    if item is None:
        with_lines = located is not None
        raise ItemInvalid([FieldError(i.field, i.message, i.line if with_lines else None) for i in issues])
    _check_finite(item)
    return item


def _check_finite(item: Item) -> None:
    """NaN and infinity pass the schema but are not JSON (PostgreSQL refuses them): refuse them here."""
    try:
        json.dumps(item.model_dump(mode="json"), allow_nan=False)
    except ValueError as exc:
        raise ItemInvalid([FieldError("", "numbers must be finite (no NaN or infinity)")]) from exc


def parse_yaml(text: str) -> tuple[Any, yamlsource.Located]:
    """One item written as YAML (the raw tab); ItemInvalid names the line of a syntax error."""
    try:
        located = yamlsource.parse(text)
    except yamlsource.YamlSyntaxError as exc:
        raise ItemInvalid([FieldError("", exc.message, exc.line)]) from exc
    return located.data, located
