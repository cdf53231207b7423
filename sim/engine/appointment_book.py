"""An appointment book: `slots_per_day` starts a day, in arrival order.

It runs as one clinic at the start of each day for everyone who arrived before it. The
list is held as numpy arrays and the clinic is a handful of vector operations, so a book
costs one event a day, not one per patient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.services import Patient, Service
from sim.engine.tally import add_spans

if TYPE_CHECKING:
    from sim.engine.world import World


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
