"""The output tables every face shares, built from the replications' records.

Each metric is computed per replication first and then averaged, so its interval is the
spread of replication results (the honest unit of independent evidence).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.engine.record import RunRecord
from sim.intervals import mean_and_interval
from sim.metric_names import PROVIDER_METRICS
from sim.money.budget import forecast_outturn, monthly_plan
from sim.money.contracts import cumulative_by_year, monthly_paid
from sim.money.tariff import cohort_cost, monthly_cost
from sim.scenario.model import NO_COHORT, Scenario


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan
        )


def provider_metrics(
    record: RunRecord,
    scenario: Scenario,
    cost: np.ndarray | None = None,
    paid: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Per-provider values of one replication, keyed by metric. `cost` and `paid` (monthly,
    by provider) may be passed in by a caller that has them already."""
    days = record.period_days
    cost = monthly_cost(record, scenario) if cost is None else cost
    paid = monthly_paid(record, scenario, cost) if paid is None else paid
    # Place-days offered: servers x days, unless capacity changes or the provider opens late.
    place_days = np.nan_to_num(record.server_days, nan=1.0).sum(axis=1)
    utilisation = np.where(
        ~np.isnan(record.servers),
        _ratio(record.occupancy_days.sum(axis=1), place_days),
        _ratio(record.slots_used.sum(axis=1), record.slots_offered.sum(axis=1)),
    )
    return {
        "arrivals": record.arrivals.sum(axis=1),
        "completions": record.completions.sum(axis=1),
        "mean_wait_days": _ratio(record.wait_days.sum(axis=1), record.starts.sum(axis=1)),
        "p95_wait_days": record.p95_wait_days,
        "mean_in_system": (record.occupancy_days + record.queue_days).sum(axis=1) / days,
        "utilisation": utilisation,
        "cost_gbp": cost.sum(axis=1),
        "paid_gbp": paid.sum(axis=1),
        "overflows": record.overflows.sum(axis=1),
        "mean_queue": record.queue_days.sum(axis=1) / days,
        "mean_occupied": record.occupancy_days.sum(axis=1) / days,
        "mean_stay_days": _ratio(record.stay_days.sum(axis=1), record.completions.sum(axis=1)),
        "delay_days": record.delay_days.sum(axis=1),
        "delayed_transfer_days": record.blocked_days.sum(axis=1),
    }


SIGNED = frozenset({"cumulative_variance_gbp"})
"""Metrics that can be negative; every other metric's interval stops at zero."""

SHARES = frozenset({"utilisation"})
"""Metrics that are shares of capacity; their intervals stop at 1 as well."""


