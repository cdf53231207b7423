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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.scenario.graph_checks import check_graph
from sim.scenario.item_checks import (
    check_dates,
    check_demand,
    check_openings,
    check_providers,
    check_shares,
)
from sim.scenario.model import Scenario
from sim.scenario.problems import DataPath, Find, PathStep, Problem, Severity, field_name
from sim.scenario.reference_checks import (
    check_exercise,
    check_holders,
    check_ids,
    check_references,
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
    report = Report(scenario, dict(data), find, positions)
    check_ids(report)
    check_holders(report)
    check_references(report)
    check_exercise(report)
    check_shares(report)
    check_demand(report)
    check_providers(report)
    check_dates(report)
    check_openings(report)
    if positions is None and not report.errors:
        check_graph(report)
    return report.problems


@dataclass
class Report:
    """The problems found so far, each placed at its file and line through the path of the
    item it is about (in the original data, for a scenario that failed validation)."""

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
