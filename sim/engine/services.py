"""What every kind of provider shares as the engine runs it: taking a patient into a
place, the stay, the way on, holding a place meanwhile, and letting it go.

The kinds are each a module of their own: `server_pool` (beds, cubicles: servers in
parallel with a first-come-first-served queue), `lindley` (a server pool nothing outside
it can hold up, settled on arrival), `appointment_book` (slots a day, one clinic a day)
and `open_access` (no capacity).

A place is held from the start of service until the patient leaves: through the length
of stay, any pathway delay, and any wait for an `in_place` provider downstream (the
delayed transfer). Patients who move one by one are `Patient` objects; patients who move
in batches are arrays of (time, group). A patient's *group* is its registered practice and
its cohort together (`cohort * practices + practice`; just the practice in a scenario
without cohorts): everything counted by practice is counted by group, and the record
folds groups into practices and into cohorts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.routing import Route, RouteTable
from sim.engine.streams import Draws
from sim.engine.tally import ProviderTally

if TYPE_CHECKING:
    from sim.engine.world import World


TRIM_TOLERANCE_DAYS = 1e-9


class Patient:
    """One patient moving individually; `visit` invalidates stale queue entries and timers."""

    __slots__ = ("arrived", "blocking", "group", "holder", "started", "visit")

    def __init__(self, group: int, now: float) -> None:
        self.group = group
        self.arrived = now
        self.started = now
        self.holder: Service | None = None
        self.blocking = False
        self.visit = 0


class Service:
    """What every kind of provider shares: routing on, delays, holding and releasing places."""

    batched = False
    """Whether a batch of arrivals can pass through without one event per patient."""

    def __init__(
        self,
        world: World,
        node: int,
        length_of_stay: Draws | None,
        in_place: bool,
        trim_days: float | None,
    ) -> None:
        self.world = world
        self.later = world.later
        self.env = world.env
        self.clock = world.clock
        self.node = node
        self.length_of_stay = length_of_stay
        self.in_place = in_place
        self.trim_days = trim_days
        self.tally = self._new_tally(world)
        self.routes: list[Route] = []
        self.route_draws: Draws
        self.tables: list[RouteTable] | None = None
        """Route table of each patient group, when any group has its own or a route
        leads to a provider that opens later; otherwise `routes` serve everyone."""
        self.distinct_tables: list[RouteTable] = []
        self.table_of_group = np.empty(0, dtype=np.int64)
        self.overflow_to: Service | None = None
        self.overflow_after = 0.0
        self.overflow_share = 0.0
        self.overflow_draws: Draws | None = None
        self._vector_routes: dict[int, np.ndarray] = {}

    def _new_tally(self, world: World) -> ProviderTally:
        return ProviderTally(world.clock, world.groups)

    # --- arriving -------------------------------------------------------------------------

    def arrive(self, patient: Patient, now: float) -> None:
        raise NotImplementedError

    def enter(self, group: int, now: float) -> None:
        """A patient from outside the system, at its drawn arrival time (the flow from its
        demand stream is counted when the day's arrivals are drawn)."""
        self.arrive(Patient(group, now), now)

    def arrive_batch(self, times: np.ndarray, groups: np.ndarray, now: float) -> None:
        """Arrivals at the given times (from `now` to the end of today); batched kinds only."""
        raise NotImplementedError

    def waiting(self, now: float) -> int:
        return 0

    # --- service --------------------------------------------------------------------------

    def begin(self, patient: Patient, now: float) -> None:
        """Service starts: the patient takes a place here and lets go of any place held."""
        tally = self.tally
        month = self.clock.month
        tally.starts[month] += 1
        wait = now - patient.arrived
        if wait > 0.0:
            tally.wait_days[month] += wait
            if month != self.clock.spare:
                tally.positive_waits.append(wait)
        patient.visit += 1  # any overflow timer set while it queued is now stale
        if patient.holder is not None:
            self.let_go_of_holder(patient, now)
        patient.started = now
        occupying = tally.occupying[patient.group]  # Level.change(+1), inlined: hot path
        occupying.areas[month] += occupying.count * (now - occupying.since)
        occupying.count += 1
        occupying.since = now
        if self.length_of_stay is None:
            self.finish(patient, now)
        else:
            self.later(self.length_of_stay.next(), self._stay_over, patient)

    def _stay_over(self, event: Any) -> None:
        if self.tables is None:  # `finish`, inlined: one call less at every stay's end
            route = self.routes[int(self.route_draws.next())]
            self.take_route(event._value, route, self.env._now)
        else:
            self.finish_by_table(event._value, self.env._now)

    def finish(self, patient: Patient, now: float) -> None:
        """Service is over: choose the way on."""
        self.take_route(patient, self.routes[int(self.route_draws.next())], now)

    def use_tables(self, tables: list[RouteTable]) -> None:
        """Route each patient group by its own table (`tables[group]`) from now on."""
        self.tables = tables
        self.distinct_tables = list(dict.fromkeys(tables))
        self.table_of_group = np.asarray(
            [self.distinct_tables.index(table) for table in tables], dtype=np.int64
        )
        self.finish = self.finish_by_table  # type: ignore[method-assign]

    def finish_by_table(self, patient: Patient, now: float) -> None:
        """`finish` for a provider whose patients' ways on depend on their group or the
        date; the world installs it in place of `finish` only where needed."""
        assert self.tables is not None
        self.take_route(patient, self.tables[patient.group].choose(now), now)

    def set_capacity(self, level: int, now: float) -> None:
        """Servers or slots a day from now on (a capacity change, an opening)."""
        raise NotImplementedError

    def take_route(self, patient: Patient, route: Route, now: float) -> None:
        """Move on by `route`; a pathway delay keeps the place meanwhile."""
        if route.delay is not None:
            delay = route.delay.next()
            if delay > 0.0:
                self.tally.delayed.change(1, now)
                self.later(delay, self._delay_over, (patient, route))
                return
        self.move_on(patient, route, now)

    def _delay_over(self, event: Any) -> None:
        patient, route = event._value
        now = self.env.now
        self.tally.delayed.change(-1, now)
        self.move_on(patient, route, now)

    def move_on(self, patient: Patient, route: Route, now: float) -> None:
        clock = self.clock
        if clock.month != clock.spare:
            self.world.flows[self.node * self.world.nodes + route.node] += 1
        target = route.service
        if target is None:
            self.release(patient, now)
        elif target.in_place:
            # The patient keeps this place until the next provider admits them.
            patient.holder = self
            target.arrive(patient, now)
        else:
            self.release(patient, now)
            target.arrive(patient, now)

    def release(self, patient: Patient, now: float) -> None:
        """The patient leaves this provider: count the completed stay, free the place."""
        tally = self.tally
        month = self.clock.month
        tally.completions[month] += 1
        tally.group_activity[month][patient.group] += 1
        stay = now - patient.started
        tally.stay_days[month] += stay
        # Clock arithmetic leaves stays a few 1e-14 days off; a stay at the trim point has none.
        if self.trim_days is not None and stay > self.trim_days + TRIM_TOLERANCE_DAYS:
            tally.excess_days[month][patient.group] += stay - self.trim_days
        occupying = tally.occupying[patient.group]  # Level.change(-1), inlined: hot path
        occupying.areas[month] += occupying.count * (now - occupying.since)
        occupying.count -= 1
        occupying.since = now
        self.free_place(now)

    def free_place(self, now: float) -> None:
        """A place came free; only providers with places to fill do anything."""

    def let_go_of_holder(self, patient: Patient, now: float) -> None:
        holder = patient.holder
        assert holder is not None
        if patient.blocking:
            holder.tally.blocked.change(-1, now)
            patient.blocking = False
        patient.holder = None
        holder.release(patient, now)

    def start_blocking(self, patient: Patient, now: float) -> None:
        if patient.holder is not None and not patient.blocking:
            patient.blocking = True
            patient.holder.tally.blocked.change(1, now)

    def overflow(self, patient: Patient, now: float) -> None:
        """A patient waited too long here and goes to `waiting.then` instead."""
        target = self.overflow_to
        assert target is not None
        self.tally.overflows[self.clock.month] += 1
        self.world.count_flow(self.node, target.node)
        if patient.holder is not None and not target.in_place:
            self.let_go_of_holder(patient, now)
        target.arrive(patient, now)

    # --- batches --------------------------------------------------------------------------

    def depart_batch(self, times: np.ndarray, groups: np.ndarray, now: float) -> None:
        """Patients whose service ended at `times` leave in one vector step.

        Exits and plain moves into batched providers stay vectorised; anyone who needs a
        place held (a pathway delay, an in_place provider) or goes to a provider that takes
        patients one at a time continues as an individual `Patient`.
        """
        if times.size == 0:
            return
        months = self.world.calendar.month_index(times)
        if self.tables is None:
            chosen = self.route_draws.take(times.size, dtype=np.int64)
            self._depart_by(self.routes, chosen, times, groups, months, now)
            return
        # Each table draws for its own patients, in time order.
        table_of = self.table_of_group[groups]
        for number, table in enumerate(self.distinct_tables):
            mine = table_of == number
            if mine.any():
                chosen = table.choose_many(times[mine])
                self._depart_by(table.routes, chosen, times[mine], groups[mine], months[mine], now)

    def _depart_by(
        self,
        routes: list[Route],
        chosen: np.ndarray,
        times: np.ndarray,
        groups: np.ndarray,
        months: np.ndarray,
        now: float,
    ) -> None:
        world = self.world
        vectorised = self._vectorised(routes)
        moving = vectorised[chosen]
        if moving.any():
            # Everyone leaving in the vector step is counted at once; exits need no more.
            moving_months, moving_routes = months[moving], chosen[moving]
            self._count_completions(moving_months, groups[moving])
            measured = moving_routes[moving_months != self.clock.spare]
            first = self.node * world.nodes
            for index, patients in enumerate(np.bincount(measured, minlength=len(routes)).tolist()):
                if patients:
                    world.flows[first + routes[index].node] += patients
        for index, route in enumerate(routes):
            target = route.service
            if target is None and vectorised[index]:
                continue
            picked = chosen == index
            if not picked.any():
                continue
            route_times, route_groups = times[picked], groups[picked]
            if not vectorised[index]:
                for time, group in zip(route_times.tolist(), route_groups.tolist(), strict=True):
                    world.later(time - now, self._individual_end, (group, route))
            elif target is not None:
                target.arrive_batch(route_times, route_groups, now)

    def _vectorised(self, routes: list[Route]) -> np.ndarray:
        """Which routes a batch can take in one vector step: no place held on the way (no
        pathway delay, no in_place provider) and no provider taking patients one at a time."""
        key = id(routes)
        if key not in self._vector_routes:
            self._vector_routes[key] = np.asarray(
                [
                    route.delay is None
                    and (
                        route.service is None
                        or (route.service.batched and not route.service.in_place)
                    )
                    for route in routes
                ]
            )
        return self._vector_routes[key]

    def _individual_end(self, event: Any) -> None:
        group, route = event._value
        now = self.env.now
        patient = Patient(group, now)
        self.tally.occupying[group].change(1, now)
        self.take_route(patient, route, now)

    def _count_completions(self, months: np.ndarray, groups: np.ndarray) -> None:
        count_into(self.tally.group_activity, months, groups, self.tally.completions)

    def _count_arrivals(self, months: np.ndarray, groups: np.ndarray) -> None:
        count_into(self.tally.arrivals, months, groups)


def count_into(
    rows: list[list[int]], months: np.ndarray, groups: np.ndarray, totals: list[int] | None = None
) -> None:
    """Add one to rows[month][group] (and to totals[month]) for each patient, in one bincount
    rather than one per month."""
    width = len(rows[0])
    cells = np.bincount(months * width + groups, minlength=len(rows) * width)
    counts = cells.tolist()
    for cell in np.flatnonzero(cells).tolist():
        month, group = divmod(cell, width)
        rows[month][group] += counts[cell]
        if totals is not None:
            totals[month] += counts[cell]
