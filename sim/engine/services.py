"""The three ways a provider takes patients in, as the engine runs them.

- `ServerPool`: `servers` places in parallel (beds, cubicles); a FIFO queue when all are
  held. One SimPy event per visit: the end of the stay.
- `AppointmentBook`: `slots_per_day` starts a day, run as one clinic at the start of each
  day for everyone who arrived before it. The list is held as numpy arrays and the
  clinic is a handful of vector operations, so a book costs one event a day, not one
  per patient.
- `OpenAccess`: no capacity, nobody waits. Without a length of stay, a day's batch of
  arrivals passes through in vector operations too.

A place is held from the start of service until the patient leaves: through the length
of stay, any pathway delay, and any wait for an `in_place` provider downstream (the
delayed transfer). Patients who move one by one are `Patient` objects; patients who move
in batches are arrays of (time, group). A patient's *group* is its registered practice and
its cohort together (`cohort * practices + practice`; just the practice in a scenario
without cohorts): everything counted by practice is counted by group, and the record
folds groups into practices and into cohorts.

Routing after service goes through a `RouteTable`: one per provider, plus one for each
cohort with pathways of its own from there. A table whose routes lead to a provider that
has not fully opened yet admits each patient there with the share it takes at that moment
and sends the others on by the routes open all along, in proportion to their shares.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.streams import Draws
from sim.engine.tally import ProviderTally, add_spans
from sim.engine.timeline import Opening

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


class Route:
    """One way out of a provider after service: to a service or an exit, maybe after a delay."""

    __slots__ = ("delay", "node", "service")

    def __init__(self, node: int, service: Service | None, delay: Draws | None) -> None:
        self.node = node
        self.service = service
        self.delay = delay


class RouteTable:
    """The ways on from one provider for one set of patients, and the draws that choose.

    `openings[i]` is the opening of route i's provider when it has not opened from the
    start; such a route is checked against the share its provider takes at that moment
    (draws from `accepts[i]`) and the patients it turns away take a route open at that
    moment, in proportion to the shares (draws from `redirects[i]`). Both are streams of
    their own, so no other draw in the run moves.
    """

    __slots__ = ("accepts", "draws", "full_from", "openings", "redirects", "routes", "shares")

    def __init__(
        self,
        routes: list[Route],
        shares: np.ndarray,
        draws: Draws,
        openings: list[Opening | None],
        accepts: list[Draws | None],
        redirects: list[Draws | None],
    ) -> None:
        self.routes = routes
        self.shares = shares
        self.draws = draws
        self.openings = openings
        self.accepts = accepts
        self.redirects = redirects
        self.full_from = np.asarray(
            [-np.inf if opening is None else opening.full_from for opening in openings]
        )

    @property
    def opens_later(self) -> bool:
        return any(opening is not None for opening in self.openings)

    def choose(self, now: float) -> Route:
        index = int(self.draws.next())
        opening = self.openings[index]
        if opening is not None and now < opening.full_from:
            accepts = self.accepts[index]
            assert accepts is not None
            if accepts.next() >= opening.share_at(now):
                index = int(self._redirect(index, np.asarray([now]))[0])
        return self.routes[index]

    def choose_many(self, times: np.ndarray) -> np.ndarray:
        """Route indices for patients finishing at `times`, in order."""
        chosen = self.draws.take(times.size).astype(np.int64)
        for index, opening in enumerate(self.openings):
            if opening is None:
                continue
            picked = np.flatnonzero((chosen == index) & (times < opening.full_from))
            if picked.size == 0:
                continue
            accepts = self.accepts[index]
            assert accepts is not None
            turned = picked[accepts.take(picked.size) >= opening.share(times[picked])]
            if turned.size:
                chosen[turned] = self._redirect(index, times[turned])
        return chosen

    def _redirect(self, index: int, times: np.ndarray) -> np.ndarray:
        """Other routes, open at each time, in proportion to their shares."""
        weights = self.shares[None, :] * (times[:, None] >= self.full_from[None, :])
        cumulative = np.cumsum(weights, axis=1)
        redirects = self.redirects[index]
        assert redirects is not None
        targets = redirects.take(times.size) * cumulative[:, -1]
        return np.minimum(
            (cumulative <= targets[:, None]).sum(axis=1), len(self.routes) - 1
        ).astype(np.int64)


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
        _count_into(self.tally.group_activity, months, groups, self.tally.completions)

    def _count_arrivals(self, months: np.ndarray, groups: np.ndarray) -> None:
        _count_into(self.tally.arrivals, months, groups)


def _count_into(
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
        _count_into(self.tally.arrivals, months, groups, self.tally.starts)
        self.depart_batch(times, groups, now)


class AppointmentBook(Service):
    """`slots_per_day` appointments a day, given in arrival order at the start of each day.

    The list is three arrays (arrival time, group, person); `person` is -1 for patients
    who came in a batch and otherwise a key into `people`, for individuals who must keep
    their identity (they hold a place elsewhere while they wait).
    """

    batched = True

    def __init__(self, world: World, node: int, slots_per_day: int, **kwargs: Any) -> None:
        super().__init__(world, node, **kwargs)
        self.slots_per_day = slots_per_day
        self.times = np.empty(0)
        self.groups = np.empty(0, dtype=np.int64)
        self.persons = np.empty(0, dtype=np.int64)
        self.will_overflow = np.empty(0, dtype=bool)
        self.pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.arriving: tuple[list[float], list[int], list[int]] = ([], [], [])
        """Individuals who arrived since the last batch, as lists: one small array each would
        cost more than the patient. They join `pending` as one batch, in arrival order."""
        self.people: dict[int, Patient] = {}
        self.next_person = 0

    def arrive(self, patient: Patient, now: float) -> None:
        self.tally.arrivals[self.clock.month][patient.group] += 1
        patient.visit += 1
        patient.arrived = now
        self.start_blocking(patient, now)
        person = self.next_person
        self.next_person += 1
        self.people[person] = patient
        times, groups, persons = self.arriving
        times.append(now)
        groups.append(patient.group)
        persons.append(person)

    def arrive_batch(self, times: np.ndarray, groups: np.ndarray, now: float) -> None:
        self._count_arrivals(self.world.calendar.month_index(times), groups)
        self._gather_individuals()
        self.pending.append((times, groups, np.full(times.size, -1, dtype=np.int64)))

    def _gather_individuals(self) -> None:
        """The individuals arrived so far join `pending` as one batch, where they arrived."""
        times, groups, persons = self.arriving
        if times:
            self.pending.append(
                (np.asarray(times), np.asarray(groups, dtype=np.int64), np.asarray(persons))
            )
            self.arriving = ([], [], [])

    def waiting(self, now: float) -> int:
        self._gather_individuals()
        due = sum(int((times < now).sum()) for times, _, _ in self.pending)
        return self.times.size + due

    def set_capacity(self, level: int, now: float) -> None:
        self.slots_per_day = level

    def clinic(self, now: float) -> None:
        """Today's clinic: add yesterday's arrivals to the list, see the first patients."""
        self._file_arrivals(now)
        tally = self.tally
        month = self.clock.month
        seen = min(self.slots_per_day, self.times.size)
        tally.slots_offered[month] += self.slots_per_day
        tally.slots_used[month] += seen
        times, groups, persons = self.times[:seen], self.groups[:seen], self.persons[:seen]
        self.times, self.groups, self.persons = (
            self.times[seen:],
            self.groups[seen:],
            self.persons[seen:],
        )
        self.will_overflow = self.will_overflow[seen:]
        waits = now - times
        tally.starts[month] += seen
        tally.wait_days[month] += float(waits.sum())
        if month != self.clock.spare:
            tally.wait_batches.append(waits[waits > 0.0])
        add_spans(tally.queue_days, self.world.boundaries, times, now)
        if self.overflow_to is not None:
            self._send_on_long_waiters(now)
        self._see(times, groups, persons, now)

    def _file_arrivals(self, now: float) -> None:
        self._gather_individuals()
        if not self.pending:
            return
        if len(self.pending) == 1:
            times, groups, persons = self.pending[0]
        else:
            times = np.concatenate([batch[0] for batch in self.pending])
            groups = np.concatenate([batch[1] for batch in self.pending])
            persons = np.concatenate([batch[2] for batch in self.pending])
        due = times < now
        if due.all():
            self.pending = []
        else:
            self.pending = [(times[~due], groups[~due], persons[~due])]
            times, groups, persons = times[due], groups[due], persons[due]
        order = times.argsort(kind="stable")
        times, groups, persons = times[order], groups[order], persons[order]
        if self.overflow_draws is not None:
            flags = self.overflow_draws.take(times.size) < self.overflow_share
        else:
            flags = np.zeros(times.size, dtype=bool)
        self.times = np.concatenate([self.times, times])
        self.groups = np.concatenate([self.groups, groups])
        self.persons = np.concatenate([self.persons, persons])
        self.will_overflow = np.concatenate([self.will_overflow, flags])

    def _send_on_long_waiters(self, now: float) -> None:
        leaving = self.will_overflow & (now - self.times > self.overflow_after)
        if not leaving.any():
            return
        target = self.overflow_to
        assert target is not None
        times, groups, persons = (
            self.times[leaving],
            self.groups[leaving],
            self.persons[leaving],
        )
        keep = ~leaving
        self.times, self.groups, self.persons = (
            self.times[keep],
            self.groups[keep],
            self.persons[keep],
        )
        self.will_overflow = self.will_overflow[keep]
        add_spans(self.tally.queue_days, self.world.boundaries, times, now)
        anonymous = persons < 0
        if target.batched and not target.in_place:
            count = int(anonymous.sum())
            self.tally.overflows[self.clock.month] += count
            self.world.count_flows(self.node, target.node, np.full(count, self.clock.month))
            target.arrive_batch(np.full(count, now), groups[anonymous], now)
        else:
            for group in groups[anonymous].tolist():
                self.overflow(Patient(group, now), now)
        for person in persons[~anonymous].tolist():
            self.overflow(self.people.pop(person), now)

    def _see(self, times: np.ndarray, groups: np.ndarray, persons: np.ndarray, now: float) -> None:
        anonymous = persons < 0
        if self.length_of_stay is None:
            self.depart_batch(np.full(int(anonymous.sum()), now), groups[anonymous], now)
        else:
            for group in groups[anonymous].tolist():
                patient = Patient(group, now)
                patient.started = now
                self.tally.occupying[group].change(1, now)
                self.later(self.length_of_stay.next(), self._stay_over, patient)
        for person in persons[~anonymous].tolist():
            patient = self.people.pop(person)
            if patient.holder is not None:
                self.let_go_of_holder(patient, now)
            patient.started = now
            self.tally.occupying[patient.group].change(1, now)
            if self.length_of_stay is None:
                self.finish(patient, now)
            else:
                self.later(self.length_of_stay.next(), self._stay_over, patient)

    def close_list(self, horizon: float) -> None:
        """At the end of the run, count the waiting still in progress."""
        self._file_arrivals(horizon)
        add_spans(self.tally.queue_days, self.world.boundaries, self.times, horizon)
