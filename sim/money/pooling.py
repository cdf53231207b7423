"""Pooling risk: each budget holder's year-end position when the commissioner's budget is
split between practices, or groups of practices, instead of held by one consortium.

What belongs here: splitting one replication's payments and plan between budget holders
(`holder_positions`), the spread of their year-end variances over the replications
(`pooling_table`, written as `pooling.csv`), and the one number a comparison can track,
the mean over holders of each holder's absolute year-end variance as a share of its
budget (`mean_abs_variance_share`, the system metric `all.holder_abs_variance_share`).

The rules, stated once:

- A *holder* is a set of registered practices that share one budget. The scenario says
  who holds each practice's share (`budget_holder` of a practice; without it, the practice
  itself, as GP fundholders did), and Python callers can give any other grouping as a
  mapping from practice id to holder id (`groups`). A run's `pooling.csv` shows two
  structures over the same replications: the scenario's holders (`PRACTICE` when every
  practice holds its own budget, `BUDGET_HOLDER` when some share one) and one consortium
  holding everything (`CONSORTIUM`).
- A holder's *budget* is the commissioner's plan for the measured period
  (`sim.money.budget.monthly_plan`) pro rata to its list size: a capitation share that
  ignores referral behaviour, as a budget set before the year would.
- A holder's *spend* is its share of what the commissioner pays: each provider's payment
  for the period (`sim.money.contracts.monthly_paid`) is recharged to the practices in
  proportion to the value at price of their patients' activity there
  (`sim.money.tariff.practice_cost`); a provider paid with no activity in the period (a
  block for an idle service) is shared by list size. Every pound paid is charged to exactly
  one holder, so the holders' spends add up to the consortium's and their variances to its
  variance.
- A holder's *year-end variance* is spend minus budget (positive: overspent); its
  *variance share* is that over its budget. A small holder's share swings more from year to
  year than a large one's, because chance in a few hundred admissions does not average out
  as it does in a few thousand: that is the risk pooling removes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.engine.record import RunRecord
from sim.intervals import mean_and_interval
from sim.money.budget import monthly_plan
from sim.money.contracts import monthly_paid
from sim.money.tariff import practice_cost
from sim.scenario.model import Scenario

PRACTICE = "practice"
"""The structure in which every registered practice holds its own budget."""
BUDGET_HOLDER = "budget_holder"
"""The structure of a scenario's holders when some practices share a budget."""
CONSORTIUM = "consortium"
"""The structure in which one consortium holds the whole budget (also its holder's id)."""

POOLING_COLUMNS = (
    "structure",
    "holder",
    "practices",
    "list_size",
    "budget_gbp",
    "spend_gbp",
    "variance_gbp",
    "variance_gbp_ci_low",
    "variance_gbp_ci_high",
    "variance_sd_gbp",
    "variance_share",
    "abs_variance_share",
    "chance_over_budget",
)


def practice_paid(record: RunRecord, scenario: Scenario) -> np.ndarray:
    """Provider x practice: the period's payments recharged to the practices whose patients
    used each provider, in proportion to the value of that use at price."""
    by_month = practice_cost(record, scenario)  # provider x month x practice
    cost = by_month.sum(axis=1)
    paid = monthly_paid(record, scenario, by_month.sum(axis=2)).sum(axis=1)
    sizes = np.asarray([p.list_size for p in scenario.registered_practices], dtype=float)
    used = cost.sum(axis=1, keepdims=True)
    shares = np.where(used > 0, cost / np.where(used > 0, used, 1.0), sizes / sizes.sum())
    return paid[:, None] * shares


def holders_of(scenario: Scenario, groups: Mapping[str, str] | None = None) -> list[str]:
    """Each registered practice's holder id, in the scenario's practice order.

    `groups` maps every practice id to a holder id; None takes the scenario's own
    (`Practice.holder`: its `budget_holder`, or the practice itself). Raises ValueError
    naming practices missing from `groups` or not in the scenario."""
    practices = [p.id for p in scenario.registered_practices]
    if groups is None:
        return [p.holder for p in scenario.registered_practices]
    missing = [p for p in practices if p not in groups]
    unknown = sorted(set(groups) - set(practices))
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"no holder for practice {', '.join(missing)}")
        if unknown:
            problems.append(f"no such practice {', '.join(unknown)}")
        raise ValueError(f"groups: {'; '.join(problems)}: use {', '.join(practices)}")
    return [groups[p] for p in practices]


