"""Offered load month by month through the run: the traffic equations, dated.

`traffic.offered_load` answers for a typical year at each provider's own capacity. This
module follows the run's measured months instead, as the engine would: a month's arrivals
come from that month's demand (seasonality, shocks, growth in its year of the run) routed
by the ways on open in it, and its capacity is what the provider offers on the days it is
open, through its capacity changes. Before a provider opens, and in part while it ramps up,
demand entering it does not arrive and patients a pathway would send there take the
origin's other ways on that are fully open, in proportion to their shares (as
`sim.engine.routing.RouteTable` does). A month's load is the place-days its patients need
over the place-days offered (for an appointment book, slots needed over slots offered), so
a change or a shock in part of a month counts for its part. Left out, as in `traffic`:
overflow from waiting lists, and demand elasticity (elastic demand counts at its reference
wait), which depend on the queues the run itself makes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from dataclasses import dataclass

import numpy as np

from sim.network.traffic import demand_rate_per_day
from sim.scenario.model import Provider, Scenario

ROUNDING = 1e-12
"""Pathway shares summing this close to 1 leave no remainder (as in the engine)."""


@dataclass(frozen=True)
class MonthLoad:
    """One measured month at one provider.

    `load` is None when the provider is closed all month (or offers nothing and nobody
    comes), and infinite when patients come but it offers no places; `level` is its mean
    servers (or slots a day) over the days it is open in the month.
    """

    first_day: dt.date
    load: float | None
    level: float | None


@dataclass(frozen=True)
class LoadThroughRun:
    """A provider's offered load over the measured period (on the days it is open) and in
    each of its months."""

    provider: str
    load: float | None
    months: tuple[MonthLoad, ...]

    @property
    def busiest(self) -> MonthLoad | None:
        """The month with the highest load (the first of equals); None if it never opens."""
        judged = [month for month in self.months if month.load is not None]
        return max(judged, key=lambda month: month.load or 0.0) if judged else None


def monthly_load(scenario: Scenario) -> dict[str, LoadThroughRun]:
    """The offered load of every provider with capacity, over the run and month by month.

    Raises ValueError like `traffic.arrival_rates` when the traffic equations have no
    solution (patients going round a loop they can never leave).
    """
    start, days = scenario.run.start_date, scenario.run.days
    month_starts = _month_starts(start, days)
    openings = {p.id: _Opening(p, start) for p in scenario.providers if p.opens is not None}
    years = [_days_between(start, _add_years(start, year)) for year in range(1, days // 365 + 2)]
    # Cut the run wherever anything changes, so that each piece is uniform (but for a
    # ramp-up, which is linear, so its middle gives its mean).
    cuts: set[float] = {*month_starts, *years, *_dates_of_change(scenario, start)}
    for opening in openings.values():
        cuts |= {opening.opens, opening.full_from}
    edges = sorted(cut for cut in cuts if 0 < cut < days)
    routing = _Routing(scenario)
    demand = _Demand(scenario, years, openings)
    limited = [p for p in scenario.providers if p.capacity is not None]
    needed = np.zeros((len(limited), len(month_starts)))
    offered = np.zeros_like(needed)
    open_days = np.zeros_like(needed)
    for first, after in itertools.pairwise([0.0, *edges, float(days)]):
        middle, length = (first + after) / 2, after - first
        month = bisect.bisect_right(month_starts, middle) - 1
        taking = {
            provider_id: (opening.share(middle), middle >= opening.full_from)
            for provider_id, opening in openings.items()
        }
        arrivals, held_days = routing.solve(taking, demand.on(middle, month_starts[month]))
        for row, provider in enumerate(limited):
            if provider.id in taking and middle < openings[provider.id].opens:
                continue
            node = routing.index[provider.id]
            per_day = arrivals[node] * (1.0 if provider.is_appointment_book else held_days[node])
            needed[row, month] += per_day * length
            offered[row, month] += _level(provider, start, middle) * length
            open_days[row, month] += length
    first_days = [start + dt.timedelta(days=offset) for offset in month_starts]
    return {
        provider.id: LoadThroughRun(
            provider=provider.id,
            load=_ratio(needed[row].sum(), offered[row].sum()),
            months=tuple(
                MonthLoad(
                    first_day=first_day,
                    load=_ratio(needed[row, month], offered[row, month]),
                    level=(
                        offered[row, month] / open_days[row, month]
                        if open_days[row, month] > 0
                        else None
                    ),
                )
                for month, first_day in enumerate(first_days)
            ),
        )
        for row, provider in enumerate(limited)
    }


def _ratio(needed: float, offered: float) -> float | None:
    if offered > 0:
        return float(needed / offered)
    return math.inf if needed > 0 else None


class _Opening:
    """The share of its patients a provider that opens part-way takes (as the engine's
    `Opening`), in days from the run's start date."""

    def __init__(self, provider: Provider, start: dt.date) -> None:
        assert provider.opens is not None
        self.opens = float(_days_between(start, provider.opens))
        self.ramp_days = provider.ramp_up_days or 0.0
        self.full_from = self.opens + self.ramp_days

    def share(self, day: float) -> float:
        if day >= self.full_from:
            return 1.0
        if day < self.opens:
            return 0.0
        return (day - self.opens) / self.ramp_days


