"""What a problem with a scenario file is, and how pydantic's errors become problems.

A `Problem` is one line a commissioner can act on: the file, the line, the field and what
is wrong in plain words. `ScenarioError` carries every problem found in one pass, so a
user fixes a file in one go rather than one error per run. Field paths name list items by
their ids (`providers[ward].capacity.servers`), because ids are what users write.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim.scenario.model import Scenario, pathway_name

Severity = Literal["error", "warning"]
PathStep = str | int
DataPath = tuple[PathStep, ...]

ID_KEYED_LISTS = ("practices", "cohorts", "demand", "providers")
"""Top-level lists whose items are named by their `id`."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with (or worth knowing about) a scenario file."""

    file: str
    line: int | None
    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            where = f"{where} {self.field}"
        prefix = "warning: " if self.severity == "warning" else ""
        # One line per problem, even when a value the user wrote spans lines.
        return f"{where}: {prefix}{self.message}".replace("\n", "\\n")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem found in it."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.is_error)


def item_name(collection: str, item: Any, index: int) -> str:
    """How a top-level list item is named in field paths: its id, `from->to`, or its index."""
    if isinstance(item, dict):
        if collection in ID_KEYED_LISTS and isinstance(item.get("id"), str):
            return str(item["id"])
        if collection == "pathways":
            start, end, cohort = item.get("from"), item.get("to"), item.get("cohort")
            if isinstance(start, str) and isinstance(end, str):
                return pathway_name(start, end, cohort if isinstance(cohort, str) else None)
    return str(index)


def field_name(path: DataPath, data: Any) -> str:
    """A readable field path for a path into the plain data, e.g. `pathways[gp->ae].share`."""
    parts: list[str] = []
    node = data
    for depth, step in enumerate(path):
        if isinstance(step, int):
            item = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
            collection = path[0] if depth == 1 and isinstance(path[0], str) else ""
            parts.append(f"[{item_name(collection, item, step)}]")
            node = item
        else:
            parts.append(f".{step}" if parts else step)
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts)


# --- pydantic's errors in the user's words --------------------------------------------------

Find = Callable[[DataPath], tuple[str, int | None]]

_MISSING = object()


def validation_problems(error: ValidationError, data: Any, find: Find) -> list[Problem]:
    """Every pydantic error as a Problem with a readable field path, a plain message and a line."""
    found = [_Found.of(details, data) for details in error.errors()]
    found = _without_knock_on_errors(found)
    problems: list[Problem] = []
    for union_path, group in _union_groups(found):
        if union_path is not None:
            problems.append(_union_problem(union_path, group, data, find))
            continue
        problems.extend(_problem(item, data, find) for item in group)
    unique: list[Problem] = []
    for problem in problems:
        if problem not in unique:
            unique.append(problem)
    return unique


@dataclass(frozen=True)
class _Found:
    """A pydantic error with its location rewritten as a path into the user's data."""

    kind: str
    path: DataPath
    value: Any
    context: dict[str, Any]
    message: str
    union_path: DataPath | None

    @classmethod
    def of(cls, details: Any, data: Any) -> _Found:
        location = details["loc"]
        path: list[PathStep] = []
        union_path: DataPath | None = None
        node = data
        for depth, step in enumerate(location):
            last = depth == len(location) - 1
            if isinstance(step, int):
                path.append(step)
                node = node[step] if isinstance(node, list) and 0 <= step < len(node) else _MISSING
            elif isinstance(node, dict) and step in node:
                path.append(step)
                node = node[step]
            elif isinstance(node, dict) and step in (node.get("distribution"), node.get("type")):
                continue  # pydantic names the discriminated member; the user wrote its tag
            elif last and details["type"] == "missing":
                path.append(step)
            elif union_path is None:
                # pydantic names the member of a plain union it tried; the user sees one field
                union_path = tuple(path)
        return cls(
            kind=details["type"],
            path=tuple(path),
            value=details.get("input"),
            context=dict(details.get("ctx") or {}),
            message=details["msg"],
            union_path=union_path,
        )


def _without_knock_on_errors(found: list[_Found]) -> list[_Found]:
    """Drop errors that only follow from another: a list "too short" because its items failed."""
    kept = []
    for item in found:
        if item.kind == "too_short" and any(
            other.path[: len(item.path)] == item.path and len(other.path) > len(item.path)
            for other in found
        ):
            continue
        kept.append(item)
    return kept


