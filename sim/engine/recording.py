"""The counts of one replication, read off the providers' tallies into a `RunRecord`.

Everything here happens once, at the end of the run: tallies kept as lists by month and
patient group become provider x month arrays, groups fold into practices and cohorts, and
the state at the start and end of the measured period (with any deadlock) is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.deadlock import find_deadlock
from sim.engine.record import RunRecord
from sim.scenario.model import NO_COHORT

if TYPE_CHECKING:
    from sim.engine.world import World


def run_record(world: World, end: dict[str, np.ndarray]) -> RunRecord:
    """The record of a finished run; `end` is the state at the horizon."""
    deadlock = find_deadlock(world.services)
    stuck_end = np.zeros(len(world.services))
    if deadlock is not None:
        for unit, patients in deadlock.stuck.items():
            stuck_end[unit] = patients
    months = world.calendar.months
    tallies = [s.tally for s in world.services]

    def per_month(values: Callable[[Any], list[float] | list[int]]) -> np.ndarray:
        return np.asarray([values(t)[:months] for t in tallies], dtype=float)

    def per_group_month(values: Callable[[Any], list[list[float]]]) -> np.ndarray:
        """provider x month x group, from per-group lists of monthly values."""
        return np.asarray([values(t) for t in tallies], dtype=float)[:, :, :months].transpose(
            0, 2, 1
        )

    arrivals = np.asarray([t.arrivals[:months] for t in tallies], dtype=float)
    activity = np.asarray([t.group_activity[:months] for t in tallies], dtype=float)
    occupancy = per_group_month(lambda t: [level.areas for level in t.occupying])
    excess = per_group_month(lambda t: _by_month(t.excess_days))
    queue_days = per_month(lambda t: t.queue_days) + per_month(lambda t: t.queueing.areas)
    servers = np.asarray(
        [
            p.capacity.servers if p.capacity is not None and p.capacity.servers else np.nan
            for p in world.scenario.providers
        ],
        dtype=float,
    )
    place_days = per_month(lambda t: t.places.areas)
    place_days[np.isnan(servers)] = np.nan
    p95 = np.asarray(
        [
            float(np.percentile(w, 95)) if (w := t.waits_in_period()).size else np.nan
            for t in tallies
        ]
    )
    start = world.snapshot_start
    cohort_names = tuple(NO_COHORT if c is None else c for c in world.cohort_ids)
    return RunRecord(
        replication=world.replication,
        seed=world.seed,
        months=world.calendar.labels,
        month_days=world.calendar.month_days,
        providers=world.provider_ids,
        exits=world.exit_ids,
        demand=world.demand_ids,
        practices=world.practice_ids,
        servers=servers,
        server_days=place_days,
        arrivals=arrivals.sum(axis=2),
        completions=per_month(lambda t: t.completions),
        overflows=per_month(lambda t: t.overflows),
        starts=per_month(lambda t: t.starts),
        wait_days=per_month(lambda t: t.wait_days),
        occupancy_days=occupancy.sum(axis=2),
        queue_days=queue_days,
        delay_days=per_month(lambda t: t.delayed.areas),
        blocked_days=per_month(lambda t: t.blocked.areas),
        stay_days=per_month(lambda t: t.stay_days),
        excess_days=excess.sum(axis=2),
        slots_offered=per_month(lambda t: t.slots_offered),
        slots_used=per_month(lambda t: t.slots_used),
        p95_wait_days=p95,
        waiting_start=start["waiting"],
        occupying_start=start["occupying"],
        blocked_start=start["blocked"],
        waiting_end=end["waiting"],
        occupying_end=end["occupying"],
        blocked_end=end["blocked"],
        stuck_end=stuck_end,
        deadlock_day=None
        if deadlock is None
        else deadlock.formed_at - world.calendar.boundaries[0],
        flows=np.asarray(world.flows, dtype=float).reshape(world.nodes, world.nodes),
        practice_activity=by_practice(world, activity),
        practice_occupancy_days=by_practice(world, occupancy),
        practice_excess_days=by_practice(world, excess),
        cohorts=cohort_names if len(cohort_names) > 1 else (),
        cohort_arrivals=by_cohort(world, arrivals),
        cohort_activity=by_cohort(world, activity),
        cohort_occupancy_days=by_cohort(world, occupancy),
        cohort_excess_days=by_cohort(world, excess),
    )


def by_practice(world: World, values: np.ndarray) -> np.ndarray:
    """provider x month x group folded to provider x month x practice."""
    if len(world.cohort_ids) == 1:
        return values
    shape = (*values.shape[:2], len(world.cohort_ids), world.practices)
    return values.reshape(shape).sum(axis=2)


def by_cohort(world: World, values: np.ndarray) -> np.ndarray:
    """provider x month x group folded to provider x month x cohort; empty (no cohort
    axis) for a scenario without cohorts."""
    if len(world.cohort_ids) == 1:
        return np.zeros((*values.shape[:2], 0))
    shape = (*values.shape[:2], len(world.cohort_ids), world.practices)
    return values.reshape(shape).sum(axis=3)


def _by_month(rows: list[list[float]]) -> list[list[float]]:
    """month x group lists as group x month, the shape per_group_month reads."""
    return [list(column) for column in zip(*rows, strict=True)]
