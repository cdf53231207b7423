"""How a change to a scenario's inputs reads: each field, part and item in the words
and units a commissioner uses, so a diff says "ward (Acute wards): servers 620 -> 560"
rather than a path and two numbers.

Values are written exactly (£4.35m, never a rounded £4.4m that would make two different
prices read the same), parts that change kind are summed up in one phrase ("block
contract £46m a year"), and items are named as a reader knows them.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sim.scenario.paths import item_name

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


def month_names(first_month: int) -> tuple[str, ...]:
    """Names of the twelve months of a monthly list that starts in `first_month`."""
    return tuple(calendar.month_name[(first_month - 1 + i) % 12 + 1] for i in range(12))


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


def value_text(value: Any, kind: Kind) -> str:
    if value is None:
        return "none"
    if kind == "gbp" and not isinstance(value, bool) and isinstance(value, int | float):
        return money(value)
    if kind == "days":
        return f"{number(value)} {'day' if value == 1 else 'days'}"
    return number(value)


def field_reading(part: str, key: str) -> tuple[str, Kind, str]:
    return FIELDS_IN.get((part, key)) or FIELDS.get(key) or (key.replace("_", " "), "text", "")


def capacity_text(capacity: Mapping[str, Any] | None) -> str:
    if capacity is None:
        return "unlimited"
    if "servers" in capacity:
        return f"{number(capacity['servers'])} servers"
    if "slots_per_day" in capacity:
        return f"{number(capacity['slots_per_day'])} slots a day"
    return generic_text(capacity)


def dated_text(key: str, items: Sequence[Mapping[str, Any]] | None) -> str:
    """Capacity changes or demand shocks in words: `46 servers from 2026-12-01 until
    2027-03-01`, `x1.15 from 2026-12-15`."""
    if not items:
        return "none"
    words = []
    for item in items:
        what = f"x{number(item.get('multiplier'))}" if key == "shocks" else capacity_text(item)
        until = f" until {item['to']}" if item.get("to") is not None else ""
        words.append(f"{what} from {item.get('from')}{until}")
    return "; ".join(words)


def waiting_text(waiting: Mapping[str, Any] | None) -> str:
    rules = []
    if waiting and "max_days" in waiting:
        rules.append(
            f"after {value_text(waiting['max_days'], 'days')}, {number(waiting.get('share', 1.0))} "
            f"of those still waiting go to {waiting.get('then')}"
        )
    if waiting and waiting.get("in_place"):
        rules.append("patients wait in the place they came from")
    return "; ".join(rules) or "queue until seen"


def duration_text(duration: Mapping[str, Any] | None) -> str:
    if duration is None:
        return "none"
    shape = str(duration.get("distribution", "distribution"))
    details = []
    if "min_days" in duration and "max_days" in duration:
        details.append(
            f"{number(duration['min_days'])} to {value_text(duration['max_days'], 'days')}"
        )
    for key in ("mean_days", "mode_days", "sd_days"):
        if key in duration:
            details.append(f"{FIELDS[key][0]} {value_text(duration[key], 'days')}")
    return ", ".join([shape, *details])


def price_text(price: Mapping[str, Any] | None, brief: bool = False) -> str:
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
            f"{value_text(price.get('trim_days'), 'days')}"
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


def contract_text(contract: Mapping[str, Any] | None) -> str:
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


def generic_text(data: Mapping[str, Any] | None) -> str:
    if data is None:
        return "none"
    return ", ".join(f"{key.replace('_', ' ')} {number(value)}" for key, value in data.items())


def part_text(part: str, data: Mapping[str, Any] | None) -> str:
    if part == "capacity":
        return capacity_text(data)
    if part == "waiting":
        return waiting_text(data)
    if part in ("length_of_stay", "delay"):
        return duration_text(data)
    if part == "price":
        return price_text(data)
    if part == "contract":
        return contract_text(data)
    return generic_text(data)


def range_text(item: Mapping[str, Any] | None) -> str:
    if item is None:
        return "none"
    words = f"{number(item.get('low'))} to {number(item.get('high'))}"
    if "mode" in item:
        words += f", most likely {number(item['mode'])}"
    return words


def rate_text(stream: Mapping[str, Any]) -> str:
    if "per_1000_per_year" in stream:
        return f"{number(stream['per_1000_per_year'])} per 1,000 a year"
    return f"{number(stream.get('per_day'))} a day"


@dataclass(frozen=True)
class ItemName:
    """How one item of a keyed section is named: in its path, in a line, as a source."""

    path: str
    label: str
    short: str


def name_item(section: str, data: Mapping[str, Any]) -> ItemName:
    name = item_name(section, data)
    path = f"{section}[{name}]"
    if section == "providers":
        title = data.get("name")
        return ItemName(path, f"{name} ({title})" if title else name, name)
    if section == "practices":
        label = str(data.get("name") or name)
        return ItemName(path, label, label)
    if section == "demand":
        return ItemName(path, f"demand {name}", f"demand {name}")
    if section == "pathways":
        cohort = f" for {data['cohort']}" if data.get("cohort") is not None else ""
        words = f"pathway {data.get('from')} -> {data.get('to')}{cohort}"
        return ItemName(path, words, words)
    if section == "cohorts":
        return ItemName(path, f"cohort {name}", f"cohort {name}")
    return ItemName(path, path, path)


def quoted(text: Any) -> str:
    return "none" if text is None else f"'{text}'"


def field_text(part: str, key: str, was: Any, now: Any, prefix: str = "") -> str:
    """One field's change: `servers 620 -> 560`, `price per day £180 added`."""
    words, kind, unit = field_reading(part, key)
    if was is None:
        return f"{prefix}{words} {value_text(now, kind)}{unit} added"
    if now is None:
        return f"{prefix}{words} {value_text(was, kind)}{unit} removed"
    return f"{prefix}{words} {value_text(was, kind)} -> {value_text(now, kind)}{unit}"


