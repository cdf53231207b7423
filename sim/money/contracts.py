"""Payment: what the commissioner pays each month for a provider's cost, by contract.

- `activity` (the default): the cost, as it happens (payment by results).
- `block`: `annual_gbp / 12` a month (pro rata for a part month), whatever the activity.
- `cost_and_volume`: the same instalments for an agreed `volume`; activity above the
  volume phased to date is paid at `marginal_rate` x the average unit cost, and with a
  `floor_volume`, activity short of it is refunded at that rate down to the floor.
- `marginal_rate`: the cost, except that activity above the `baseline_volume` phased to
  date is paid at only `rate` x the average unit cost.

Volumes are phased like the instalments (a twelfth a whole month) and settled month by
month on the activity to date, as a finance lead accrues them, so the year-end total
equals the annual reconciliation. Who carries the risk shows in the numbers: under a
block the provider bears the cost of extra activity, under activity the commissioner.
"""

from __future__ import annotations

import calendar as months_of_year

import numpy as np

from sim.engine.inputs import realise
from sim.engine.record import RunRecord
from sim.scenario.model import (
    BlockContract,
    CostAndVolumeContract,
    MarginalRateContract,
    Scenario,
)


def month_coverage(record: RunRecord) -> np.ndarray:
    """Share of each calendar month inside the measured period (1 for a whole month)."""
    lengths = []
    for label in record.months:
        year, month = (int(part) for part in label.split("-"))
        lengths.append(months_of_year.monthrange(year, month)[1])
    return record.month_days / np.asarray(lengths, dtype=float)


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


def monthly_paid(record: RunRecord, scenario: Scenario, cost: np.ndarray) -> np.ndarray:
    """Provider x month payments in pounds."""
    scenario = realise(scenario, record.replication, record.seed)
    paid = cost.copy()
    coverage = month_coverage(record)
    for i, provider in enumerate(scenario.providers):
        contract = provider.contract
        if isinstance(contract, BlockContract):
            paid[i] = contract.annual_gbp / 12.0 * coverage
        elif isinstance(contract, CostAndVolumeContract):
            paid[i] = cost_and_volume_paid(contract, cost[i], record.completions[i], coverage)
        elif isinstance(contract, MarginalRateContract):
            paid[i] = marginal_rate_paid(contract, cost[i], record.completions[i], coverage)
    return paid
