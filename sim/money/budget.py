"""The commissioner's budget ledger: plan, spend, variance and forecast outturn by month.

The forecast outturn at a month-end is the finance lead's usual one: spend to date plus
the rest of the plan scaled by how spend has run against plan so far. Across
replications the ledger gives the chance of overspending and the fan of spend.

Everything here is by financial year (`sim.money.contracts.money_years`): in a run longer
than a year the plan repeats its phasing each year (grown by `budget.growth_per_year`),
and cumulative figures, forecasts and the chance of overspending are for the year to
date and the year's outturn, starting again each year.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.inputs import realise
from sim.engine.record import RunRecord
from sim.money.contracts import (
    cumulative_by_year,
    money_years,
    monthly_paid,
    phased_amounts,
    year_slices,
)
from sim.money.tariff import monthly_cost
from sim.scenario.model import Scenario

BANDS = (50, 80, 90)
"""Central bands of the spend fan, in per cent."""


def monthly_plan(record: RunRecord, scenario: Scenario) -> np.ndarray:
    """Planned spend per measured month (NaN without a budget): the annual budget phased
    evenly or by the twelve fractions counted from the start month, pro rata for part
    months, times (1 + growth_per_year)^k in financial year k."""
    scenario = realise(scenario, record.replication, record.seed)
    if scenario.budget is None:
        return np.full(len(record.months), np.nan)
    plan = phased_amounts(record, scenario, scenario.budget.annual_gbp, scenario.budget.phasing)
    growth = scenario.budget.growth_per_year
    if growth:
        return plan * (1.0 + growth) ** money_years(record.months)
    return plan


def year_totals(plan: np.ndarray, months: tuple[str, ...]) -> np.ndarray:
    """Each month's financial-year total of `plan` (what that year's outturn is judged by)."""
    totals = np.empty(len(plan))
    for year in year_slices(months):
        totals[year] = np.nansum(plan[year])
    return totals


def forecast_outturn(
    spend: np.ndarray, plan: np.ndarray, months: tuple[str, ...] | None = None
) -> np.ndarray:
    """Forecast of the financial year's total spend made at each month-end (last axis =
    months); without `months`, the whole period is one year."""
    if months is None:
        spent = np.cumsum(spend, axis=-1)
        planned = np.cumsum(plan)
        total: np.ndarray | float = planned[-1]
    else:
        spent = cumulative_by_year(spend, months)
        planned = cumulative_by_year(plan, months)
        total = np.empty(len(plan))
        for year in year_slices(months):
            total[year] = planned[year][-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        run_rate = np.where(planned > 0, spent / planned, 1.0)
    return spent + (total - planned) * run_rate


def spend(record: RunRecord, scenario: Scenario) -> np.ndarray:
    """Total paid by the commissioner in each month of one replication."""
    return monthly_paid(record, scenario, monthly_cost(record, scenario)).sum(axis=0)


def budget_table(records: Sequence[RunRecord], scenario: Scenario) -> pd.DataFrame:
    """Month by month: plan, spend, variance, forecast outturn, the chance of overspending
    and the spend fan (percentiles of cumulative spend over replications), each for the
    financial year to date."""
    months = records[0].months
    plan = monthly_plan(records[0], scenario)
    spent = np.stack([spend(record, scenario) for record in records])  # reps x months
    cumulative = cumulative_by_year(spent, months)
    cumulative_plan = cumulative_by_year(plan, months)
    forecast = forecast_outturn(spent, plan, months)
    total_plan = year_totals(plan, months)
    table = pd.DataFrame(
        {
            "month": list(months),
            "plan_gbp": plan,
            "cumulative_plan_gbp": cumulative_plan,
            "spend_gbp": spent.mean(axis=0),
            "cumulative_spend_gbp": cumulative.mean(axis=0),
            "cumulative_variance_gbp": cumulative.mean(axis=0) - cumulative_plan,
            "forecast_outturn_gbp": forecast.mean(axis=0),
            "forecast_variance_gbp": forecast.mean(axis=0) - total_plan,
            "chance_of_overspend": (forecast > total_plan).mean(axis=0)
            if scenario.budget is not None
            else np.nan,
            "cumulative_spend_median_gbp": np.median(cumulative, axis=0),
        }
    )
    for band in BANDS:
        low, high = (100 - band) / 2, 100 - (100 - band) / 2
        table[f"cumulative_spend_p{low:g}_gbp"] = np.percentile(cumulative, low, axis=0)
        table[f"cumulative_spend_p{high:g}_gbp"] = np.percentile(cumulative, high, axis=0)
    return table


def chance_of_overspend(records: Sequence[RunRecord], scenario: Scenario) -> float | None:
    """Share of replications whose spend over the period exceeds its planned budget."""
    if scenario.budget is None:
        return None
    plan = float(monthly_plan(records[0], scenario).sum())
    totals = np.asarray([spend(record, scenario).sum() for record in records])
    return float((totals > plan).mean())


def financial_years(records: Sequence[RunRecord], scenario: Scenario) -> list[dict[str, Any]]:
    """Each financial year of the run: its months, plan, mean spend, variance and the chance
    of overspending that year's plan."""
    months = records[0].months
    plan = monthly_plan(records[0], scenario)
    spent = np.stack([spend(record, scenario) for record in records])
    years = []
    for year in year_slices(months):
        paid = spent[:, year].sum(axis=1)
        planned = float(plan[year].sum()) if scenario.budget is not None else None
        years.append(
            {
                "first_month": months[year][0],
                "last_month": months[year][-1],
                "paid_gbp": float(paid.mean()),
                "budget_gbp": planned,
                "variance_gbp": float(paid.mean()) - planned if planned is not None else None,
                "chance_of_overspend": float((paid > planned).mean())
                if planned is not None
                else None,
            }
        )
    return years
