"""The STRESS-DES reporting checklist, answered for one run of Knock-on.

STRESS-DES (Monks et al. 2019) lists what a report of a discrete-event simulation study
must say for a reader to understand, judge and repeat it. Knock-on knows most of the
answers: the model's logic is fixed by the scenario format, and the run itself holds the
inputs, sources, seed, replications, warm-up and software versions. So the checklist is
filled from the actual run rather than left for someone to type, and it cannot drift from
the numbers it describes.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.compare.paired import Comparison
from sim.export.scenario_tables import (
    capacity_words,
    contract_words,
    duration_words,
    rate_words,
    sources_table,
    unsourced_inputs,
)
from sim.results.run import RunResult
from sim.scenario.model import Scenario

CITATION = (
    "Monks T, Currie CSM, Onggo BS, Robinson S, Kunc M, Taylor SJE. Strengthening the "
    "reporting of empirical simulation studies: Introducing the STRESS guidelines. Journal "
    "of Simulation 2019;13(1):55-67. doi:10.1080/17477778.2018.1442155"
)


@dataclass(frozen=True)
class StressItem:
    """One checklist item (`4.1`, `Initialisation`) and this run's answer to it."""

    number: str
    title: str
    answer: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class StressGroup:
    """One of the six sections of the checklist, with its items."""

    number: int
    title: str
    items: tuple[StressItem, ...]


GROUP_TITLES = ("Objectives", "Logic", "Data", "Experimentation", "Implementation", "Code access")


def stress_des(
    result: RunResult,
    comparison: Comparison | None = None,
    loaded_files: Sequence[str | Path] = (),
    figure_count: int = 0,
) -> tuple[StressGroup, ...]:
    """The 24 STRESS-DES items in six groups, each answered from this run."""
    scenario = result.scenario
    answers = (
        _objectives(result, comparison),
        _logic(scenario, comparison, figure_count),
        _data(result),
        _experimentation(result, comparison),
        _implementation(result),
        _code_access(result, loaded_files),
    )
    return tuple(
        StressGroup(number, title, items)
        for number, (title, items) in enumerate(zip(GROUP_TITLES, answers, strict=True), start=1)
    )


# --- 1 Objectives ----------------------------------------------------------------------------


def _objectives(result: RunResult, comparison: Comparison | None) -> tuple[StressItem, ...]:
    scenario = result.scenario
    question = (
        "Knock-on answers a commissioning board's question: if we buy this service, cut that "
        "one or change that contract, where do patients, waits and money move across the "
        "whole local system, month by month through the financial year, and how sure are we?"
    )
    purpose = f"Scenario “{scenario.name}”. {scenario.description.strip()}".strip()
    if comparison is not None:
        variants = "; ".join(
            f"{label}: “{variant.name}”"
            + (f" ({variant.description.strip()})" if variant.description.strip() else "")
            for label, variant in zip(comparison.labels, comparison.variants, strict=True)
        )
        aims = (
            f"Scenario-based analysis: the baseline “{comparison.base.name}” compared with "
            f"{variants}, on paired replications with common random numbers, so each "
            "difference is the effect of the change and not of chance (see 2.3 and 4.3)."
        )
    else:
        aims = (
            "One scenario, without experiments. Variants of it are compared on paired "
            "replications (`knockon compare`), sweeps and sensitivity analyses are separate "
            "runs."
        )
    if scenario.uncertain:
        aims += (
            f" {len(scenario.uncertain)} inputs are uncertain and drawn afresh in each "
            "replication, so the results carry their uncertainty (see 3.3)."
        )
    return (
        StressItem("1.1", "Purpose of the model", f"{purpose} {question}"),
        StressItem(
            "1.2",
            "Model outputs",
            "Each measure is counted over the measured period (after the warm-up) in each "
            "replication. Tables give the mean over replications with its 95% confidence "
            "interval, mean ± t(0.975, n-1)·s/√n, cut at zero for counts and money and at "
            "100% for utilisation.",
            (
                "Providers: arrivals, completions, mean and 95th-percentile wait (days), mean "
                "number in the system, in the queue and in places, utilisation (time-average "
                "share of servers or daily slots in use), overflows, pathway delay days and "
                "delayed-transfer days.",
                "Money: the cost of activity at its prices and what the commissioner pays "
                "under the contracts (£), by provider and month; cumulative spend against the "
                "budget; the forecast outturn at each month-end (spend to date plus the rest "
                "of the plan scaled by spend against plan so far); the chance of overspend "
                "(the share of replications paying more than the plan).",
                "Flows: patients moving between demand streams, providers and exits.",
                "Practices: activity and spend per 1,000 registered patients against funnel "
                "limits; provider viability: income against fixed and variable costs.",
            ),
        ),
        StressItem("1.3", "Experimentation aims", aims),
    )


