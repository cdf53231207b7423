"""Rules the model's types cannot say alone, about the numbers and dates of a
scenario's items: shares that add up, a population for rates per 1,000, a length of stay
wherever there are servers, capacity changes that do not overlap, dates inside the run,
and a way on for patients while a provider has not yet opened.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sim.network.graph as network_graph
from sim.scenario.problems import DataPath

if TYPE_CHECKING:
    from sim.scenario.checks import Report


def check_shares(report: Report) -> None:
    by_provider: dict[tuple[str, str | None], list[int]] = {}
    for index, pathway in enumerate(report.scenario.pathways):
        by_provider.setdefault((pathway.from_, pathway.cohort), []).append(index)
    for (provider_id, cohort), indices in by_provider.items():
        pathways = [report.scenario.pathways[index] for index in indices]
        total = sum(pathway.share for pathway in pathways)
        if total > 1 + network_graph.SHARE_TOLERANCE:
            listed = ", ".join(f"{p.name} {p.share:g}" for p in pathways)
            whose = f" for cohort {cohort}" if cohort is not None else ""
            report.add(
                report.path("pathways", indices[0]),
                f"shares from {provider_id}{whose} sum to {total:g} ({listed}): "
                "they must sum to at most 1",
            )


def check_demand(report: Report) -> None:
    data = report.data
    has_population = bool(data.get("practices")) or data.get("population") is not None
    for index, stream in enumerate(report.scenario.demand):
        if stream.per_1000_per_year is not None and not has_population:
            report.add(
                report.path("demand", index, "per_1000_per_year"),
                "a rate per 1000 needs a population: list practices or give population",
            )
        if stream.cohort is not None and stream.growth_per_year is not None:
            report.add(
                report.path("demand", index, "growth_per_year"),
                f"this stream grows with its cohort '{stream.cohort}': give growth_per_year "
                "on the cohort, not on the stream",
            )


def check_providers(report: Report) -> None:
    for index, provider in enumerate(report.scenario.providers):
        capacity = provider.capacity
        if (
            capacity is not None
            and capacity.servers is not None
            and provider.length_of_stay is None
        ):
            report.add(
                report.path("providers", index, "length_of_stay"),
                "required when capacity has servers: how long each patient holds a place",
            )
        if capacity is None and provider.waiting is not None:
            report.warn(
                report.path("providers", index, "waiting"),
                "an unlimited provider (no capacity) has no queue, "
                "so its waiting options have no effect",
            )
        if provider.ramp_up_days is not None and provider.opens is None:
            report.add(
                report.path("providers", index, "ramp_up_days"),
                "a ramp-up needs the day the provider opens: give opens too",
            )
        if (
            capacity is not None
            and capacity.slots_per_day is not None
            and provider.price is not None
            and provider.price.marginal_cost_per_day_gbp is not None
        ):
            report.add(
                report.path("providers", index, "price", "marginal_cost_per_day_gbp"),
                "an appointment book (slots_per_day) holds no place from day to day; "
                "give its variable cost as marginal_cost_share instead",
            )
        if capacity is not None:
            _check_capacity_changes(report, index)


def _check_capacity_changes(report: Report, index: int) -> None:
    provider = report.scenario.providers[index]
    capacity = provider.capacity
    assert capacity is not None
    kind, other = (
        ("servers", "slots_per_day")
        if capacity.servers is not None
        else ("slots_per_day", "servers")
    )
    previous = None
    for number, change in sorted(enumerate(capacity.changes), key=lambda item: item[1].from_):
        path = report.path("providers", index, "capacity", "changes", number)
        if getattr(change, kind) is None:
            report.add(
                (*path, other),
                f"this provider's capacity is {kind}, so its changes give {kind} too",
            )
        if provider.opens is not None and change.from_ < provider.opens:
            report.add(
                (*path, "from"),
                f"{change.from_.isoformat()} is before the provider opens "
                f"({provider.opens.isoformat()}): change capacity once it is open",
            )
        if previous is not None and (previous.to is None or previous.to > change.from_):
            until = previous.to.isoformat() if previous.to is not None else "the end of the run"
            report.add(
                (*path, "from"),
                f"overlaps the change from {previous.from_.isoformat()} to {until}: "
                "changes to one provider's capacity must not overlap",
            )
        previous = change


def check_dates(report: Report) -> None:
    """Every date a scenario gives lies inside the simulated days."""
    scenario = report.scenario
    for index, provider in enumerate(scenario.providers):
        if provider.opens is not None:
            _date_in_run(report, report.path("providers", index, "opens"), provider.opens)
        if provider.capacity is not None:
            for number, change in enumerate(provider.capacity.changes):
                path = report.path("providers", index, "capacity", "changes", number)
                _date_in_run(report, (*path, "from"), change.from_)
                if change.to is not None:
                    _date_in_run(report, (*path, "to"), change.to, end=True)
    for index, stream in enumerate(scenario.demand):
        for number, shock in enumerate(stream.shocks):
            path = report.path("demand", index, "shocks", number)
            _date_in_run(report, (*path, "from"), shock.from_)
            if shock.to is not None:
                _date_in_run(report, (*path, "to"), shock.to, end=True)


def _date_in_run(report: Report, path: DataPath, date: dt.date, end: bool = False) -> None:
    """A day of the run; an `end` (exclusive) may also be the day after the last."""
    scenario = report.scenario
    first, after = scenario.run_start, scenario.run_end
    span = f"the run is {first.isoformat()} to {(after - dt.timedelta(days=1)).isoformat()}"
    if scenario.run.warm_up_days:
        span += " with its warm-up"
    if date < first:
        report.add(path, f"{date.isoformat()} is before the run starts ({span})")
    elif date > after or (date == after and not end):
        report.add(path, f"{date.isoformat()} is after the run ends ({span})")


def check_openings(report: Report) -> None:
    """Patients a pathway would send to a provider that has not opened (or is ramping up)
    take the other routes, so at least one of them must be open all along."""
    scenario = report.scenario
    opening = {p.id for p in scenario.providers if p.opens is not None}
    if not opening:
        return
    for index, pathway in enumerate(scenario.pathways):
        if pathway.to not in opening or pathway.share == 0:
            continue
        table = [
            p for p in scenario.pathways if p.from_ == pathway.from_ and p.cohort == pathway.cohort
        ]
        remainder = 1 - sum(p.share for p in table)
        open_all_along = remainder > network_graph.SHARE_TOLERANCE or any(
            p.share > 0 and p.to not in opening for p in table
        )
        if not open_all_along:
            report.add(
                report.path("pathways", index, "to"),
                f"before {pathway.to} opens, patients from {pathway.from_} who would go there "
                f"need another way on, and every way on from {pathway.from_} leads to a "
                "provider that opens part-way: add a pathway to a provider open all along, "
                "or leave a remainder",
            )
