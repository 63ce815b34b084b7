"""Write the bank back out as YAML: one file per topic, stable key order, readable block style.

Pure core (no database): the exporters all take ``BankTopic`` lists, built from the loader's
``Bank`` or from the database by ``app.bank.service.export_topics``. Item bodies are re-validated
into the schema models, so the output is canonical: PostgreSQL's JSONB forgets key order and
admin edits may spell defaults out, and neither may change a single byte of the export.
"""

from __future__ import annotations

import os
import shutil
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

from app.bank.loader import GLOSSARY_FILE, SEEDS_FILE, Bank
from app.bank.schema import ITEM_MODELS, Bilingual, Item

# Keys in the order a person reads them; any other key (calculator params) follows, sorted.
KEY_ORDER = (
    *("topic", "title", "description", "items"),
    *("id", "kind", "difficulty", "tags", "seeds", "prompt", "choices", "value", "tolerance"),
    *("unit", "calculator", "params", "ask", "answer", "key_points"),
    *("text", "correct", "why", "zh", "en", "note"),
)
_RANK = {key: index for index, key in enumerate(KEY_ORDER)}
# A mapping of short one-line values is written on one line when it stays about this wide.
FLOW_WIDTH = 72


@dataclass(frozen=True)
class BankTopic:
    """One topic and its items in bank order: what every exporter writes."""

    slug: str
    title: Bilingual
    description: Bilingual | None
    items: tuple[Item, ...]


def item_from_body(body: Mapping[str, Any]) -> Item:
    """Validate a stored item body back into its schema model."""
    model = ITEM_MODELS[str(body["kind"])]
    return cast(Item, model.model_validate(dict(body)))


def topics_from_bank(bank: Bank) -> list[BankTopic]:
    """The loader's bank as exporter input, topics and items in file order."""
    return [
        BankTopic(
            slug=topic.slug,
            title=Bilingual(zh=topic.title_zh, en=topic.title_en),
            description=Bilingual.model_validate(topic.description) if topic.description else None,
            items=tuple(loaded.item for loaded in bank.items if loaded.topic == topic.slug),
        )
        for topic in sorted(bank.topics, key=lambda t: t.position)
    ]


def item_data(item: Item) -> dict[str, Any]:
    """An item as plain data with defaults left out (``correct: false``, empty lists, …)."""
    return item.model_dump(mode="json", exclude_defaults=True)


def item_yaml(item: Item) -> str:
    """One item as a YAML mapping (used for diffs)."""
    return _dump(_shape(item_data(item)))


def topic_yaml(topic: BankTopic) -> str:
    """A whole topic file."""
    header: dict[str, Any] = {"topic": topic.slug, "title": topic.title.model_dump()}
    if topic.description is not None:
        header["description"] = topic.description.model_dump()
    header["items"] = [item_data(item) for item in topic.items]
    text = _dump(_shape(header))
    # A blank line between items, as people write them; "  - " at this depth only starts an item.
    lines = text.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.startswith("  - ")), len(lines))
    return "".join(
        ("\n" + line) if i > first and line.startswith("  - ") else line for i, line in enumerate(lines)
    )


def bank_files(topics: list[BankTopic], *, source_dir: Path | None = None) -> dict[str, str]:
    """File name → text for a complete bank; glossary and seed list are copied from ``source_dir``."""
    files: dict[str, str] = {}
    for name in (SEEDS_FILE, GLOSSARY_FILE):
        # Neither is stored in the database yet: copy them as written, comments and all.
        if source_dir is not None and (source_dir / name).is_file():
            files[name] = (source_dir / name).read_text(encoding="utf-8")
    for topic in topics:
        name = f"{topic.slug}.yaml"
        if name == GLOSSARY_FILE:
            raise ValueError(f"topic {topic.slug!r} would overwrite the glossary file")
        files[name] = topic_yaml(topic)
    return files


def write_directory(directory: Path, files: Mapping[str, str], *, force: bool = False) -> None:
    """Write ``files`` into ``directory`` all at once: a staging directory, then a rename.

    A non-empty ``directory`` is refused unless ``force``; then it is replaced as a whole.
    """
    if directory.exists() and any(directory.iterdir()) and not force:
        raise FileExistsError(f"{directory} is not empty (use --force to replace it)")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = directory.parent / f".{directory.name}.export-{uuid.uuid4().hex[:8]}"
    staging.mkdir()  # same file system as the target, so the final rename is atomic
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8", newline="\n")
        _swap_in(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, directory: Path) -> None:
    if not directory.exists() or not any(directory.iterdir()):
        os.replace(staging, directory)  # POSIX rename may replace an empty directory
        return
    old = directory.parent / f".{directory.name}.old-{uuid.uuid4().hex[:8]}"
    directory.rename(old)
    staging.rename(directory)
    shutil.rmtree(old)


class _Flow(dict[str, Any]):
    """A mapping written on one line: ``{zh: 基础, en: Basics}``."""


class _FlowList(list[Any]):
    """A list of scalars written on one line: ``[alpha, beta]``."""


def _shape(value: Any, *, sort: bool = False) -> Any:
    """Order keys and choose flow or block style, recursively."""
    if isinstance(value, dict):
        keys = sorted(value) if sort else sorted(value, key=lambda k: (_RANK.get(k, 99), k))
        shaped = {k: _shape(value[k], sort=k == "params") for k in keys}
        return _Flow(shaped) if _fits_on_a_line(shaped) else shaped
    if isinstance(value, list):
        items = [_shape(v) for v in value]
        return _FlowList(items) if all(_is_short(v) for v in items) else items
    return value


def _is_short(value: Any) -> bool:
    return not isinstance(value, dict | list) and "\n" not in str(value)


def _fits_on_a_line(mapping: dict[str, Any]) -> bool:
    values = [v for v in mapping.values() if not isinstance(v, _FlowList)]
    if not all(_is_short(v) for v in values):
        return False
    width = sum(_width(f"{k}: {v}, ") for k, v in mapping.items())
    return width <= FLOW_WIDTH


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _Dumper(yaml.SafeDumper):
    """Block style with sequences indented under their key, as the bank is written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # Multi-line text as a literal block; PyYAML falls back to quotes where a block is invalid.
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(_FlowList, _represent_flow_list)


def _dump(data: Any) -> str:
    # A huge width: PyYAML would otherwise fold long lines (and never at CJK text).
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000, indent=2)
