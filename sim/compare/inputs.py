"""What changed in the inputs between a baseline and a variant, in a commissioner's words.

A result difference means little without the change that caused it, so each comparison
is shown beside a list like "ward (Acute wards): servers 620 -> 560" or "new provider
msk_triage (MSK triage): 6 servers, £150 per attendance, activity contract".

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

import calendar
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

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

NOUNS = {
    "practices": "practice",
    "cohorts": "cohort",
    "demand": "demand stream",
    "providers": "provider",
}

PART_NOUNS = {
    "capacity": "capacity",
    "waiting": "waiting",
    "length_of_stay": "length of stay",
    "delay": "delay",
    "price": "price",
    "contract": "contract",
}

SHAPE_KEYS = {"contract": "type", "length_of_stay": "distribution", "delay": "distribution"}
"""The field that says what kind of thing a part is: when it changes, so do its fields."""

FIELD_PREFIX = {"length_of_stay": "length of stay ", "delay": "delay "}
"""Words before a field of a part whose field names alone would not say what they are."""

Kind = Literal["gbp", "days", "number", "yes/no", "text"]

FIELDS: dict[str, tuple[str, Kind, str]] = {
    "days": ("length", "days", ""),
    "warm_up_days": ("warm-up", "days", ""),
    "replications": ("replications", "number", ""),
    "seed": ("seed", "number", ""),
    "start_date": ("start date", "text", ""),
    "list_size": ("list size", "number", ""),
    "referral_multiplier": ("referral multiplier", "number", ""),
    "budget_holder": ("budget holder", "text", ""),
    "enters": ("enters", "text", ""),
    "per_1000_per_year": ("rate", "number", " per 1,000 a year"),
    "per_day": ("rate", "number", " a day"),
    "uses_referral_multiplier": ("uses practices' referral multipliers", "yes/no", ""),
    "kind": ("kind", "text", ""),
    "servers": ("servers", "number", ""),
    "slots_per_day": ("slots a day", "number", ""),
    "per_attendance_gbp": ("price per attendance", "gbp", ""),
    "per_spell_gbp": ("price per spell", "gbp", ""),
    "per_excess_day_gbp": ("price per excess bed day", "gbp", ""),
    "trim_days": ("trim point", "days", ""),
    "per_day_gbp": ("price per day", "gbp", ""),
    "fixed_annual_gbp": ("fixed cost", "gbp", " a year"),
    "marginal_cost_share": ("marginal cost share", "number", ""),
    "marginal_cost_per_day_gbp": ("variable cost", "gbp", " a day held"),
    "price_year": ("price year", "text", ""),
    "volume": ("contract volume", "number", " a year"),
    "marginal_rate": ("contract marginal rate", "number", ""),
    "floor_volume": ("contract floor volume", "number", " a year"),
    "baseline_volume": ("contract baseline volume", "number", " a year"),
    "rate": ("contract marginal rate", "number", ""),
    "mean_days": ("mean", "days", ""),
    "sd_days": ("sd", "days", ""),
    "min_days": ("minimum", "days", ""),
    "max_days": ("maximum", "days", ""),
    "mode_days": ("mode", "days", ""),
    "share": ("share", "number", ""),
    "low": ("low", "number", ""),
    "high": ("high", "number", ""),
    "mode": ("most likely", "number", ""),
}
"""How a field reads: words, how its value is written, and the unit after it."""

FIELDS_IN: dict[tuple[str, str], tuple[str, Kind, str]] = {
    ("budget", "annual_gbp"): ("annual", "gbp", ""),
    ("contract", "annual_gbp"): ("contract", "gbp", " a year"),
    ("contract", "growth_per_year"): ("contract growth", "number", " a year"),
}
"""Fields that read differently depending on where they are."""

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
    differ = _Differ(_month_names(variant.run.start_date.month))
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


def _month_names(first_month: int) -> tuple[str, ...]:
    """Names of the twelve months of a monthly list that starts in `first_month`."""
    return tuple(calendar.month_name[(first_month - 1 + i) % 12 + 1] for i in range(12))


def _kind(before: Any, after: Any) -> Change:
    if before is None:
        return "added"
    if after is None:
        return "removed"
    return "changed"


# --- how values read -------------------------------------------------------------------------


def number(value: Any) -> str:
    """A number as written in a scenario: 2,780 for counts, 0.059 for shares, yes/no."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return format(value, ",.10g")
    return str(value)


