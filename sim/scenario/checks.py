"""Rules that need the whole scenario, beyond the types and ranges the model checks.

Errors: ids unique and known, budget holders that name no other practice's list
unless it is in them, pathways from providers to providers or exits, shares that
add up, a population for population-driven demand, a length of stay wherever there are
servers, metrics an exercise expects that a run reports, dates inside the run (capacity
changes, shocks, openings), a way on for patients a provider that has not opened yet
cannot take, cohorts that exist, and no group of providers patients can enter but never
leave. Warnings: things a run would allow but a commissioner would want
to know first (providers nobody reaches, offered load at or above capacity, waiting options
with no effect, deadlock risks).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

import sim.network.graph as network_graph
import sim.network.load_by_month as network_load_by_month
from sim.metric_names import SYSTEM, metric_names, unknown_metric_message
from sim.scenario.model import NO_COHORT, UNNAMED_EXIT, Provider, Scenario
from sim.scenario.problems import (
    DataPath,
    Find,
    PathStep,
    Problem,
    Severity,
    closest,
    field_name,
)

Positions = Mapping[str, Sequence[int]]


def check_scenario(
    scenario: Scenario,
    data: Mapping[str, Any],
    find: Find,
    *,
    positions: Positions | None = None,
) -> list[Problem]:
    """Every whole-scenario problem, errors and warnings.

    For a scenario that failed validation, the loader passes the items that did validate,
    with `positions` (their indices in `data`). References are checked against every id in
    `data`, so an item that failed is still known by name. Graph-wide rules wait until the
    scenario is complete, since a missing item could change their answer.
    """
    report = _Report(scenario, dict(data), find, positions)
    _check_ids(report)
    _check_holders(report)
    _check_references(report)
    _check_exercise(report)
    _check_shares(report)
    _check_demand(report)
    _check_providers(report)
    _check_dates(report)
    _check_openings(report)
    if positions is None and not report.errors:
        _check_graph(report)
    return report.problems


@dataclass
class _Report:
    scenario: Scenario
    data: dict[str, Any]
    find: Find
    positions: Positions | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)

    def path(self, collection: str, index: int, *rest: PathStep) -> DataPath:
        """The path in the data of the `index`-th checked item of a top-level list."""
        original = self.positions[collection][index] if self.positions is not None else index
        return (collection, original, *rest)

    def add(self, path: DataPath, message: str, severity: Severity = "error") -> None:
        file, line = self.find(path)
        self.problems.append(Problem(file, line, field_name(path, self.data), message, severity))

    def warn(self, path: DataPath, message: str) -> None:
        self.add(path, message, "warning")

    def provider_path(self, provider_id: str) -> DataPath:
        for index, provider in enumerate(self.scenario.providers):
            if provider.id == provider_id:
                return self.path("providers", index)
        return ("providers",)


def _check_ids(report: _Report) -> None:
    # Read from the data, so that items which failed validation still count.
    practices: set[str] = set()
    for path, practice_id in _ids_with_paths(report.data, "practices"):
        if practice_id in practices:
            report.add(path, f"practice id '{practice_id}' is used twice")
        practices.add(practice_id)
    cohorts: set[str] = set()
    for path, cohort_id in _ids_with_paths(report.data, "cohorts"):
        if cohort_id == NO_COHORT:
            report.add(
                path,
                f"'{NO_COHORT}' is reserved for patients without a cohort: choose another id",
            )
        elif cohort_id in cohorts:
            report.add(path, f"cohort id '{cohort_id}' is used twice")
        cohorts.add(cohort_id)

    # flows.csv names providers, demand streams and exits in the same columns.
    seen: dict[str, str] = {}
    for collection, what in (
        ("providers", "a provider"),
        ("demand", "a demand stream"),
        ("exits", "an exit"),
    ):
        for path, node_id in _ids_with_paths(report.data, collection):
            if node_id == UNNAMED_EXIT:
                report.add(
                    path,
                    f"'{UNNAMED_EXIT}' is reserved for patients no pathway claims: "
                    "choose another id",
                )
            elif node_id in seen:
                report.add(
                    path,
                    f"id '{node_id}' is already used by {seen[node_id]} (providers, demand "
                    "streams and exits share one set of ids)",
                )
            else:
                seen[node_id] = what


def _check_holders(report: _Report) -> None:
    """A `budget_holder` that is another practice's id joins that practice's budget, so
    that practice must hold its own budget there too (a holder named after a practice that
    is not in it would be read as the wrong list)."""
    holder_of = {practice.id: practice.holder for practice in report.scenario.practices}
    for index, practice in enumerate(report.scenario.practices):
        named = practice.budget_holder
        if named is None or named == practice.id or named not in holder_of:
            continue
        if holder_of[named] != named:
            report.add(
                report.path("practices", index, "budget_holder"),
                f"'{named}' is a practice whose own budget is held by "
                f"'{holder_of[named]}': use '{holder_of[named]}' to share that budget, or a "
                "holder id that is not another practice's",
            )


def _ids_with_paths(data: Mapping[str, Any], collection: str) -> list[tuple[DataPath, str]]:
    """The ids written in a top-level list, with the path of each."""
    items = data.get(collection)
    if not isinstance(items, list):
        return []
    if collection == "exits":
        return [((collection, i), item) for i, item in enumerate(items) if isinstance(item, str)]
    return [
        ((collection, i, "id"), item["id"])
        for i, item in enumerate(items)
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    ]


def _ids_in(data: Mapping[str, Any], collection: str) -> list[str]:
    """Every id written in a top-level list, including items that failed validation."""
    return [item_id for _, item_id in _ids_with_paths(data, collection)]


def _unknown(what: str, name: str, known: Sequence[str]) -> str:
    message = f"unknown {what} '{name}'"
    close = closest(name, known)
    if close is not None:
        message += f" (did you mean '{close}'?)"
    if not known:
        return f"{message}: there are none"
    known = list(dict.fromkeys(known))  # a duplicated id is reported on its own
    shown = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
    return f"{message}: use {'one of ' if len(known) > 1 else ''}{shown}"


def _check_references(report: _Report) -> None:
    scenario = report.scenario
    providers = _ids_in(report.data, "providers")
    exits = _ids_in(report.data, "exits")
    streams = _ids_in(report.data, "demand")

    def must_be_provider(path: DataPath, name: str) -> None:
        if name in providers:
            return
        if name == UNNAMED_EXIT:
            report.add(path, f"'{name}' is the way out of the system, not a provider")
        elif name in exits:
            report.add(path, f"'{name}' is an exit, not a provider")
        elif name in streams:
            report.add(path, f"'{name}' is a demand stream, not a provider")
        else:
            report.add(path, _unknown("provider", name, providers))

    cohorts = _ids_in(report.data, "cohorts")

    def must_be_cohort(path: DataPath, name: str | None) -> None:
        if name is not None and name not in cohorts:
            report.add(path, _unknown("cohort", name, cohorts))

    opening = {p.id for p in scenario.providers if p.opens is not None}
    for index, stream in enumerate(scenario.demand):
        must_be_provider(report.path("demand", index, "enters"), stream.enters)
        must_be_cohort(report.path("demand", index, "cohort"), stream.cohort)
    for index, provider in enumerate(scenario.providers):
        waiting = provider.waiting
        if waiting is None or waiting.then is None:
            continue
        path = report.path("providers", index, "waiting", "then")
        if waiting.then == provider.id:
            report.add(
                path, "patients who wait too long must go somewhere else, not back to the same list"
            )
        elif waiting.then in opening:
            report.add(
                path,
                f"'{waiting.then}' opens part-way through the run (opens), and patients who "
                "wait too long cannot be sent to a provider that may not be open yet: "
                "choose a provider open all along",
            )
        else:
            must_be_provider(path, waiting.then)

    pairs: set[tuple[str, str, str | None]] = set()
    for index, pathway in enumerate(scenario.pathways):
        must_be_provider(report.path("pathways", index, "from"), pathway.from_)
        must_be_cohort(report.path("pathways", index, "cohort"), pathway.cohort)
        to_path = report.path("pathways", index, "to")
        if pathway.to == UNNAMED_EXIT:
            report.add(
                to_path,
                f"'{UNNAMED_EXIT}' already takes every patient no pathway claims: leave this "
                "pathway out, or name the way out in exits",
            )
        elif pathway.to in streams:
            report.add(
                to_path, f"'{pathway.to}' is a demand stream: pathways lead to providers or exits"
            )
        elif pathway.to not in providers and pathway.to not in exits:
            report.add(to_path, _unknown("provider or exit", pathway.to, [*providers, *exits]))
        pair = (pathway.from_, pathway.to, pathway.cohort)
        if pair in pairs:
            cohort = f" for cohort {pathway.cohort}" if pathway.cohort is not None else ""
            report.add(
                report.path("pathways", index),
                f"a second pathway from {pathway.from_} to {pathway.to}{cohort}: "
                "give one, with the combined share",
            )
        pairs.add(pair)


def _check_exercise(report: _Report) -> None:
    exercise = report.scenario.exercise
    if exercise is None:
        return
    providers = _ids_in(report.data, "providers")
    known = metric_names(report.scenario)
    for index, expected in enumerate(exercise.expect):
        path: DataPath = ("exercise", "expect", index, "metric")
        provider = expected.metric.rpartition(".")[0]
        if provider != SYSTEM and provider not in providers:
            report.add(path, _unknown("provider", provider, [*providers, SYSTEM]))
        elif expected.metric not in known:
            report.add(path, unknown_metric_message(expected.metric, known))


def _check_shares(report: _Report) -> None:
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


def _check_demand(report: _Report) -> None:
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


def _check_providers(report: _Report) -> None:
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


def _check_capacity_changes(report: _Report, index: int) -> None:
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


def _check_dates(report: _Report) -> None:
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


def _date_in_run(report: _Report, path: DataPath, date: dt.date, end: bool = False) -> None:
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


def _check_openings(report: _Report) -> None:
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


# --- rules over the provider graph ----------------------------------------------------------


def _check_graph(report: _Report) -> None:
    graph = network_graph.build_graph(report.scenario)
    trapped = _check_closed_loops(report, graph)
    _check_reachable(report, graph)
    _check_in_place_loops(report, graph)
    if not trapped:
        _check_load(report)


def _providers_in(report: _Report, ids: set[str]) -> list[str]:
    """Ids in the order the scenario lists its providers, so messages are stable."""
    return [provider.id for provider in report.scenario.providers if provider.id in ids]


def _check_closed_loops(report: _Report, graph: nx.DiGraph) -> bool:
    # Patients of each cohort follow their own routes, so each can be trapped on its own.
    exits = [node for node, kind in graph.nodes(data="kind") if kind == "exit"]
    providers = {node for node, kind in graph.nodes(data="kind") if kind == "provider"}
    trapped: set[str] = set()
    routes = nx.DiGraph()
    for cohort in report.scenario.patient_cohorts:
        taken = network_graph.routes_taken(report.scenario, cohort)
        can_leave = set(exits).union(*(nx.ancestors(taken, node) for node in exits))
        trapped |= providers - can_leave
        routes.add_edges_from(taken.edges)
    routes.add_nodes_from(graph.nodes)
    for group in nx.weakly_connected_components(routes.subgraph(trapped)):
        names = _providers_in(report, set(group))
        report.add(
            report.provider_path(names[0]),
            f"closed loop: patients who reach {_and(names)} can never leave, because every "
            "pathway from there leads back among them; lower a share or add a way out",
        )
    return bool(trapped)


def _check_reachable(report: _Report, graph: nx.DiGraph) -> None:
    streams = [node for node, kind in graph.nodes(data="kind") if kind == "demand"]
    reached = set().union(*(nx.descendants(graph, stream) for stream in streams))
    for provider in report.scenario.providers:
        if provider.id not in reached:
            report.warn(
                report.provider_path(provider.id),
                "no demand reaches this provider, so it will see no patients",
            )


def _check_in_place_loops(report: _Report, graph: nx.DiGraph) -> None:
    # Patients bound for an in_place provider wait in the place they hold; if two such
    # providers feed each other and both fill up, nobody can move (a deadlock).
    blocking = {
        provider.id
        for provider in report.scenario.providers
        if provider.waiting is not None
        and provider.waiting.in_place
        and provider.capacity is not None
    }
    waits = nx.DiGraph()
    waits.add_nodes_from(blocking)
    waits.add_edges_from(
        (start, end)
        for start, end, kind in graph.edges(data="kind")
        if kind == "pathway" and start in blocking and end in blocking
    )
    for component in nx.strongly_connected_components(waits):
        first = next(iter(component))
        if len(component) > 1 or waits.has_edge(first, first):
            names = _providers_in(report, set(component))
            report.warn(
                report.provider_path(names[0]),
                f"in_place waiting in a loop ({_and(names)}): when they are all full, patients "
                "holding a place while waiting for each other can block for good (deadlock)",
            )


def _check_load(report: _Report) -> None:
    # Judged month by month through the run as dated (capacity changes, openings, shocks,
    # growth), on the days each provider is open: its patients go elsewhere before that.
    scenario = report.scenario
    loads = network_load_by_month.monthly_load(scenario)
    with_year = _month_names_repeat(scenario)
    for provider in scenario.providers:
        if provider.id in loads:
            message = _load_message(provider, loads[provider.id], with_year)
            if message is not None:
                report.warn(report.provider_path(provider.id), message)


def _load_message(
    provider: Provider, through: network_load_by_month.LoadThroughRun, with_year: bool
) -> str | None:
    """What to say of a provider's offered load: nothing below 1 in every month."""
    busiest = through.busiest
    capacity = provider.capacity
    if through.load is None or busiest is None or busiest.load is None or capacity is None:
        return None
    has_servers = capacity.servers is not None

    def unit(level: float) -> str:
        if has_servers:
            return "server" if level == 1 else "servers"
        return "slot a day" if level == 1 else "slots a day"

    size = f"{capacity.level} {unit(capacity.level)}"
    when = _month_name(busiest.first_day, with_year)
    if busiest.level is not None and busiest.level != capacity.level:
        average = "" if busiest.level.is_integer() else " on average"
        when += f" ({busiest.level:.0f} {unit(round(busiest.level))}{average})"
    if not math.isfinite(through.load):
        return (
            f"offered load without limit: patients arrive, but none of its {size} is open "
            "to them: queues will grow without limit"
        )
    if through.load >= 1:
        peak = f" (peak in {when}: {busiest.load:.2f})"
        seasonal = peak if busiest.load > through.load + 0.005 else ""
        return (
            f"offered load {through.load:.2f} of its {size}{seasonal}: "
            "queues will grow without limit"
        )
    if busiest.load < 1:
        return None
    if math.isfinite(busiest.load):
        worst = f"{busiest.load:.2f} in {when}"
    else:
        worst = f"patients arrive with no capacity in {when}"
    stretch = _stretch(through.months, busiest)
    if len(stretch) > 1:
        first, last = (
            _month_name(month.first_day, with_year) for month in (stretch[0], stretch[-1])
        )
        worst += f" and at or above 1 from {first} to {last}"
    return (
        f"offered load {through.load:.2f} of its {size}, but {worst}: "
        "queues will grow through the busiest months"
    )


def _stretch(
    months: Sequence[network_load_by_month.MonthLoad], busiest: network_load_by_month.MonthLoad
) -> list[network_load_by_month.MonthLoad]:
    """The busiest month and the months either side of it with a load of 1 or more."""
    middle = months.index(busiest)
    first = middle
    while first > 0 and (months[first - 1].load or 0.0) >= 1:
        first -= 1
    last = middle
    while last + 1 < len(months) and (months[last + 1].load or 0.0) >= 1:
        last += 1
    return list(months[first : last + 1])


def _month_names_repeat(scenario: Scenario) -> bool:
    """Whether the run's months include a month of the year twice, so names need a year."""
    first, last = scenario.run.start_date, scenario.run_end - dt.timedelta(days=1)
    return (last.year - first.year) * 12 + last.month - first.month >= 12


def _month_name(first_day: dt.date, with_year: bool) -> str:
    name = calendar.month_name[first_day.month]
    return f"{name} {first_day.year}" if with_year else name


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
