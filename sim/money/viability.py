"""Provider viability: does what the commissioner pays a provider cover its costs?

Income is what this commissioner pays (other commissioners' income is outside the model).
A provider's costs are its fixed cost of running the service (`price.fixed_annual_gbp`,
pro rata for the period) and its variable cost of the activity (`price.marginal_cost_share`
of the activity's value at price; none when not given). A provider whose income falls
below its fixed cost cannot stand: moving care out of a hospital can do that to it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.engine.record import RunRecord
from sim.intervals import mean_and_interval
from sim.money.contracts import monthly_paid
from sim.money.tariff import monthly_cost
from sim.scenario.model import DAYS_PER_YEAR, Scenario


def viability_table(records: Sequence[RunRecord], scenario: Scenario) -> pd.DataFrame:
    """One row per provider: income, costs, surplus and a plain flag."""
    costs = [monthly_cost(record, scenario) for record in records]
    income = np.stack(
        [monthly_paid(r, scenario, c).sum(axis=1) for r, c in zip(records, costs, strict=True)]
    )
    value = np.stack([cost.sum(axis=1) for cost in costs])
    years = records[0].period_days / DAYS_PER_YEAR
    rows = []
    for i, provider in enumerate(scenario.providers):
        price = provider.price
        fixed = (price.fixed_annual_gbp or 0.0) * years if price is not None else 0.0
        variable = value[:, i] * ((price.marginal_cost_share or 0.0) if price is not None else 0.0)
        surplus = income[:, i] - fixed - variable
        mean_income, income_low, income_high = mean_and_interval(income[:, i])
        mean_surplus, surplus_low, surplus_high = mean_and_interval(surplus)
        known = price is not None and price.fixed_annual_gbp is not None
        below = float((income[:, i] < fixed).mean()) if known else np.nan
        if not known:
            flag = "no fixed cost given"
        elif mean_income < fixed:
            flag = "income below fixed cost: not viable"
        elif mean_surplus < 0:
            flag = "covers fixed cost, not variable cost"
        else:
            flag = "viable"
        rows.append(
            {
                "provider": provider.id,
                "income_gbp": float(mean_income),
                "income_gbp_ci_low": float(income_low),
                "income_gbp_ci_high": float(income_high),
                "activity_value_gbp": float(value[:, i].mean()),
                "fixed_cost_gbp": fixed if known else np.nan,
                "variable_cost_gbp": float(variable.mean()),
                "surplus_gbp": float(mean_surplus) if known else np.nan,
                "surplus_gbp_ci_low": float(surplus_low) if known else np.nan,
                "surplus_gbp_ci_high": float(surplus_high) if known else np.nan,
                "chance_below_fixed_cost": below,
                "flag": flag,
            }
        )
    return pd.DataFrame(rows)
