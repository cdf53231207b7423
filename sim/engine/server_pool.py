"""Places served in parallel (beds, cubicles), first come, first served.

One SimPy event per visit: the end of the stay. A `ServerPool` is what takes part in
blocking: it can hold patients waiting in place for another provider, and patients can
wait in place for it. A `ChangingServerPool` has its number of servers changed during the
run.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from sim.engine.services import Patient, Service

if TYPE_CHECKING:
    from sim.engine.world import World


class ServerPool(Service):
    """`servers` places served in parallel, first come first served."""

    def __init__(self, world: World, node: int, servers: int, **kwargs: Any) -> None:
        super().__init__(world, node, **kwargs)
        self.servers = servers
        self.free = servers
        self.queue: deque[tuple[Patient, int]] = deque()
        self.queued = 0
        self.tally.places.count = servers

    def arrive(self, patient: Patient, now: float) -> None:
        self.tally.arrivals[self.clock.month][patient.group] += 1
        patient.visit += 1
        patient.arrived = now
        if self.free > 0:
            self.free -= 1
            self.begin(patient, now)
            return
        self.queue.append((patient, patient.visit))
        self.queued += 1
        self.tally.queueing.change(1, now)
        self.start_blocking(patient, now)
        if self.overflow_draws is not None and self.overflow_draws.next() < self.overflow_share:
            self.later(self.overflow_after, self._waited_too_long, (patient, patient.visit))

    def free_place(self, now: float) -> None:
        queue = self.queue
        while queue:
            patient, visit = queue.popleft()
            if patient.visit != visit:
                continue  # left the queue already (overflowed)
            self.queued -= 1
            self.tally.queueing.change(-1, now)
            self.begin(patient, now)
            return
        self.free += 1

    def _waited_too_long(self, event: Any) -> None:
        patient, visit = event._value
        if patient.visit != visit:
            return  # admitted, or gone, before the limit
        now = self.env.now
        self.queued -= 1
        self.tally.queueing.change(-1, now)
        patient.visit += 1  # its queue entry is now stale
        self.overflow(patient, now)

    def waiting(self, now: float) -> int:
        return self.queued

    def queued_patients(self) -> list[Patient]:
        """The patients in the queue, first come first; entries left stale by an overflow
        are not patients waiting here."""
        return [patient for patient, visit in self.queue if patient.visit == visit]


class ChangingServerPool(ServerPool):
    """A `ServerPool` whose number of servers changes during the run.

    More servers start waiting patients at once. Fewer let the patients in service finish,
    and nobody new starts until fewer places are held than the new number (`free` is then
    below 0). Until then the places still held count as capacity (`tally.places`): a bed
    closes when its patient leaves it, so utilisation never passes 1.
    """

    def set_capacity(self, level: int, now: float) -> None:
        held = self.servers - self.free
        self.servers = level
        self.free = level - held
        places = self.tally.places
        places.change(max(level, held) - places.count, now)
        queue = self.queue
        while self.free > 0 and queue:
            patient, visit = queue.popleft()
            if patient.visit != visit:
                continue  # left the queue already (overflowed)
            self.free -= 1
            self.queued -= 1
            self.tally.queueing.change(-1, now)
            self.begin(patient, now)

    def free_place(self, now: float) -> None:
        if self.free < 0:
            self.free += 1
            self.tally.places.change(-1, now)
            return
        super().free_place(now)
