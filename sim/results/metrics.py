"""Every headline number of every replication, in one long table.

Comparison, sensitivity, sweeps and the replications helper all ask the same question of
a set of runs: "what was metric M at provider P in replication r?". This module answers
it once. A metric is named `PROVIDER.METRIC` (for example `wards.mean_wait_days`, or
`all.paid_gbp` for the whole system), the names a user types on the command line.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.engine.record import RunRecord
from sim.intervals import mean_and_interval
from sim.metric_names import H1_MONTHS, PROVIDER_METRICS, SYSTEM, VIABILITY_METRICS
from sim.money.budget import monthly_plan
from sim.money.pooling import mean_abs_variance_share
from sim.money.viability import has_fixed_cost, provider_finances
from sim.results.tables import SHARES, SIGNED, provider_metrics
from sim.scenario.model import Scenario

SIGNED_METRICS = SIGNED | {"budget_variance_gbp", "budget_variance_h1_gbp", "surplus_gbp"}

KEY_METRICS = (
    "all.paid_gbp",
    "all.budget_variance_gbp",
)
"""Whole-system metrics every comparison and sensitivity run reports by default."""


def replication_metrics(records: Sequence[RunRecord], scenario: Scenario) -> pd.DataFrame:
    """Columns replication, provider, metric, value: one row per replication and metric."""
    replication: list[int] = []
    provider: list[str] = []
    metric: list[str] = []
    value: list[float] = []
    judged = [i for i, p in enumerate(scenario.providers) if has_fixed_cost(p)]
    for record in records:
        finances = provider_finances(record, scenario)
        values = provider_metrics(record, scenario, finances["cost"], finances["paid"])
        n = len(record.providers)
        monthly_plans = monthly_plan(record, scenario)
        plan = float(monthly_plans.sum()) if scenario.budget else np.nan
        paid = float(values["paid_gbp"].sum())
        paid_h1 = float(finances["paid"][:, :H1_MONTHS].sum())
        plan_h1 = float(monthly_plans[:H1_MONTHS].sum()) if scenario.budget else np.nan
        system = {
            "patients_entered": record.entered(),
            "patients_left": record.left(),
            "in_system_end": record.in_system_end(),
            "cost_gbp": float(values["cost_gbp"].sum()),
            "paid_gbp": paid,
            "budget_gbp": plan,
            "budget_variance_gbp": paid - plan,
            "paid_h1_gbp": paid_h1,
            "budget_variance_h1_gbp": paid_h1 - plan_h1,
            "holder_abs_variance_share": mean_abs_variance_share(record, scenario)
            if scenario.budget is not None
            else np.nan,
        }
        for name in PROVIDER_METRICS:
            provider += record.providers
            metric += [name] * n
            value += np.asarray(values[name], dtype=float).reshape(n).tolist()
        for name in VIABILITY_METRICS:
            provider += [record.providers[i] for i in judged]
            metric += [name] * len(judged)
            value += [float(finances["surplus"][i]) for i in judged]
        provider += [SYSTEM] * len(system)
        metric += list(system)
        value += [float(v) for v in system.values()]
        replication += [record.replication] * (
            n * len(PROVIDER_METRICS) + len(judged) * len(VIABILITY_METRICS) + len(system)
        )
    return pd.DataFrame(
        {"replication": replication, "provider": provider, "metric": metric, "value": value}
    )


def wide(metrics: pd.DataFrame) -> pd.DataFrame:
    """Replications as rows, `provider.metric` as columns (in the order first met)."""
    keys = (metrics["provider"] + "." + metrics["metric"]).to_numpy()
    replications = metrics["replication"].to_numpy()
    rows = np.unique(replications)
    columns = list(dict.fromkeys(keys.tolist()))
    at_row = np.searchsorted(rows, replications)
    at_column = pd.Index(columns).get_indexer(keys)
    table = np.full((len(rows), len(columns)), np.nan)
    table[at_row, at_column] = metrics["value"].to_numpy(dtype=float)
    return pd.DataFrame(table, index=pd.Index(rows, name="replication"), columns=columns)


def summarise(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per provider and metric: mean with its 95% CI, and the p10-p90 spread of replications.

    The CI says how well the mean is known; p10-p90 says how much one year can vary (it
    includes the spread of any uncertain inputs), which is what a budget holder must plan for.
    """
    rows = []
    for (provider, metric), group in metrics.groupby(["provider", "metric"], sort=False):
        values = group["value"].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            mean = low = high = p10 = p90 = np.nan
        else:
            mean, low, high = (float(x) for x in mean_and_interval(finite))
            if metric not in SIGNED_METRICS:
                low = max(low, 0.0)
            if metric in SHARES:
                high = min(high, 1.0)
            p10, p90 = (float(x) for x in np.percentile(finite, [10, 90]))
        rows.append(
            {
                "provider": provider,
                "metric": metric,
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "p10": p10,
                "p90": p90,
                "replications": int(finite.size),
            }
        )
    return pd.DataFrame(rows)
