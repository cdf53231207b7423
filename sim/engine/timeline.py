"""What changes with the date in one run: capacity, openings and the demand rate.

The scenario gives dates; the engine works in simulation days. This module turns a
provider's capacity changes into steps of its level, an opening into the share of its
patients it takes at each moment, and a demand stream's shocks and growth into one
multiplier per day. Demand elasticity, which depends on the run itself (the waits so
far), is followed day by day by `ElasticDemand`.
"""

from __future__ import annotations

import itertools

import numpy as np

from sim.engine.calendar import Calendar
from sim.engine.tally import ProviderTally
from sim.scenario.model import DemandStream, Elasticity, Provider, Scenario


def capacity_steps(provider: Provider, calendar: Calendar) -> list[tuple[float, int]]:
    """(time, servers or slots a day) at each moment the provider's capacity changes,
    starting at time 0. A provider that opens part-way has none before it opens: no
    places or slots are offered, so its utilisation is over the time it is open."""
    capacity = provider.capacity
    assert capacity is not None
    base = capacity.level
    steps: list[tuple[float, int]] = [(0.0, base)]
    if provider.opens is not None:
        steps = [(0.0, 0), (calendar.time_of(provider.opens), base)]
    for change in sorted(capacity.changes, key=lambda change: change.from_):
        steps.append((calendar.time_of(change.from_), change.level))
        if change.to is not None:
            steps.append((calendar.time_of(change.to), base))
    # A later step at the same time replaces an earlier one (a change ending as the next
    # begins); steps at or beyond the horizon never happen.
    level_at: dict[float, int] = {}
    for time, level in steps:
        level_at[max(time, 0.0)] = level
    ordered = sorted(level_at.items())
    return [(time, level) for time, level in ordered if time < calendar.horizon]


class Opening:
    """The share of its patients a provider takes: 0 before it opens, rising linearly over
    the ramp-up to 1 (a step at opening without one)."""

    __slots__ = ("full_from", "opens", "ramp_days")

    def __init__(self, provider: Provider, calendar: Calendar) -> None:
        assert provider.opens is not None
        self.opens = calendar.time_of(provider.opens)
        self.ramp_days = provider.ramp_up_days or 0.0
        self.full_from = self.opens + self.ramp_days

    def share(self, times: np.ndarray) -> np.ndarray:
        if self.ramp_days == 0.0:
            return (times >= self.opens).astype(float)
        return np.clip((times - self.opens) / self.ramp_days, 0.0, 1.0)

    def share_at(self, time: float) -> float:
        if time >= self.full_from:
            return 1.0
        if time < self.opens:
            return 0.0
        return (time - self.opens) / self.ramp_days


def growth_of(scenario: Scenario, stream: DemandStream) -> float:
    """The stream's growth a year: its cohort's, or its own for a stream without a cohort."""
    if stream.cohort is not None:
        return next(c.growth_per_year for c in scenario.cohorts if c.id == stream.cohort)
    return stream.growth_per_year or 0.0


def daily_factors(
    scenario: Scenario, stream: DemandStream, calendar: Calendar
) -> np.ndarray | None:
    """The stream's rate multiplier on each simulated day from its shocks and its growth
    ((1 + g)^k in year k of the run), or None when there is neither."""
    growth = growth_of(scenario, stream)
    if not stream.shocks and growth == 0.0:
        return None
    days = round(calendar.horizon)
    factors = np.ones(days)
    if growth != 0.0:
        starts = [int(time) for time in calendar.year_starts()] + [days]
        for year, (start, end) in enumerate(itertools.pairwise(starts)):
            factors[start:end] *= (1.0 + growth) ** year
    for shock in stream.shocks:
        start = int(calendar.time_of(shock.from_))
        end = days if shock.to is None else int(calendar.time_of(shock.to))
        factors[max(start, 0) : max(end, 0)] *= shock.multiplier
    return factors


class ElasticDemand:
    """The mean wait at one provider over a trailing window, read once a day.

    The provider's tally already sums the waits and counts the starts; keeping those two
    running totals at each day's start gives any window's mean wait by subtraction. Until
    anyone has started there the mean wait is unknown (the stream runs at its reference
    wait); a window in which nobody started keeps the last mean wait known."""

    __slots__ = ("mean_wait", "starts", "tally", "waits", "window_days")

    def __init__(self, tally: ProviderTally, window_days: int) -> None:
        self.tally = tally
        self.window_days = window_days
        self.starts: list[int] = []
        self.waits: list[float] = []
        self.mean_wait: float | None = None

    def new_day(self) -> None:
        self.starts.append(sum(self.tally.starts))
        self.waits.append(sum(self.tally.wait_days))
        today = len(self.starts) - 1
        before = max(today - self.window_days, 0)
        started = self.starts[today] - self.starts[before]
        if started > 0:
            self.mean_wait = (self.waits[today] - self.waits[before]) / started

    def multiplier(self, elasticity: Elasticity) -> float:
        """Today's multiplier of the stream's rate."""
        if self.mean_wait is None:
            return 1.0
        return elasticity.multiplier(self.mean_wait)
