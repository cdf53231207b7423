"""How long a warm-up: MSER-5 on a daily series of one metric, from an empty start.

A run starts empty: no beds occupied, nobody waiting. For a steady-state question the
first days are biased low and should not be counted (`run.warm_up_days`). MSER-5 picks
the truncation that minimises the standard error of the remaining mean: the series is
cut into batch means of 5 observations Z_1..Z_k, and for each d (batches deleted, at
most half of them) MSER(d) = sum_{i>d} (Z_i - mean_{>d})^2 / (k - d)^2. Deleting the
transient lowers the spread faster than it lowers the count; deleting steady data does
not. Following White, the series is the mean over a few replications, which damps noise.

A minimum at the limit (half the series) means the series had not settled: run longer.

References: White KP (1997). An effective truncation heuristic for bias reduction in
simulation output. Simulation 69(6):323-334. White KP, Cobb MJ, Spratt SC (2000). A
comparison of five steady-state truncation heuristics for simulation. Proceedings of the
2000 Winter Simulation Conference, 755-760.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import pandas as pd

from sim.engine import RunRecord, simulate
from sim.engine.calendar import Calendar
from sim.metric_names import SYSTEM, unknown_metric_message
from sim.results.replicate import Progress
from sim.scenario.model import Run, Scenario

BATCH = 5
"""Observations per batch mean: the 5 of MSER-5."""

MOST_EMPTY_DAYS = 0.1
"""Largest share of days without patients a waits or stays series may have."""

Daily = Callable[[RunRecord], tuple[np.ndarray, np.ndarray | None]]
"""Per provider and day: the metric's numerator and its denominator (None: per day)."""

DAILY_METRICS: dict[str, Daily] = {
    "arrivals": lambda r: (r.arrivals, None),
    "completions": lambda r: (r.completions, None),
    "overflows": lambda r: (r.overflows, None),
    "mean_occupied": lambda r: (r.occupancy_days, None),
    "mean_queue": lambda r: (r.queue_days, None),
    "mean_in_system": lambda r: (r.occupancy_days + r.queue_days, None),
    "delay_days": lambda r: (r.delay_days, None),
    "delayed_transfer_days": lambda r: (r.blocked_days, None),
    "mean_wait_days": lambda r: (r.wait_days, r.starts),
    "mean_stay_days": lambda r: (r.stay_days, r.completions),
}
"""Metrics with a daily value: levels are means over the day, counts are per day, waits
and stays are means of the patients who started or left that day."""


class WarmUpError(ValueError):
    """A warm-up that cannot be computed; the message says why."""


@dataclass(frozen=True)
class WarmUp:
    """The recommended warm-up and the evidence for it."""

    warm_up_days: int
    metric: str
    replications: int
    at_limit: bool
    """The minimum is at the longest truncation allowed: the series had not settled."""
    series: pd.DataFrame = field(repr=False)
    """day (from the empty start), date, value (mean over replications)."""
    mser: pd.DataFrame = field(repr=False)
    """batches_deleted, days_deleted, mser: the statistic at each truncation point."""
    message: str


