"""Knock-on attribution: where the displaced patients and the money went.

Two views of one paired comparison. The flow differences are the change in patients
moving between every pair of places (demand, providers, exits): the data of a difference
Sankey. The cost waterfall walks from the baseline's total payments to the variant's,
one provider at a time; its steps add up exactly to the total change.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.engine.record import RunRecord
from sim.intervals import mean_and_interval


def _flows_on(nodes: Sequence[str], records: Sequence[RunRecord]) -> np.ndarray:
    """Replications x nodes x nodes, each record's flow matrix placed on the shared nodes."""
    index = {node: i for i, node in enumerate(nodes)}
    stacked = np.zeros((len(records), len(nodes), len(nodes)))
    for r, record in enumerate(records):
        at = np.array([index[node] for node in record.nodes])
        stacked[r][np.ix_(at, at)] = record.flows
    return stacked


def flow_differences(
    base: Sequence[RunRecord], variant: Sequence[RunRecord], label: str = "variant"
) -> pd.DataFrame:
    """Columns from, to, base, variant, difference, ci_low, ci_high, significant, scenario:
    every pair of places with patients moving between them in either scenario."""
    nodes = list(base[0].nodes) + [n for n in variant[0].nodes if n not in base[0].nodes]
    before, after = _flows_on(nodes, base), _flows_on(nodes, variant)
    origin, destination = np.nonzero((before + after).sum(axis=0))
    paired = after[:, origin, destination] - before[:, origin, destination]
    mean, low, high = mean_and_interval(paired, axis=0)
    table = pd.DataFrame(
        {
            "from": [nodes[i] for i in origin],
            "to": [nodes[j] for j in destination],
            "base": before[:, origin, destination].mean(axis=0),
            "variant": after[:, origin, destination].mean(axis=0),
            "difference": mean,
            "ci_low": low,
            "ci_high": high,
        }
    )
    table["significant"] = (table["ci_low"] > 0) | (table["ci_high"] < 0)
    table["scenario"] = label
    return table


def cost_waterfall(differences: pd.DataFrame, label: str = "variant") -> pd.DataFrame:
    """From the baseline's total paid to the variant's, one step per provider whose payment
    changed, largest first; `running_total_gbp` is where each step ends."""
    mine = (
        differences[differences["scenario"] == label] if "scenario" in differences else differences
    )
    paid = mine[(mine["metric"] == "paid_gbp") & (mine["provider"] != "all")]
    total = mine[(mine["metric"] == "paid_gbp") & (mine["provider"] == "all")].iloc[0]
    steps = paid[paid["difference"].abs() > 0].copy()
    steps = steps.reindex(steps["difference"].abs().sort_values(ascending=False).index)
    rows = [
        {
            "step": "baseline total",
            "provider": "all",
            "change_gbp": float(total["base"]),
            "ci_low": np.nan,
            "ci_high": np.nan,
            "running_total_gbp": float(total["base"]),
        }
    ]
    running = float(total["base"])
    for _, step in steps.iterrows():
        running += float(step["difference"])
        rows.append(
            {
                "step": "change",
                "provider": step["provider"],
                "change_gbp": float(step["difference"]),
                "ci_low": float(step["ci_low"]),
                "ci_high": float(step["ci_high"]),
                "running_total_gbp": running,
            }
        )
    rows.append(
        {
            "step": "variant total",
            "provider": "all",
            "change_gbp": float(total["difference"]),
            "ci_low": float(total["ci_low"]),
            "ci_high": float(total["ci_high"]),
            "running_total_gbp": float(total["variant"]),
        }
    )
    table = pd.DataFrame(rows)
    table.insert(0, "scenario", label)
    return table