def holder_positions(
    records: Sequence[RunRecord], scenario: Scenario, groups: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """One row per replication and holder: `replication, holder, practices, list_size,
    budget_gbp, spend_gbp, variance_gbp, variance_share` over the measured period; the
    scenario's holders unless `groups` gives others (see `holders_of`).

    Holders are in the order their first practice is listed. Without a budget in the
    scenario, budgets, variances and shares are NaN."""
    of = holders_of(scenario, groups)
    holders = list(dict.fromkeys(of))
    member = np.asarray([[h == holder for h in of] for holder in holders], dtype=float)
    sizes = member @ np.asarray([p.list_size for p in scenario.registered_practices], float)
    rows = []
    for record in records:
        spend = member @ practice_paid(record, scenario).sum(axis=0)
        plan = float(monthly_plan(record, scenario).sum())
        budget = plan * sizes / sizes.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(budget > 0, (spend - budget) / budget, np.nan)
        rows.append(
            pd.DataFrame(
                {
                    "replication": record.replication,
                    "holder": holders,
                    "practices": member.sum(axis=1).astype(int),
                    "list_size": sizes.astype(int),
                    "budget_gbp": budget,
                    "spend_gbp": spend,
                    "variance_gbp": spend - budget,
                    "variance_share": share,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def mean_abs_variance_share(
    record: RunRecord, scenario: Scenario, groups: Mapping[str, str] | None = None
) -> float:
    """One replication's mean over holders (the scenario's, unless `groups` says otherwise)
    of |year-end variance| / budget (NaN without a budget): how far, on average, a holder
    ends the year from its budget."""
    positions = holder_positions([record], scenario, groups)
    return float(positions["variance_share"].abs().mean())


def default_structures(scenario: Scenario) -> dict[str, dict[str, str] | None]:
    """The scenario's holders (`PRACTICE` if each practice holds its own budget, else
    `BUDGET_HOLDER`), then one consortium holding every practice's budget."""
    practices = scenario.registered_practices
    own = PRACTICE if all(p.holder == p.id for p in practices) else BUDGET_HOLDER
    return {own: None, CONSORTIUM: dict.fromkeys((p.id for p in practices), CONSORTIUM)}


def pooling_table(
    records: Sequence[RunRecord],
    scenario: Scenario,
    structures: Mapping[str, Mapping[str, str] | None] | None = None,
) -> pd.DataFrame:
    """One row per structure and holder: its budget, mean spend and year-end variance (with
    the 95% interval of the mean), how much the variance swings from year to year
    (`variance_sd_gbp`, the standard deviation over replications), the mean variance and
    mean absolute variance as shares of the budget, and the chance it overspends.

    `structures` maps a structure's name to its `groups`; by default `default_structures`.
    A structure's mean absolute variance share is the mean of its holders'
    `abs_variance_share`."""
    chosen = default_structures(scenario) if structures is None else structures
    frames = []
    for name, groups in chosen.items():
        positions = holder_positions(records, scenario, groups)
        rows = []
        for holder, rows_of in positions.groupby("holder", sort=False):
            variance = rows_of["variance_gbp"].to_numpy(float)
            budget = float(rows_of["budget_gbp"].iloc[0])
            known = bool(np.isfinite(variance).all())  # not without a budget
            mean, low, high = (
                (float(x) for x in mean_and_interval(variance)) if known else (np.nan,) * 3
            )
            rows.append(
                {
                    "structure": name,
                    "holder": holder,
                    "practices": int(rows_of["practices"].iloc[0]),
                    "list_size": int(rows_of["list_size"].iloc[0]),
                    "budget_gbp": budget,
                    "spend_gbp": float(rows_of["spend_gbp"].mean()),
                    "variance_gbp": mean,
                    "variance_gbp_ci_low": low,
                    "variance_gbp_ci_high": high,
                    "variance_sd_gbp": float(np.std(variance, ddof=1))
                    if known and variance.size > 1
                    else np.nan,
                    "variance_share": float(rows_of["variance_share"].mean()),
                    "abs_variance_share": float(rows_of["variance_share"].abs().mean()),
                    "chance_over_budget": float((variance > 0).mean()) if known else np.nan,
                }
            )
        frames.append(pd.DataFrame(rows, columns=list(POOLING_COLUMNS)))
    return pd.concat(frames, ignore_index=True)


def structure_risk(table: pd.DataFrame) -> dict[str, float]:
    """Each structure's mean absolute variance share, from a `pooling_table`."""
    return {
        str(name): float(rows["abs_variance_share"].mean())
        for name, rows in table.groupby("structure", sort=False)
    }
