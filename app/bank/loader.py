"""Load and validate a question bank directory; report every problem with file, line and field.

Pure core: reads files, returns plain models, touches no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from app.bank import yamlsource
from app.bank.schema import (
    ITEM_MODELS,
    KINDS,
    ComputedItem,
    Glossary,
    Item,
    TopicHeader,
)

GLOSSARY_FILE = "glossary.yaml"
SEEDS_FILE = "_seeds.yaml"
# Checks a computed item's calculator and params: returns (field, message) pairs, empty when valid.
ComputedValidator = Callable[[ComputedItem], list[tuple[str, str]]]


@dataclass(frozen=True)
class Issue:
    """One problem in the bank, located precisely enough to fix without searching."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class BankInvalid(ValueError):
    """The bank has problems; ``issues`` lists all of them."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} problem(s) in the question bank")
        self.issues = issues


@dataclass(frozen=True)
class LoadedItem:
    """A validated item and where it came from."""

    item: Item
    topic: str
    file: str
    line: int
    index_in_file: int


@dataclass(frozen=True)
class LoadedTopic:
    """A validated topic header (its items are in ``Bank.items``)."""

    slug: str
    title_zh: str
    title_en: str
    file: str
    position: int
    description: dict[str, str] | None = None


@dataclass
class Bank:
    """A whole validated bank."""

    topics: list[LoadedTopic] = field(default_factory=list)
    items: list[LoadedItem] = field(default_factory=list)
    glossary: Glossary | None = None
    seed_ids: frozenset[str] = frozenset()


def load_bank(
    directory: Path,
    *,
    validate_computed: ComputedValidator | None = None,
    label_root: Path | None = None,
) -> Bank:
    """Load every topic file in ``directory``; raise BankInvalid listing every problem."""
    collector = _Collector(label_root or directory.parent)
    bank = Bank()
    seeds_path = directory / SEEDS_FILE
    if seeds_path.exists():
        bank.seed_ids = _load_seed_ids(seeds_path, collector)
    glossary_path = directory / GLOSSARY_FILE
    if glossary_path.exists():
        bank.glossary = _load_glossary(glossary_path, collector)
    files = topic_files(directory)
    if not files:
        collector.add(directory, 1, "", "no topic files (*.yaml) found")
    for position, path in enumerate(files):
        _load_topic_file(path, position, bank, collector)
    _check_cross_file(bank, collector, validate_computed)
    if collector.issues:
        raise BankInvalid(collector.issues)
    return bank


def load_glossary(path: Path) -> Glossary | None:
    """Just the glossary file (None when absent); raise BankInvalid when it is broken."""
    if not path.exists():
        return None
    collector = _Collector(path.parent.parent)
    glossary = _load_glossary(path, collector)
    if collector.issues:
        raise BankInvalid(collector.issues)
    return glossary


def check_item(
    raw: Any,
    *,
    located: yamlsource.Located | None = None,
    seed_ids: frozenset[str] = frozenset(),
    validate_computed: ComputedValidator | None = None,
) -> tuple[Item | None, list[Issue]]:
    """Validate one item exactly as the loader would (same rules, same messages).

    Fields in the issues are relative to the item (``choices[1].why.en``); lines come from
    ``located`` when the item was parsed from YAML text. The admin editor and API use this.
    """
    located = located or yamlsource.Located(data=raw)
    collector = _Collector(Path())
    item = _validate_item(raw, Path("item"), located, (), collector)
    _RawItem("item", located, (), raw).check_refs(seed_ids, collector)
    if isinstance(item, ComputedItem) and validate_computed is not None:
        for fld, message in validate_computed(item):
            collector.add("item", located.line_of(_split_field(fld)), fld, message)
    return (None if collector.issues else item), collector.issues


def load_seed_ids(directory: Path) -> frozenset[str]:
    """The seed ids listed in ``directory/_seeds.yaml`` (empty when absent or unreadable)."""
    path = directory / SEEDS_FILE
    return _load_seed_ids(path, _Collector(directory)) if path.exists() else frozenset()


def topic_files(directory: Path) -> list[Path]:
    """Topic files in a stable order; ``_*.yaml`` and the glossary are not topics."""
    return sorted(
        p for p in directory.glob("*.yaml") if p.name != GLOSSARY_FILE and not p.name.startswith("_")
    )


class _Collector:
    def __init__(self, label_root: Path) -> None:
        self.issues: list[Issue] = []
        self.label_root = label_root
        self.sources: dict[str, yamlsource.Located] = {}
        self.raw_items: list[_RawItem] = []

    def label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.label_root))
        except ValueError:
            return str(path)

    def add(self, path: Path | str, line: int, fld: str, message: str) -> None:
        name = path if isinstance(path, str) else self.label(path)
        self.issues.append(Issue(name, line, fld, message))

    def parse(self, path: Path) -> yamlsource.Located | None:
        try:
            located = yamlsource.parse(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            self.add(path, 1, "", "file is not UTF-8 text")
            return None
        except yamlsource.YamlSyntaxError as exc:
            self.add(path, exc.line, "", exc.message)
            return None
        self.sources[self.label(path)] = located
        return located

    def validation(
        self, path: Path, located: yamlsource.Located, base: yamlsource.Path, exc: ValidationError
    ) -> None:
        for error in exc.errors():
            loc = tuple(error["loc"])
            full = (*base, *loc)
            self.add(path, located.line_of(full), format_path(full), _describe(error))


def format_path(path: Iterable[str | int]) -> str:
    """``("items", 3, "choices")`` → ``items[3].choices``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(error: Any) -> str:
    kind, msg = error["type"], error["msg"]
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see app/bank/schema.py for the fields)"
    if kind == "value_error":
        return str(msg).removeprefix("Value error, ")
    got = error.get("input")
    shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
    return f"{msg[0].lower()}{msg[1:]} (got {shown[:60]})"


