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
in batches are arrays of (time, practice).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.streams import Draws
from sim.engine.tally import ProviderTally, add_spans

if TYPE_CHECKING:
    from sim.engine.world import World


TRIM_TOLERANCE_DAYS = 1e-9


class Patient:
    """One patient moving individually; `visit` invalidates stale queue entries and timers."""

    __slots__ = ("arrived", "blocking", "holder", "practice", "started", "visit")

    def __init__(self, practice: int, now: float) -> None:
        self.practice = practice
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
        self.tally = ProviderTally(world.clock, world.practices)
        self.routes: list[Route] = []
        self.route_draws: Draws
        self.overflow_to: Service | None = None
        self.overflow_after = 0.0
        self.overflow_share = 0.0
        self.overflow_draws: Draws | None = None

    # --- arriving -------------------------------------------------------------------------

    def arrive(self, patient: Patient, now: float) -> None:
        raise NotImplementedError

    def arrive_external(self, practice: int, demand_node: int, now: float) -> None:
        """A patient from outside the system, at its drawn arrival time."""
        clock = self.clock
        if clock.month != clock.spare:
            self.world.flows[demand_node * self.world.nodes + self.node] += 1
        self.arrive(Patient(practice, now), now)

    def arrive_batch(self, times: np.ndarray, practices: np.ndarray, now: float) -> None:
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
        occupying = tally.occupying[patient.practice]  # Level.change(+1), inlined: hot path
        occupying.areas[month] += occupying.count * (now - occupying.since)
        occupying.count += 1
        occupying.since = now
        if self.length_of_stay is None:
            self.finish(patient, now)
        else:
            self.later(self.length_of_stay.next(), self._stay_over, patient)

    def _stay_over(self, event: Any) -> None:
        self.finish(event._value, self.env.now)

    def finish(self, patient: Patient, now: float) -> None:
        """Service is over: choose the way on."""
        self.take_route(patient, self.routes[int(self.route_draws.next())], now)

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
        tally.practice_activity[month][patient.practice] += 1
        stay = now - patient.started
        tally.stay_days[month] += stay
        # Clock arithmetic leaves stays a few 1e-14 days off; a stay at the trim point has none.
        if self.trim_days is not None and stay > self.trim_days + TRIM_TOLERANCE_DAYS:
            tally.excess_days[month][patient.practice] += stay - self.trim_days
        occupying = tally.occupying[patient.practice]  # Level.change(-1), inlined: hot path
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

    def depart_batch(self, times: np.ndarray, practices: np.ndarray, now: float) -> None:
        """Patients whose service ended at `times` leave in one vector step.

        Exits and plain moves into batched providers stay vectorised; anyone who needs a
        place held (a pathway delay, an in_place provider) or goes to a provider that takes
        patients one at a time continues as an individual `Patient`.
        """
        if times.size == 0:
            return
        months = self.world.calendar.month_index(times)
        chosen = self.route_draws.take(times.size).astype(np.int64)
        world = self.world
        for index, route in enumerate(self.routes):
            picked = chosen == index
            if not picked.any():
                continue
            route_times, route_practices = times[picked], practices[picked]
            target = route.service
            vectorised = route.delay is None and (
                target is None or (target.batched and not target.in_place)
            )
            if not vectorised:
                for time, practice in zip(
                    route_times.tolist(), route_practices.tolist(), strict=True
                ):
                    world.later(time - now, self._individual_end, (practice, route))
                continue
            route_months = months[picked]
            self._count_completions(route_months, route_practices)
            world.count_flows(self.node, route.node, route_months)
            if target is not None:
                target.arrive_batch(route_times, route_practices, now)

    def _individual_end(self, event: Any) -> None:
        practice, route = event._value
        now = self.env.now
        patient = Patient(practice, now)
        self.tally.occupying[practice].change(1, now)
        self.take_route(patient, route, now)

    def _count_completions(self, months: np.ndarray, practices: np.ndarray) -> None:
        tally = self.tally
        for month, count in enumerate(np.bincount(months, minlength=self.clock.spare + 1).tolist()):
            if count:
                tally.completions[month] += count
                row = tally.practice_activity[month]
                for practice, n in enumerate(
                    np.bincount(practices[months == month], minlength=len(row)).tolist()
                ):
                    row[practice] += n

    def _count_arrivals(self, months: np.ndarray) -> None:
        tally = self.tally
        for month, count in enumerate(np.bincount(months, minlength=self.clock.spare + 1).tolist()):
            tally.arrivals[month] += count


class ServerPool(Service):
    """`servers` places served in parallel, first come first served."""

    def __init__(self, world: World, node: int, servers: int, **kwargs: Any) -> None:
        super().__init__(world, node, **kwargs)
        self.free = servers
        self.queue: deque[tuple[Patient, int]] = deque()
        self.queued = 0

    def arrive(self, patient: Patient, now: float) -> None:
        self.tally.arrivals[self.clock.month] += 1
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


class OpenAccess(Service):
    """No capacity: service starts on arrival."""

    def __init__(self, world: World, node: int, **kwargs: Any) -> None:
        super().__init__(world, node, **kwargs)
        self.batched = self.length_of_stay is None

    def arrive(self, patient: Patient, now: float) -> None:
        self.tally.arrivals[self.clock.month] += 1
        patient.visit += 1
        patient.arrived = now
        self.begin(patient, now)

    def arrive_batch(self, times: np.ndarray, practices: np.ndarray, now: float) -> None:
        months = self.world.calendar.month_index(times)
        self._count_arrivals(months)
        tally = self.tally
        for month, count in enumerate(np.bincount(months, minlength=self.clock.spare + 1).tolist()):
            tally.starts[month] += count
        self.depart_batch(times, practices, now)