class _Routing:
    """The traffic equations of each cohort, solved once for each state of the openings
    (they change only while a provider is opening)."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.index = {provider.id: i for i, provider in enumerate(scenario.providers)}
        self.stays = np.asarray(
            [
                p.length_of_stay.mean if p.length_of_stay is not None else 0.0
                for p in scenario.providers
            ]
        )
        self.solved: dict[tuple[object, ...], list[tuple[np.ndarray, np.ndarray]]] = {}

    def solve(
        self, taking: dict[str, tuple[float, bool]], outside: dict[str | None, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Arrivals a day at each provider, and the mean days each of them holds a place
        (its stay and any pathway delay after it), given the share each opening provider
        takes and whether it is fully open, and the outside demand of each cohort."""
        key = tuple(taking.values())
        if key not in self.solved:
            self.solved[key] = [
                self._cohort(cohort, taking) for cohort in self.scenario.patient_cohorts
            ]
        arrivals = np.zeros(len(self.index))
        holding = np.zeros(len(self.index))
        for cohort, (spread, delays) in zip(
            self.scenario.patient_cohorts, self.solved[key], strict=True
        ):
            reached = spread @ outside[cohort]
            arrivals += reached
            holding += reached * delays
        with np.errstate(divide="ignore", invalid="ignore"):
            held = self.stays + np.where(arrivals > 0, holding / arrivals, 0.0)
        return np.maximum(arrivals, 0.0), held

    def _cohort(
        self, cohort: str | None, taking: dict[str, tuple[float, bool]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(I - P^T)^-1, so that arrivals = it @ outside demand, and each provider's mean
        pathway delay held after the stay, for one cohort. A route to a provider not yet
        fully open carries the share it takes; the rest of its patients go the fully open
        routes (the remainder included) in proportion to their chances."""
        size = len(self.index)
        routing = np.zeros((size, size))
        delays = np.zeros(size)
        for origin, row in self.index.items():
            pathways = self.scenario.pathways_from(origin, cohort)
            weights = [pathway.share for pathway in pathways]
            remainder = 1.0 - sum(weights)
            if remainder > ROUNDING or not pathways:
                weights.append(max(remainder, 0.0))
            chances = [weight / sum(weights) for weight in weights]
            takes = [taking.get(pathway.to, (1.0, True)) for pathway in pathways]
            takes += [(1.0, True)] * (len(chances) - len(pathways))
            routes = list(zip(chances, takes, strict=True))
            turned = sum(c * (1.0 - share) for c, (share, full) in routes if not full)
            open_chance = sum(c for c, (_share, full) in routes if full)
            extra = turned / open_chance if open_chance > 0 else 0.0
            for chance, pathway, (share, full) in zip(chances, pathways, takes, strict=False):
                taken = chance * (1.0 + extra) if full else chance * share
                if pathway.to in self.index:
                    routing[row, self.index[pathway.to]] += taken
                if pathway.delay is not None:
                    delays[row] += taken * pathway.delay.mean
        try:
            spread = np.linalg.inv(np.eye(size) - routing.T)
        except np.linalg.LinAlgError:
            raise ValueError(
                "the traffic equations have no solution: some patients can never leave the system"
            ) from None
        return spread, delays


class _Demand:
    """Outside demand a day entering each provider, for each cohort, on any day of the run;
    each stream's seasonal rates are worked out once."""

    def __init__(self, scenario: Scenario, years: list[int], openings: dict[str, _Opening]) -> None:
        self.scenario = scenario
        self.start = scenario.run.start_date
        self.years = years
        self.openings = openings
        self.index = {provider.id: i for i, provider in enumerate(scenario.providers)}
        self.seasonal = [
            [demand_rate_per_day(scenario, stream, month) for month in range(12)]
            for stream in scenario.demand
        ]
        cohort_growth = {cohort.id: cohort.growth_per_year for cohort in scenario.cohorts}
        self.growth = [
            (cohort_growth[s.cohort] if s.cohort is not None else s.growth_per_year) or 0.0
            for s in scenario.demand
        ]

    def on(self, day: float, month_start: int) -> dict[str | None, np.ndarray]:
        """Demand on `day` (from the start date), in the month that starts on `month_start`."""
        first_day = self.start + dt.timedelta(days=month_start)
        month_of_year = (first_day.month - self.start.month) % 12
        year = bisect.bisect_right(self.years, day)
        outside = {cohort: np.zeros(len(self.index)) for cohort in self.scenario.patient_cohorts}
        for number, stream in enumerate(self.scenario.demand):
            rate = self.seasonal[number][month_of_year] * (1.0 + self.growth[number]) ** year
            for shock in stream.shocks:
                if _within(self.start, day, shock.from_, shock.to):
                    rate *= shock.multiplier
            opening = self.openings.get(stream.enters)
            if opening is not None:
                rate *= opening.share(day)
            outside[stream.cohort][self.index[stream.enters]] += rate
        return outside


def _level(provider: Provider, start: dt.date, day: float) -> int:
    """Servers or slots a day on `day`: a change's, or the provider's own."""
    capacity = provider.capacity
    assert capacity is not None
    for change in capacity.changes:
        if _within(start, day, change.from_, change.to):
            return change.level
    return capacity.level


def _dates_of_change(scenario: Scenario, start: dt.date) -> set[int]:
    """Days (from the start date) on which a capacity change or a shock begins or ends."""
    spans = [
        (change.from_, change.to)
        for provider in scenario.providers
        if provider.capacity is not None
        for change in provider.capacity.changes
    ]
    spans += [(shock.from_, shock.to) for stream in scenario.demand for shock in stream.shocks]
    return {_days_between(start, date) for first, end in spans for date in (first, end) if date}


def _within(start: dt.date, day: float, first: dt.date, end: dt.date | None) -> bool:
    """Whether `day` (from the start date) falls in [first, end); no end: the run's end."""
    after_first = day >= _days_between(start, first)
    return after_first and (end is None or day < _days_between(start, end))


def _month_starts(start: dt.date, days: int) -> list[int]:
    """The first day of each measured calendar month, in days from the start date."""
    starts, day, end = [], start, start + dt.timedelta(days=days)
    while day < end:
        starts.append(_days_between(start, day))
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return starts


def _days_between(start: dt.date, date: dt.date) -> int:
    return (date - start).days


def _add_years(date: dt.date, years: int) -> dt.date:
    """The anniversary that begins year `years` of the run (29 February's on 1 March)."""
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return dt.date(date.year + years, 3, 1)
