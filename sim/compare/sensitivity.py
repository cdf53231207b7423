"""Which inputs matter: a one-way tornado and a global analysis (SALib) over chosen inputs.

Every point of an analysis runs the same replications on the same seed tree, so the
differences between points are paired: what moves a metric is the input, not chance.
Inputs not being varied are held at their nominal values (an uncertain input's range is
then only used to set its low and high).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.compare.roi import ComparisonError
from sim.intervals import mean_and_interval
from sim.metric_names import SYSTEM, metric_names, unknown_metric_message
from sim.results.metrics import replication_metrics, wide
from sim.results.replicate import Progress, replicate_many
from sim.scenario import paths
from sim.scenario.model import Scenario
from sim.scenario.paths import PathError

Method = Literal["tornado", "morris", "sobol"]


@dataclass(frozen=True)
class Input:
    """A number to vary, between `low` and `high`."""

    path: str
    low: float
    high: float

    @classmethod
    def parse(cls, text: str) -> Input:
        """`PATH=LOW:HIGH`, e.g. `providers[ward].capacity.servers=560:620`."""
        match = re.fullmatch(r"\s*(.+?)\s*=\s*([-+0-9.eE]+)\s*:\s*([-+0-9.eE]+)\s*", text)
        if match is None:
            raise ComparisonError(f"{text!r}: write an input as PATH=LOW:HIGH")
        try:
            low, high = float(match.group(2)), float(match.group(3))
        except ValueError:
            raise ComparisonError(f"{text!r}: LOW and HIGH must be numbers") from None
        if not low < high:
            raise ComparisonError(f"{text!r}: LOW must be below HIGH")
        return cls(match.group(1), low, high)


def inputs_of(scenario: Scenario, given: Sequence[Input] = ()) -> list[Input]:
    """The inputs to analyse: those given, else the scenario's uncertain inputs."""
    chosen = list(given) or [Input(u.input, u.low, u.high) for u in scenario.uncertain]
    if not chosen:
        raise ComparisonError(
            "no inputs to vary: give --input PATH=LOW:HIGH, or give numbers in the scenario "
            "as ranges ({low: ..., high: ...})"
        )
    data = _nominal_data(scenario)
    for item in chosen:
        try:
            value = paths.get(data, item.path)
        except PathError as error:
            raise ComparisonError(str(error)) from None
        if not paths.is_number(value):
            raise ComparisonError(f"{item.path!r} is {value!r}, not a number")
    return chosen


CANDIDATE = re.compile(
    r"^(demand\[[^]]+\]\.(per_1000_per_year|per_day)"
    r"|providers\[[^]]+\]\.(capacity\.\w+|length_of_stay\.mean_days|price\.per_\w+_gbp))$"
)
"""Inputs a board asks "what if it were different?" about: demand, capacity, stays, prices.
(A single pathway share is left out: moving it alone would break the shares' sum.)"""


def candidate_inputs(scenario: Scenario, spread: float = 0.2) -> list[Input]:
    """Inputs to offer for a tornado: the scenario's uncertain inputs at their ranges, then
    every demand, capacity, stay and price at plus or minus `spread` of its value."""
    chosen = [Input(u.input, u.low, u.high) for u in scenario.uncertain]
    taken = {item.path for item in chosen}
    for path, value in paths.leaves(_nominal_data(scenario)).items():
        if path in taken or not CANDIDATE.match(path) or not paths.is_number(value) or not value:
            continue
        low, high = value * (1 - spread), value * (1 + spread)
        if isinstance(value, int):
            low, high = math.floor(low), math.ceil(high)
        chosen.append(Input(path, float(f"{low:.6g}"), float(f"{high:.6g}")))
    return chosen


def default_metrics(scenario: Scenario) -> list[str]:
    """Total payments, the budget variance, and the mean wait wherever capacity is limited."""
    chosen = [f"{SYSTEM}.paid_gbp"]
    if scenario.budget is not None:
        chosen.append(f"{SYSTEM}.budget_variance_gbp")
    chosen += [f"{p.id}.mean_wait_days" for p in scenario.providers if p.capacity is not None]
    return chosen


