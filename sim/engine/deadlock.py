"""Deadlock among providers whose referrals wait in place: found, not prevented.

Units with `waiting.in_place` can wait for each other in a circle: every bed on the ward
is held by a patient waiting for reablement, and every reablement place by a patient
waiting for the ward. Nothing in the model can free one of those places again, so the
run goes on (demand keeps arriving and joins the queues) but those patients never move.
That is what the scenario says, and the loader warns about such loops; the engine's part
is to say afterwards that it happened, rather than let the numbers look merely congested.

A set of server pools is deadlocked when each place held there is held by a patient
waiting in place for a pool of the set: the largest such set is found by starting from
the pools whose places are all held by waiting patients and dropping any pool one of
whose patients waits for a pool outside the set, until none is dropped. Everyone queued
for a deadlocked pool is stuck, whether or not they hold a place elsewhere; each is
counted once, in the queue they wait in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sim.engine.server_pool import ServerPool
from sim.engine.services import Patient, Service


@dataclass(frozen=True)
class Deadlock:
    units: tuple[int, ...]
    """Provider indices of the deadlocked pools."""
    stuck: dict[int, int]
    """Patients queued, for good, for each deadlocked pool."""
    formed_at: float
    """When the last of the deadlocked places came to be held by a waiting patient."""


def find_deadlock(services: Sequence[Service]) -> Deadlock | None:
    """The deadlock among `services` at this moment, or None."""
    pools = [s for s in services if isinstance(s, ServerPool)]
    queued = {pool: pool.queued_patients() for pool in pools}
    waits_for: dict[Service, set[ServerPool]] = {}
    waiting_in_pools: dict[Service, int] = {}
    for pool, patients in queued.items():
        for patient in patients:
            if patient.holder is not None:
                waits_for.setdefault(patient.holder, set()).add(pool)
                waiting_in_pools[patient.holder] = waiting_in_pools.get(patient.holder, 0) + 1
    # A patient waiting in place for an appointment book is seen at a clinic soon enough.
    locked = {
        pool
        for pool in pools
        if pool.tally.occupied > 0
        and pool.tally.occupied == pool.tally.blocked.count == waiting_in_pools.get(pool, 0)
    }
    dropped = True
    while dropped:
        dropped = False
        for pool in list(locked):
            if not waits_for.get(pool, set()) <= locked:
                locked.discard(pool)
                dropped = True
    if not any(queued[pool] for pool in locked):
        return None
    holders: list[Patient] = [
        patient for pool in locked for patient in queued[pool] if patient.holder in locked
    ]
    return Deadlock(
        units=tuple(sorted(services.index(pool) for pool in locked)),
        stuck={services.index(pool): len(queued[pool]) for pool in locked},
        formed_at=max(patient.arrived for patient in holders),
    )
