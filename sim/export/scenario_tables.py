"""A scenario's inputs as tables a reader can check, and the sources its figures cite.

A report is only as credible as its inputs, so it shows every one of them (capacities,
lengths of stay, rates, shares, prices, contracts, the budget) in words and units, each
beside the `source:` the scenario gives for it. The sources are also gathered into one
list, and the inputs that give none are named, since those are the model's assumptions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from sim.compare.input_words import money, number
from sim.scenario.model import (
    Capacity,
    Contract,
    DemandStream,
    Duration,
    Price,
    Provider,
    Scenario,
    Waiting,
)
from sim.scenario.paths import KEYED, is_number, item_name


def _practices(scenario: Scenario) -> pd.DataFrame:
    """The registered practices; a budget holder column only when some share a budget."""
    practices = scenario.registered_practices
    shared = any(practice.holder != practice.id for practice in practices)
    return pd.DataFrame(
        [
            {
                "practice": practice.id,
                "name": practice.name or "",
                "list size": number(practice.list_size),
                "referral multiplier": number(practice.referral_multiplier),
                **({"budget holder": practice.holder} if shared else {}),
                "source": practice.source or "",
            }
            for practice in practices
        ]
    )


def input_tables(scenario: Scenario) -> dict[str, pd.DataFrame]:
    """Each part of the scenario as a table of text, by title, in the order a reader
    follows a patient: who is registered, who comes, where they go, what it costs."""
    tables = {
        "Budget": _budget(scenario),
        "Practices": _practices(scenario),
        "Demand": pd.DataFrame([_demand(stream) for stream in scenario.demand]),
        "Providers": pd.DataFrame([_provider(provider) for provider in scenario.providers]),
        "Prices": pd.DataFrame([_price(provider) for provider in scenario.providers]),
        "Contracts": pd.DataFrame([_contract(provider) for provider in scenario.providers]),
        "Pathways": _pathways(scenario),
    }
    if scenario.uncertain:
        tables["Uncertain inputs"] = pd.DataFrame(
            [
                {
                    "input": item.input,
                    "low": number(item.low),
                    "most likely": number(item.mode) if item.mode is not None else "",
                    "high": number(item.high),
                    "drawn as": "triangular" if item.mode is not None else "uniform",
                    "source": item.source or "",
                }
                for item in scenario.uncertain
            ]
        )
    return tables


def sources_table(scenario: Scenario) -> pd.DataFrame:
    """Every distinct source the scenario cites, in order of first use, with the inputs that
    cite it (named by path, as everywhere in Knock-on)."""
    used: dict[str, list[str]] = {}
    for path, part in _parts(scenario):
        source = part.get("source")
        if source:
            used.setdefault(str(source), []).append(path)
    return pd.DataFrame(
        [{"source": source, "used for": ", ".join(paths)} for source, paths in used.items()],
        columns=["source", "used for"],
    )


def unsourced_inputs(scenario: Scenario) -> list[str]:
    """Paths of the parts that hold numbers but cite no source: the model's assumptions."""
    return [
        path
        for path, part in _parts(scenario)
        if "source" in part
        and not part["source"]
        and any(_holds_numbers(value) for value in part.values())
    ]


# --- how inputs read -----------------------------------------------------------------------


def capacity_words(capacity: Capacity | None) -> str:
    if capacity is None:
        return "unlimited"
    if capacity.servers is not None:
        return f"{number(capacity.servers)} servers"
    return f"{number(capacity.slots_per_day)} slots a day"


def waiting_words(waiting: Waiting | None) -> str:
    rules = []
    if waiting is not None and waiting.max_days is not None:
        rules.append(
            f"after {number(waiting.max_days)} days, {number(waiting.share)} of those still "
            f"waiting go to {waiting.then}"
        )
    if waiting is not None and waiting.in_place:
        rules.append("referrals wait in the place they occupy")
    return "; ".join(rules) or "first come, first served"


def duration_words(duration: Duration | None) -> str:
    if duration is None:
        return "none"
    words: list[str] = [duration.distribution]
    low, high = getattr(duration, "min_days", None), getattr(duration, "max_days", None)
    if low is not None and high is not None:
        words.append(f"{number(low)} to {number(high)} days")
    for field, label in (("mean_days", "mean"), ("mode_days", "mode"), ("sd_days", "sd")):
        value = getattr(duration, field, None)
        if value is not None:
            words.append(f"{label} {number(value)} days")
    return ", ".join(words)


def price_words(price: Price | None) -> str:
    if price is None:
        return "no price"
    words = [
        f"{money(value)} {unit}"
        for value, unit in (
            (price.per_attendance_gbp, "per attendance"),
            (price.per_spell_gbp, "per spell"),
            (price.per_day_gbp, "per day"),
        )
        if value is not None
    ]
    if price.per_excess_day_gbp is not None:
        words.append(
            f"{money(price.per_excess_day_gbp)} per excess bed day after "
            f"{number(price.trim_days)} days"
        )
    if price.fixed_annual_gbp is not None:
        words.append(f"fixed cost {money(price.fixed_annual_gbp)} a year")
    if price.marginal_cost_share is not None:
        words.append(f"marginal cost share {number(price.marginal_cost_share)}")
    if price.marginal_cost_per_day_gbp is not None:
        words.append(f"variable cost {money(price.marginal_cost_per_day_gbp)} a day held")
    return ", ".join(words) or "no charge"


