"""Uncertain inputs: numbers given as a range instead of one value.

Inline ranges (`share: {low: 0.04, high: 0.08}`) are lifted out of the data before
validation: the number is replaced by its nominal value (the range's mean) and the range
joins the scenario's `uncertain` list under the value's path. Checks then make sure each
path names a number and that the scenario is still valid at both ends of every range.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from sim.scenario import paths
from sim.scenario.model import Scenario
from sim.scenario.paths import PathError, PathStep
from sim.scenario.problems import Problem

RANGE_KEYS = frozenset({"low", "high", "mode", "source"})

Find = Callable[[tuple[PathStep, ...]], tuple[str, int | None]]


def _is_range(node: Any) -> bool:
    return (
        isinstance(node, Mapping)
        and {"low", "high"} <= set(node)
        and set(node) <= RANGE_KEYS
        and all(paths.is_number(node[k]) for k in ("low", "high", "mode") if k in node)
    )


def lift_inline(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, tuple[PathStep, ...]]]:
    """Replace each inline range by its nominal value and list it under `uncertain`.

    Returns the new data and, for every uncertain input, where in the data it was written
    (to point error messages at the right line)."""
    found: list[tuple[tuple[PathStep, ...], dict[str, Any]]] = []

    def walk(node: Any, where: tuple[PathStep, ...]) -> None:
        if _is_range(node):
            found.append((where, dict(node)))
        elif isinstance(node, Mapping):
            for key, child in node.items():
                if where or key != "uncertain":
                    walk(child, (*where, key))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, (*where, index))

    walk(data, ())
    listed = data.get("uncertain")
    written: dict[str, tuple[PathStep, ...]] = {}
    if isinstance(listed, list):
        for index, item in enumerate(listed):
            if isinstance(item, Mapping) and isinstance(item.get("input"), str):
                written[item["input"]] = ("uncertain", index)
    if not found:
        return data, written
    lifted = dict(data)
    entries = list(listed) if isinstance(listed, list) else []
    for where, spec in found:
        path = paths.path_of(data, where)
        nominal = _nominal(spec)
        node: Any = lifted
        for step in where[:-1]:
            node[step] = _copy(node[step])
            node = node[step]
        node[where[-1]] = nominal
        entries.append({"input": path, **spec})
        written[path] = where
    lifted["uncertain"] = entries
    return lifted, written


def _copy(node: Any) -> Any:
    return dict(node) if isinstance(node, Mapping) else list(node)


def _nominal(spec: Mapping[str, Any]) -> float | int:
    low, high, mode = spec["low"], spec["high"], spec.get("mode")
    mean = (low + high) / 2 if mode is None else (low + mode + high) / 3
    # Whole-number ranges (beds, slots) keep a whole nominal value, which suits a count
    # and loads as a float where a float is meant.
    whole = all(isinstance(v, int) for v in (low, high) if v is not None) and (
        mode is None or isinstance(mode, int)
    )
    return round(mean) if whole else mean


def check_uncertain(
    scenario: Scenario, file: str, where: Mapping[str, tuple[PathStep, ...]], find: Find
) -> list[Problem]:
    """Every uncertain input names a number, once, and the scenario is valid at its ends."""
    problems: list[Problem] = []
    data = scenario.model_dump(mode="json", by_alias=True)
    seen: set[str] = set()
    for index, item in enumerate(scenario.uncertain):
        place = find(where.get(item.input, ("uncertain", index)))
        field = item.input

        def problem(
            message: str, field: str = field, place: tuple[str, int | None] = place
        ) -> None:
            problems.append(Problem(place[0] or file, place[1], field, message))

        if item.input in seen:
            problem("given a range twice; keep one")
            continue
        seen.add(item.input)
        try:
            value = paths.get(data, item.input)
        except PathError as error:
            problem(str(error))
            continue
        if not paths.is_number(value):
            problem(f"is {value!r}, not a number: only numbers can be uncertain")
            continue
        if isinstance(value, int) and not all(float(v).is_integer() for v in (item.low, item.high)):
            problem("is a whole number (a count), so its range needs whole-number ends")
            continue
        for end, bound in (("low", item.low), ("high", item.high)):
            try:
                Scenario.model_validate(paths.put(data, item.input, bound))
            except ValidationError as error:
                reason = "; ".join(e["msg"] for e in error.errors())
                problem(f"at its {end} value {bound:g} the scenario is not valid: {reason}")
    return problems