def _validate(
    model: type[BaseModel],
    data: Any,
    path: Path,
    located: yamlsource.Located,
    base: yamlsource.Path,
    collector: _Collector,
) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        collector.validation(path, located, base, exc)
        return None


def _load_topic_file(path: Path, position: int, bank: Bank, collector: _Collector) -> None:
    located = collector.parse(path)
    if located is None:
        return
    if not isinstance(located.data, dict):
        collector.add(path, 1, "", "expected a mapping with keys topic, title and items")
        return
    header = _validate(TopicHeader, located.data, path, located, (), collector)
    raw_items = located.data.get("items")
    if not isinstance(raw_items, list):
        return
    label = collector.label(path)
    slug = header.topic if header else str(located.data.get("topic"))
    if header is not None:
        description = header.description.model_dump() if header.description else None
        bank.topics.append(LoadedTopic(slug, header.title.zh, header.title.en, label, position, description))
    for index, raw in enumerate(raw_items):
        base: yamlsource.Path = ("items", index)
        collector.raw_items.append(_RawItem(label, located, base, raw))
        item = _validate_item(raw, path, located, base, collector)
        if item is not None:
            bank.items.append(LoadedItem(item, slug, label, located.line_of(base), index))


def _validate_item(
    raw: Any, path: Path, located: yamlsource.Located, base: yamlsource.Path, c: _Collector
) -> Item | None:
    if not isinstance(raw, dict):
        c.add(path, located.line_of(base), format_path(base), "expected a mapping (an item)")
        return None
    kind = raw.get("kind")
    model = ITEM_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        where = (*base, "kind") if "kind" in raw else base
        expected = ", ".join(KINDS)
        message = f"unknown kind {kind!r}, expected one of {expected}" if kind else "missing kind"
        c.add(path, located.line_of(where), format_path((*base, "kind")), message)
        return None
    before = len(c.issues)
    item: Item | None = _validate(model, raw, path, located, base, c)
    if item is None:
        _recheck_correct_count(raw, str(kind), path, located, base, c, c.issues[before:])
    return item