def _union_groups(found: list[_Found]) -> list[tuple[DataPath | None, list[_Found]]]:
    """Errors outside unions one by one; errors from the members of one union together."""
    groups: list[tuple[DataPath | None, list[_Found]]] = []
    by_union: dict[DataPath, list[_Found]] = {}
    for item in found:
        if item.union_path is None:
            groups.append((None, [item]))
        elif item.union_path in by_union:
            by_union[item.union_path].append(item)
        else:
            by_union[item.union_path] = [item]
            groups.append((item.union_path, by_union[item.union_path]))
    return groups


def _is_shape_error(kind: str) -> bool:
    return kind == "literal_error" or kind.endswith(("_type", "_parsing"))


def _union_problem(path: DataPath, group: list[_Found], data: Any, find: Find) -> Problem:
    """One problem for a union: the member whose shape fitted, or what shapes would do."""
    fitted = [item for item in group if item.path != path or not _is_shape_error(item.kind)]
    if fitted:
        return _problem(fitted[0], data, find)
    expected = " or ".join(_expected_shape(item) for item in group)
    file, line = find(path)
    return Problem(
        file, line, field_name(path, data), f"must be {expected} (got {show(group[0].value)})"
    )


def _expected_shape(item: _Found) -> str:
    if item.kind == "literal_error":
        return str(item.context.get("expected", "one of the allowed values"))
    for prefix, shape in (
        ("tuple", "a list"),
        ("list", "a list"),
        ("iterable", "a list"),
        ("dict", "a mapping"),
        ("model", "a mapping"),
        ("float", "a number"),
        ("int", "a whole number"),
        ("string", "text"),
        ("bool", "true or false"),
        ("date", "a date like 2026-04-01"),
    ):
        if item.kind.startswith(prefix):
            return shape
    return "something else"


def _problem(item: _Found, data: Any, find: Find) -> Problem:
    path = item.path
    if item.kind == "extra_forbidden":
        file, line = find(path)
        return Problem(file, line, field_name(path, data), _unknown_field(path, data))
    if (
        item.kind == "value_error"
        and path == ()
        and isinstance(data, dict)
        and "population" in data
    ):
        path = ("population",)  # the one whole-scenario rule in the model concerns population
    file, line = find(path)
    return Problem(file, line, field_name(path, data), _message(item, path, data))


def _unknown_field(path: DataPath, data: Any) -> str:
    name = str(path[-1])
    if name == "remove" and len(path) == 3 and path[0] in (*ID_KEYED_LISTS, "pathways"):
        return "remove: true only works in a variant, to drop an item its base file has"
    known = _field_names_at(path[:-1], data)
    message = f"unknown field '{name}'"
    if known:
        close = closest(name, known)
        if close is not None:
            return f"{message} (did you mean '{close}'?)"
        return f"{message}: use {_one_of(known)}"
    return message


def closest(name: str, known: Sequence[str]) -> str | None:
    """The known name the user most likely meant, if one is close enough to suggest."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return close[0]
    # Swapped letters ('ea' for 'ae') score low on similarity but are the commonest slip.
    swapped = [candidate for candidate in known if sorted(candidate) == sorted(name)]
    return swapped[0] if swapped else None


def _message(item: _Found, path: DataPath, data: Any) -> str:
    context, got = item.context, f"(got {show(item.value)})"
    kind = item.kind
    if kind == "missing":
        return "required, but missing"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        discriminator = str(context.get("discriminator", "")).strip("'")
        what = "distribution" if discriminator == "distribution" else f"{_last_name(path)} type"
        tags = _tags_at(path, data, discriminator)
        if kind == "union_tag_not_found":
            return f"missing {discriminator}: use {_one_of(tags)}"
        written = _value_at(path, data)
        tag = written.get(discriminator) if isinstance(written, dict) else context.get("tag")
        return f"unknown {what} {show(tag)}: use {_one_of(tags)}"
    if kind == "literal_error":
        expected = [option.strip("'") for option in re.split(r", | or ", context["expected"])]
        if len(expected) == 1:
            return f"must be {context['expected']} {got}"
        return f"unknown {_last_name(path)} {show(item.value)}: use {_one_of(expected)}"
    bounds = {
        "greater_than": "must be greater than {gt}",
        "greater_than_equal": "must be at least {ge}",
        "less_than": "must be less than {lt}",
        "less_than_equal": "must be at most {le}",
    }
    if kind in bounds:
        limits = {
            key: f"{value:g}" for key, value in context.items() if isinstance(value, int | float)
        }
        return f"{bounds[kind].format(**limits)} {got}"
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    if kind == "too_short":
        count = context.get("min_length", 1)
        return f"needs at least {count} item{'s' if count != 1 else ''}"
    if kind == "string_pattern_mismatch":
        return f"must be an id of letters, digits, '_', '-' and '.' {got}"
    if kind == "string_too_long":
        return f"must be at most {context.get('max_length')} characters {got}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"must be a date like 2026-04-01 {got}"
    if _is_shape_error(kind) or kind == "int_from_float":
        return f"must be {_expected_shape(item)} {got}"
    return f"{item.message[:1].lower()}{item.message[1:]} {got}"


def show(value: Any) -> str:
    """A value as the user would have written it in YAML, kept short."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}...'"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) and abs(value) >= 1e16 else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        text = yaml.safe_dump(value, default_flow_style=True, width=10_000)
    except yaml.YAMLError:
        text = repr(value)
    # Messages are one line each, whatever the value.
    text = " ".join(line for line in text.splitlines() if line.strip() != "...").strip()
    return text if len(text) <= 60 else f"{text[:57]}..."


