"""The dashboard's headline numbers: spend against budget, the risk of overspending,
and the waits and occupancy at A&E and the beds.

A board reads these first, so each card carries its context (the budget, the range of
simulated years, a confidence interval) in a line of words beside the number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sim.app.charts.style import by_provider, period_words
from sim.compare.words import duration, pounds
from sim.results.run import RunResult
from sim.scenario.model import Provider, Scenario


class Card(NamedTuple):
    """One headline number of the dashboard: a label, the value, and a line of context."""

    label: str
    value: str
    detail: str


AE_IDS = frozenset({"ae", "a_and_e", "aande", "ed", "emergency_department"})
BED_IDS = frozenset({"ward", "wards", "beds", "inpatients", "acute_beds"})


def headline_cards(result: RunResult) -> list[Card]:
    """The dashboard's first row: what was paid against budget, the forecast and the risk
    of overspending, and the waits and occupancy at A&E and the beds.

    A&E and the beds are found by id (`ae`, `ward`, ...) or name, else among acute
    providers with servers: a stay under a day is A&E, the longest stay is the beds. A
    card whose provider is not in the scenario is left out."""
    scenario = result.scenario
    totals = result.summary["totals"]
    period = period_words(scenario)
    paid = float(totals["paid_gbp"])
    budget = totals.get("budget_gbp")
    cards = []
    if budget is not None:
        variance = paid - float(budget)
        side = "over" if variance > 0 else "under"
        cards.append(
            Card(
                f"Total paid {period}",
                pounds(paid),
                f"{pounds(abs(variance))} {side} the budget of {pounds(float(budget))}",
            )
        )
        outturn = float(result.budget["forecast_outturn_gbp"].iloc[-1])
        cards.append(
            Card(
                "Forecast outturn",
                pounds(outturn),
                f"80% of simulated years between {pounds(float(totals['paid_gbp_p10']))} and "
                f"{pounds(float(totals['paid_gbp_p90']))}",
            )
        )
        chance = totals.get("chance_of_overspend")
        if chance is not None:
            replications = int(result.summary["replications"])
            over = round(float(chance) * replications)
            cards.append(
                Card(
                    "Chance of overspend",
                    f"{float(chance):.0%}",
                    f"{over} of {replications} simulated years end over budget",
                )
            )
    else:
        cards.append(Card(f"Total paid {period}", pounds(paid), "no budget set"))
    table = by_provider(result.providers)
    emergency = _find_provider(scenario, AE_IDS, ("a&e", "emergency department"), shortest=True)
    if emergency is not None and emergency.id in table:
        row = table[emergency.id]
        cards.append(
            Card(
                "A&E mean wait",
                duration(float(row["mean_wait_days"])),
                f"{emergency.label}: 95th centile {duration(float(row['p95_wait_days']))}",
            )
        )
    beds = _find_provider(scenario, BED_IDS, ("ward", "bed"), shortest=False)
    if beds is not None and beds.id in table:
        row = table[beds.id]
        cards.append(
            Card(
                "Bed mean wait",
                duration(float(row["mean_wait_days"])),
                f"{beds.label}: 95% CI {duration(float(row['mean_wait_days_ci_low']))} to "
                f"{duration(float(row['mean_wait_days_ci_high']))}",
            )
        )
        servers = beds.capacity.servers if beds.capacity is not None else None
        if servers:
            cards.append(
                Card(
                    "Bed occupancy",
                    f"{float(row['utilisation']):.0%}",
                    f"{float(row['mean_occupied']):,.0f} of {servers:,} beds occupied on an "
                    "average day",
                )
            )
    return cards


def _find_provider(
    scenario: Scenario, ids: Iterable[str], words: Sequence[str], shortest: bool
) -> Provider | None:
    known = set(ids)
    for provider in scenario.providers:
        if provider.id.lower() in known:
            return provider
    for provider in scenario.providers:
        if provider.kind == "acute" and any(w in (provider.name or "").lower() for w in words):
            return provider
    acute = [
        p
        for p in scenario.providers
        if p.kind == "acute" and p.capacity is not None and p.capacity.servers is not None
    ]

    def stay(provider: Provider) -> float:
        return provider.length_of_stay.mean if provider.length_of_stay is not None else 0.0

    if shortest:
        short = [p for p in acute if stay(p) < 1.0]
        return min(short, key=stay) if short else None
    long = [p for p in acute if stay(p) >= 1.0]
    return max(long, key=stay) if long else None
