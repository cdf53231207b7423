"""The run's clock in days, and the calendar months of the measured period.

Time 0 is `warm_up_days` before `run.start_date`; the measured period is
[warm_up_days, warm_up_days + days), cut into calendar months (the financial year when
the run starts on 1 April). Seasonality is indexed by month counted from the start month.
A daily calendar cuts the same period into single days instead, for warm-up analysis; the
engine uses a calendar only to split its counters, so either gives the same simulation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.scenario.model import Run


@dataclass(frozen=True)
class Calendar:
    start_date: dt.date
    warm_up_days: int
    days: int
    boundaries: tuple[float, ...]
    """Start of each measured month in simulation days, then the end of the period."""
    labels: tuple[str, ...]
    """YYYY-MM of each measured month (YYYY-MM-DD of each day for a daily calendar)."""

    @classmethod
    def for_run(cls, run: Run) -> Calendar:
        boundaries = [float(run.warm_up_days)]
        labels = []
        day = run.start_date
        end = run.start_date + dt.timedelta(days=run.days)
        while day < end:
            labels.append(f"{day.year:04d}-{day.month:02d}")
            next_month = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
            day = min(next_month, end)
            boundaries.append(float(run.warm_up_days + (day - run.start_date).days))
        return cls(run.start_date, run.warm_up_days, run.days, tuple(boundaries), tuple(labels))

    @classmethod
    def daily(cls, run: Run) -> Calendar:
        """Every measured day its own period: the daily series a warm-up analysis needs."""
        boundaries = tuple(float(run.warm_up_days + day) for day in range(run.days + 1))
        labels = tuple(
            (run.start_date + dt.timedelta(days=day)).isoformat() for day in range(run.days)
        )
        return cls(run.start_date, run.warm_up_days, run.days, boundaries, labels)

    @property
    def months(self) -> int:
        return len(self.labels)

    @property
    def horizon(self) -> float:
        return self.boundaries[-1]

    @property
    def month_days(self) -> np.ndarray:
        return np.diff(np.asarray(self.boundaries))

    def time_of(self, date: dt.date) -> float:
        """Simulation time (days) at the start of `date`."""
        return float(self.warm_up_days + (date - self.start_date).days)

    def date_of(self, day: int) -> dt.date:
        """The date of simulation day `day` (warm-up days fall before `start_date`)."""
        return self.start_date + dt.timedelta(days=day - self.warm_up_days)

    def year_starts(self) -> list[float]:
        """Simulation time at which each year of the run begins (year 0 at `start_date`; the
        warm-up counts as year 0), up to the horizon. Years run from anniversary to
        anniversary of `start_date` (29 February's falls on 1 March in other years)."""
        starts = [0.0]
        year = 1
        while True:
            anniversary = _add_years(self.start_date, year)
            time = self.time_of(anniversary)
            if time >= self.horizon:
                return starts
            starts.append(time)
            year += 1

    def month_of_year(self, day: int) -> int:
        """0..11, counted from the start month, for simulation day `day` (warm-up included)."""
        date = self.start_date + dt.timedelta(days=day - self.warm_up_days)
        return (date.month - self.start_date.month) % 12

    @cached_property
    def edges(self) -> np.ndarray:
        """`boundaries` as an array, made once: month_index runs several times a day."""
        return np.asarray(self.boundaries)

    def month_index(self, times: np.ndarray) -> np.ndarray:
        """Measured month of each time; `months` (the spare slot) outside the period."""
        index = self.edges.searchsorted(times, side="right") - 1
        # -1 before the period; `months` (already the spare slot) from the horizon on.
        index[index < 0] = self.months
        return index


def _add_years(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February in a year without one
        return dt.date(date.year + years, 3, 1)
