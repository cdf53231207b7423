"""Whether a training exercise's expected answer held, on a comparison already run.

An exercise (a variant file's `exercise:` block) names the metrics a board should watch
and the direction each is expected to move. An expectation *held* when the paired 95%
interval of the difference lies wholly on the expected side of zero: a rise that chance
alone could have produced is not a rise to teach from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from sim.compare.paired import Comparison
from sim.compare.roi import ComparisonError
from sim.compare.words import count, duration, signed_pounds
from sim.metric_names import SYSTEM, in_words
from sim.scenario.model import Scenario


@dataclass(frozen=True)
class Outcome:
    """What happened to one expected direction of an exercise."""

    metric: str
    expected: Literal["up", "down"]
    base: float
    variant: float
    difference: float
    """Mean paired difference, variant minus baseline (NaN if the comparison lacks it)."""
    ci_low: float
    ci_high: float
    held: bool
    """Whether the 95% interval lies wholly on the expected side of zero."""


def expectations(comparison: Comparison, label: str) -> list[Outcome]:
    """For each expected direction of the exercise of variant `label`, in the order the file
    gives them: both means, the paired difference with its 95% interval, and whether it held.

    Raises ComparisonError if there is no such variant or it has no exercise."""
    if label not in comparison.labels:
        raise ComparisonError(
            f"no variant {label!r} in this comparison: use one of {', '.join(comparison.labels)}"
        )
    variant = comparison.variants[comparison.labels.index(label)]
    if variant.exercise is None:
        raise ComparisonError(f"{label!r} ({variant.name}) has no exercise")
    differences = comparison.differences[comparison.differences["scenario"] == label]
    found = {f"{row['provider']}.{row['metric']}": row for row in differences.to_dict("records")}
    outcomes = []
    for expected in variant.exercise.expect:
        row = found.get(expected.metric, {})
        base, after, difference, low, high = (
            float(row.get(column, math.nan))
            for column in ("base", "variant", "difference", "ci_low", "ci_high")
        )
        outcomes.append(
            Outcome(
                metric=expected.metric,
                expected=expected.direction,
                base=base,
                variant=after,
                difference=difference,
                ci_low=low,
                ci_high=high,
                held=held(expected.direction, low, high),
            )
        )
    return outcomes


def metric_words(metric: str, scenario: Scenario) -> str:
    """`ward.paid_gbp` as a board reads it: "Acute wards: paid by the commissioner"."""
    provider, _, name = metric.rpartition(".")
    if provider == SYSTEM:
        where = "Whole system"
    else:
        where = next((p.label for p in scenario.providers if p.id == provider), provider)
    return f"{where}: {in_words(name)}"


def held(direction: str, ci_low: float, ci_high: float) -> bool:
    """Whether an interval lies wholly on the `direction` ("up" or "down") side of zero."""
    if direction == "up":
        return bool(ci_low > 0)  # NaN compares False: an unknown difference never holds
    return bool(ci_high < 0)


def shown(metric: str, value: float, signed: bool = True) -> str:
    """A value of `metric` as a board paper writes it: pounds, days, a share or a count.

    `signed` writes a difference (+£1.2m, -3.0 pp); otherwise a level (£231.5m, 88.5%)."""
    if math.isnan(value):
        return "-"
    name = metric.rpartition(".")[2]
    if name.endswith("_gbp"):
        return signed_pounds(value) if signed else signed_pounds(value).lstrip("+")
    if name == "utilisation" or name.endswith("_share"):
        text = f"{abs(value) * 100:.1f} pp" if signed else f"{abs(value):.1%}"
    elif name in ("delay_days", "delayed_transfer_days"):
        text = f"{count(value)} days"  # patient-days in the year, a total
    elif name.endswith("_days"):
        text = duration(abs(value))
    else:
        text = count(value)
    sign = "-" if value < 0 else ("+" if signed else "")
    return f"{sign}{text}"
