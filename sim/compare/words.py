"""The plain-English summary of a comparison, written from the numbers.

A sentence is written only for a difference whose 95% interval excludes zero: a board
should never read a "rise" that chance alone could have produced. Everything else is
counted in one closing sentence, so nothing is hidden either.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from sim.scenario.model import Scenario

WHOLE_YEAR = 365
MATERIAL = 0.01
"""Waits and occupancy that change by less than this share are counted, not described."""


def pounds(value: float) -> str:
    """Money as a board paper writes it: £231.8m, £45.2k, £980."""
    size = abs(value)
    if size >= 1e6:
        return f"£{value / 1e6:,.1f}m"
    if size >= 1e4:
        return f"£{value / 1e3:,.1f}k"
    return f"£{value:,.0f}"


def duration(days: float) -> str:
    """Waits in the unit a commissioner reads them: hours under a day, days above."""
    if math.isnan(days):
        return "-"
    size = abs(days)
    if size >= 1:
        return f"{days:.1f} days"
    if size * 24 >= 1:
        return f"{days * 24:.1f} h"
    return f"{days * 24 * 60:.1f} min"


def count(value: float) -> str:
    return f"{abs(value):,.0f}" if abs(value) >= 10 else f"{abs(value):,.1f}"


def _rises(value: float, up: str = "rises", down: str = "falls") -> str:
    return up if value > 0 else down


def signed_pounds(value: float) -> str:
    return f"{'-' if value < 0 else '+'}{pounds(abs(value))}"


def _interval(row: pd.Series, fmt: Callable[[float], str] = signed_pounds) -> str:
    return f"95% CI {fmt(float(row['ci_low']))} to {fmt(float(row['ci_high']))}"


def _label(scenario: Scenario, other: Scenario, provider: str) -> str:
    for source in (scenario, other):
        for item in source.providers:
            if item.id == provider:
                return item.label
    return provider


def summary_sentences(
    differences: pd.DataFrame,
    flows: pd.DataFrame,
    base: Scenario,
    variant: Scenario,
    replications: int,
) -> list[str]:
    """Sentences about one variant against the baseline, most important first."""
    if replications < 2:
        return [
            "One replication cannot tell a change from chance: run at least 2 (better 20) "
            "paired replications."
        ]
    period = "a year" if base.run.days == WHOLE_YEAR else f"over the {base.run.days}-day run"
    name = {p: _label(base, variant, p) for p in differences["provider"].unique()}
    sentences: list[str] = []
    told = 0
    untold_small = 0

    def _material(row: pd.Series) -> bool:
        """Waits and occupancy that move by under 1% are real but too small to report."""
        nonlocal untold_small
        if row["base"] > 0 and abs(row["difference"]) < MATERIAL * abs(row["base"]):
            untold_small += 1
            return False
        return True

    def rows(metric: str, system: bool = False) -> pd.DataFrame:
        chosen = differences[differences["metric"] == metric]
        chosen = chosen[(chosen["provider"] == "all") == system]
        return chosen.reindex(chosen["difference"].abs().sort_values(ascending=False).index)

    total = rows("paid_gbp", system=True).iloc[0]
    if total["significant"]:
        told += 1
        sentences.append(
            f"Total paid by the commissioner {_rises(total['difference'])} by "
            f"{pounds(abs(total['difference']))} {period} ({_interval(total)}), from "
            f"{pounds(total['base'])} to {pounds(total['variant'])}."
        )
    elif total["ci_low"] == total["ci_high"] == 0:
        sentences.append(
            "Total paid by the commissioner is the same in every paired replication, to the penny."
        )
    else:
        sentences.append(
            "The change in total paid by the commissioner cannot be told apart from chance."
        )
    at_prices = rows("cost_gbp", system=True)
    if len(at_prices) and _cost_tells_more(at_prices.iloc[0], total):
        row = at_prices.iloc[0]
        told += 1
        sentences.append(
            f"The care the whole system gave, valued at each provider's prices whatever its "
            f"contract pays, {_rises(row['difference'], 'costs more', 'costs less')}: "
            f"{signed_pounds(row['difference'])} {period} ({_interval(row)}), from "
            f"{pounds(row['base'])} to {pounds(row['variant'])}."
        )
    variance = rows("budget_variance_gbp", system=True)
    if len(variance) and variance.iloc[0]["significant"]:
        row = variance.iloc[0]
        told += 1
        sentences.append(
            f"The position against budget moves from {_position(row['base'])} to "
            f"{_position(row['variant'])}."
        )
    h1 = rows("paid_h1_gbp", system=True)
    if len(h1) and _timing_moves(h1.iloc[0], total):
        row = h1.iloc[0]
        told += 1
        position = rows("budget_variance_h1_gbp", system=True)
        against = (
            f": the position against the H1 budget moves from "
            f"{_position(position.iloc[0]['base'])} to {_position(position.iloc[0]['variant'])}"
            if len(position) and math.isfinite(position.iloc[0]["difference"])
            else ""
        )
        sentences.append(
            f"In the first six months (H1) the commissioner pays "
            f"{pounds(abs(row['difference']))} {_rises(row['difference'], 'more', 'less')} "
            f"({_interval(row)}){against}."
        )
    gap = rows("holder_abs_variance_share", system=True)
    # Told only when the budget holders themselves change: otherwise the gap moves with
    # total spend, which is told already.
    holders_change = _holders(base) != _holders(variant)
    if holders_change and len(gap) and gap.iloc[0]["significant"]:
        row = gap.iloc[0]
        told += 1
        sentences.append(
            "The mean gap between a budget holder's year-end spend and its budget, over or "
            f"under, {_rises(row['difference'])} from {row['base']:.1%} to {row['variant']:.1%} "
            f"of its budget ({_interval(row, fmt=_signed_points)})."
        )
    for _, row in rows("paid_gbp").iterrows():
        if row["significant"]:
            told += 1
            sentences.append(
                f"Payments to {name[row['provider']]} "
                f"{_rises(row['difference'], 'rise', 'fall')} by "
                f"{pounds(abs(row['difference']))} ({_interval(row)})."
            )
    for _, row in rows("surplus_gbp").iterrows():
        if row["significant"]:
            told += 1
            standing = (
                " and runs at a deficit"
                if row["variant"] < 0 <= row["base"]
                else " and is back in surplus"
                if row["base"] < 0 <= row["variant"]
                else ""
            )
            sentences.append(
                f"The surplus {name[row['provider']]} makes on this commissioner's income "
                f"{_rises(row['difference'])} by {pounds(abs(row['difference']))}, from "
                f"{_signed_or_plain(row['base'])} to {_signed_or_plain(row['variant'])}"
                f"{standing} ({_interval(row)})."
            )
    for _, row in rows("completions").iterrows():
        if row["significant"]:
            told += 1
            change = (
                f" ({_percent(row['difference'] / row['base'])})" if row["base"] > 0 else " (new)"
            )
            sentences.append(
                f"{name[row['provider']]} sees {count(row['difference'])} "
                f"{_rises(row['difference'], 'more', 'fewer')} patients {period}{change}; "
                f"{_interval(row, fmt=_signed_count)}."
            )
    for _, row in rows("mean_wait_days").iterrows():
        if row["significant"] and _material(row):
            told += 1
            sentences.append(
                f"The mean wait at {name[row['provider']]} {_rises(row['difference'])} from "
                f"{duration(row['base'])} to {duration(row['variant'])} "
                f"(change {_interval(row, fmt=_signed_duration)})."
            )
    for _, row in rows("mean_occupied").iterrows():
        if row["significant"] and _material(row) and row["provider"] in _with_places(base, variant):
            told += 1
            sentences.append(
                f"{name[row['provider']]} has {count(row['difference'])} "
                f"{_rises(row['difference'], 'more', 'fewer')} places occupied on an average "
                f"day ({row['base']:,.1f} -> {row['variant']:,.1f}; "
                f"{_interval(row, fmt=_signed_count)})."
            )
    for _, row in rows("delayed_transfer_days").iterrows():
        if row["significant"]:
            told += 1
            sentences.append(
                f"Days {name[row['provider']]} patients spend waiting for a place elsewhere "
                f"{_rises(row['difference'], 'rise', 'fall')} by {count(row['difference'])} "
                f"{period} "
                f"({_interval(row, fmt=_signed_count)})."
            )
    moved = flows[flows["significant"]]
    moved = moved.reindex(moved["difference"].abs().sort_values(ascending=False).index)
    if len(moved):
        told += len(moved)
        parts = [
            f"{count(row['difference'])} {_rises(row['difference'], 'more', 'fewer')} go from "
            f"{name.get(row['from'], row['from'])} to {name.get(row['to'], row['to'])}"
            for _, row in moved.head(6).iterrows()
        ]
        sentences.append(f"Patients moved ({period}): " + "; ".join(parts) + ".")
    considered = differences[
        differences["metric"].isin(
            [
                "paid_gbp",
                "surplus_gbp",
                "completions",
                "mean_wait_days",
                "mean_occupied",
                "delayed_transfer_days",
            ]
        )
        & (differences["difference"].abs() > 0)
    ]
    untold = (
        int((~considered["significant"]).sum())
        + untold_small
        + int(((~flows["significant"]) & (flows["difference"].abs() > 0)).sum())
    )
    if untold:
        sentences.append(
            f"{untold} other differences cannot be told apart from chance at 95% over "
            f"{replications} paired replications, or move a wait or an occupancy by under "
            f"{MATERIAL:.0%}."
        )
    if told == 0:
        sentences.append("No difference could be told apart from chance.")
    return sentences


def _cost_tells_more(cost: pd.Series, paid: pd.Series) -> bool:
    """The system's cost at prices is worth its own sentence when it moves and the
    commissioner's payments do not follow it (block contracts absorb or hide the change)."""
    if not cost["significant"]:
        return False
    return abs(cost["difference"] - paid["difference"]) > MATERIAL * abs(cost["difference"])


