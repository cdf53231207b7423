"""Demand as the engine draws it: each stream's Poisson arrivals, a day at a time.

A day's count per practice is drawn at the start of the day and spread over it; streams
into providers that take patients one at a time feed them in one by one (`ArrivalFeed`),
so the event heap holds one pending arrival per stream, not the whole day's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.distributions import uniform_sampler
from sim.engine.streams import stream_generator
from sim.engine.timeline import Opening, daily_factors
from sim.scenario.model import DAYS_PER_YEAR, DemandStream

if TYPE_CHECKING:
    from sim.engine.services import Service
    from sim.engine.world import World


class ArrivalFeed:
    """One demand stream's arrivals for one day into a provider that takes patients one at
    a time. Each arrival schedules the next, so the event heap holds one pending arrival
    per stream rather than the whole day's: a smaller heap keeps each push and pop cheap
    as volume grows. The day's flows from the stream are counted when it is drawn."""

    __slots__ = ("enter", "following", "groups", "times", "world")

    def __init__(self, world: World, entry: Service, times: list[float], groups: list[int]) -> None:
        self.world = world
        self.enter = entry.enter
        self.times = times
        self.groups = groups
        self.following = 0

    def start(self, now: float) -> None:
        self.world.later(self.times[0] - now, self.arrive, None)

    def arrive(self, event: Any) -> None:
        index = self.following
        world = self.world
        now = world.env._now
        self.enter(self.groups[index], now)
        index += 1
        self.following = index
        if index < len(self.times):
            world.later(self.times[index] - now, self.arrive, None)


class DemandPlan:
    """One demand stream as the engine draws it each day."""

    __slots__ = (
        "accepts",
        "by_practice",
        "elastic",
        "entry",
        "factors",
        "indices",
        "node",
        "offset",
        "opening",
        "rates",
        "rng",
        "shares",
        "stream",
    )

    def __init__(self, world: World, stream: DemandStream) -> None:
        scenario = world.scenario
        practices = scenario.registered_practices
        sizes = np.asarray([p.list_size for p in practices], dtype=float)
        if stream.per_1000_per_year is not None:
            multipliers = np.asarray(
                [
                    p.referral_multiplier if stream.uses_referral_multiplier else 1.0
                    for p in practices
                ]
            )
            self.rates = stream.per_1000_per_year * sizes * multipliers / 1000.0 / DAYS_PER_YEAR
            self.by_practice = True
        else:
            assert stream.per_day is not None
            self.rates = np.asarray([stream.per_day])
            self.by_practice = False
        self.stream = stream
        self.shares = sizes / sizes.sum()
        self.indices = np.arange(self.rates.size)
        """0 .. n-1 over the rates: each practice's (or the one) index, repeated by its count."""
        self.rng = stream_generator(world.seed, world.replication, f"arrivals/{stream.id}")
        self.entry = world.services[world.node_index[stream.enters]]
        self.node = world.node_index[stream.id]
        # A patient's group is its practice within its cohort's block of groups.
        self.offset = world.cohort_ids.index(stream.cohort) * world.practices
        self.factors = daily_factors(scenario, stream, world.calendar)
        self.elastic = (
            world.elastic_demand(stream.enters, stream.elasticity.window_days)
            if stream.elasticity is not None
            else None
        )
        entered = scenario.provider(stream.enters)
        self.opening = Opening(entered, world.calendar) if entered.opens is not None else None
        self.accepts = (
            world.draws(f"opening/{stream.id}", uniform_sampler, batched=True)
            if self.opening is not None
            else None
        )

    def factor(self, day: int) -> float:
        """Today's multiplier beyond seasonality: shocks, growth and elasticity."""
        factor = 1.0 if self.factors is None else float(self.factors[day])
        if self.elastic is not None:
            assert self.stream.elasticity is not None
            factor *= self.elastic.multiplier(self.stream.elasticity)
        return factor
