"""Counters a provider keeps during one replication: no per-patient log.

Every counter is split by measured month, with one spare slot (index `months`) that
collects whatever happens in the warm-up, so the hot path never tests for it. Levels
(patients occupying places, patients queueing) are integrated over time as they change;
the clock flushes them at every month boundary so an area never straddles two months.
"""

from __future__ import annotations

import numpy as np


class Clock:
    """The current measured month, advanced by boundary events; `spare` before and after."""

    __slots__ = ("levels", "month", "spare")

    def __init__(self, months: int) -> None:
        self.spare = months
        self.month = months
        self.levels: list[Level] = []

    def turn(self, month: int, now: float) -> None:
        for level in self.levels:
            level.change(0, now)
        self.month = month


class Level:
    """A count of patients whose time-weighted area is kept per month (patient-days)."""

    __slots__ = ("areas", "clock", "count", "since")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.count = 0
        self.since = 0.0
        self.areas = [0.0] * (clock.spare + 1)
        clock.levels.append(self)

    def change(self, delta: int, now: float) -> None:
        self.areas[self.clock.month] += self.count * (now - self.since)
        self.count += delta
        self.since = now


def add_spans(areas: list[float], boundaries: np.ndarray, starts: np.ndarray, end: float) -> None:
    """Add the patient-days of spans [start, end) to the months they fall in.

    Used where many spans end together (an appointment book's list at its daily clinic):
    cheaper in numpy than one level change per patient.
    """
    if starts.size == 0:
        return
    months = len(areas) - 1
    first = max(int(boundaries.searchsorted(starts.min(), side="right")) - 1, 0)
    last = min(int(boundaries.searchsorted(end, side="left")), months)
    for month in range(first, last):
        low, high = boundaries[month], boundaries[month + 1]
        clipped = np.minimum(np.maximum(starts, low), high)
        areas[month] += float((min(max(end, low), high) - clipped).sum())


class ProviderTally:
    """What one provider counts: activity, waits, occupancy and queue, month by month.

    Counts kept per patient group (registered practice and cohort) are lists indexed by
    month, then group."""

    def __init__(self, clock: Clock, groups: int) -> None:
        slots = clock.spare + 1
        self.clock = clock
        self.arrivals = [[0] * groups for _ in range(slots)]
        self.completions = [0] * slots
        self.overflows = [0] * slots
        self.starts = [0] * slots
        self.wait_days = [0.0] * slots
        self.excess_days = [[0.0] * groups for _ in range(slots)]
        self.stay_days = [0.0] * slots
        self.slots_offered = [0] * slots
        self.slots_used = [0] * slots
        self.queue_days = [0.0] * slots
        self.occupying = [Level(clock) for _ in range(groups)]
        """Places held, by the group of the patient holding them."""
        self.queueing = Level(clock)
        self.delayed = Level(clock)
        self.blocked = Level(clock)
        self.places = Level(clock)
        """Places offered (servers; more while closing places are still held): 0 where the
        provider has no servers."""
        self.positive_waits: list[float] = []
        self.wait_batches: list[np.ndarray] = []
        self.group_activity = [[0] * groups for _ in range(slots)]

    @property
    def occupied(self) -> int:
        return sum(level.count for level in self.occupying)

    def waits_in_period(self) -> np.ndarray:
        """Every wait of a service start in the measured period (zeros included).

        The waits are handed over, not kept: they are read once, at the end of the run, and
        are most of a tally's memory, while a finished run lingers until Python's cycle
        collector gets to it. Letting them go here keeps a process that runs replication
        after replication at the memory of one."""
        n = sum(self.starts[:-1])
        positive = np.concatenate([np.asarray(self.positive_waits), *self.wait_batches])
        self.positive_waits, self.wait_batches = [], []
        return np.concatenate([positive, np.zeros(n - positive.size)])