# --- 2 Logic ---------------------------------------------------------------------------------


def _logic(
    scenario: Scenario, comparison: Comparison | None, figure_count: int
) -> tuple[StressItem, ...]:
    books = [p.id for p in scenario.providers if p.is_appointment_book]
    servers = [p.id for p in scenario.providers if p.capacity and p.capacity.servers]
    unlimited = [p.id for p in scenario.providers if p.is_unlimited]
    overflows = [
        f"{p.id}: after {p.waiting.max_days:g} days, {p.waiting.share:g} of those still "
        f"waiting go to {p.waiting.then}"
        for p in scenario.providers
        if p.waiting is not None and p.waiting.max_days is not None
    ]
    in_place = [p.id for p in scenario.providers if p.waiting is not None and p.waiting.in_place]
    delays = [
        f"{p.from_} -> {p.to}: {duration_words(p.delay)}" for p in scenario.pathways if p.delay
    ]
    overview = (
        f"A network of {len(scenario.providers)} providers joined by "
        f"{len(scenario.pathways)} pathways, fed by {len(scenario.demand)} demand streams, "
        f"left through {len(scenario.exits)} named exits and an unnamed remainder. "
    )
    overview += (
        f"{figure_count} figures in this report draw it and its results (see Figures); the "
        "Providers and Pathways tables under Inputs give it in full."
        if figure_count
        else "The Providers and Pathways tables under Inputs give the network in full."
    )
    if comparison is not None:
        changes = tuple(
            f"{label}: {text}"
            for label, text in zip(
                comparison.inputs["scenario"], comparison.inputs["description"], strict=True
            )
        )
        scenario_logic = StressItem(
            "2.3",
            "Scenario logic",
            "Each variant is the same model with the inputs below changed; the logic is "
            "the same in every scenario.",
            changes,
        )
    else:
        scenario_logic = StressItem(
            "2.3", "Scenario logic", "Not applicable: one scenario, no variants."
        )
    algorithms = [
        "Demand: each day's arrivals are a Poisson count at that day's rate, spread uniformly "
        "over the day; rates per 1,000 a year scale with practice list sizes and referral "
        "multipliers, and seasonality multiplies them by calendar month.",
        "Routing: after service each patient takes one pathway at random with the pathways' "
        "shares; the share no pathway claims leaves the system.",
    ]
    if books:
        algorithms.append(
            f"Appointment books ({', '.join(books)}): stepped once a day, starting at most "
            "their slots that day in order of arrival."
        )
    if in_place:
        algorithms.append(
            f"Delayed transfers into {', '.join(in_place)}: a referred patient waits in the "
            "place it occupies, keeping it busy, until a place is free (blocking after "
            "service)."
        )
    algorithms += [f"Pathway delay {text}: the place is held meanwhile." for text in delays]
    contracts = sorted({contract_words(p.contract).split(":")[0] for p in scenario.providers})
    algorithms.append(
        f"Payment ({', '.join(contracts)}): block contracts pay twelve equal instalments "
        "whatever the activity; activity contracts pay price x activity; cost and volume "
        "and marginal rate contracts pay for activity above or below an agreed volume at "
        "their rates."
    )
    queue_rules = tuple(overflows) + tuple(
        f"{provider}: referrals wait in the place they occupy (delayed transfer)"
        for provider in in_place
    )
    return (
        StressItem("2.1", "Base model overview diagram", overview),
        StressItem(
            "2.2",
            "Base model logic",
            "Patients arrive from demand streams at the provider each stream enters. At a "
            "provider with capacity they queue first come, first served and are then served "
            "for a length of stay drawn from that provider's distribution (an appointment "
            "book starts at most its slots each day); a provider without capacity serves "
            "them at once. After service a patient follows one pathway, chosen at random by "
            "the pathways' shares, to another provider or a named exit. Prices turn each "
            "attendance, spell or day into cost; contracts decide what the commissioner "
            "pays; the budget is the plan that spending is measured against.",
        ),
        scenario_logic,
        StressItem("2.4", "Algorithms", "As the engine implements them:", tuple(algorithms)),
        StressItem(
            "2.5.1",
            "Components: entities",
            "Patients. Each carries its registered practice, so activity and spend trace "
            "back to practices, and the time it joined its current queue, for waits.",
        ),
        StressItem(
            "2.5.2",
            "Components: activities",
            "Service at a provider for its length of stay, and pathway delays while a "
            "transfer is arranged (counted as occupancy of the provider left).",
            tuple(
                f"{p.id}: {duration_words(p.length_of_stay)}"
                for p in scenario.providers
                if p.length_of_stay is not None
            ),
        ),
        StressItem(
            "2.5.3",
            "Components: resources",
            "Each provider's capacity: servers (beds, cubicles, clinicians) held for the "
            "whole stay, or an appointment book of slots a day. "
            f"{len(servers)} with servers, {len(books)} appointment books, {len(unlimited)} "
            "unlimited.",
            tuple(f"{p.id}: {capacity_words(p.capacity)}" for p in scenario.providers),
        ),
        StressItem(
            "2.5.4",
            "Components: queues",
            "Every queue is first in, first out, with no priorities, balking or jockeying. "
            + (
                "Patients leave a queue only by these rules:"
                if queue_rules
                else "No provider moves patients who have waited too long."
            ),
            queue_rules,
        ),
        StressItem(
            "2.5.5",
            "Components: entry/exit points",
            "Patients enter from the demand streams (Poisson, rate constant within a day) "
            f"and leave through the exits {', '.join(scenario.exits) or '(none named)'} or "
            "unnamed when no pathway claims them.",
            tuple(f"{d.id} -> {d.enters}: {rate_words(d)}" for d in scenario.demand),
        ),
    )