def _one_of(options: Sequence[str]) -> str:
    return "one of " + ", ".join(options) if len(options) > 1 else "".join(options)


def _last_name(path: DataPath) -> str:
    names = [step for step in path if isinstance(step, str)]
    return names[-1] if names else "value"


# --- which fields the model allows where, for suggestions ----------------------------------


def _type_at(path: DataPath, data: Any) -> Any:
    """The declared type of the value at `path`, following the user's data through unions."""
    declared: Any = Scenario
    node = data
    for step in path:
        concrete = _concrete(declared, node)
        if isinstance(step, int):
            if get_origin(concrete) not in (tuple, list):
                return None
            declared = get_args(concrete)[0]
            node = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
        else:
            fields = _fields_by_name(concrete)
            if step not in fields:
                return None
            declared = fields[step].annotation
            node = node.get(step) if isinstance(node, dict) else None
    return declared


def _concrete(declared: Any, node: Any) -> Any:
    """Strip Annotated and Optional; pick a discriminated union's member by the user's tag."""
    while True:
        origin = get_origin(declared)
        if origin is Annotated:
            declared = get_args(declared)[0]
        elif origin in (Union, UnionType):
            members = [member for member in get_args(declared) if member is not type(None)]
            if len(members) == 1:
                declared = members[0]
                continue
            for member in members:
                if _tag_matches(member, node):
                    declared = member
                    break
            else:
                return None
        else:
            return declared


def _tag_matches(member: Any, node: Any) -> bool:
    if not (isinstance(member, type) and issubclass(member, BaseModel) and isinstance(node, dict)):
        return False
    for name, field in _fields_by_name(member).items():
        if get_origin(field.annotation) is Literal and node.get(name) in get_args(field.annotation):
            return True
    return False


def _fields_by_name(model: Any) -> dict[str, FieldInfo]:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return {}
    return {field.alias or name: field for name, field in model.model_fields.items()}


def _value_at(path: DataPath, data: Any) -> Any:
    node = data
    for step in path:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
        elif isinstance(step, str) and isinstance(node, dict):
            node = node.get(step)
        else:
            return None
    return node


def _field_names_at(path: DataPath, data: Any) -> list[str]:
    return list(_fields_by_name(_concrete(_type_at(path, data), _value_at(path, data))))


def _tags_at(path: DataPath, data: Any, discriminator: str) -> list[str]:
    """The tags a discriminated union at `path` accepts, e.g. the distribution names."""
    declared = _type_at(path, data)
    while get_origin(declared) is Annotated or (
        get_origin(declared) in (Union, UnionType) and type(None) in get_args(declared)
    ):
        if get_origin(declared) is Annotated:
            declared = get_args(declared)[0]
        else:
            declared = next(arg for arg in get_args(declared) if arg is not type(None))
    tags: list[str] = []
    for member in get_args(declared):
        field = _fields_by_name(member).get(discriminator)
        if field is not None and get_origin(field.annotation) is Literal:
            tags.extend(str(tag) for tag in get_args(field.annotation))
    return tags