def contract_words(contract: Contract | None) -> str:
    if contract is None:
        return "none: paid as activity at price"
    if contract.type == "activity":
        return "activity: price x activity"
    if contract.type == "block":
        return f"block: {money(contract.annual_gbp)} a year in twelve instalments"
    if contract.type == "cost_and_volume":
        words = (
            f"cost and volume: {money(contract.annual_gbp)} for {number(contract.volume)} a "
            f"year, marginal rate {number(contract.marginal_rate)}"
        )
        if contract.floor_volume is not None:
            words += f", floor {number(contract.floor_volume)}"
        return words
    return (
        f"marginal rate: full price up to {number(contract.baseline_volume)} a year, "
        f"then {number(contract.rate)} of price"
    )


def rate_words(stream: DemandStream) -> str:
    if stream.per_1000_per_year is not None:
        return f"{number(stream.per_1000_per_year)} per 1,000 a year"
    return f"{number(stream.per_day)} a day"


# --- helpers -------------------------------------------------------------------------------


def _budget(scenario: Scenario) -> pd.DataFrame:
    budget = scenario.budget
    if budget is None:
        return pd.DataFrame(columns=["annual", "phasing", "source"])
    phasing = (
        "even (one twelfth a month)"
        if budget.phasing == "even"
        else ", ".join(f"{share:.1%}" for share in budget.monthly_fractions())
    )
    return pd.DataFrame(
        [{"annual": money(budget.annual_gbp), "phasing": phasing, "source": budget.source or ""}]
    )


def _pathways(scenario: Scenario) -> pd.DataFrame:
    """One row per pathway; a `cohort` column only when some pathway is a cohort's own."""
    with_cohorts = any(pathway.cohort is not None for pathway in scenario.pathways)
    columns = ["from", "to", *(["cohort"] if with_cohorts else []), "share", "delay", "source"]
    rows = []
    for pathway in scenario.pathways:
        row = {
            "from": pathway.from_,
            "to": pathway.to,
            "share": number(pathway.share),
            "delay": duration_words(pathway.delay) if pathway.delay else "none",
            "source": _joined(
                ("", pathway.source),
                ("delay", pathway.delay.source if pathway.delay else None),
            ),
        }
        if with_cohorts:
            row["cohort"] = pathway.cohort or "everyone else"
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def _demand(stream: DemandStream) -> dict[str, str]:
    seasonality = (
        ", ".join(number(value) for value in stream.seasonality) if stream.seasonality else "none"
    )
    return {
        "stream": stream.id,
        "name": stream.name or "",
        "enters": stream.enters,
        "rate": rate_words(stream),
        "seasonality by month": seasonality,
        "source": stream.source or "",
    }


def _provider(provider: Provider) -> dict[str, str]:
    return {
        "provider": provider.id,
        "name": provider.name or "",
        "kind": provider.kind.replace("_", " "),
        "capacity": capacity_words(provider.capacity),
        "waiting": waiting_words(provider.waiting),
        "length of stay": duration_words(provider.length_of_stay),
        "source": _joined(
            ("", provider.source),
            ("capacity", provider.capacity.source if provider.capacity else None),
            (
                "length of stay",
                provider.length_of_stay.source if provider.length_of_stay else None,
            ),
        ),
    }


def _price(provider: Provider) -> dict[str, str]:
    price = provider.price
    return {
        "provider": provider.id,
        "price": price_words(price),
        "price year": (price.price_year or "") if price else "",
        "source": (price.source or "") if price else "",
    }


def _contract(provider: Provider) -> dict[str, str]:
    contract = provider.contract
    return {
        "provider": provider.id,
        "contract": contract_words(contract),
        "source": (contract.source or "") if contract else "",
    }


def _joined(*sources: tuple[str, str | None]) -> str:
    """Several parts' sources in one cell, each labelled by its part."""
    return "; ".join(
        f"{label}: {source}" if label else source for label, source in sources if source
    )


def _parts(scenario: Scenario) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every mapping in the scenario's data, by its path (`providers[ward].price`)."""
    data = scenario.model_dump(mode="json", by_alias=True)

    def walk(node: Any, path: str, section: str | None) -> Iterator[tuple[str, Mapping[str, Any]]]:
        if isinstance(node, Mapping):
            yield path, node
            for key, child in node.items():
                yield from walk(child, f"{path}.{key}" if path else str(key), key)
        elif isinstance(node, list | tuple):
            for index, child in enumerate(node):
                keyed = section in KEYED and isinstance(child, Mapping)
                name = item_name(section, child) if keyed and section else str(index)
                yield from walk(child, f"{path}[{name}]", None)

    yield from walk(data, "", None)


def _holds_numbers(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return bool(value) and all(is_number(item) for item in value)
    return is_number(value)
