"""Names that must mean something: ids used once (providers, demand streams and exits
share one set), budget holders, every provider, exit and cohort a scenario refers to, and
the metrics an exercise expects.

Checked against the ids written in the file, not only the items that validated, so a
reference to an item with a mistake of its own is not reported as unknown as well.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sim.metric_names import SYSTEM, metric_names, unknown_metric_message
from sim.scenario.model import NO_COHORT, UNNAMED_EXIT
from sim.scenario.problems import DataPath, closest

if TYPE_CHECKING:
    from sim.scenario.checks import Report


def check_ids(report: Report) -> None:
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


def check_holders(report: Report) -> None:
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


def check_references(report: Report) -> None:
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


def check_exercise(report: Report) -> None:
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
