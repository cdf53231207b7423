"""Rules over the provider graph, which only a complete scenario can answer: no group
of providers patients can enter but never leave (an error), and warnings for providers
no demand reaches, delayed transfers waiting on each other in a loop, and offered load
at or above capacity in any month of the run.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import networkx as nx

import sim.network.graph as network_graph
from sim.scenario.model import Provider, Scenario

if TYPE_CHECKING:
    from sim.network.load_by_month import LoadThroughRun, MonthLoad
    from sim.scenario.checks import Report


def check_graph(report: Report) -> None:
    """Every rule over the graph; offered load only where no patient is trapped for good."""
    graph = network_graph.build_graph(report.scenario)
    trapped = _check_closed_loops(report, graph)
    _check_reachable(report, graph)
    _check_in_place_loops(report, graph)
    if not trapped:
        _check_load(report)


def _providers_in(report: Report, ids: set[str]) -> list[str]:
    """Ids in the order the scenario lists its providers, so messages are stable."""
    return [provider.id for provider in report.scenario.providers if provider.id in ids]


def _check_closed_loops(report: Report, graph: nx.DiGraph) -> bool:
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


def _check_reachable(report: Report, graph: nx.DiGraph) -> None:
    streams = [node for node, kind in graph.nodes(data="kind") if kind == "demand"]
    reached = set().union(*(nx.descendants(graph, stream) for stream in streams))
    for provider in report.scenario.providers:
        if provider.id not in reached:
            report.warn(
                report.provider_path(provider.id),
                "no demand reaches this provider, so it will see no patients",
            )


def _check_in_place_loops(report: Report, graph: nx.DiGraph) -> None:
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


def _check_load(report: Report) -> None:
    # Judged month by month through the run as dated (capacity changes, openings, shocks,
    # growth), on the days each provider is open: its patients go elsewhere before that.
    # Imported here, not with the module: sim.network imports this package's model, and
    # load_by_month cannot be loaded while sim.network is itself still being imported.
    from sim.network.load_by_month import monthly_load

    scenario = report.scenario
    loads = monthly_load(scenario)
    with_year = _month_names_repeat(scenario)
    for provider in scenario.providers:
        if provider.id in loads:
            message = _load_message(provider, loads[provider.id], with_year)
            if message is not None:
                report.warn(report.provider_path(provider.id), message)


def _load_message(provider: Provider, through: LoadThroughRun, with_year: bool) -> str | None:
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


def _stretch(months: Sequence[MonthLoad], busiest: MonthLoad) -> list[MonthLoad]:
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