class AppointmentBook(Service):
    """`slots_per_day` appointments a day, given in arrival order at the start of each day.

    The list is three arrays (arrival time, practice, person); `person` is -1 for patients
    who came in a batch and otherwise a key into `people`, for individuals who must keep
    their identity (they hold a place elsewhere while they wait).
    """

    batched = True

    def __init__(self, world: World, node: int, slots_per_day: int, **kwargs: Any) -> None:
        super().__init__(world, node, **kwargs)
        self.slots_per_day = slots_per_day
        self.times = np.empty(0)
        self.practices = np.empty(0, dtype=np.int64)
        self.persons = np.empty(0, dtype=np.int64)
        self.will_overflow = np.empty(0, dtype=bool)
        self.pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.people: dict[int, Patient] = {}
        self.next_person = 0

    def arrive(self, patient: Patient, now: float) -> None:
        self.tally.arrivals[self.clock.month] += 1
        patient.visit += 1
        patient.arrived = now
        self.start_blocking(patient, now)
        person = self.next_person
        self.next_person += 1
        self.people[person] = patient
        self.pending.append((np.array([now]), np.array([patient.practice]), np.array([person])))

    def arrive_batch(self, times: np.ndarray, practices: np.ndarray, now: float) -> None:
        self._count_arrivals(self.world.calendar.month_index(times))
        self.pending.append((times, practices, np.full(times.size, -1, dtype=np.int64)))

    def waiting(self, now: float) -> int:
        due = sum(int((times < now).sum()) for times, _, _ in self.pending)
        return self.times.size + due

    def clinic(self, now: float) -> None:
        """Today's clinic: add yesterday's arrivals to the list, see the first patients."""
        self._file_arrivals(now)
        tally = self.tally
        month = self.clock.month
        seen = min(self.slots_per_day, self.times.size)
        tally.slots_offered[month] += self.slots_per_day
        tally.slots_used[month] += seen
        times, practices, persons = self.times[:seen], self.practices[:seen], self.persons[:seen]
        self.times, self.practices, self.persons = (
            self.times[seen:],
            self.practices[seen:],
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
        self._see(times, practices, persons, now)

    def _file_arrivals(self, now: float) -> None:
        if not self.pending:
            return
        times = np.concatenate([batch[0] for batch in self.pending])
        practices = np.concatenate([batch[1] for batch in self.pending])
        persons = np.concatenate([batch[2] for batch in self.pending])
        due = times < now
        self.pending = [] if due.all() else [(times[~due], practices[~due], persons[~due])]
        order = np.argsort(times[due], kind="stable")
        times, practices, persons = times[due][order], practices[due][order], persons[due][order]
        if self.overflow_draws is not None:
            flags = self.overflow_draws.take(times.size) < self.overflow_share
        else:
            flags = np.zeros(times.size, dtype=bool)
        self.times = np.concatenate([self.times, times])
        self.practices = np.concatenate([self.practices, practices])
        self.persons = np.concatenate([self.persons, persons])
        self.will_overflow = np.concatenate([self.will_overflow, flags])

    def _send_on_long_waiters(self, now: float) -> None:
        leaving = self.will_overflow & (now - self.times > self.overflow_after)
        if not leaving.any():
            return
        target = self.overflow_to
        assert target is not None
        times, practices, persons = (
            self.times[leaving],
            self.practices[leaving],
            self.persons[leaving],
        )
        keep = ~leaving
        self.times, self.practices, self.persons = (
            self.times[keep],
            self.practices[keep],
            self.persons[keep],
        )
        self.will_overflow = self.will_overflow[keep]
        add_spans(self.tally.queue_days, self.world.boundaries, times, now)
        anonymous = persons < 0
        if target.batched and not target.in_place:
            count = int(anonymous.sum())
            self.tally.overflows[self.clock.month] += count
            self.world.count_flows(self.node, target.node, np.full(count, self.clock.month))
            target.arrive_batch(np.full(count, now), practices[anonymous], now)
        else:
            for practice in practices[anonymous].tolist():
                self.overflow(Patient(practice, now), now)
        for person in persons[~anonymous].tolist():
            self.overflow(self.people.pop(person), now)

    def _see(
        self, times: np.ndarray, practices: np.ndarray, persons: np.ndarray, now: float
    ) -> None:
        anonymous = persons < 0
        if self.length_of_stay is None:
            self.depart_batch(np.full(int(anonymous.sum()), now), practices[anonymous], now)
        else:
            for practice in practices[anonymous].tolist():
                patient = Patient(practice, now)
                patient.started = now
                self.tally.occupying[practice].change(1, now)
                self.later(self.length_of_stay.next(), self._stay_over, patient)
        for person in persons[~anonymous].tolist():
            patient = self.people.pop(person)
            if patient.holder is not None:
                self.let_go_of_holder(patient, now)
            patient.started = now
            self.tally.occupying[patient.practice].change(1, now)
            if self.length_of_stay is None:
                self.finish(patient, now)
            else:
                self.later(self.length_of_stay.next(), self._stay_over, patient)

    def close_list(self, horizon: float) -> None:
        """At the end of the run, count the waiting still in progress."""
        self._file_arrivals(horizon)
        add_spans(self.tally.queue_days, self.world.boundaries, self.times, horizon)