def _nominal_data(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(mode="json", by_alias=True, exclude={"uncertain"})


def at_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """The scenario with every uncertain input at its nominal value except those given."""
    data = _nominal_data(scenario)
    for path, value in values.items():
        if isinstance(paths.get(data, path), int):
            value = round(value)
        data = paths.put(data, path, value)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        shown = ", ".join(f"{path} = {value:g}" for path, value in values.items())
        reasons = "; ".join(str(e["msg"]) for e in error.errors())
        raise ComparisonError(f"with {shown} the scenario is not valid: {reasons}") from None


def _metric_table(
    scenarios: list[Scenario],
    metrics: Sequence[str],
    replications: int,
    seed: int,
    workers: int,
    scheduler: str | None,
    progress: Progress | None,
    executor: Executor | None = None,
) -> list[pd.DataFrame]:
    """Per scenario: replications x chosen metrics."""
    records = replicate_many(
        scenarios,
        replications,
        seed,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        executor=executor,
    )
    tables = []
    for scenario, runs in zip(scenarios, records, strict=True):
        table = wide(replication_metrics(runs, scenario))
        missing = [m for m in metrics if m not in table.columns]
        if missing:
            raise ComparisonError(unknown_metric_message(missing[0], metric_names(scenario)))
        tables.append(table[list(metrics)])
    return tables


def tornado(
    scenario: Scenario,
    inputs: Sequence[Input],
    metrics: Sequence[str],
    replications: int,
    seed: int,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """One-way sensitivity: each input at its low and its high end, all others nominal.

    One row per input and metric, largest swing first within each metric: the bars of a
    tornado chart, with the paired 95% CI of the swing (high minus low)."""
    points = [at_values(scenario, {})]
    for item in inputs:
        points += [
            at_values(scenario, {item.path: item.low}),
            at_values(scenario, {item.path: item.high}),
        ]
    tables = _metric_table(
        points, metrics, replications, seed, workers, scheduler, progress, executor
    )
    base = tables[0]
    rows = []
    for n, item in enumerate(inputs):
        low, high = tables[1 + 2 * n], tables[2 + 2 * n]
        for metric in metrics:
            swing = (high[metric] - low[metric]).to_numpy(float)
            mean, ci_low, ci_high = (float(x) for x in mean_and_interval(swing[np.isfinite(swing)]))
            rows.append(
                {
                    "metric": metric,
                    "input": item.path,
                    "low_value": item.low,
                    "high_value": item.high,
                    "nominal": float(base[metric].mean()),
                    "at_low": float(low[metric].mean()),
                    "at_high": float(high[metric].mean()),
                    "swing": mean,
                    "swing_ci_low": ci_low,
                    "swing_ci_high": ci_high,
                    "significant": bool(ci_low > 0 or ci_high < 0),
                }
            )
    table = pd.DataFrame(rows)
    table["_size"] = table["swing"].abs()
    order = {metric: i for i, metric in enumerate(metrics)}
    table["_metric"] = table["metric"].map(order)
    table = table.sort_values(["_metric", "_size"], ascending=[True, False], kind="stable")
    return table.drop(columns=["_size", "_metric"]).reset_index(drop=True)


def global_sensitivity(
    scenario: Scenario,
    inputs: Sequence[Input],
    metrics: Sequence[str],
    replications: int,
    seed: int,
    method: Literal["morris", "sobol"] = "morris",
    samples: int = 10,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Morris elementary effects (screening, cheap) or Sobol indices (variance shares).

    `samples` is Morris's number of trajectories (runs: samples x (inputs + 1)) or Sobol's
    base sample size (runs: samples x (2 x inputs + 2)). Each point's metric is the mean
    of `replications` paired replications."""
    from SALib.analyze import morris as morris_analysis
    from SALib.analyze import sobol as sobol_analysis
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    problem = {
        "num_vars": len(inputs),
        "names": [item.path for item in inputs],
        "bounds": [[item.low, item.high] for item in inputs],
    }
    if method == "morris":
        design = morris_sample.sample(problem, samples, num_levels=4, seed=seed)
    else:
        design = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    points = [
        at_values(scenario, {item.path: float(x) for item, x in zip(inputs, row, strict=True)})
        for row in design
    ]
    tables = _metric_table(
        points, metrics, replications, seed, workers, scheduler, progress, executor
    )
    rows = []
    for metric in metrics:
        outcome = np.array([float(table[metric].mean()) for table in tables])
        if method == "morris":
            found = morris_analysis.analyze(
                problem, design, outcome, num_levels=4, seed=seed, print_to_console=False
            )
            for i, item in enumerate(inputs):
                rows.append(
                    {
                        "metric": metric,
                        "input": item.path,
                        "mu": float(found["mu"][i]),
                        "mu_star": float(found["mu_star"][i]),
                        "mu_star_conf": float(found["mu_star_conf"][i]),
                        "sigma": float(found["sigma"][i]),
                    }
                )
        else:
            found = sobol_analysis.analyze(
                problem, outcome, calc_second_order=False, seed=seed, print_to_console=False
            )
            for i, item in enumerate(inputs):
                rows.append(
                    {
                        "metric": metric,
                        "input": item.path,
                        "first_order": float(found["S1"][i]),
                        "first_order_conf": float(found["S1_conf"][i]),
                        "total_order": float(found["ST"][i]),
                        "total_order_conf": float(found["ST_conf"][i]),
                    }
                )
    return pd.DataFrame(rows)
