"""Provider viability: does what the commissioner pays a provider cover its costs?

Income is what this commissioner pays (other commissioners' income is outside the model).
A provider's costs are its fixed cost of running the service (`price.fixed_annual_gbp`,
pro rata for the period) and its variable cost: `price.marginal_cost_share` of the
activity's value at price, plus `price.marginal_cost_per_day_gbp` for each day a place was
held (none when neither is given). The day cost matters where patients stay longer than
they are paid for: a patient waiting in a ward bed for a care package costs the ward every
day, paid or not. A provider whose income falls below its fixed cost cannot stand: moving
care out of a hospital can do that to it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.engine.record import RunRecord
from sim.intervals import mean_and_interval
from sim.money.contracts import monthly_paid
from sim.money.tariff import monthly_cost
from sim.scenario.model import DAYS_PER_YEAR, Provider, Scenario


def has_fixed_cost(provider: Provider) -> bool:
    """Viability can be judged only for a provider whose fixed cost is given."""
    return provider.price is not None and provider.price.fixed_annual_gbp is not None


def provider_finances(
    record: RunRecord, scenario: Scenario, cost: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Per provider for one replication: monthly cost at price and monthly payment; income
    (what this commissioner paid in all), the value of its activity at price, its fixed
    and variable costs, and the surplus (income less both costs; NaN where no fixed cost
    is given)."""
    cost = monthly_cost(record, scenario) if cost is None else cost
    paid = monthly_paid(record, scenario, cost)
    income = paid.sum(axis=1)
    value = cost.sum(axis=1)
    years = record.period_days / DAYS_PER_YEAR
    fixed = np.zeros(len(scenario.providers))
    variable = np.zeros(len(scenario.providers))
    for i, provider in enumerate(scenario.providers):
        price = provider.price
        fixed[i] = (price.fixed_annual_gbp or 0.0) * years if price is not None else 0.0
        if price is not None:
            held_days = float(record.occupancy_days[i].sum())
            variable[i] = value[i] * (price.marginal_cost_share or 0.0) + held_days * (
                price.marginal_cost_per_day_gbp or 0.0
            )
    known = np.asarray([has_fixed_cost(p) for p in scenario.providers])
    surplus = np.where(known, income - fixed - variable, np.nan)
    return {
        "cost": cost,
        "paid": paid,
        "income": income,
        "value": value,
        "fixed": fixed,
        "variable": variable,
        "surplus": surplus,
    }


def viability_table(records: Sequence[RunRecord], scenario: Scenario) -> pd.DataFrame:
    """One row per provider: income, costs, surplus and a plain flag."""
    finances = [provider_finances(record, scenario) for record in records]
    income, value, variable, surplus_of = (
        np.stack([f[key] for f in finances]) for key in ("income", "value", "variable", "surplus")
    )
    rows = []
    for i, provider in enumerate(scenario.providers):
        fixed = float(finances[0]["fixed"][i])
        surplus = surplus_of[:, i]
        mean_income, income_low, income_high = mean_and_interval(income[:, i])
        known = has_fixed_cost(provider)
        mean_surplus, surplus_low, surplus_high = (
            mean_and_interval(surplus) if known else (np.nan, np.nan, np.nan)
        )
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
                "variable_cost_gbp": float(variable[:, i].mean()),
                "surplus_gbp": float(mean_surplus) if known else np.nan,
                "surplus_gbp_ci_low": float(surplus_low) if known else np.nan,
                "surplus_gbp_ci_high": float(surplus_high) if known else np.nan,
                "chance_below_fixed_cost": below,
                "flag": flag,
            }
        )
    return pd.DataFrame(rows)