def _timing_moves(h1: pd.Series, total: pd.Series) -> bool:
    """H1 is told when money moves in time, not only in total: a significant H1 change
    while the year's total does not change, changes the other way, or changes by less."""
    if not h1["significant"]:
        return False
    if not total["significant"]:
        return True
    same_way = (h1["difference"] > 0) == (total["difference"] > 0)
    return not same_way or abs(h1["difference"]) > abs(total["difference"])


def _signed_or_plain(value: float) -> str:
    """A surplus as a board reads it: £12.2m, or a deficit of -£1.3m."""
    return pounds(value) if value >= 0 else f"-{pounds(abs(value))}"


def _holders(scenario: Scenario) -> tuple[tuple[str, str, int], ...]:
    """The budget holders (`sim.money.pooling`), by id: each registered practice, the id of
    the holder its budget goes to, and its list (which sets that holder's share)."""
    return tuple((p.id, p.holder, p.list_size) for p in scenario.registered_practices)


def _with_places(*scenarios: Scenario) -> set[str]:
    return {p.id for s in scenarios for p in s.providers if p.capacity and p.capacity.servers}


def _position(variance: float) -> str:
    if abs(variance) < 0.5:
        return "on budget"
    return f"{pounds(abs(variance))} {'over' if variance > 0 else 'under'} budget"


def _signed_count(value: float) -> str:
    return f"{'-' if value < 0 else '+'}{count(value)}"


def _signed_points(share: float) -> str:
    """A change in a share, in percentage points: -2.4 pp."""
    return f"{share * 100:+.1f} pp"


def _signed_duration(value: float) -> str:
    return f"{'-' if value < 0 else '+'}{duration(abs(value))}"


def _percent(share: float) -> str:
    """+3.2%, or +0.04% where one decimal would show a real change as zero."""
    return f"{share:+.1%}" if abs(share) >= 0.001 else f"{share:+.2%}"