def _recheck_correct_count(
    raw: dict[str, Any],
    kind: str,
    path: Path,
    located: yamlsource.Located,
    base: yamlsource.Path,
    c: _Collector,
    reported: list[Issue],
) -> None:
    """Pydantic skips the correct-option rule when an option is invalid; report it anyway."""
    choices = raw.get("choices")
    if kind not in ("choice", "multi") or not isinstance(choices, list):
        return
    where = format_path((*base, "choices"))
    if any(i.field == where for i in reported):
        return
    found = sum(1 for ch in choices if isinstance(ch, dict) and ch.get("correct") is True)
    if (kind == "choice" and found != 1) or (kind == "multi" and found == 0):
        expected = "exactly one" if kind == "choice" else "at least one"
        c.add(
            path,
            located.line_of((*base, "choices")),
            where,
            f"expected {expected} correct option in a {kind!r} item, found {found}",
        )


def _load_seed_ids(path: Path, collector: _Collector) -> frozenset[str]:
    located = collector.parse(path)
    if located is None:
        return frozenset()
    ids = located.data.get("ids") if isinstance(located.data, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        collector.add(path, 1, "ids", "expected a list of seed ids")
        return frozenset()
    return frozenset(ids)


def _load_glossary(path: Path, collector: _Collector) -> Glossary | None:
    located = collector.parse(path)
    if located is None:
        return None
    glossary: Glossary | None = _validate(Glossary, located.data, path, located, (), collector)
    if glossary is not None:
        _check_glossary_repeats(glossary, path, located, collector)
    return glossary


def _check_glossary_repeats(
    glossary: Glossary, path: Path, located: yamlsource.Located, collector: _Collector
) -> None:
    seen: dict[str, int] = {}
    for index, term in enumerate(glossary.terms):
        key = term.en.casefold()
        if key in seen:
            where = ("terms", index, "en")
            collector.add(
                path,
                located.line_of(where),
                format_path(where),
                f"term {term.en!r} already defined at terms[{seen[key]}]",
            )
        seen.setdefault(key, index)


def _check_cross_file(bank: Bank, collector: _Collector, validate_computed: ComputedValidator | None) -> None:
    first_topic: dict[str, LoadedTopic] = {}
    for topic in bank.topics:
        if topic.slug in first_topic:
            other = first_topic[topic.slug]
            collector.add(topic.file, 1, "topic", f"topic {topic.slug!r} is also defined in {other.file}")
        first_topic.setdefault(topic.slug, topic)
    first_id: dict[str, _RawItem] = {}
    for raw in collector.raw_items:
        raw.check_refs(bank.seed_ids, collector)
        item_id = raw.data.get("id") if isinstance(raw.data, dict) else None
        if not isinstance(item_id, str):
            continue
        previous = first_id.setdefault(item_id, raw)
        if previous is not raw:
            collector.add(
                raw.file,
                raw.line,
                format_path((*raw.base, "id")),
                f"duplicate id {item_id!r}: already used at {previous.file}:{previous.line}",
            )
    if validate_computed is not None:
        for loaded in bank.items:
            if isinstance(loaded.item, ComputedItem):
                _check_computed(loaded, collector, validate_computed)
    collector.issues.sort(key=lambda i: (i.file, i.line))


@dataclass
class _RawItem:
    """An item as written, kept so cross-file rules also reach items that failed validation."""

    file: str
    located: yamlsource.Located
    base: yamlsource.Path
    data: Any

    @property
    def line(self) -> int:
        return self.located.line_of(self.base)

    def check_refs(self, seed_ids: frozenset[str], collector: _Collector) -> None:
        seeds = self.data.get("seeds") if isinstance(self.data, dict) else None
        if not seed_ids or not isinstance(seeds, list):
            return
        for index, seed in enumerate(seeds):
            if isinstance(seed, str) and seed not in seed_ids:
                where = (*self.base, "seeds", index)
                collector.add(
                    self.file,
                    self.located.line_of(where),
                    format_path(where),
                    f"unknown seed id {seed!r} (not in questions/{SEEDS_FILE})",
                )


def _check_computed(loaded: LoadedItem, collector: _Collector, validate: ComputedValidator) -> None:
    located = collector.sources[loaded.file]
    base = ("items", loaded.index_in_file)
    assert isinstance(loaded.item, ComputedItem)
    for fld, message in validate(loaded.item):
        where = (*base, *_split_field(fld))
        collector.add(loaded.file, located.line_of(where), format_path(where), message)


def _split_field(fld: str) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in fld.replace("[", ".").replace("]", "").split("."))
