"""Reading scenario files as plain data, remembering where every value came from.

Scenario files are plain data, so they are read by composing YAML nodes with the safe
loader and building values by hand: no tag is ever constructed into an object, so a file
cannot run code however it is written. Every value is kept in a `Node` with the file and
line it came from, so that later errors (from pydantic, from the checks, after variants
are merged) can point at the line to fix.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.scenario.problems import DataPath, PathStep, Problem, ScenarioError

_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_PLAIN_TAGS = {f"{_YAML_TAG_PREFIX}{name}" for name in ("null", "bool", "int", "float", "str")}
_SCALAR_TAGS = {*_PLAIN_TAGS, f"{_YAML_TAG_PREFIX}timestamp"}
_MAP_TAG = f"{_YAML_TAG_PREFIX}map"
_SEQ_TAG = f"{_YAML_TAG_PREFIX}seq"
_MERGE_TAG = f"{_YAML_TAG_PREFIX}merge"

# YAML aliases can make a small file expand enormously ("billion laughs"); a real scenario
# has a few thousand values at most.
_MAX_VALUES = 1_000_000


@dataclass(frozen=True)
class Node:
    """A value read from a scenario, with where it came from.

    `value` is a `dict[str, Node]`, a `list[Node]` or a plain scalar. For a value under a
    mapping key, `line` is the key's line: that is where a reader looks for the field.
    """

    value: Any
    file: str
    line: int | None

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    def get(self, key: str) -> Node | None:
        return self.value.get(key) if self.is_mapping else None

    def scalar(self, key: str) -> Any:
        """The plain value under `key`, or None when it is absent or not a scalar."""
        child = self.get(key)
        if child is None or child.is_mapping or child.is_list:
            return None
        return child.value


def plain(node: Node) -> Any:
    """The plain Python data a node holds (dicts, lists, scalars), without locations."""
    if node.is_mapping:
        return {key: plain(child) for key, child in node.value.items()}
    if node.is_list:
        return [plain(child) for child in node.value]
    return node.value


class Locator:
    """Finds the file and line of a value by its path in the data, e.g. ("providers", 2)."""

    def __init__(self, root: Node) -> None:
        self._places: dict[DataPath, tuple[str, int | None]] = {}
        self._root = root
        self._record(root, ())

    def _record(self, node: Node, path: DataPath) -> None:
        self._places[path] = (node.file, node.line)
        children: Iterator[tuple[PathStep, Node]]
        if node.is_mapping:
            children = iter(node.value.items())
        elif node.is_list:
            children = enumerate(node.value)
        else:
            return
        for step, child in children:
            self._record(child, (*path, step))

    def find(self, path: DataPath) -> tuple[str, int | None]:
        """File and line of the value at `path`, or of its nearest ancestor that exists."""
        for end in range(len(path), -1, -1):
            place = self._places.get(path[:end])
            if place is not None:
                return place
        return (self._root.file, self._root.line)


def read_document(path: Path, display: str) -> Node:
    """Read one YAML scenario file as a located mapping; every problem raises ScenarioError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem(display, None, "", "file not found")]) from None
    except IsADirectoryError:
        raise ScenarioError(
            [Problem(display, None, "", "is a folder, not a scenario file")]
        ) from None
    except OSError as error:
        message = f"cannot read the file: {error.strerror or error}"
        raise ScenarioError([Problem(display, None, "", message)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ScenarioError(
            [Problem(display, line, "", "the file is not UTF-8 text (is it a spreadsheet?)")]
        ) from None
    return parse_text(text, display)


def parse_text(text: str, display: str) -> Node:
    """Parse YAML text as a located mapping; every problem raises ScenarioError."""
    try:
        # compose builds the node tree only: nothing is constructed, so no tag can act.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = error.problem or error.context or "cannot be read"
        raise ScenarioError([Problem(display, line, "", f"not valid YAML: {reason}")]) from None
    except yaml.YAMLError as error:
        raise ScenarioError([Problem(display, None, "", f"not valid YAML: {error}")]) from None
    if root is None:
        raise ScenarioError([Problem(display, 1, "", "the file is empty")])
    builder = _Builder(display)
    document = builder.build(root)
    if builder.problems:
        raise ScenarioError(builder.problems)
    if not document.is_mapping:
        raise ScenarioError(
            [
                Problem(
                    display,
                    document.line,
                    "",
                    "the top level must be a mapping of fields (format, name, demand, "
                    f"providers, ...), not {_kind_of(document.value)}",
                )
            ]
        )
    return document


def from_data(data: Mapping[str, Any], origin: str) -> Node:
    """Wrap in-memory data as a located mapping with no line numbers."""
    problems: list[Problem] = []

    def wrap(value: Any, path: str) -> Node:
        if isinstance(value, Mapping):
            children: dict[str, Node] = {}
            for key, child in value.items():
                if not isinstance(key, str):
                    problems.append(Problem(origin, None, path, f"keys must be text (got {key!r})"))
                    continue
                children[key] = wrap(child, f"{path}.{key}" if path else key)
            return Node(children, origin, None)
        if isinstance(value, list | tuple):
            return Node(
                [wrap(child, f"{path}[{i}]") for i, child in enumerate(value)], origin, None
            )
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(Problem(origin, None, path, f"{value} is not a finite number"))
        return Node(value, origin, None)

    if not isinstance(data, Mapping):
        raise ScenarioError(
            [Problem(origin, None, "", f"a scenario must be a mapping, not {_kind_of(data)}")]
        )
    root = wrap(data, "")
    if problems:
        raise ScenarioError(problems)
    return root


def _kind_of(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"the value {value!r}"


def _shown_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML_TAG_PREFIX) if tag.startswith(_YAML_TAG_PREFIX) else tag


class _Builder:
    """Turns composed YAML nodes into located plain data, collecting every problem."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")
        self._count = 0
        self._open: set[int] = set()

    def _problem(self, node: yaml.Node, field: str, message: str) -> None:
        self.problems.append(Problem(self.display, node.start_mark.line + 1, field, message))

    def build(self, node: yaml.Node, field: str = "", line: int | None = None) -> Node:
        """Located data for `node`; `field` names it by position, as ids are not known yet."""
        line = node.start_mark.line + 1 if line is None else line
        self._count += 1
        if self._count > _MAX_VALUES:
            if self._count == _MAX_VALUES + 1:
                message = "the file expands to too many values (check its YAML aliases)"
                self._problem(node, field, message)
            return Node(None, self.display, line)
        if id(node) in self._open:
            self._problem(node, field, "a YAML alias refers to a value that contains it")
            return Node(None, self.display, line)
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP_TAG:
            self._open.add(id(node))
            try:
                return Node(self._mapping(node, field), self.display, line)
            finally:
                self._open.discard(id(node))
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ_TAG:
            self._open.add(id(node))
            try:
                items = [self.build(item, f"{field}[{i}]") for i, item in enumerate(node.value)]
                return Node(items, self.display, line)
            finally:
                self._open.discard(id(node))
        if isinstance(node, yaml.ScalarNode) and node.tag in _SCALAR_TAGS:
            return Node(self._scalar(node, field), self.display, line)
        message = f"YAML tag '{_shown_tag(node.tag)}' is not allowed: scenario files are plain data"
        self._problem(node, field, message)
        return Node(None, self.display, line)

    def _mapping(self, node: yaml.MappingNode, field: str) -> dict[str, Node]:
        children: dict[str, Node] = {}
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                self._problem(
                    key_node, field, "YAML merge keys (<<) are not supported: use extends"
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                self._problem(key_node, field, "keys must be plain text")
                continue
            # The key's text as written: YAML 1.1 would read keys such as `on` as booleans.
            key = key_node.value
            child_field = f"{field}.{key}" if field else key
            if key in children:
                message = f"duplicate key '{key}' (first on line {first_lines[key]})"
                self._problem(key_node, child_field, message)
                continue
            first_lines[key] = key_line
            children[key] = self.build(value_node, child_field, key_line)
        return children

    def _scalar(self, node: yaml.ScalarNode, field: str) -> Any:
        value = self._constructor.construct_object(node)
        if isinstance(value, float) and not math.isfinite(value):
            self._problem(node, field, f"'{node.value}' is not a finite number")
            return None
        return value