def _with_intervals(
    index: dict[str, list[str]], columns: dict[str, np.ndarray], spread: bool = False
) -> pd.DataFrame:
    """A frame with the index columns, then each metric's mean, ci_low, ci_high.

    A t-interval from few replications can reach below zero (or above 100% for a
    utilisation); for a count, a wait, a cost or a share that is impossible, so those
    intervals are cut at the bound."""
    data: dict[str, object] = dict(index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        for name, values in columns.items():
            mean, low, high = mean_and_interval(values, axis=0)
            if name not in SIGNED:
                low = np.maximum(low, 0.0)
            if name in SHARES:
                high = np.minimum(high, 1.0)
            data[name] = mean
            data[f"{name}_ci_low"] = low
            data[f"{name}_ci_high"] = high
            if spread:
                # One year's plausible range (p10-p90 of replications), not the mean's CI:
                # with uncertain inputs it carries their spread too.
                p10, p90 = np.nanpercentile(values, [10, 90], axis=0)
                data[f"{name}_p10"] = p10
                data[f"{name}_p90"] = p90
    return pd.DataFrame(data)


def providers_table(records: Sequence[RunRecord], scenario: Scenario) -> pd.DataFrame:
    per_replication = [provider_metrics(record, scenario) for record in records]
    columns = {m: np.stack([r[m] for r in per_replication]) for m in PROVIDER_METRICS}
    return _with_intervals(
        {"provider": list(records[0].providers)}, columns, spread=bool(scenario.uncertain)
    )


def flows_table(records: Sequence[RunRecord]) -> pd.DataFrame:
    """Patients moving between every pair of nodes (demand -> provider -> ... -> exit)."""
    nodes = records[0].nodes
    stacked = np.stack([record.flows for record in records])
    origin, destination = np.nonzero(stacked.sum(axis=0))
    return _with_intervals(
        {"from": [nodes[i] for i in origin], "to": [nodes[j] for j in destination]},
        {"patients": stacked[:, origin, destination]},
    )


def monthly_table(records: Sequence[RunRecord], scenario: Scenario) -> pd.DataFrame:
    """Month x provider activity, cost and payment, then an `all` row per month with the
    cumulative spend against the budget. Cumulative figures are for the financial year to
    date (they start again each year of a longer run)."""
    first = records[0]
    providers, months = first.providers, first.months
    activity = np.stack([r.completions for r in records])
    cost = np.stack([monthly_cost(r, scenario) for r in records])
    paid = np.stack([monthly_paid(r, scenario, c) for r, c in zip(records, cost, strict=True)])
    occupied = np.stack([r.occupancy_days / r.month_days for r in records])
    queue = np.stack([r.queue_days / r.month_days for r in records])
    with np.errstate(invalid="ignore", divide="ignore"):
        wait = np.stack([r.wait_days / np.where(r.starts > 0, r.starts, np.nan) for r in records])
    reps, n_providers, n_months = activity.shape

    def provider_rows(values: np.ndarray) -> np.ndarray:
        # replications x (month-major rows: each month, every provider)
        return values.transpose(0, 2, 1).reshape(reps, n_months * n_providers)

    rows = _with_intervals(
        {
            "month": [m for m in months for _ in providers],
            "provider": [p for _ in months for p in providers],
        },
        {
            "activity": provider_rows(activity),
            "cost_gbp": provider_rows(cost),
            "paid_gbp": provider_rows(paid),
            "cumulative_paid_gbp": provider_rows(cumulative_by_year(paid, months)),
            "mean_wait_days": provider_rows(wait),
            "mean_occupied": provider_rows(occupied),
            "mean_queue": provider_rows(queue),
        },
    )
    budget = monthly_plan(first, scenario)
    total_paid = paid.sum(axis=1)
    cumulative_paid = cumulative_by_year(total_paid, months)
    cumulative_budget = cumulative_by_year(budget, months)
    totals = _with_intervals(
        {"month": list(months), "provider": ["all"] * n_months},
        {
            "activity": activity.sum(axis=1),
            "cost_gbp": cost.sum(axis=1),
            "paid_gbp": total_paid,
            "cumulative_paid_gbp": cumulative_paid,
            "cumulative_variance_gbp": cumulative_paid - cumulative_budget,
            "forecast_outturn_gbp": forecast_outturn(total_paid, budget, months),
        },
    )
    totals["budget_gbp"] = budget
    totals["cumulative_budget_gbp"] = cumulative_budget
    table = pd.concat([rows, totals], ignore_index=True)
    order = {m: i for i, m in enumerate(months)}
    table["_order"] = table["month"].map(order)
    table = table.sort_values("_order", kind="stable").drop(columns="_order")
    return table.reset_index(drop=True)


def cohorts_table(records: Sequence[RunRecord], scenario: Scenario) -> pd.DataFrame | None:
    """Cohort x provider arrivals, completions and cost over the measured period (None
    without cohorts). Patients of no cohort are the cohort `none`, listed when some demand
    has no cohort, so each provider's rows add up to its arrivals in providers.csv."""
    first = records[0]
    if not first.cohorts:
        return None
    shown = [
        index
        for index, cohort in enumerate(first.cohorts)
        if cohort != NO_COHORT or any(stream.cohort is None for stream in scenario.demand)
    ]
    providers = first.providers

    def rows(values: np.ndarray) -> np.ndarray:
        # replications x provider x cohort -> replications x (cohort-major rows)
        return values[:, :, shown].transpose(0, 2, 1).reshape(len(records), -1)

    return _with_intervals(
        {
            "cohort": [first.cohorts[index] for index in shown for _ in providers],
            "provider": [provider for _ in shown for provider in providers],
        },
        {
            "arrivals": rows(np.stack([r.cohort_arrivals.sum(axis=1) for r in records])),
            "completions": rows(np.stack([r.cohort_activity.sum(axis=1) for r in records])),
            "cost_gbp": rows(np.stack([cohort_cost(r, scenario).sum(axis=1) for r in records])),
        },
    )