# --- 3 Data ----------------------------------------------------------------------------------


def _data(result: RunResult) -> tuple[StressItem, ...]:
    scenario = result.scenario
    sources = sources_table(scenario)
    unsourced = unsourced_inputs(scenario)
    cited = sum(len(paths.split(", ")) for paths in sources["used for"])
    assumed = [
        paths
        for source, paths in zip(sources["source"], sources["used for"], strict=True)
        if source.lower().startswith("assum")
    ]
    drawn = tuple(
        f"{item['input']}: {item['low']:g} to {item['high']:g}"
        + (f", most likely {item['mode']:g}" if item["mode"] is not None else "")
        + f"; drawn p10-p90 {item['drawn_p10']:.4g} to {item['drawn_p90']:.4g}"
        for item in result.summary.get("uncertain_inputs", [])
    )
    return (
        StressItem(
            "3.1",
            "Data sources",
            f"{len(sources)} distinct sources, cited by {cited} inputs (listed under Sources)."
            if len(sources)
            else "The scenario cites no sources.",
            tuple(sources["source"]),
        ),
        StressItem(
            "3.2",
            "Pre-processing",
            "Knock-on uses the inputs as the scenario file gives them and records no "
            "pre-processing; any the modeller did should be described in the sources. The "
            "model converts rates per 1,000 a year to daily rates with the registered "
            f"population ({scenario.registered_population:,}) and a 365-day year.",
        ),
        StressItem(
            "3.3",
            "Input parameters",
            "Every input, with its distribution and parameters, is tabulated under Inputs; "
            "the complete scenario file is in the appendix."
            + (
                " These inputs are uncertain, drawn afresh in each replication (uniform, or "
                "triangular where a most likely value is given):"
                if drawn
                else " No input is uncertain: each replication uses the same values."
            ),
            drawn,
        ),
        StressItem(
            "3.4",
            "Assumptions",
            "Built into the format: Poisson arrivals, first-in-first-out queues, routing by "
            "fixed shares whatever a patient's history, lengths of stay independent of how "
            f"busy a provider is. In this scenario, {len(unsourced)} parts with numbers cite "
            f"no source and {len(assumed)} sources are stated assumptions (their text is "
            "under Sources).",
            tuple(
                line
                for line in (
                    f"No source: {', '.join(unsourced)}." if unsourced else "",
                    f"Stated assumptions: {', '.join(assumed)}." if assumed else "",
                )
                if line
            ),
        ),
    )


# --- 4 Experimentation -----------------------------------------------------------------------


