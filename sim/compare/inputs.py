"""What changed in the inputs between a baseline and a variant: finding each change.

A result difference means little without the change that caused it, so each comparison
is shown beside a list like "ward (Acute wards): servers 620 -> 560" or "new provider
msk_triage (MSK triage): 6 servers, £150 per attendance, activity contract". This module
walks the two scenarios and decides what counts as one change; `sim.compare.input_words`
says each one in a commissioner's words.

The diff works on the scenarios' plain data, with items named as in `sim.scenario.paths`
(`providers[ward].capacity.servers`, `pathways[gp->outpatients].share`). Three choices
keep it readable:

- a whole new or removed item (practice, demand stream, provider, exit, pathway, uncertain
  input) is one change, not one line per field;
- a part that changes its kind (a contract's type, a length of stay's distribution,
  beds to an appointment book) is one line, since field-by-field it reads as noise;
- text (`source:`, names) is reported as having changed, never dumped in full.

The scenario's own `name` and `description` are labels of the comparison, not inputs, so
they are left out: every variant is named differently from its base. So is a training
`exercise`, which is text about the comparison and changes no number.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from sim.compare.input_words import (
    FIELD_PREFIX,
    NOUNS,
    PART_NOUNS,
    ItemName,
    dated_text,
    field_reading,
    field_text,
    money,
    month_names,
    monthly_text,
    name_item,
    new_item_text,
    number,
    part_text,
    quoted,
    range_text,
    removed_item_text,
    value_text,
)
from sim.scenario.model import Scenario
from sim.scenario.paths import item_name, leaves

Change = Literal["added", "removed", "changed"]

COLUMNS = ("path", "change", "before", "after", "description")
"""Columns of `changes_table`, in order."""

LABELS = frozenset({"name", "description", "exercise"})
"""Top-level fields that name the scenario rather than describe the system."""

KEYED_SECTIONS = ("practices", "cohorts", "demand", "providers", "pathways")
IDENTITY = frozenset({"id", "from", "to", "cohort"})
"""Fields that name an item: a different value is a different item, not a change."""

SHAPE_KEYS = {"contract": "type", "length_of_stay": "distribution", "delay": "distribution"}
"""The field that says what kind of thing a part is: when it changes, so do its fields."""

ALTERNATIVES = (("per_1000_per_year", "per_day"), ("per_attendance_gbp", "per_spell_gbp"))
"""Pairs of fields of which an object gives one: swapping one for the other is one change."""


@dataclass(frozen=True)
class InputChange:
    """One change between two scenarios: where, what kind, the values, and in words.

    `before` and `after` are plain data (numbers, text, lists, mappings) or None where
    there was nothing; `description` is the line a commissioner reads.
    """

    path: str
    change: Change
    before: Any
    after: Any
    description: str


def input_changes(base: Scenario, variant: Scenario) -> list[InputChange]:
    """Every change from `base` to `variant`, in scenario order; none if they are the same."""
    old = base.model_dump(mode="json", by_alias=True, exclude_none=True)
    new = variant.model_dump(mode="json", by_alias=True, exclude_none=True)
    differ = _Differ(month_names(variant.run.start_date.month))
    changes: list[InputChange] = []
    for section in _ordered([*type(variant).model_fields, *old, *new], set(old) | set(new)):
        if section in LABELS or old.get(section) == new.get(section):
            continue
        changes.extend(differ.section(section, old.get(section), new.get(section)))
    return changes


def changes_table(changes: Sequence[InputChange]) -> pd.DataFrame:
    """The changes as a table, one row each, ready to show or write as CSV.

    Lists and mappings in `before` and `after` are written as compact JSON text, so the
    table has one plain value per cell.
    """
    rows = [
        {
            "path": change.path,
            "change": change.change,
            "before": _cell(change.before),
            "after": _cell(change.after),
            "description": change.description,
        }
        for change in changes
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _cell(value: Any) -> Any:
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return value


def _ordered(candidates: Sequence[str], present: set[str]) -> list[str]:
    """Each present key once, in the order of first mention."""
    return [key for key in dict.fromkeys(candidates) if key in present]


def _kind(before: Any, after: Any) -> Change:
    if before is None:
        return "added"
    if after is None:
        return "removed"
    return "changed"


def _shape(part: str, data: Mapping[str, Any]) -> Any:
    if part == "capacity":
        return "servers" in data, "slots_per_day" in data
    key = SHAPE_KEYS.get(part)
    return data.get(key) if key else None


@dataclass(frozen=True)
class _Differ:
    """Writes the changes of one pair of scenarios; `months` names monthly values."""

    months: tuple[str, ...]

    def section(self, section: str, old: Any, new: Any) -> Iterator[InputChange]:
        if section in KEYED_SECTIONS and _all_mappings(old, new):
            yield from self._keyed(section, old or [], new or [])
        elif section == "uncertain" and _all_mappings(old, new, key="input"):
            yield from self._uncertain(old or [], new or [])
        elif section == "exits" and _all_text(old, new):
            yield from self._exits(old or [], new or [])
        elif section == "run" and isinstance(old, Mapping) and isinstance(new, Mapping):
            yield from self._fields(section, "run", "run", section, old, new)
        elif section == "budget" and _mappings_or_none(old, new):
            yield from self._budget(old, new)
        elif section == "population":
            yield InputChange(
                section,
                _kind(old, new),
                old,
                new,
                f"registered population {number(old)} -> {number(new)}",
            )
        else:
            yield from self._leaves(section, old, new)

    # Items named by id (or, for pathways, by their two ends).

    def _keyed(
        self, section: str, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
    ) -> Iterator[InputChange]:
        before = {item_name(section, item): item for item in old}
        after = {item_name(section, item): item for item in new}
        for name in _merged_order(list(before), list(after)):
            was, now = before.get(name), after.get(name)
            if was == now:
                continue
            if was is None:
                assert now is not None
                yield self._added_item(section, now)
            elif now is None:
                yield self._removed_item(section, was)
            else:
                yield from self._changed_item(section, was, now)

    def _added_item(self, section: str, item: Mapping[str, Any]) -> InputChange:
        path = name_item(section, item).path
        return InputChange(path, "added", None, dict(item), new_item_text(section, item))

    def _removed_item(self, section: str, item: Mapping[str, Any]) -> InputChange:
        path = name_item(section, item).path
        return InputChange(path, "removed", dict(item), None, removed_item_text(section, item))

    def _changed_item(
        self, section: str, old: Mapping[str, Any], new: Mapping[str, Any]
    ) -> Iterator[InputChange]:
        named = name_item(section, new)
        swaps, swapped = self._swaps(section, named.label, named.path, old, new)
        yield from swaps
        for key in _ordered([*new, *old], set(old) | set(new)):
            was, now = old.get(key), new.get(key)
            if key in IDENTITY or key in swapped or was == now:
                continue
            path = f"{named.path}.{key}"
            if key == "name":
                noun = NOUNS.get(section, section)
                yield InputChange(
                    path,
                    _kind(was, now),
                    was,
                    now,
                    f"{noun} {item_name(section, new)}: name {quoted(was)} -> {quoted(now)}",
                )
            elif _mappings_or_none(was, now):
                yield from self._part(named, key, was, now)
            else:
                yield from self._fields(
                    section, named.label, named.short, named.path, old, new, key
                )

    def _part(
        self,
        named: ItemName,
        part: str,
        old: Mapping[str, Any] | None,
        new: Mapping[str, Any] | None,
    ) -> Iterator[InputChange]:
        """A sub-object of an item: one line if it came, went or changed kind; else per field."""
        path = f"{named.path}.{part}"
        noun = PART_NOUNS.get(part, part.replace("_", " "))
        whole = (
            old is None
            or new is None
            or part == "waiting"
            or _shape(part, old) != _shape(part, new)
        )
        if whole:
            before, after = part_text(part, old), part_text(part, new)
            if part == "contract":
                words = f"{named.label}: {before} -> {after}"
            else:
                words = f"{named.label}: {noun} {before} -> {after}"
            yield InputChange(path, _kind(old, new), old, new, words)
            return
        assert old is not None and new is not None
        prefix = FIELD_PREFIX.get(part, "")
        swaps, swapped = self._swaps(part, named.label, path, old, new)
        yield from swaps
        for key in _ordered([*new, *old], set(old) | set(new)):
            if key in swapped or old.get(key) == new.get(key):
                continue
            if key == "source":
                yield self._source(f"{path}.source", f"{named.short} {noun}", old, new)
            elif key == "changes":
                yield self._dated(f"{path}.{key}", named.label, key, old.get(key), new.get(key))
            elif key == "phasing":  # a block contract's; unset is even
                was, now = old.get(key) or "even", new.get(key) or "even"
                yield self._monthly(f"{path}.{key}", named.label, "contract phasing", was, now)
            elif isinstance(old.get(key), Mapping) or isinstance(new.get(key), Mapping):
                yield from self._leaves(f"{path}.{key}", old.get(key), new.get(key))
            else:
                yield self._field(part, named.label, f"{path}.{key}", key, old, new, prefix)

    def _swaps(
        self, part: str, label: str, path: str, old: Mapping[str, Any], new: Mapping[str, Any]
    ) -> tuple[list[InputChange], set[str]]:
        """One line for each field given up for its alternative (a rate a day for a rate per
        1,000), and the fields it covers, so they are not reported again one by one."""
        changes, covered = [], set()
        for first, second in ALTERNATIVES:
            for was_key, now_key in ((first, second), (second, first)):
                if {was_key} & set(old) - set(new) and {now_key} & set(new) - set(old):
                    was_words, was_kind, was_unit = field_reading(part, was_key)
                    now_words, now_kind, now_unit = field_reading(part, now_key)
                    after = f"{value_text(new[now_key], now_kind)}{now_unit}"
                    if now_words != was_words:
                        after = f"{now_words} {after}"
                    line = (
                        f"{label}: {was_words} {value_text(old[was_key], was_kind)}{was_unit} "
                        f"-> {after}"
                    )
                    before_value, after_value = {was_key: old[was_key]}, {now_key: new[now_key]}
                    changes.append(InputChange(path, "changed", before_value, after_value, line))
                    covered |= {was_key, now_key}
        return changes, covered

    def _fields(
        self,
        part: str,
        label: str,
        short: str,
        path: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        *only: str,
    ) -> Iterator[InputChange]:
        """Scalar fields and monthly lists of one object (all of them, or those in `only`)."""
        for key in only or _ordered([*new, *old], set(old) | set(new)):
            was, now = old.get(key), new.get(key)
            if was == now:
                continue
            if key == "source":
                yield self._source(f"{path}.source", short, old, new)
            elif key in ("seasonality", "phasing"):
                yield self._monthly(f"{path}.{key}", label, key, was, now)
            elif key == "shocks":
                yield self._dated(f"{path}.{key}", label, key, was, now)
            elif isinstance(was, Mapping | list) or isinstance(now, Mapping | list):
                yield from self._leaves(f"{path}.{key}", was, now)
            else:
                yield self._field(part, label, f"{path}.{key}", key, old, new)

    def _field(
        self,
        part: str,
        label: str,
        path: str,
        key: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        prefix: str = "",
    ) -> InputChange:
        was, now = old.get(key), new.get(key)
        line = field_text(part, key, was, now, prefix)
        return InputChange(path, _kind(was, now), was, now, f"{label}: {line}")

    def _dated(self, path: str, label: str, key: str, was: Any, now: Any) -> InputChange:
        """Capacity changes or shocks: one line with the lists before and after."""
        noun = "capacity changes" if key == "changes" else "shocks"
        words = f"{label}: {noun} {dated_text(key, was)} -> {dated_text(key, now)}"
        return InputChange(path, _kind(was or None, now or None), was, now, words)

    def _source(
        self, path: str, whose: str, old: Mapping[str, Any], new: Mapping[str, Any]
    ) -> InputChange:
        was, now = old.get("source"), new.get("source")
        change = _kind(was, now)
        return InputChange(path, change, was, now, f"source of {whose} {change}")

    def _monthly(self, path: str, label: str, key: str, old: Any, new: Any) -> InputChange:
        """Twelve monthly values as one line."""
        line = monthly_text(self.months, label, key, old, new)
        return InputChange(path, _kind(old, new), old, new, line)

    # Sections with their own shape.

    def _budget(
        self, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
    ) -> Iterator[InputChange]:
        if old is None or new is None:
            present = new if old is None else old
            assert present is not None
            words = "added" if old is None else "removed"
            yield InputChange(
                "budget",
                _kind(old, new),
                old,
                new,
                f"budget {words}: {money(present['annual_gbp'])} a year",
            )
            return
        yield from self._fields("budget", "budget", "budget", "budget", old, new)

    def _exits(self, old: Sequence[str], new: Sequence[str]) -> Iterator[InputChange]:
        for exit_id in _merged_order(list(old), list(new)):
            if exit_id not in new:
                yield InputChange("exits", "removed", exit_id, None, f"exit {exit_id} removed")
            elif exit_id not in old:
                yield InputChange("exits", "added", None, exit_id, f"new exit {exit_id}")

    def _uncertain(
        self, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
    ) -> Iterator[InputChange]:
        before = {str(item["input"]): item for item in old}
        after = {str(item["input"]): item for item in new}
        for name in _merged_order(list(before), list(after)):
            was, now = before.get(name), after.get(name)
            if was == now:
                continue
            path = f"uncertain[{name}]"
            if was is None:
                words = f"{name} made uncertain: {range_text(now)}"
            elif now is None:
                words = f"{name} no longer uncertain (was {range_text(was)})"
            elif {**was, "source": None} == {**now, "source": None}:
                yield self._source(f"{path}.source", f"the range of {name}", was, now)
                continue
            else:
                words = f"range of {name} {range_text(was)} -> {range_text(now)}"
            yield InputChange(
                path,
                _kind(was, now),
                None if was is None else dict(was),
                None if now is None else dict(now),
                words,
            )

    def _leaves(self, path: str, old: Any, new: Any) -> Iterator[InputChange]:
        """Anything else, one line per value that differs, named by its path."""
        before = _flat(path, old)
        after = _flat(path, new)
        for where in _ordered([*before, *after], set(before) | set(after)):
            was, now = before.get(where), after.get(where)
            if was == now:
                continue
            change = _kind(was, now)
            if change == "added":
                words = f"{where} added: {number(now)}"
            elif change == "removed":
                words = f"{where} removed (was {number(was)})"
            else:
                words = f"{where}: {number(was)} -> {number(now)}"
            yield InputChange(where, change, was, now, words)


def _flat(path: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, Mapping | list):
        return leaves({path: value})
    return {path: value}


def _merged_order(old: list[str], new: list[str]) -> list[str]:
    """The new order, with each removed name placed after the one it followed before."""
    order = list(new)
    for index, name in enumerate(old):
        if name in order:
            continue
        earlier = [known for known in old[:index] if known in order]
        order.insert(order.index(earlier[-1]) + 1 if earlier else 0, name)
    return order


def _all_mappings(*values: Any, key: str | None = None) -> bool:
    """Each value is absent or a list of mappings (each with `key`, if given)."""
    return all(
        value is None
        or (
            isinstance(value, list)
            and all(isinstance(item, Mapping) and (key is None or key in item) for item in value)
        )
        for value in values
    )


def _all_text(*values: Any) -> bool:
    return all(
        value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        for value in values
    )


def _mappings_or_none(*values: Any) -> bool:
    return all(value is None or isinstance(value, Mapping) for value in values)
