"""Turning a replication's activity into cost (the provider's price) and payment (the contract).

Cost is recognised when activity happens: an attendance or spell in the month the patient
leaves, excess days with the spell, days of stay in the month they are spent. What the
commissioner pays follows the contract: `activity` pays the cost; `block` pays a fixed
annual sum in twelve equal monthly instalments, whatever the activity. No contract means
`activity`.
"""

from __future__ import annotations

import calendar as months_of_year

import numpy as np

from sim.engine.record import RunRecord
from sim.scenario.model import BlockContract, Scenario


def monthly_cost(record: RunRecord, scenario: Scenario) -> np.ndarray:
    """Provider x month cost in pounds."""
    cost = np.zeros_like(record.completions)
    for i, provider in enumerate(scenario.providers):
        price = provider.price
        if price is None:
            continue
        per_leaver = (price.per_attendance_gbp or 0.0) + (price.per_spell_gbp or 0.0)
        cost[i] = (
            per_leaver * record.completions[i]
            + (price.per_excess_day_gbp or 0.0) * record.excess_days[i]
            + (price.per_day_gbp or 0.0) * record.occupancy_days[i]
        )
    return cost


def month_coverage(record: RunRecord) -> np.ndarray:
    """Share of each calendar month inside the measured period (1 for a whole month)."""
    lengths = []
    for label in record.months:
        year, month = (int(part) for part in label.split("-"))
        lengths.append(months_of_year.monthrange(year, month)[1])
    return record.month_days / np.asarray(lengths, dtype=float)


def monthly_paid(record: RunRecord, scenario: Scenario, cost: np.ndarray) -> np.ndarray:
    """Provider x month payments in pounds, by contract."""
    paid = cost.copy()
    coverage = month_coverage(record)
    for i, provider in enumerate(scenario.providers):
        if isinstance(provider.contract, BlockContract):
            paid[i] = provider.contract.annual_gbp / 12.0 * coverage
    return paid


def monthly_budget(record: RunRecord, scenario: Scenario) -> np.ndarray:
    """The commissioner's planned spend per measured month (NaN without a budget)."""
    if scenario.budget is None:
        return np.full(len(record.months), np.nan)
    fractions = scenario.budget.monthly_fractions()
    start_month = scenario.run.start_date.month
    plan = []
    for label, covered in zip(record.months, month_coverage(record), strict=True):
        month = int(label.split("-")[1])
        plan.append(scenario.budget.annual_gbp * fractions[(month - start_month) % 12] * covered)
    return np.asarray(plan)