def _experimentation(result: RunResult, comparison: Comparison | None) -> tuple[StressItem, ...]:
    run = result.scenario.run
    period = result.summary["period"]
    months = period["months"]
    end = run.start_date + dt.timedelta(days=run.days - 1)
    if run.warm_up_days:
        warm_up = (
            f"A warm-up of {run.warm_up_days} days is run and discarded before the measured period."
        )
    else:
        warm_up = (
            "No warm-up: the measured period starts from empty, so the first months "
            "undercount patients who would already be in long stays."
        )
    estimation = (
        f"{result.summary['replications']} independent replications from seed "
        f"{result.summary['seed']}; each table gives the mean over replications with a 95% "
        "t-interval, and the spread of single replications (p10-p90) where the year's range "
        "matters. `knockon replications` advises how many replications a precision needs "
        "(Hoad, Robinson and Davies 2010)."
    )
    if comparison is not None:
        estimation += (
            f" The comparison uses {comparison.replications} paired replications from seed "
            f"{comparison.seed} with common random numbers; each difference is the mean of "
            "the paired differences with its 95% t-interval, and is stated in words only when "
            "that interval excludes zero."
        )
    return (
        StressItem(
            "4.1",
            "Initialisation",
            "A non-terminating system observed over a fixed period. Each replication starts "
            f"empty (no patient waiting or in service: deterministic). {warm_up} "
            "`knockon warm-up` (MSER-5) recommends a warm-up for a chosen measure.",
        ),
        StressItem(
            "4.2",
            "Run length",
            f"{run.days} days measured, {run.start_date.day} {run.start_date:%B %Y} to "
            f"{end.day} {end:%B %Y} "
            f"({len(months)} calendar months, {months[0]} to {months[-1]}), after "
            f"{run.warm_up_days} warm-up days. Time is in days.",
        ),
        StressItem("4.3", "Estimation approach", estimation),
    )


# --- 5 Implementation ------------------------------------------------------------------------


def _implementation(result: RunResult) -> tuple[StressItem, ...]:
    summary = result.summary
    found = summary["versions"]
    if "scheduler" in summary:
        where = f"on the Dask cluster at {summary['scheduler']}"
    elif summary.get("workers", 1) == 1:
        where = "in one local process"
    else:
        where = f"on {summary['workers']} local worker processes"
    return (
        StressItem(
            "5.1",
            "Software or programming language",
            f"Knock-on {found.get('knockon', 'unknown')}, in Python {found.get('python')} "
            f"with the SimPy discrete-event library. This report was written on "
            f"{platform.platform()}.",
            (", ".join(f"{package} {version}" for package, version in found.items()),),
        ),
        StressItem(
            "5.2",
            "Random sampling",
            "NumPy's PCG64 generator. Every random element (a demand stream's arrivals, a "
            "provider's lengths of stay, the choice of pathway, each delay) has its own "
            "stream, seeded by SeedSequence(entropy=seed, spawn_key=(replication, SHA-256 of "
            "the stream's name)). Replication r therefore draws the same numbers in every "
            "scenario wherever a scenario changes nothing: common random numbers.",
        ),
        StressItem(
            "5.3",
            "Model execution",
            "Event scheduling on SimPy's event queue: the end of each stay is one scheduled "
            "event, appointment books are stepped once a day and demand is drawn a day at a "
            "time; events due at the same time run in the order they were scheduled. "
            f"Replications ran {where}; results do not depend on how they are spread over "
            "processes or machines.",
        ),
        StressItem(
            "5.4",
            "System specification",
            f"The run took {summary.get('run_seconds', 0):.1f} s {where}. This report was "
            f"written on a {platform.machine() or 'unknown'} machine with "
            f"{os.cpu_count() or 'an unknown number of'} logical CPUs.",
        ),
    )


# --- 6 Code access ---------------------------------------------------------------------------


def _code_access(result: RunResult, loaded_files: Sequence[str | Path]) -> tuple[StressItem, ...]:
    summary = result.summary
    files = ", ".join(str(path) for path in loaded_files)
    return (
        StressItem(
            "6.1",
            "Computer model sharing statement",
            f"Knock-on is open-source software (MIT licence), version "
            f"{summary['versions'].get('knockon', 'unknown')}. The appendix holds the complete "
            f"scenario (SHA-256 {summary['scenario_hash']})"
            + (f", read from {files}" if files else "")
            + f"; `knockon run scenario.yaml --seed {summary['seed']} --replications "
            f"{summary['replications']}` with the software versions in 5.1 reproduces these "
            "tables exactly.",
        ),
    )