def monthly_text(months: Sequence[str], label: str, key: str, old: Any, new: Any) -> str:
    """Twelve monthly values as one line: the months that changed, or both lists; `months`
    names the values in order."""
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        moved = [i for i, (was, now) in enumerate(zip(old, new, strict=True)) if was != now]
        if len(moved) <= 4:
            changed = ", ".join(
                f"{months[i % 12]} {number(old[i])} -> {number(new[i])}" for i in moved
            )
            return f"{label}: {key} {changed}"
    return f"{label}: {key} {_listed(months, old)} -> {_listed(months, new)}"


def _listed(months: Sequence[str], values: Any) -> str:
    if not isinstance(values, list):
        return number(values)
    numbers = " ".join(number(value) for value in values)
    return f"[{numbers}] ({months[0]} to {months[(len(values) - 1) % 12]})"


def new_item_text(section: str, item: Mapping[str, Any]) -> str:
    """The line for an item the variant adds: a provider with its capacity, price and
    contract, a practice with its list, a demand stream with its rate."""
    named = name_item(section, item)
    if section == "providers":
        details = [capacity_text(item.get("capacity")).replace("unlimited", "unlimited capacity")]
        if "price" in item:
            details.append(price_text(item["price"], brief=True))
        if "contract" in item:
            details.append(contract_text(item["contract"]))
        if "opens" in item:
            ramp = item.get("ramp_up_days")
            ramping = f", ramping up over {value_text(ramp, 'days')}" if ramp else ""
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
            f"new demand stream {item['id']}{title}: {rate_text(item)} into "
            f"{item.get('enters')}{seasonal}"
        )
    elif section == "cohorts":
        growth = item.get("growth_per_year", 0.0)
        words = f"new {named.label}: growth {number(growth)} a year"
    else:
        delay = f", delay {duration_text(item['delay'])}" if "delay" in item else ""
        words = f"{named.label} added: share {number(item.get('share'))}{delay}"
    return words


def removed_item_text(section: str, item: Mapping[str, Any]) -> str:
    """The line for an item the variant no longer has."""
    named = name_item(section, item)
    if section == "pathways":
        words = f"{named.label} removed (was share {number(item.get('share'))})"
    elif section == "practices" and item.get("name"):
        words = f"practice {item['name']} ({item['id']}) removed"
    else:
        words = f"{NOUNS.get(section, section)} {named.label} removed"
    return words
