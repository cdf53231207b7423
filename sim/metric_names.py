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
    "paid_h1_gbp",
    "budget_variance_h1_gbp",
    "holder_abs_variance_share",
)
"""Metrics of the whole system, reported under provider `all`.

- `paid_h1_gbp`, `budget_variance_h1_gbp`: paid, and paid less the phased budget, in the
  first six months of the run (H1: April to September for a run from 1 April), where spend
  runs away before anyone sees it at year end.
- `holder_abs_variance_share`: the budget holders' mean absolute year-end variance as a
  share of their budgets (`sim.money.pooling`): each holder (a practice, or the practices
  sharing one `budget_holder`) holds its list-size share of the budget."""

H1_MONTHS = 6
"""The months of H1, counted from the run's start date."""

VIABILITY_METRICS = ("surplus_gbp",)
"""Per provider whose price gives `fixed_annual_gbp`: income from this commissioner less
fixed and variable costs (`sim.money.viability`), so a comparison says who carries the
risk and whether a provider can still stand."""


METRIC_WORDS: dict[str, str] = {
    "arrivals": "patients arriving",
    "completions": "patients seen",
    "mean_wait_days": "mean wait",
    "p95_wait_days": "95th percentile wait",
    "mean_in_system": "patients there on an average day",
    "utilisation": "utilisation",
    "cost_gbp": "cost at its prices",
    "paid_gbp": "paid by the commissioner",
    "overflows": "patients who waited too long and went elsewhere",
    "mean_queue": "patients waiting on an average day",
    "mean_occupied": "places occupied on an average day",
    "mean_stay_days": "mean length of stay",
    "delay_days": "days spent waiting to move on",
    "delayed_transfer_days": "days in a place waiting for the next service",
    "patients_entered": "patients entering the system",
    "patients_left": "patients leaving the system",
    "in_system_end": "patients in the system at the end",
    "budget_gbp": "budget",
    "budget_variance_gbp": "spend against budget",
    "paid_h1_gbp": "paid in the first six months (H1)",
    "budget_variance_h1_gbp": "spend against budget in the first six months (H1)",
    "holder_abs_variance_share": "budget holders' mean year-end gap from budget",
    "surplus_gbp": "surplus (income less fixed and variable costs)",
}
"""Each metric in a board's words, for tables a board reads."""


def in_words(name: str) -> str:
    """A metric (`mean_wait_days`) in a board's words (`mean wait`)."""
    return METRIC_WORDS.get(name, name.replace("_", " "))


def metric_names(scenario: Scenario) -> list[str]:
    """Every `provider.metric` name a run of this scenario can answer."""
    names = [f"{p.id}.{m}" for p in scenario.providers for m in PROVIDER_METRICS]
    names += [
        f"{p.id}.{m}"
        for p in scenario.providers
        if p.price is not None and p.price.fixed_annual_gbp is not None
        for m in VIABILITY_METRICS
    ]
    return names + [f"{SYSTEM}.{m}" for m in SYSTEM_METRICS]


def unknown_metric_message(name: str, known: Sequence[str]) -> str:
    """One line naming the unknown metric, the likeliest intended ones, then a few more."""
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    provider = name.split(".", 1)[0] + "."
    # Then the same provider's metrics (a misremembered metric), then anything.
    ranked = close + sorted(known, key=lambda k: not k.startswith(provider))
    shown = list(dict.fromkeys(ranked))[:6]
    return f"unknown metric {name!r}; known metrics include {', '.join(shown)}, ..."
