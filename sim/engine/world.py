"""One replication: the SimPy environment, the providers built from the scenario and
wired by their pathways, the day's round (clinics, demand) and the month turns.

Only the engine imports simpy. Events are plain SimPy timeouts with callbacks rather than
one process per patient: a visit to a provider with servers costs one event (the end of
the stay), an appointment book one event a day, and demand is drawn in daily batches
(`demand`). What the run counted is read off at the end (`recording`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from heapq import heappush
from typing import Any, cast

import numpy as np
import simpy
from simpy.core import NORMAL, URGENT

from sim.engine.appointment_book import AppointmentBook
from sim.engine.calendar import Calendar
from sim.engine.demand import ArrivalFeed, DemandPlan
from sim.engine.distributions import choice_sampler, sampler, uniform_sampler
from sim.engine.inputs import drawn_inputs, realise
from sim.engine.lindley import LindleyNetwork, LindleyPool
from sim.engine.open_access import OpenAccess
from sim.engine.record import RunRecord
from sim.engine.recording import run_record
from sim.engine.routing import Route, RouteTable
from sim.engine.server_pool import ChangingServerPool, ServerPool
from sim.engine.services import Service
from sim.engine.streams import BatchDraws, Draws, stream_generator
from sim.engine.tally import Clock
from sim.engine.timeline import ElasticDemand, Opening, capacity_steps
from sim.scenario.model import (
    UNNAMED_EXIT,
    Pathway,
    Provider,
    Scenario,
)


class Wake:
    """A SimPy event that is already triggered, with one callback and a value.

    `Environment.schedule` accepts any event; this one carries only what
    `Environment.step` reads (`callbacks`, `_ok`), so scheduling costs no more than the
    heap push. It is what `simpy.Timeout` does, without the generality we never use.
    """

    __slots__ = ("_ok", "_value", "callbacks")

    def __init__(self, callback: Callable[[Any], None], value: Any) -> None:
        self.callbacks = [callback]
        self._value = value
        self._ok = True


class World:
    def __init__(
        self, scenario: Scenario, replication: int, seed: int, calendar: Calendar | None = None
    ) -> None:
        self.scenario = scenario
        self.replication = replication
        self.seed = seed
        self.env = simpy.Environment()
        # The calendar only splits the counters into periods (months by default, days for a
        # warm-up analysis); seasonality reads calendar months through month_of_year.
        self.calendar = Calendar.for_run(scenario.run) if calendar is None else calendar
        self.boundaries = np.asarray(self.calendar.boundaries)
        self.clock = Clock(self.calendar.months)
        self.practice_ids = tuple(p.id for p in scenario.registered_practices)
        self.practices = len(self.practice_ids)
        self.cohort_ids = scenario.patient_cohorts
        self.groups = self.practices * len(self.cohort_ids)
        self.provider_ids = tuple(p.id for p in scenario.providers)
        self.exit_ids = (*scenario.exits, UNNAMED_EXIT)
        self.demand_ids = tuple(d.id for d in scenario.demand)
        self.node_index = {
            node: i for i, node in enumerate(self.provider_ids + self.exit_ids + self.demand_ids)
        }
        self.nodes = len(self.node_index)
        self.flows = [0] * (self.nodes * self.nodes)
        # Events go straight onto SimPy's queue, as Environment.schedule puts them (time,
        # priority, event id, event): a Wake gives step() all it reads of an Event.
        self._queue = cast(list[tuple[float, int, int, Any]], self.env._queue)
        self._eid = self.env._eid
        self.capacity_changes: list[tuple[Service, list[tuple[float, int]]]] = []
        self.services = [
            self._service(provider, i) for i, provider in enumerate(scenario.providers)
        ]
        self._connect()
        self.elastic: dict[tuple[str, int], ElasticDemand] = {}
        self.books = [s for s in self.services if isinstance(s, AppointmentBook)]
        self.lindley_pools = [s for s in self.services if isinstance(s, LindleyPool)]
        self.network = self._closed_network()
        for pool in self.lindley_pools:
            pool.prepare()
        self.snapshot_start: dict[str, np.ndarray] = {}

    # --- building ---------------------------------------------------------------------------

    def draws(self, name: str, sample: Any, batched: bool = False) -> Draws:
        """The named stream; `batched` for one drawn mostly many at a time (BatchDraws)."""
        kind = BatchDraws if batched else Draws
        return kind(sample, stream_generator(self.seed, self.replication, name))

    def _service(self, provider: Provider, node: int) -> Service:
        options: dict[str, Any] = {
            "length_of_stay": (
                self.draws(f"length_of_stay/{provider.id}", sampler(provider.length_of_stay))
                if provider.length_of_stay is not None
                else None
            ),
            "in_place": provider.waiting is not None and provider.waiting.in_place,
            "trim_days": provider.price.trim_days if provider.price is not None else None,
        }
        capacity = provider.capacity
        if capacity is None:
            return OpenAccess(self, node, **options)
        if not capacity.changes and provider.opens is None:
            if capacity.servers is not None and self._settles_on_arrival(provider):
                return LindleyPool(self, node, capacity.servers, **options)
            if capacity.servers is not None:
                return ServerPool(self, node, capacity.servers, **options)
            assert capacity.slots_per_day is not None
            return AppointmentBook(self, node, capacity.slots_per_day, **options)
        (_, level), *later = capacity_steps(provider, self.calendar)
        service: Service
        if capacity.servers is not None:
            service = ChangingServerPool(self, node, level, **options)
        else:
            service = AppointmentBook(self, node, level, **options)
        self.capacity_changes.append((service, later))
        return service

    def _settles_on_arrival(self, provider: Provider) -> bool:
        """Whether nothing outside a provider with fixed servers can change when its places
        come free, so that a `LindleyPool` can settle each visit on arrival (see
        sim.engine.lindley): not in_place, no overflow, no way on to an in_place provider,
        no elastic demand reading its waits."""
        waiting = provider.waiting
        if waiting is not None and (waiting.in_place or waiting.then is not None):
            return False
        scenario = self.scenario
        in_place = {p.id for p in scenario.providers if p.waiting and p.waiting.in_place}
        if any(p.from_ == provider.id and p.to in in_place for p in scenario.pathways):
            return False
        return not any(d.enters == provider.id and d.elasticity for d in scenario.demand)

    def _closed_network(self) -> LindleyNetwork | None:
        """The Lindley pools that patients reach only from demand and from each other."""
        members = {pool.node: pool for pool in self.lindley_pools}
        sources: dict[int, set[int]] = {node: set() for node in members}
        for pathway in self.scenario.pathways:
            if self.node_index[pathway.to] in sources:
                sources[self.node_index[pathway.to]].add(self.node_index[pathway.from_])
        for provider in self.scenario.providers:
            if provider.waiting is not None and provider.waiting.then is not None:
                target = self.node_index[provider.waiting.then]
                if target in sources:
                    sources[target].add(self.node_index[provider.id])
        # A pool reached from outside is outside; so, then, may be those it sends to.
        while True:
            outside = [node for node in members if not sources[node] <= members.keys()]
            if not outside:
                break
            for node in outside:
                del members[node]
        return LindleyNetwork(list(members.values())) if members else None

    def _connect(self) -> None:
        """Routes after service, and overflow targets, now that every service exists."""
        by_id = dict(zip(self.provider_ids, self.services, strict=True))
        for provider, service in zip(self.scenario.providers, self.services, strict=True):
            table = self._route_table(provider.id, None, by_id)
            service.routes = table.routes
            service.route_draws = table.draws
            own = {
                cohort: self._route_table(provider.id, cohort, by_id)
                for cohort in self.cohort_ids[1:]
                if any(
                    p.from_ == provider.id and p.cohort == cohort for p in self.scenario.pathways
                )
            }
            if own or table.opens_later:
                tables = [own.get(cohort, table) for cohort in self.cohort_ids]
                service.use_tables(
                    [tables[group // self.practices] for group in range(self.groups)]
                )
            waiting = provider.waiting
            if waiting is not None and waiting.then is not None and waiting.max_days is not None:
                service.overflow_to = by_id[waiting.then]
                service.overflow_after = waiting.max_days
                service.overflow_share = waiting.share
                service.overflow_draws = self.draws(
                    f"overflow/{provider.id}", uniform_sampler, service.batched
                )

    def _route_table(
        self, provider_id: str, cohort: str | None, by_id: dict[str, Service]
    ) -> RouteTable:
        """The ways on from a provider for patients of `cohort` (None: everyone without a
        table of their own). Stream names leave a scenario without cohorts or openings
        drawing exactly as before."""
        pathways = self.scenario.pathways_from(provider_id, cohort)
        routes: list[Route] = []
        shares = [p.share for p in pathways]
        for pathway in pathways:
            delay = (
                self.draws(f"delay/{pathway.name}", sampler(pathway.delay))
                if pathway.delay is not None
                else None
            )
            routes.append(Route(self.node_index[pathway.to], by_id.get(pathway.to), delay))
        remainder = 1.0 - sum(shares)
        if remainder > 1e-12 or not pathways:
            routes.append(Route(self.node_index[UNNAMED_EXIT], None, None))
            shares.append(max(remainder, 0.0))
        probabilities = np.asarray(shares) / sum(shares)
        suffix = "" if cohort is None else f"@{cohort}"
        batched = by_id[provider_id].batched
        draws = self.draws(f"routing/{provider_id}{suffix}", choice_sampler(probabilities), batched)
        openings = [self._opening(pathway) for pathway in pathways]
        openings += [None] * (len(routes) - len(pathways))
        accepts = [
            None
            if opening is None
            else self.draws(f"opening/{pathway.name}", uniform_sampler, batched)
            for pathway, opening in zip(pathways, openings, strict=False)
        ]
        redirects = [
            None
            if opening is None
            else self.draws(f"redirect/{pathway.name}", uniform_sampler, batched)
            for pathway, opening in zip(pathways, openings, strict=False)
        ]
        accepts += [None] * (len(routes) - len(pathways))
        redirects += [None] * (len(routes) - len(pathways))
        return RouteTable(routes, probabilities, draws, openings, accepts, redirects)

    def _opening(self, pathway: Pathway) -> Opening | None:
        if pathway.to not in self.provider_ids:
            return None
        target = self.scenario.provider(pathway.to)
        return Opening(target, self.calendar) if target.opens is not None else None

    def elastic_demand(self, provider_id: str, window_days: int) -> ElasticDemand:
        """The trailing mean wait at a provider, shared by the elastic streams entering it
        with the same window."""
        key = (provider_id, window_days)
        if key not in self.elastic:
            tally = self.services[self.node_index[provider_id]].tally
            self.elastic[key] = ElasticDemand(tally, window_days)
        return self.elastic[key]

    # --- scheduling -------------------------------------------------------------------------

    def later(self, delay: float, callback: Callable[[Any], None], value: Any) -> None:
        heappush(
            self._queue, (self.env._now + delay, NORMAL, next(self._eid), Wake(callback, value))
        )

    def at(self, time: float, callback: Callable[[Any], None], value: Any) -> None:
        """An event at exactly `time` (now + (time - now) can differ in the last bit)."""
        heappush(self._queue, (time, NORMAL, next(self._eid), Wake(callback, value)))

    def _urgent_at(self, time: float, callback: Callable[[Any], None]) -> None:
        """An event that runs before any other event at the same time (month boundaries)."""
        delay = time - self.env._now
        heappush(
            self._queue, (self.env._now + delay, URGENT, next(self._eid), Wake(callback, None))
        )

    # --- counting ---------------------------------------------------------------------------

    def count_flow(self, origin: int, destination: int) -> None:
        if self.clock.month != self.clock.spare:
            self.flows[origin * self.nodes + destination] += 1

    def count_flows(self, origin: int, destination: int, months: np.ndarray) -> None:
        self.flows[origin * self.nodes + destination] += int((months != self.clock.spare).sum())

    # --- running ----------------------------------------------------------------------------

    def run(self) -> RunRecord:
        calendar = self.calendar
        for month, boundary in enumerate(calendar.boundaries[:-1]):
            self._urgent_at(boundary, self._month_turn_callback(month))
        # Capacity changes at the start of their day, before its clinic and its patients.
        for service, steps in self.capacity_changes:
            for time, level in steps:
                self._urgent_at(time, self._capacity_callback(service, level))
        self._demand = [DemandPlan(self, stream) for stream in self.scenario.demand]
        self._elastic = list(self.elastic.values())
        self.later(0.0, self._new_day, None)
        # Events at the horizon itself belong to the period after it, and are not run.
        self.env.run(until=calendar.horizon)
        return self._record()

    def _month_turn_callback(self, month: int) -> Callable[[Any], None]:
        def turn(event: Any) -> None:
            now = self.env.now
            self.clock.turn(month, now)
            if month == 0:
                self.snapshot_start = self._snapshot(now)

        return turn

    def _capacity_callback(self, service: Service, level: int) -> Callable[[Any], None]:
        def change(event: Any) -> None:
            service.set_capacity(level, self.env.now)

        return change

    def _new_day(self, event: Any) -> None:
        now = self.env.now
        day = round(now)
        for book in self.books:
            book.clinic(now)
        for elastic in self._elastic:
            elastic.new_day()
        month_of_year = self.calendar.month_of_year(day)
        for plan in self._demand:
            rates, rng = plan.rates, plan.rng
            season = plan.stream.month_multiplier(month_of_year)
            factor = plan.factor(day)
            counts = rng.poisson(rates * season if factor == 1.0 else rates * (season * factor))
            total = int(counts.sum())
            if total == 0:
                continue
            if plan.by_practice:
                groups = plan.indices.repeat(counts)
            else:
                groups = rng.choice(plan.shares.size, size=total, p=plan.shares)
            times = now + rng.random(total)
            order = times.argsort(kind="stable")
            times, groups = times[order], groups[order]
            if plan.offset:
                groups = groups + plan.offset
            if plan.opening is not None:
                # Thinned by draws of their own, so the stream's arrivals draw as if always open.
                assert plan.accepts is not None
                taken = plan.accepts.take(total) < plan.opening.share(times)
                times, groups = times[taken], groups[taken]
                if times.size == 0:
                    continue
            entry = plan.entry
            # Months turn only at the start of a day: today's arrivals all count, or none.
            if self.clock.month != self.clock.spare:
                self.flows[plan.node * self.nodes + entry.node] += times.size
            if self.network is not None and entry in self.network.members:
                self.network.enter(entry, times, groups)
            elif entry.batched and not entry.in_place:
                entry.arrive_batch(times, groups, now)
            else:
                ArrivalFeed(self, entry, times.tolist(), groups.tolist()).start(now)
        if self.network is not None:
            self.network.run_day(min(now + 1.0, self.calendar.horizon))
        if day + 1 < self.calendar.horizon:
            self.later(1.0, self._new_day, None)

    def _snapshot(self, now: float) -> dict[str, np.ndarray]:
        return {
            "waiting": np.asarray([s.waiting(now) for s in self.services]),
            "occupying": np.asarray([s.tally.occupied for s in self.services]),
            "blocked": np.asarray([s.tally.blocked.count for s in self.services]),
        }

    def _record(self) -> RunRecord:
        horizon = self.calendar.horizon
        self.clock.turn(self.clock.spare, horizon)
        for book in self.books:
            book.close_list(horizon)
        for pool in self.lindley_pools:
            pool.close(horizon)
        end = self._snapshot(horizon)
        return run_record(self, end)


def simulate(
    scenario: Scenario,
    replication: int = 0,
    seed: int | None = None,
    calendar: Calendar | None = None,
) -> RunRecord:
    """Run one replication of a validated scenario; the same arguments give the same record.

    `calendar` (default: calendar months) sets the periods the record is split into; it
    must cover the scenario's run, and it changes only how the same events are counted.
    """
    if calendar is not None and (
        calendar.start_date,
        calendar.warm_up_days,
        calendar.days,
    ) != (scenario.run.start_date, scenario.run.warm_up_days, scenario.run.days):
        raise ValueError("the calendar must cover the scenario's run (same dates and days)")
    seed = scenario.run.seed if seed is None else seed
    record = World(realise(scenario, replication, seed), replication, seed, calendar).run()
    if scenario.uncertain:
        drawn = drawn_inputs(scenario, replication, seed)
        record = replace(record, inputs=tuple(drawn.items()))
    return record
