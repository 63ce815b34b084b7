"""What an incoming bank (an uploaded YAML file) would change: added, changed, removed items.

Pure core for the admin's upload preview. Items are compared as their canonical YAML (see
``export_yaml``), so a difference in key order or a spelled-out default is not a change, and each
change comes with a unified diff a person can read.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from app.bank.export_yaml import BankTopic, item_yaml
from app.bank.schema import Item


@dataclass(frozen=True)
class ItemChange:
    """One changed item and the unified diff of its YAML (current → incoming)."""

    id: str
    diff: str


@dataclass
class BankDiff:
    """Item ids added, changed and removed, and topics whose title or description changed."""

    added: list[str] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed_topics: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when applying the incoming bank would change nothing."""
        return not (self.added or self.changed or self.removed or self.changed_topics)


def diff_banks(current: list[BankTopic], incoming: list[BankTopic]) -> BankDiff:
    """Compare two banks item by item; pass only the affected topics of ``current`` to preview
    a single uploaded topic file, or every topic to preview a whole bank."""
    before = _texts(current)
    after = _texts(incoming)
    result = BankDiff()
    for item_id, text in after.items():
        if item_id not in before:
            result.added.append(item_id)
        elif before[item_id] != text:
            result.changed.append(ItemChange(item_id, _unified(item_id, before[item_id], text)))
    result.removed = [item_id for item_id in before if item_id not in after]
    old_headers = {t.slug: (t.title, t.description) for t in current}
    result.changed_topics = [
        t.slug for t in incoming if t.slug in old_headers and old_headers[t.slug] != (t.title, t.description)
    ]
    return result


def _texts(topics: list[BankTopic]) -> dict[str, str]:
    """Item id → its YAML, headed by its topic so that moving an item shows as a change."""
    return {item.id: _item_text(topic.slug, item) for topic in topics for item in topic.items}


def _item_text(topic: str, item: Item) -> str:
    return f"# topic: {topic}\n{item_yaml(item)}"


def _unified(item_id: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"{item_id} (current)",
        tofile=f"{item_id} (incoming)",
    )
    return "".join(lines)
