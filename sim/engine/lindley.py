"""A pool of servers that settles each patient's visit the moment the patient arrives.

In a pool of `servers` identical places served first come, first served, a patient starts
when it arrives or when the earliest place comes free, whichever is later, and holds that
place until it leaves (the Kiefer-Wolfowitz recursion: Lindley's equation for several
servers). So its start, its end and, once its way on is drawn, the moment it leaves are
all known on arrival, as long as nothing outside the pool can change when a place frees:

- nobody waits here holding a place elsewhere (the provider is not `in_place`);
- no way on leads to an `in_place` provider (this pool would hold places for others);
- no overflow (`waiting.then`), no capacity change or opening date;
- no elastic demand reads the waits here while the run goes on.

`World` uses a `LindleyPool` for every provider with servers that meets these conditions,
and a `ServerPool` for the others. A `ServerPool` needs a SimPy event at the end of every
stay to free the place and choose the way on; a `LindleyPool` keeps the times at which its
places come free in a small heap of its own and needs an event only for a patient who
moves on to another provider (its arrival there). Most patients leave the system after
their last provider, so most visits cost no event at all; and pools that patients reach
only from demand and from each other need none at all, run a day at a time in arrival
order (`LindleyNetwork`).

Random draws: lengths of stay are drawn in order of arrival, which is the order of
starting, exactly as a `ServerPool` draws them. The way on and any pathway delay are drawn
at the start of the stay rather than at its end: the same distributions, paired with
different patients from the ones a `ServerPool` pairs them with (which patient finishes
first is not known at the start), so a scenario with such a pool gives different, equally
valid, numbers from an engine without it.

Counts and time-weighted levels (occupancy, queue, delay) are not kept event by event: the
visits' times are kept in flat arrays and added up in numpy, month by month, every
`SETTLE_EVERY` visits and at the end, which bounds the memory a long run needs.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from heapq import heappop, heappush, heapreplace
from itertools import count
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from sim.engine.routing import Route
from sim.engine.services import TRIM_TOLERANCE_DAYS, Patient, Service
from sim.engine.tally import Clock, ProviderTally

if TYPE_CHECKING:
    from sim.engine.world import World

SETTLE_EVERY = 32_768
"""Visits kept as times before they are added into the monthly counts."""

Send = Callable[[float, Any, int, "Patient | None"], None]
"""How a patient moves on to another provider: (time, provider, group, patient or None);
the provider is a LindleyPool for moves within a network."""

Way = tuple[int, "Service | None", "Callable[[], float] | None", "Send | None"]
"""A route as a visit takes it: next node x groups, the next provider (None for an exit),
the draw of its pathway delay (None without one), and how the patient gets there."""


def _no_stay() -> float:
    return 0.0


class LindleyTally(ProviderTally):
    """A `ProviderTally` whose occupancy at the current moment is read from the pool's
    visits (the per-group levels are added up in batches, so their counts stay 0)."""

    def __init__(self, clock: Clock, groups: int, pool: LindleyPool) -> None:
        super().__init__(clock, groups)
        self.pool = pool

    @property
    def occupied(self) -> int:
        return self.pool.occupied(self.pool.env.now)


class LindleyPool(Service):
    """`servers` places served first come, first served, each visit settled on arrival."""

    def __init__(self, world: World, node: int, servers: int, **kwargs: Any) -> None:
        super().__init__(world, node, **kwargs)
        self.servers = servers
        self.free_at = [0.0] * servers
        """When each place next comes free, as a heap (a list kept by heapq)."""
        self.tally.places.count = servers
        self.width = world.groups
        # Each visit as four numbers in flat arrays (no Python object kept per visit):
        # arrival, start, leaving (after any pathway delay), next node x groups + group.
        self.arrived = array("d")
        self.started = array("d")
        self.left = array("d")
        self.codes = array("q")
        self.delays: list[tuple[float, float]] = []
        """End of the stay and leaving, for the visits held by a pathway delay."""
        self.network: LindleyNetwork | None = None
        """The closed network the pool belongs to, if any (see `LindleyNetwork`)."""
        self.ways: list[Way] = []
        self.next_stay: Callable[[], float] = _no_stay
        self.next_route: Callable[[], int] = int
        empty = np.empty(0)
        self.open: tuple[np.ndarray, np.ndarray, np.ndarray] = (empty, empty, empty)
        """Arrival, start and leaving times of settled visits that had not left when they
        were settled: all that the number waiting or occupying at a later moment needs."""

    def _new_tally(self, world: World) -> ProviderTally:
        return LindleyTally(world.clock, world.groups, self)

    def prepare(self) -> None:
        """Once the routes and the network are settled: draws and ways on for `admit`."""
        if self.length_of_stay is not None:
            self.next_stay = self.length_of_stay.next
        # Routing draws are whole numbers (indices into the routes) from the sampler.
        self.next_route = cast(Callable[[], int], self.route_draws.next)
        self.ways = [self._way(route) for route in self.routes]
        if self.tables is None:
            self.admit = self._admit_by_routes()  # type: ignore[method-assign,assignment]

    def _way(self, route: Route) -> Way:
        delay = None if route.delay is None else route.delay.next
        target = route.service
        send: Send | None = None
        if target is not None:
            network = self.network
            send = network.move if network and target in network.members else self._send
        return route.node * self.width, target, delay, send

    def _send(self, time: float, target: Service, group: int, patient: Patient | None) -> None:
        """A move out of the pool's network (or from a pool in none): a SimPy event."""
        self.world.at(time, self._move_on, (patient, group, target))

    # --- arriving -------------------------------------------------------------------------

    def arrive(self, patient: Patient, now: float) -> None:
        self.admit(patient.group, now, patient)

    def enter(self, group: int, now: float) -> None:
        self.admit(group, now, None)

    def admit(self, group: int, now: float, patient: Patient | None) -> None:
        """Settle one visit arriving at `now`: start, end, way on, the moment it leaves."""
        free_at = self.free_at
        start = free_at[0]
        if start < now:
            start = now
        end = start + self.next_stay()
        if self.tables is None:
            code, target, next_delay, send = self.ways[self.next_route()]
        else:
            code, target, next_delay, send = self._way(self.tables[group].choose(end))
        leaves = end
        if next_delay is not None:
            delay = next_delay()
            if delay > 0.0:
                leaves = end + delay
                self.delays.append((end, leaves))
        heapreplace(free_at, leaves)
        self.arrived.append(now)
        self.started.append(start)
        self.left.append(leaves)
        self.codes.append(code + group)
        if send is not None:
            send(leaves, target, group, patient)
        if len(self.codes) >= SETTLE_EVERY:
            self._settle(self.env.now)

    def _admit_by_routes(self) -> Callable[[int, float, Patient | None], None]:
        """`admit` for a pool whose ways on depend neither on the group nor on the date, with
        all it reads bound once: a closure reads its variables faster than attributes, and
        this runs once a visit."""
        free_at, delays, ways, codes = self.free_at, self.delays, self.ways, self.codes
        next_stay, next_route, settle, env = self.next_stay, self.next_route, self._settle, self.env
        replace = heapreplace
        arrived, started, left, coded = (
            self.arrived.append,
            self.started.append,
            self.left.append,
            codes.append,
        )

        def admit(group: int, now: float, patient: Patient | None) -> None:
            start = free_at[0]
            if start < now:
                start = now
            end = start + next_stay()
            code, target, next_delay, send = ways[next_route()]
            leaves = end
            if next_delay is not None:
                delay = next_delay()
                if delay > 0.0:
                    leaves = end + delay
                    delays.append((end, leaves))
            replace(free_at, leaves)
            arrived(now)
            started(start)
            left(leaves)
            coded(code + group)
            if send is not None:
                send(leaves, target, group, patient)
            if len(codes) >= SETTLE_EVERY:
                settle(env.now)

        return admit

    def _move_on(self, event: Any) -> None:
        patient, group, target = event._value
        now = self.env.now
        target.arrive(Patient(group, now) if patient is None else patient, now)

    # --- counting -------------------------------------------------------------------------

    def waiting(self, now: float) -> int:
        self._settle(now)
        arrived, started, _ = self.open
        return int(((arrived < now) & (started >= now)).sum())

    def occupied(self, now: float) -> int:
        self._settle(now)
        _, started, left = self.open
        return int(((started < now) & (left >= now)).sum())

    def close(self, horizon: float) -> None:
        """At the end of the run, add up the visits not yet counted."""
        self._settle(horizon)

    def _settle(self, now: float) -> None:
        """Add the visits kept so far into the tally, month by month; keep the times of
        those that have not left by `now` for the numbers waiting and occupying later."""
        if not self.codes:
            return
        # Copied out and emptied in place: `admit` holds these arrays' append methods.
        arrived, started, left = (
            np.frombuffer(kept, dtype=float).copy()
            for kept in (self.arrived, self.started, self.left)
        )
        codes = np.frombuffer(self.codes, dtype=np.int64).copy()
        for kept in (self.arrived, self.started, self.left, self.codes):
            del kept[:]
        self._count(arrived, started, left, codes % self.width, codes // self.width)
        if self.delays:
            ended, held = np.asarray(self.delays).T
            self.delays.clear()
            horizon = self.world.calendar.horizon
            delay = _span_days(self._edges(), ended, np.minimum(held, horizon), None, 1)
            _add_row(self.tally.delayed.areas, delay[:, 0])
        staying = left >= now
        open_arrived, open_started, open_left = self.open
        still = open_left >= now
        self.open = (
            np.concatenate([open_arrived[still], arrived[staying]]),
            np.concatenate([open_started[still], started[staying]]),
            np.concatenate([open_left[still], left[staying]]),
        )

    def _edges(self) -> np.ndarray:
        """0, then the start of each measured month, then the horizon."""
        return np.concatenate([[0.0], self.world.boundaries])

    def _count(
        self,
        arrived: np.ndarray,
        started: np.ndarray,
        left: np.ndarray,
        groups: np.ndarray,
        next_nodes: np.ndarray,
    ) -> None:
        """What a `ServerPool` counts as its events happen, from the visits' times: events
        at or after the horizon never happen; the warm-up goes to the spare month."""
        world, tally = self.world, self.tally
        calendar = world.calendar
        horizon = calendar.horizon
        spare = self.clock.spare
        slots = spare + 1
        width = self.width

        month = calendar.month_index(arrived)
        _add_grid(tally.arrivals, np.bincount(month * width + groups, minlength=slots * width))

        began = started < horizon
        month = calendar.month_index(started[began])
        waits = started[began] - arrived[began]
        _add_row(tally.starts, np.bincount(month, minlength=slots))
        _add_row(tally.wait_days, np.bincount(month, weights=waits, minlength=slots))
        measured = (month != spare) & (waits > 0.0)
        if measured.any():
            tally.wait_batches.append(waits[measured])

        gone = left < horizon
        month = calendar.month_index(left[gone])
        cell = month * width + groups[gone]
        stays = left[gone] - started[gone]
        _add_row(tally.completions, np.bincount(month, minlength=slots))
        _add_grid(tally.group_activity, np.bincount(cell, minlength=slots * width))
        _add_row(tally.stay_days, np.bincount(month, weights=stays, minlength=slots))
        if self.trim_days is not None:
            excess = stays - self.trim_days
            beyond = stays > self.trim_days + TRIM_TOLERANCE_DAYS
            _add_grid(
                tally.excess_days,
                np.bincount(cell[beyond], weights=excess[beyond], minlength=slots * width),
            )
        counted = month != spare
        flows = np.bincount(next_nodes[gone][counted], minlength=world.nodes).tolist()
        first = self.node * world.nodes
        for destination, patients in enumerate(flows):
            if patients:
                world.flows[first + destination] += patients

        edges = self._edges()
        occupancy = _span_days(edges, started, np.minimum(left, horizon), groups, width)
        for group, level in enumerate(tally.occupying):
            _add_row(level.areas, occupancy[:, group])
        queue = _span_days(edges, arrived, np.minimum(started, horizon), None, 1)
        _add_row(tally.queueing.areas, queue[:, 0])


def _add_row(row: list[Any], values: np.ndarray) -> None:
    """Add per-month values (spare month last) into a tally's list."""
    for month, value in enumerate(values.tolist()):
        if value:
            row[month] += value


def _add_grid(rows: list[list[Any]], cells: np.ndarray) -> None:
    """Add month x group counts, flattened month-major, into a tally's lists of lists."""
    width = len(rows[0])
    for month, row in enumerate(rows):
        _add_row(row, cells[month * width : (month + 1) * width])


def _span_days(
    edges: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    groups: np.ndarray | None,
    width: int,
) -> np.ndarray:
    """Days of the spans [start, end) falling in each period, by group.

    `edges` are 0, the start of each measured month, and the horizon; the result has one
    row per measured month and a last row, the spare month, for the warm-up (nothing runs
    after the horizon). Spans with end <= start add nothing. `groups` None: all in group 0.
    """
    periods = edges.size - 1
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    groups = np.zeros(starts.size, dtype=np.int64) if groups is None else groups[keep]
    first = np.searchsorted(edges, starts, side="right") - 1
    last = np.minimum(np.searchsorted(edges, ends, side="left") - 1, periods - 1)

    def by_period(period: np.ndarray, group: np.ndarray, days: np.ndarray, rows: int) -> np.ndarray:
        cells = np.bincount(period * width + group, weights=days, minlength=rows * width)
        return cells.astype(float, copy=False).reshape(rows, width)  # int when empty

    same = first == last
    days = by_period(first[same], groups[same], ends[same] - starts[same], periods)
    split = ~same
    if split.any():
        first, last, group = first[split], last[split], groups[split]
        days += by_period(first, group, edges[first + 1] - starts[split], periods)
        days += by_period(last, group, ends[split] - edges[last], periods)
        # Whole periods in between: +1 from the period after the first, -1 from the last.
        ones = np.ones(first.size)
        covered = by_period(first + 1, group, ones, periods + 1)
        covered -= by_period(last, group, ones, periods + 1)
        days += np.cumsum(covered, axis=0)[:-1] * np.diff(edges)[:, None]
    # Period 0 is the warm-up: the spare month, kept last as in the tally.
    return np.concatenate([days[1:], days[:1]])


class LindleyNetwork:
    """Lindley pools that no patient reaches except from demand and from each other, run a
    day at a time.

    Nothing outside such a closed network can send a patient in, so at the start of each
    day the day's arrivals from demand, merged in time order with the moves between its
    pools falling before the end of the day, can be settled at once, in the order the
    patients arrive, with no SimPy event at all: what SimPy events would do, arrival by
    arrival, without the round trip through the event queue. A patient leaving the network
    for another provider still gets its SimPy event; a move between pools after the end of
    the day waits in the network's own queue for that day.
    """

    def __init__(self, members: list[LindleyPool]) -> None:
        self.members = frozenset(members)
        self.today: list[tuple[np.ndarray, np.ndarray, LindleyPool]] = []
        self.moves: list[tuple[float, int, LindleyPool, int, Patient | None]] = []
        """Moves between pools, as a heap by time (then order of sending)."""
        self.sent = count()
        for pool in members:
            pool.network = self

    def enter(self, pool: LindleyPool, times: np.ndarray, groups: np.ndarray) -> None:
        """Today's arrivals from one demand stream into one of the pools, in time order."""
        self.today.append((times, groups, pool))

    def move(self, time: float, pool: LindleyPool, group: int, patient: Patient | None) -> None:
        heappush(self.moves, (time, next(self.sent), pool, group, patient))

    def run_day(self, end: float) -> None:
        """Settle every arrival before `end`: today's from demand and the moves due."""
        if self.today:
            times = np.concatenate([batch[0] for batch in self.today])
            groups = np.concatenate([batch[1] for batch in self.today])
            entries = np.concatenate(
                [np.full(batch[0].size, index) for index, batch in enumerate(self.today)]
            )
            pools = [batch[2] for batch in self.today]
            order = np.argsort(times, kind="stable")
            arrivals = times[order].tolist()
            by_pool = [pools[index] for index in entries[order].tolist()]
            by_group = groups[order].tolist()
            self.today = []
        else:
            arrivals, by_pool, by_group = [], [], []
        moves = self.moves
        for arrival, pool, group in zip(arrivals, by_pool, by_group, strict=True):
            while moves and moves[0][0] <= arrival:
                time, _, target, moved, patient = heappop(moves)
                target.admit(moved, time, patient)
            pool.admit(group, arrival, None)
        while moves and moves[0][0] < end:
            time, _, target, moved, patient = heappop(moves)
            target.admit(moved, time, patient)
