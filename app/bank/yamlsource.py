"""Parse YAML while remembering the line of every key and list entry.

PyYAML's composer gives every node a position; we build plain Python data from the nodes and
keep a map from each path (``("items", 3, "choices")``) to its 1-based line, so that a
validation error deep inside an item can name the line it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSyntaxError(ValueError):
    """The text is not valid YAML, or uses YAML the bank does not allow."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Located:
    """Plain data plus the line of each path inside it."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


def parse(text: str) -> Located:
    """Parse one YAML document into data with line numbers; raise YamlSyntaxError."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(line, f"invalid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, f"invalid YAML: {exc}") from exc
    located = Located(data=None)
    if node is None:
        return located
    located.data = _build(node, (), located.lines, _Loader(""))
    return located


def _build(node: yaml.Node, path: Path, lines: dict[Path, int], loader: Any) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, path, lines, loader)
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, (*path, i), lines, loader) for i, child in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(node.start_mark.line + 1, f"invalid value: {exc}") from exc


def _build_mapping(node: yaml.MappingNode, path: Path, lines: dict[Path, int], loader: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            raise YamlSyntaxError(line, "keys must be plain names (no complex keys or merges)")
        key = str(key_node.value)
        if key in result:
            raise YamlSyntaxError(line, f"duplicate key {key!r} in the same mapping")
        lines[(*path, key)] = line
        result[key] = _build(value_node, (*path, key), lines, loader)
    return result
