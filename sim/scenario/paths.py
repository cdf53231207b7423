"""Names for the values inside a scenario, as a reader would point at them.

`providers[wards].capacity.servers`, `pathways[gp->outpatients].share`,
`demand[gp_routine].seasonality[0]`, `practices[hilltop].referral_multiplier`,
`budget.annual_gbp`: items of the id-keyed lists are named by id (pathways by
`from->to`, or `from->to@cohort` for a cohort's own pathway), so a path still means the
same value after items are added or reordered.
Sensitivity inputs, sweeps, uncertain inputs and the input diff all use these names.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any

from sim.scenario.model import pathway_name

KEYED = {
    "providers": "id",
    "demand": "id",
    "practices": "id",
    "cohorts": "id",
    "pathways": "from->to",
}
"""Lists of items named by a key (or, for pathways, by their two ends)."""

PathStep = str | int
"""A step in the plain data: a mapping key or a list index."""

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\]]*\])*)")


class PathError(ValueError):
    """A path that names nothing in the scenario; the message says what is there instead."""


def item_name(section: str, item: Mapping[str, Any]) -> str:
    """The name an item of a keyed list goes by in a path."""
    if section == "pathways":
        return pathway_name(item.get("from"), item.get("to"), item.get("cohort"))
    return str(item.get("id"))


def _steps(path: str) -> list[tuple[str, list[str]]]:
    """`a[x].b[0]` -> [("a", ["x"]), ("b", ["0"])]; raises PathError if malformed."""
    steps = []
    rest = path.strip()
    if not rest:
        raise PathError("an empty path names nothing")
    for part in _split_dots(rest):
        match = _SEGMENT.fullmatch(part)
        if match is None:
            example = "providers[ward].capacity.servers"
            raise PathError(f"{path!r}: cannot read {part!r} (write paths like {example})")
        keys = re.findall(r"\[([^\]]*)\]", match.group(2))
        steps.append((match.group(1), keys))
    return steps


def _split_dots(path: str) -> Iterator[str]:
    """Split on dots outside brackets: ids may themselves contain dots."""
    depth, start = 0, 0
    for i, char in enumerate(path):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "." and depth == 0:
            yield path[start:i]
            start = i + 1
    yield path[start:]


def locate(data: Mapping[str, Any], path: str) -> tuple[PathStep, ...]:
    """The plain-data location (keys and list indices) of the value a path names."""
    where: list[PathStep] = []
    node: Any = data
    for name, keys in _steps(path):
        if not isinstance(node, Mapping) or name not in node:
            known = ", ".join(sorted(node)) if isinstance(node, Mapping) else "nothing"
            shown = _shown(where)
            raise PathError(f"{path!r}: no {name!r} in {shown} (it has {known})")
        where.append(name)
        node = node[name]
        for key in keys:
            if not isinstance(node, list | tuple):
                raise PathError(f"{path!r}: {_shown(where)} is not a list")
            if name in KEYED and len(where) == 1:
                names = [item_name(name, item) for item in node]
                if key not in names:
                    raise PathError(
                        f"{path!r}: no {name} item {key!r} (there are {', '.join(names)})"
                    )
                index = names.index(key)
            else:
                if not key.isdigit() or int(key) >= len(node):
                    raise PathError(
                        f"{path!r}: {_shown(where)} has {len(node)} values, numbered 0 to "
                        f"{len(node) - 1}; {key!r} is not one of them"
                    )
                index = int(key)
            where.append(index)
            node = node[index]
    return tuple(where)


def _shown(where: list[PathStep]) -> str:
    return "/".join(str(step) for step in where) or "the scenario"


def get(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for step in locate(data, path):
        node = node[step]
    return node


def put(data: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `data` with the value at `path` replaced."""
    steps = locate(data, path)
    changed: Any = copy.deepcopy(dict(data))
    node = changed
    for step in steps[:-1]:
        node = node[step]
    node[steps[-1]] = value
    return dict(changed)


def path_of(data: Mapping[str, Any], where: tuple[PathStep, ...]) -> str:
    """The readable path of a plain-data location (the inverse of `locate`)."""
    parts: list[str] = []
    node: Any = data
    for depth, step in enumerate(where):
        if isinstance(step, int):
            section = where[0] if depth == 1 else None
            if isinstance(section, str) and section in KEYED:
                parts[-1] += f"[{item_name(section, node[step])}]"
            else:
                parts[-1] += f"[{step}]"
        else:
            parts.append(step)
        node = node[step]
    return ".".join(parts)


def leaves(data: Mapping[str, Any]) -> dict[str, Any]:
    """Every scalar in the data by its readable path, lists of numbers indexed by position."""
    found: dict[str, Any] = {}

    def walk(node: Any, path: str, section: str | None) -> None:
        if isinstance(node, Mapping):
            for key, child in node.items():
                walk(child, f"{path}.{key}" if path else str(key), None)
        elif isinstance(node, list | tuple):
            for index, child in enumerate(node):
                if section in KEYED and isinstance(child, Mapping):
                    name = item_name(section, child)
                else:
                    name = str(index)
                walk(child, f"{path}[{name}]", None)
        else:
            found[path] = node

    for key, child in data.items():
        walk(child, key, key if isinstance(child, list) else None)
    return found


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
