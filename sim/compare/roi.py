"""Return on investment of a variant: what each pound spent on a new or expanded service
does to the commissioner's total spend, and when (if ever) it pays for itself.

Baseline and variant run on the same seed tree, so each replication of one is paired
with the same replication of the other: the differences carry far less noise than two
independent runs would. The investment is the extra paid to the named services; savings
are what is no longer paid everywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.calendar import Calendar
from sim.engine.record import RunRecord
from sim.intervals import mean_and_interval
from sim.money.contracts import monthly_paid
from sim.money.tariff import monthly_cost
from sim.results.replicate import Progress, replicate
from sim.scenario.model import Scenario


class ComparisonError(ValueError):
    """Two scenarios that cannot be compared as asked; the message says why."""


@dataclass(frozen=True)
class ReturnOnInvestment:
    services: tuple[str, ...]
    monthly: pd.DataFrame
    """Month by month: investment, savings elsewhere, net change (means over replications)."""
    summary: dict[str, Any]


def _paid_by_provider(records: Sequence[RunRecord], scenario: Scenario) -> dict[str, np.ndarray]:
    """Provider id -> replications x months paid."""
    paid = np.stack([monthly_paid(r, scenario, monthly_cost(r, scenario)) for r in records])
    return {provider: paid[:, i, :] for i, provider in enumerate(records[0].providers)}


def _with_interval(values: np.ndarray) -> dict[str, float]:
    mean, low, high = mean_and_interval(values)
    return {"mean": float(mean), "ci_low": float(low), "ci_high": float(high)}


def return_on_investment(
    base: Scenario,
    variant: Scenario,
    services: Sequence[str],
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> ReturnOnInvestment:
    """Run both scenarios on paired seeds and weigh the investment in `services`."""
    unknown = [s for s in services if s not in {p.id for p in variant.providers}]
    if unknown:
        known = ", ".join(p.id for p in variant.providers)
        raise ComparisonError(f"no provider {', '.join(unknown)} in the variant (it has {known})")
    if (base.run.start_date, base.run.days) != (variant.run.start_date, variant.run.days):
        raise ComparisonError(
            "baseline and variant cover different periods: give both the same run.start_date "
            "and run.days"
        )
    replications = replications or base.run.replications
    seed = base.run.seed if seed is None else seed
    base_paid = _paid_by_provider(replicate(base, replications, seed, workers, progress), base)
    variant_paid = _paid_by_provider(
        replicate(variant, replications, seed, workers, progress), variant
    )
    shape = next(iter(variant_paid.values())).shape
    zero = np.zeros(shape)
    investment = sum(
        (variant_paid[s] - base_paid.get(s, zero) for s in services), start=np.zeros(shape)
    )
    elsewhere = set(base_paid) | set(variant_paid)
    savings = sum(
        (base_paid.get(p, zero) - variant_paid.get(p, zero) for p in elsewhere - set(services)),
        start=np.zeros(shape),
    )
    invested = investment.sum(axis=1)
    if np.all(np.abs(invested) < 0.01):
        raise ComparisonError(
            f"the variant pays no more for {', '.join(services)} than the baseline does: "
            "there is no investment to weigh"
        )
    net = investment - savings  # change in total spend
    cumulative_investment = np.cumsum(investment, axis=1).mean(axis=0)
    cumulative_savings = np.cumsum(savings, axis=1).mean(axis=0)
    paid_back = np.nonzero(
        (cumulative_savings >= cumulative_investment) & (cumulative_investment > 0)
    )[0]
    months = list(Calendar.for_run(base.run).labels)
    monthly = pd.DataFrame(
        {
            "month": months,
            "investment_gbp": investment.mean(axis=0),
            "cumulative_investment_gbp": cumulative_investment,
            "savings_elsewhere_gbp": savings.mean(axis=0),
            "cumulative_savings_gbp": cumulative_savings,
            "net_change_gbp": net.mean(axis=0),
            "cumulative_net_change_gbp": np.cumsum(net, axis=1).mean(axis=0),
        }
    )
    per_pound = net.sum(axis=1) / invested
    summary = {
        "services": list(services),
        "replications": replications,
        "seed": seed,
        "investment_gbp": _with_interval(invested),
        "savings_elsewhere_gbp": _with_interval(savings.sum(axis=1)),
        "net_change_in_total_spend_gbp": _with_interval(net.sum(axis=1)),
        "net_change_per_pound_invested": _with_interval(per_pound),
        "savings_per_pound_invested": _with_interval(savings.sum(axis=1) / invested),
        "payback_month": months[int(paid_back[0])] if paid_back.size else None,
        "chance_of_paying_back": float((net.sum(axis=1) <= 0).mean()),
    }
    return ReturnOnInvestment(tuple(services), monthly, summary)
