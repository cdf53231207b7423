"""The names of what a run measures: `PROVIDER.METRIC`, as users type them.

A vocabulary shared by the layers: the scenario loader checks an exercise's expected
answers against it, the results layer computes it, and every command and page offers it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario.model import Scenario

PROVIDER_METRICS = (
    "arrivals",
    "completions",
    "mean_wait_days",
    "p95_wait_days",
    "mean_in_system",
    "utilisation",
    "cost_gbp",
    "paid_gbp",
    "overflows",
    "mean_queue",
    "mean_occupied",
    "mean_stay_days",
    "delay_days",
    "delayed_transfer_days",
)
"""providers.csv columns after `provider`, each followed by `_ci_low` and `_ci_high`."""


SYSTEM = "all"
"""The provider name of whole-system metrics."""

SYSTEM_METRICS = (
    "patients_entered",
    "patients_left",
    "in_system_end",
    "cost_gbp",
    "paid_gbp",
    "budget_gbp",
    "budget_variance_gbp",
    "holder_abs_variance_share",
)
"""Metrics of the whole system, reported under provider `all`. `holder_abs_variance_share`
is the budget holders' mean absolute year-end variance as a share of their budgets
(`sim.money.pooling`): each holder (a practice, or the practices sharing one
`budget_holder`) holds its list-size share of the budget."""


def metric_names(scenario: Scenario) -> list[str]:
    """Every `provider.metric` name a run of this scenario can answer."""
    names = [f"{p.id}.{m}" for p in scenario.providers for m in PROVIDER_METRICS]
    return names + [f"{SYSTEM}.{m}" for m in SYSTEM_METRICS]


def unknown_metric_message(name: str, known: Sequence[str]) -> str:
    """One line naming the unknown metric, the likeliest intended ones, then a few more."""
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    provider = name.split(".", 1)[0] + "."
    # Then the same provider's metrics (a misremembered metric), then anything.
    ranked = close + sorted(known, key=lambda k: not k.startswith(provider))
    shown = list(dict.fromkeys(ranked))[:6]
    return f"unknown metric {name!r}; known metrics include {', '.join(shown)}, ..."