def money(value: float) -> str:
    """Pounds, exactly: £412.0m, £4.35m, £570,000, £9.08 (never rounded so two differ)."""
    size = abs(value)
    if size >= 1e6:
        for places in (1, 2, 3):
            if abs(round(value / 1e6, places) * 1e6 - value) < 0.5:
                return f"£{value / 1e6:,.{places}f}m"
    if float(value).is_integer():
        return f"£{int(value):,}"
    return f"£{value:,.2f}"


def _value(value: Any, kind: Kind) -> str:
    if value is None:
        return "none"
    if kind == "gbp" and not isinstance(value, bool) and isinstance(value, int | float):
        return money(value)
    if kind == "days":
        return f"{number(value)} {'day' if value == 1 else 'days'}"
    return number(value)


def _field(part: str, key: str) -> tuple[str, Kind, str]:
    return FIELDS_IN.get((part, key)) or FIELDS.get(key) or (key.replace("_", " "), "text", "")


def _capacity(capacity: Mapping[str, Any] | None) -> str:
    if capacity is None:
        return "unlimited"
    if "servers" in capacity:
        return f"{number(capacity['servers'])} servers"
    if "slots_per_day" in capacity:
        return f"{number(capacity['slots_per_day'])} slots a day"
    return _generic(capacity)


def _dated(key: str, items: Sequence[Mapping[str, Any]] | None) -> str:
    """Capacity changes or demand shocks in words: `46 servers from 2026-12-01 until
    2027-03-01`, `x1.15 from 2026-12-15`."""
    if not items:
        return "none"
    words = []
    for item in items:
        what = f"x{number(item.get('multiplier'))}" if key == "shocks" else _capacity(item)
        until = f" until {item['to']}" if item.get("to") is not None else ""
        words.append(f"{what} from {item.get('from')}{until}")
    return "; ".join(words)


def _waiting(waiting: Mapping[str, Any] | None) -> str:
    rules = []
    if waiting and "max_days" in waiting:
        rules.append(
            f"after {_value(waiting['max_days'], 'days')}, {number(waiting.get('share', 1.0))} "
            f"of those still waiting go to {waiting.get('then')}"
        )
    if waiting and waiting.get("in_place"):
        rules.append("patients wait in the place they came from")
    return "; ".join(rules) or "queue until seen"


def _duration(duration: Mapping[str, Any] | None) -> str:
    if duration is None:
        return "none"
    shape = str(duration.get("distribution", "distribution"))
    details = []
    if "min_days" in duration and "max_days" in duration:
        details.append(f"{number(duration['min_days'])} to {_value(duration['max_days'], 'days')}")
    for key in ("mean_days", "mode_days", "sd_days"):
        if key in duration:
            details.append(f"{FIELDS[key][0]} {_value(duration[key], 'days')}")
    return ", ".join([shape, *details])


def _price(price: Mapping[str, Any] | None, brief: bool = False) -> str:
    if price is None:
        return "none"
    parts = [
        f"{money(price[key])} {unit}"
        for key, unit in (
            ("per_attendance_gbp", "per attendance"),
            ("per_spell_gbp", "per spell"),
            ("per_day_gbp", "per day"),
        )
        if key in price
    ]
    if "per_excess_day_gbp" in price:
        parts.append(
            f"{money(price['per_excess_day_gbp'])} per excess bed day after "
            f"{_value(price.get('trim_days'), 'days')}"
        )
    if not brief:
        if "fixed_annual_gbp" in price:
            parts.append(f"fixed cost {money(price['fixed_annual_gbp'])} a year")
        if "marginal_cost_share" in price:
            parts.append(f"marginal cost share {number(price['marginal_cost_share'])}")
        if "marginal_cost_per_day_gbp" in price:
            parts.append(f"variable cost {money(price['marginal_cost_per_day_gbp'])} a day held")
        if "price_year" in price:
            parts.append(f"{price['price_year']} prices")
    return ", ".join(parts) or "no charge"


