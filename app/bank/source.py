"""Load the bank with every rule applied, including the explain engine's parameter checks."""

from __future__ import annotations

from pathlib import Path

from app.bank.loader import Bank, load_bank
from app.bank.schema import ComputedItem
from app.explain.engine import registry


def validate_computed(item: ComputedItem) -> list[tuple[str, str]]:
    """A computed item names a registered calculator with valid parameters."""
    return registry.validate_item(item.calculator, item.params, item.ask)


def load(directory: Path) -> Bank:
    """Load and fully validate the bank in ``directory``; raise BankInvalid."""
    return load_bank(directory, validate_computed=validate_computed)
