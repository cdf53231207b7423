"""A provider with no capacity limit: service starts on arrival, nobody waits.

Without a length of stay, a day's batch of arrivals passes through in vector operations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.services import Patient, Service, count_into

if TYPE_CHECKING:
    from sim.engine.world import World


class OpenAccess(Service):
    """No capacity: service starts on arrival."""

    def __init__(self, world: World, node: int, **kwargs: Any) -> None:
        super().__init__(world, node, **kwargs)
        self.batched = self.length_of_stay is None

    def arrive(self, patient: Patient, now: float) -> None:
        self.tally.arrivals[self.clock.month][patient.group] += 1
        patient.visit += 1
        patient.arrived = now
        self.begin(patient, now)

    def arrive_batch(self, times: np.ndarray, groups: np.ndarray, now: float) -> None:
        months = self.world.calendar.month_index(times)
        count_into(self.tally.arrivals, months, groups, self.tally.starts)
        self.depart_batch(times, groups, now)