def _contract(contract: Mapping[str, Any] | None) -> str:
    if contract is None:
        return "no contract"
    kind = contract.get("type")
    if kind == "activity":
        return "activity contract"
    if kind == "block":
        phased = ", phased by month" if isinstance(contract.get("phasing"), list) else ""
        return f"block contract {money(contract['annual_gbp'])} a year{phased}"
    if kind == "cost_and_volume":
        words = (
            f"cost and volume contract {money(contract['annual_gbp'])} for "
            f"{number(contract['volume'])} a year, marginal rate "
            f"{number(contract.get('marginal_rate', 1.0))}"
        )
        if "floor_volume" in contract:
            words += f", floor {number(contract['floor_volume'])}"
        return words
    if kind == "marginal_rate":
        return (
            f"marginal rate contract: full price up to {number(contract['baseline_volume'])} "
            f"a year, then {number(contract['rate'])} of price"
        )
    return f"{str(kind).replace('_', ' ')} contract"


def _generic(data: Mapping[str, Any] | None) -> str:
    if data is None:
        return "none"
    return ", ".join(f"{key.replace('_', ' ')} {number(value)}" for key, value in data.items())


def _summary(part: str, data: Mapping[str, Any] | None) -> str:
    if part == "capacity":
        return _capacity(data)
    if part == "waiting":
        return _waiting(data)
    if part in ("length_of_stay", "delay"):
        return _duration(data)
    if part == "price":
        return _price(data)
    if part == "contract":
        return _contract(data)
    return _generic(data)


def _shape(part: str, data: Mapping[str, Any]) -> Any:
    if part == "capacity":
        return "servers" in data, "slots_per_day" in data
    key = SHAPE_KEYS.get(part)
    return data.get(key) if key else None


def _uncertain_range(item: Mapping[str, Any] | None) -> str:
    if item is None:
        return "none"
    words = f"{number(item.get('low'))} to {number(item.get('high'))}"
    if "mode" in item:
        words += f", most likely {number(item['mode'])}"
    return words


def _rate(stream: Mapping[str, Any]) -> str:
    if "per_1000_per_year" in stream:
        return f"{number(stream['per_1000_per_year'])} per 1,000 a year"
    return f"{number(stream.get('per_day'))} a day"


# --- the diff ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """How one item of a keyed section is named: in its path, in a line, as a source."""

    path: str
    label: str
    short: str


