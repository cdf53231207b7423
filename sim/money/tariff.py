"""Cost: what the activity of one replication is worth at each provider's price.

Cost is recognised when activity happens: an attendance or spell in the month the patient
leaves, excess days with the spell they belong to, days of stay in the month they are
spent. Every pound is traced to the registered practice of the patient it was spent on.
"""

from __future__ import annotations

import numpy as np

from sim.engine.inputs import realise
from sim.engine.record import RunRecord
from sim.scenario.model import Provider, Scenario


def unit_prices(provider: Provider) -> tuple[float, float, float]:
    """(per completion, per excess day, per day held) in pounds; zeros without a price."""
    price = provider.price
    if price is None:
        return 0.0, 0.0, 0.0
    per_completion = (price.per_attendance_gbp or 0.0) + (price.per_spell_gbp or 0.0)
    return per_completion, price.per_excess_day_gbp or 0.0, price.per_day_gbp or 0.0


def practice_cost(record: RunRecord, scenario: Scenario) -> np.ndarray:
    """Provider x month x practice cost in pounds."""
    scenario = realise(scenario, record.replication, record.seed)
    cost = np.zeros_like(record.practice_activity)
    for i, provider in enumerate(scenario.providers):
        per_completion, per_excess_day, per_day = unit_prices(provider)
        cost[i] = (
            per_completion * record.practice_activity[i]
            + per_excess_day * record.practice_excess_days[i]
            + per_day * record.practice_occupancy_days[i]
        )
    return cost


def monthly_cost(record: RunRecord, scenario: Scenario) -> np.ndarray:
    """Provider x month cost in pounds (the practices' costs added up)."""
    return practice_cost(record, scenario).sum(axis=2)


def cohort_cost(record: RunRecord, scenario: Scenario) -> np.ndarray:
    """Provider x month x cohort cost in pounds (empty cohort axis without cohorts)."""
    scenario = realise(scenario, record.replication, record.seed)
    cost = np.zeros_like(record.cohort_activity)
    for i, provider in enumerate(scenario.providers):
        per_completion, per_excess_day, per_day = unit_prices(provider)
        cost[i] = (
            per_completion * record.cohort_activity[i]
            + per_excess_day * record.cohort_excess_days[i]
            + per_day * record.cohort_occupancy_days[i]
        )
    return cost