def mser5_statistics(series: Sequence[float] | np.ndarray) -> np.ndarray:
    """MSER(d) for d = 0 .. k // 2 batches deleted, over the batch means of 5.

    Observations after the last whole batch are left out, as in White's definition.
    """
    values = np.asarray(series, dtype=float)
    if values.ndim != 1 or not np.all(np.isfinite(values)):
        raise WarmUpError("the series must be one finite value per observation")
    batches = values.size // BATCH
    if batches < 2:
        raise WarmUpError(f"MSER-5 needs at least {2 * BATCH} observations, got {values.size}")
    means = values[: batches * BATCH].reshape(batches, BATCH).mean(axis=1)
    statistics = np.empty(batches // 2 + 1)
    for deleted in range(statistics.size):
        kept = means[deleted:]
        statistics[deleted] = float(((kept - kept.mean()) ** 2).sum()) / kept.size**2
    return statistics


def mser5(series: Sequence[float] | np.ndarray) -> int:
    """Observations to delete from the start of `series` (a multiple of 5)."""
    return BATCH * int(np.argmin(mser5_statistics(series)))


def daily_metric_names(scenario: Scenario) -> list[str]:
    """Every `provider.metric` with a daily series; `all` sums over providers."""
    providers = [*(provider.id for provider in scenario.providers), SYSTEM]
    return [f"{provider}.{metric}" for provider in providers for metric in DAILY_METRICS]


def daily_series(records: Sequence[RunRecord], metric: str) -> np.ndarray:
    """The metric day by day, pooled over replications (ratios as ratio of sums).

    Records must come from a daily calendar (`Calendar.daily`). A day on which no patient
    started (waits) or left (stays) in any replication keeps the previous day's value, 0
    before the first: an empty start has no waits yet. If more than a tenth of the days
    are empty the series says little, and the metric is refused.
    """
    provider, name = metric.split(".", 1)
    providers = records[0].providers
    rows = slice(None) if provider == SYSTEM else [providers.index(provider)]
    numerator = np.zeros(len(records[0].months))
    denominator = np.zeros_like(numerator)
    for record in records:
        top, bottom = DAILY_METRICS[name](record)
        numerator += top[rows].sum(axis=0)
        denominator += record.month_days if bottom is None else bottom[rows].sum(axis=0)
    empty = denominator == 0
    if empty.mean() > MOST_EMPTY_DAYS:
        raise WarmUpError(
            f"{metric} has no patients on {int(empty.sum())} of {empty.size} days; choose a "
            "level such as mean_in_system, or more replications"
        )
    values: list[float] = []
    previous = 0.0
    for total, patients in zip(numerator.tolist(), denominator.tolist(), strict=True):
        previous = total / patients if patients > 0 else previous
        values.append(previous)
    return np.asarray(values)


def from_empty(scenario: Scenario, days: int) -> Scenario:
    """The scenario run for `days` from an empty start, on the same calendar dates.

    Day 0 is the date the original run starts its warm-up, so seasonality lines up.
    """
    run = Run.model_validate(
        {
            **scenario.run.model_dump(),
            "days": days,
            "warm_up_days": 0,
            "start_date": scenario.run.start_date - dt.timedelta(days=scenario.run.warm_up_days),
        }
    )
    return scenario.model_copy(update={"run": run})


def warm_up(
    scenario: Scenario,
    metric: str,
    days: int | None = None,
    replications: int = 5,
    seed: int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> WarmUp:
    """Recommend `warm_up_days` for a metric by MSER-5 on its daily series from empty.

    The run lasts `days` (default: the scenario's warm-up plus its measured days), with no
    warm-up; replications 0..replications-1 of the seed are averaged day by day.
    """
    known = daily_metric_names(scenario)
    if metric not in known:
        raise WarmUpError(unknown_metric_message(metric, known))
    if replications < 1:
        raise WarmUpError(f"replications must be at least 1, got {replications}")
    horizon = scenario.run.warm_up_days + scenario.run.days if days is None else days
    if horizon < 2 * BATCH:
        raise WarmUpError(f"MSER-5 needs a run of at least {2 * BATCH} days, got {horizon}")
    empty = from_empty(scenario, horizon)
    seed = empty.run.seed if seed is None else seed
    calendar = Calendar.daily(empty.run)
    records: list[RunRecord] = []
    numbers = range(replications)
    if workers <= 1 or replications == 1:
        for number in numbers:
            records.append(simulate(empty, number, seed, calendar))
            if progress:
                progress(len(records), replications)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, replications)) as pool:
            runs = pool.map(simulate, repeat(empty), numbers, repeat(seed), repeat(calendar))
            for record in runs:
                records.append(record)
                if progress:
                    progress(len(records), replications)
    values = daily_series(records, metric)
    statistics = mser5_statistics(values)
    deleted = int(np.argmin(statistics))
    at_limit = deleted == statistics.size - 1
    return WarmUp(
        warm_up_days=BATCH * deleted,
        metric=metric,
        replications=replications,
        at_limit=at_limit,
        series=pd.DataFrame(
            {"day": np.arange(values.size), "date": list(calendar.labels), "value": values}
        ),
        mser=pd.DataFrame(
            {
                "batches_deleted": np.arange(statistics.size),
                "days_deleted": BATCH * np.arange(statistics.size),
                "mser": statistics,
            }
        ),
        message=_message(metric, BATCH * deleted, at_limit, horizon, scenario.run.warm_up_days),
    )


def _message(metric: str, days: int, at_limit: bool, horizon: int, current: int) -> str:
    if at_limit:
        return (
            f"{metric} had not settled: MSER-5 chose the longest truncation it may ({days} "
            f"of {horizon} days). Run longer (more days) before trusting a warm-up."
        )
    if days == 0:
        return f"{metric} shows no start-up bias: no warm-up is needed (the file has {current})."
    return f"Set run.warm_up_days to at least {days} for {metric} (the file has {current})."
