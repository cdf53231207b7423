"""Payment: what the commissioner pays each month for a provider's cost, by contract.

- `activity` (the default): the cost, as it happens (payment by results).
- `block`: `annual_gbp / 12` a month (pro rata for a part month), whatever the activity;
  or, with `phasing`, the fraction of the year's sum it gives each month (a front-loaded
  block pays more in the first months and less later, the same over the year).
- `cost_and_volume`: the same instalments for an agreed `volume`; activity above the
  volume phased to date is paid at `marginal_rate` x the average unit cost, and with a
  `floor_volume`, activity short of it is refunded at that rate down to the floor.
- `marginal_rate`: the cost, except that activity above the `baseline_volume` phased to
  date is paid at only `rate` x the average unit cost.

Volumes are phased like the instalments (a twelfth a whole month) and settled month by
month on the activity to date, as a finance lead accrues them, so the year-end total
equals the annual reconciliation. Who carries the risk shows in the numbers: under a
block the provider bears the cost of extra activity, under activity the commissioner.

A run longer than a year settles each financial year on its own: the twelve calendar
months from the run's start month (April to March for a run starting in April), then the
next twelve. Activity to date, volumes phased to date and the average unit cost start
again each year, as a new year's contract does.
"""

from __future__ import annotations

import calendar as months_of_year
import itertools
from typing import Literal, TypeVar

import numpy as np

from sim.engine.inputs import realise
from sim.engine.record import RunRecord
from sim.scenario.model import (
    BlockContract,
    CostAndVolumeContract,
    MarginalRateContract,
    Scenario,
    monthly_fractions,
)


def month_coverage(record: RunRecord) -> np.ndarray:
    """Share of each calendar month inside the measured period (1 for a whole month)."""
    lengths = []
    for label in record.months:
        year, month = (int(part) for part in label.split("-"))
        lengths.append(months_of_year.monthrange(year, month)[1])
    return record.month_days / np.asarray(lengths, dtype=float)


def money_years(months: tuple[str, ...]) -> np.ndarray:
    """Financial year of each month label (YYYY-MM), 0 for the run's first: years are the
    twelve calendar months from the first month's."""
    first_year, first_month = (int(part) for part in months[0].split("-"))
    index = []
    for label in months:
        year, month = (int(part) for part in label.split("-"))
        index.append((year * 12 + month - first_year * 12 - first_month) // 12)
    return np.asarray(index, dtype=np.int64)


def year_slices(months: tuple[str, ...]) -> list[slice]:
    """The months of each financial year of the run, in order, as slices."""
    years = money_years(months)
    edges = [0, *(np.flatnonzero(np.diff(years)) + 1).tolist(), len(years)]
    return [slice(start, end) for start, end in itertools.pairwise(edges)]


def cumulative_by_year(values: np.ndarray, months: tuple[str, ...]) -> np.ndarray:
    """Cumulative sums along the last axis (months) that start again each financial year."""
    totals = np.empty_like(values, dtype=float)
    for year in year_slices(months):
        totals[..., year] = np.cumsum(values[..., year], axis=-1)
    return totals


def _average_unit_cost(cumulative_cost: np.ndarray, cumulative_activity: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cumulative_activity > 0, cumulative_cost / cumulative_activity, 0.0)


def _monthly(cumulative: np.ndarray) -> np.ndarray:
    return np.diff(cumulative, prepend=0.0)


def cost_and_volume_paid(
    contract: CostAndVolumeContract, cost: np.ndarray, activity: np.ndarray, coverage: np.ndarray
) -> np.ndarray:
    phased = np.cumsum(coverage) / 12.0
    instalments = contract.annual_gbp / 12.0 * coverage
    done = np.cumsum(activity)
    unit = _average_unit_cost(np.cumsum(cost), done)
    agreed = contract.volume * phased
    over = np.maximum(done - agreed, 0.0)
    if contract.floor_volume is None:
        short = np.zeros_like(done)
    else:
        short = np.maximum(agreed - np.maximum(done, contract.floor_volume * phased), 0.0)
    adjustment = contract.marginal_rate * unit * (over - short)
    return instalments + _monthly(adjustment)


def marginal_rate_paid(
    contract: MarginalRateContract, cost: np.ndarray, activity: np.ndarray, coverage: np.ndarray
) -> np.ndarray:
    done = np.cumsum(activity)
    spent = np.cumsum(cost)
    above = np.maximum(done - contract.baseline_volume * np.cumsum(coverage) / 12.0, 0.0)
    paid_to_date = spent - (1.0 - contract.rate) * _average_unit_cost(spent, done) * above
    return _monthly(paid_to_date)


def phased_amounts(
    record: RunRecord,
    scenario: Scenario,
    annual_gbp: float,
    phasing: Literal["even"] | tuple[float, ...] | None,
) -> np.ndarray:
    """A year's sum spread over the measured months by a phasing (its fraction for that
    month of the financial year, counted from the run's start month), pro rata for a part
    month. Budgets and phased block contracts share it."""
    fractions = monthly_fractions(phasing)
    start_month = scenario.run.start_date.month
    amounts = []
    for label, covered in zip(record.months, month_coverage(record), strict=True):
        month = int(label.split("-")[1])
        amounts.append(annual_gbp * fractions[(month - start_month) % 12] * covered)
    return np.asarray(amounts)


WithVolume = TypeVar("WithVolume", CostAndVolumeContract, MarginalRateContract)


def in_year(contract: WithVolume, year: int) -> WithVolume:
    """The contract as it stands in financial year `year` of the run (0 first): its sum and
    volumes grown by `growth_per_year`, the price a unit and the rates unchanged. (A block's
    instalments are grown where they are paid.)"""
    growth = contract.growth_per_year
    if not growth or year == 0:
        return contract
    factor = (1.0 + growth) ** year
    if isinstance(contract, CostAndVolumeContract):
        floor = contract.floor_volume
        return contract.model_copy(
            update={
                "annual_gbp": contract.annual_gbp * factor,
                "volume": contract.volume * factor,
                "floor_volume": None if floor is None else floor * factor,
            }
        )
    return contract.model_copy(update={"baseline_volume": contract.baseline_volume * factor})


def monthly_paid(record: RunRecord, scenario: Scenario, cost: np.ndarray) -> np.ndarray:
    """Provider x month payments in pounds."""
    scenario = realise(scenario, record.replication, record.seed)
    paid = cost.copy()
    coverage = month_coverage(record)
    years = year_slices(record.months)
    for i, provider in enumerate(scenario.providers):
        contract = provider.contract
        if isinstance(contract, BlockContract):
            if contract.phasing is None:
                paid[i] = contract.annual_gbp / 12.0 * coverage
            else:
                paid[i] = phased_amounts(record, scenario, contract.annual_gbp, contract.phasing)
            if contract.growth_per_year:
                paid[i] *= (1.0 + contract.growth_per_year) ** money_years(record.months)
        elif isinstance(contract, CostAndVolumeContract):
            for k, year in enumerate(years):
                paid[i, year] = cost_and_volume_paid(
                    in_year(contract, k), cost[i, year], record.completions[i, year], coverage[year]
                )
        elif isinstance(contract, MarginalRateContract):
            for k, year in enumerate(years):
                paid[i, year] = marginal_rate_paid(
                    in_year(contract, k), cost[i, year], record.completions[i, year], coverage[year]
                )
    return paid