def _item(section: str, data: Mapping[str, Any]) -> _Item:
    name = item_name(section, data)
    path = f"{section}[{name}]"
    if section == "providers":
        title = data.get("name")
        return _Item(path, f"{name} ({title})" if title else name, name)
    if section == "practices":
        label = str(data.get("name") or name)
        return _Item(path, label, label)
    if section == "demand":
        return _Item(path, f"demand {name}", f"demand {name}")
    if section == "pathways":
        cohort = f" for {data['cohort']}" if data.get("cohort") is not None else ""
        words = f"pathway {data.get('from')} -> {data.get('to')}{cohort}"
        return _Item(path, words, words)
    if section == "cohorts":
        return _Item(path, f"cohort {name}", f"cohort {name}")
    return _Item(path, path, path)


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
        named = _item(section, item)
        if section == "providers":
            details = [_capacity(item.get("capacity")).replace("unlimited", "unlimited capacity")]
            if "price" in item:
                details.append(_price(item["price"], brief=True))
            if "contract" in item:
                details.append(_contract(item["contract"]))
            if "opens" in item:
                ramp = item.get("ramp_up_days")
                ramping = f", ramping up over {_value(ramp, 'days')}" if ramp else ""
                details.append(f"opens {item['opens']}{ramping}")
            words = f"new provider {named.label}: {', '.join(details)}"
        elif section == "practices":
            title = f"{item['name']} ({item['id']})" if item.get("name") else item["id"]
            words = (
                f"new practice {title}: list size {number(item.get('list_size'))}, "
                f"referral multiplier {number(item.get('referral_multiplier', 1.0))}"
            )
        elif section == "demand":
            title = f" ({item['name']})" if item.get("name") else ""
            seasonal = ", seasonal" if "seasonality" in item else ""
            words = (
                f"new demand stream {item['id']}{title}: {_rate(item)} into "
                f"{item.get('enters')}{seasonal}"
            )
        elif section == "cohorts":
            growth = item.get("growth_per_year", 0.0)
            words = f"new {named.label}: growth {number(growth)} a year"
        else:
            delay = f", delay {_duration(item['delay'])}" if "delay" in item else ""
            words = f"{named.label} added: share {number(item.get('share'))}{delay}"
        return InputChange(named.path, "added", None, dict(item), words)

    def _removed_item(self, section: str, item: Mapping[str, Any]) -> InputChange:
        named = _item(section, item)
        if section == "pathways":
            words = f"{named.label} removed (was share {number(item.get('share'))})"
        elif section == "practices" and item.get("name"):
            words = f"practice {item['name']} ({item['id']}) removed"
        else:
            words = f"{NOUNS.get(section, section)} {named.label} removed"
        return InputChange(named.path, "removed", dict(item), None, words)

    def _changed_item(
        self, section: str, old: Mapping[str, Any], new: Mapping[str, Any]
    ) -> Iterator[InputChange]:
        named = _item(section, new)
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
                    f"{noun} {item_name(section, new)}: name {_quoted(was)} -> {_quoted(now)}",
                )
            elif _mappings_or_none(was, now):
                yield from self._part(named, key, was, now)
            else:
                yield from self._fields(
                    section, named.label, named.short, named.path, old, new, key
                )

    def _part(
        self,
        named: _Item,
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
            before, after = _summary(part, old), _summary(part, new)
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
                    was_words, was_kind, was_unit = _field(part, was_key)
                    now_words, now_kind, now_unit = _field(part, now_key)
                    after = f"{_value(new[now_key], now_kind)}{now_unit}"
                    if now_words != was_words:
                        after = f"{now_words} {after}"
                    line = (
                        f"{label}: {was_words} {_value(old[was_key], was_kind)}{was_unit} "
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
        words, kind, unit = _field(part, key)
        was, now = old.get(key), new.get(key)
        change = _kind(was, now)
        if change == "added":
            line = f"{prefix}{words} {_value(now, kind)}{unit} added"
        elif change == "removed":
            line = f"{prefix}{words} {_value(was, kind)}{unit} removed"
        else:
            line = f"{prefix}{words} {_value(was, kind)} -> {_value(now, kind)}{unit}"
        return InputChange(path, change, was, now, f"{label}: {line}")

    def _dated(self, path: str, label: str, key: str, was: Any, now: Any) -> InputChange:
        """Capacity changes or shocks: one line with the lists before and after."""
        noun = "capacity changes" if key == "changes" else "shocks"
        words = f"{label}: {noun} {_dated(key, was)} -> {_dated(key, now)}"
        return InputChange(path, _kind(was or None, now or None), was, now, words)

    def _source(
        self, path: str, whose: str, old: Mapping[str, Any], new: Mapping[str, Any]
    ) -> InputChange:
        was, now = old.get("source"), new.get("source")
        change = _kind(was, now)
        return InputChange(path, change, was, now, f"source of {whose} {change}")

    def _monthly(self, path: str, label: str, key: str, old: Any, new: Any) -> InputChange:
        """Twelve monthly values as one line: the months that changed, or both lists."""
        if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
            moved = [i for i, (was, now) in enumerate(zip(old, new, strict=True)) if was != now]
            if len(moved) <= 4:
                months = ", ".join(
                    f"{self.months[i % 12]} {number(old[i])} -> {number(new[i])}" for i in moved
                )
                return InputChange(path, "changed", old, new, f"{label}: {key} {months}")
        line = f"{label}: {key} {self._listed(old)} -> {self._listed(new)}"
        return InputChange(path, _kind(old, new), old, new, line)

    def _listed(self, values: Any) -> str:
        if not isinstance(values, list):
            return number(values)
        numbers = " ".join(number(value) for value in values)
        return f"[{numbers}] ({self.months[0]} to {self.months[(len(values) - 1) % 12]})"

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
                words = f"{name} made uncertain: {_uncertain_range(now)}"
            elif now is None:
                words = f"{name} no longer uncertain (was {_uncertain_range(was)})"
            elif {**was, "source": None} == {**now, "source": None}:
                yield self._source(f"{path}.source", f"the range of {name}", was, now)
                continue
            else:
                words = f"range of {name} {_uncertain_range(was)} -> {_uncertain_range(now)}"
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


def _quoted(text: Any) -> str:
    return "none" if text is None else f"'{text}'"


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
