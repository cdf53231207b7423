"""RunRecord: everything one replication measured, as plain arrays ready to aggregate.

Arrays indexed by provider and measured month carry the activity and the time-weighted
levels; the flow matrix is over `nodes` (providers, then exits, then demand streams).
Only the measured period (after warm-up) is in here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RunRecord:
    replication: int
    seed: int
    months: tuple[str, ...]
    month_days: np.ndarray
    providers: tuple[str, ...]
    exits: tuple[str, ...]
    demand: tuple[str, ...]
    practices: tuple[str, ...]
    servers: np.ndarray
    """Servers per provider (its own number, before any change); NaN for appointment books
    and unlimited providers."""
    server_days: np.ndarray
    """Place-days offered by month: servers through time, none before a provider opens, and
    places being closed count until their patients leave; NaN without servers."""
    arrivals: np.ndarray
    completions: np.ndarray
    overflows: np.ndarray
    starts: np.ndarray
    """Service starts (the patients whose waits are in `wait_days`)."""
    wait_days: np.ndarray
    occupancy_days: np.ndarray
    """Patient-days holding a place: in service, in a pathway delay, or blocked."""
    queue_days: np.ndarray
    delay_days: np.ndarray
    blocked_days: np.ndarray
    """Delayed-transfer days: places held while waiting for an in_place provider."""
    stay_days: np.ndarray
    """Days from service start to leaving, summed over the stays completed each month."""
    excess_days: np.ndarray
    """Days of completed stays beyond the price's trim point."""
    slots_offered: np.ndarray
    slots_used: np.ndarray
    p95_wait_days: np.ndarray
    waiting_start: np.ndarray
    occupying_start: np.ndarray
    blocked_start: np.ndarray
    waiting_end: np.ndarray
    occupying_end: np.ndarray
    blocked_end: np.ndarray
    flows: np.ndarray
    practice_activity: np.ndarray
    """Completions by provider, month and registered practice."""
    practice_occupancy_days: np.ndarray
    """Place-days held, by provider, month and the holder's registered practice."""
    practice_excess_days: np.ndarray
    """Excess days of completed stays, by provider, month and registered practice."""
    cohorts: tuple[str, ...]
    """Cohort ids (`none` first, for patients without one); empty without cohorts."""
    cohort_arrivals: np.ndarray
    """Arrivals by provider, month and cohort (no cohort axis entries without cohorts)."""
    cohort_activity: np.ndarray
    """Completions by provider, month and cohort."""
    cohort_occupancy_days: np.ndarray
    """Place-days held, by provider, month and the holder's cohort."""
    cohort_excess_days: np.ndarray
    """Excess days of completed stays, by provider, month and cohort."""
    stuck_end: np.ndarray
    """Patients queued at the end for each provider caught in a deadlock (units that wait
    in place for each other, every place held by a patient who can never move); 0 for the
    others. See `sim.engine.deadlock`."""
    deadlock_day: float | None
    """Day of the measured period (negative in the warm-up) on which the deadlock that
    holds at the end formed; None when there is none."""
    inputs: tuple[tuple[str, float], ...] = ()
    """The value each of the scenario's uncertain inputs took in this replication."""

    @property
    def nodes(self) -> tuple[str, ...]:
        return self.providers + self.exits + self.demand

    @property
    def period_days(self) -> float:
        return float(self.month_days.sum())

    def entered(self) -> int:
        """Patients who entered the system from demand in the measured period."""
        first = len(self.providers) + len(self.exits)
        return int(self.flows[first:, :].sum())

    def left(self) -> int:
        """Patients who left the system through an exit in the measured period."""
        first = len(self.providers)
        return int(self.flows[:, first : first + len(self.exits)].sum())

    def in_system_start(self) -> int:
        """Distinct patients in the system when measurement starts (blocked ones count once)."""
        return int((self.waiting_start + self.occupying_start - self.blocked_start).sum())

    def in_system_end(self) -> int:
        return int((self.waiting_end + self.occupying_end - self.blocked_end).sum())
