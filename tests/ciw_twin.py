"""Ciw twins of small Knock-on networks with blocking, for cross-checking the engine.

A network here is a handful of units (beds with exponential stays), external Poisson
arrivals, routing shares and transfer delays, written once and built twice: as a
Knock-on scenario and as a Ciw simulation. Ciw is an independent queueing simulator whose
type-I blocking is Knock-on's `in_place` waiting: a unit with no queue (Ciw queue capacity
0) makes a patient who finished upstream keep their bed until a place frees.

Ciw has no transfer delay. Knock-on's `delay` keeps the patient in their place after their
stay, then they move on (and may then be blocked), so in the twin the way on is chosen
when the stay starts and the delay is added to the stay: the same bed time, with the same
route, drawn independently of the stay in both.

Both are read the same way, Knock-on's way (`scenarios/README.md`, "Engine semantics"):
a referral to an `in_place` unit arrives there when it is made, so its wait there is the
time it spent blocked in the bed it held; Ciw records that time as `time_blocked` at the
unit held, and the arrival when the patient is let in.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import ciw
import numpy as np

from sim.engine import simulate
from sim.scenario.model import Scenario
from tests.conftest import scenario_from

METRICS = ("arrivals_per_day", "mean_occupied", "blocked_days_per_day", "mean_wait_days")


@dataclass(frozen=True)
class Route:
    to: str
    share: float
    delay_mean_days: float | None = None


@dataclass(frozen=True)
class Unit:
    id: str
    servers: int | None
    """Places in parallel; None for no capacity limit (nobody waits to start)."""
    mean_days: float
    sd_days: float | None = None
    """Gamma stays with this standard deviation; exponential without it."""
    in_place: bool = False
    arrivals_per_day: float = 0.0
    routes: tuple[Route, ...] = ()


@dataclass(frozen=True)
class Network:
    units: tuple[Unit, ...]
    days: int
    warm_up_days: int
    exits: tuple[str, ...] = field(default=())

    def index(self, unit_id: str) -> int:
        return [u.id for u in self.units].index(unit_id)

    def scenario(self, replications: int, seed: int) -> Scenario:
        """The network as a Knock-on scenario file would say it."""
        lines = ["demand:"]
        lines += [
            f"  - {{id: into_{u.id}, enters: {u.id}, per_day: {u.arrivals_per_day}}}"
            for u in self.units
            if u.arrivals_per_day > 0
        ]
        lines.append("providers:")
        for u in self.units:
            waiting = ", waiting: {in_place: true}" if u.in_place else ""
            stay = (
                f"{{distribution: exponential, mean_days: {u.mean_days}}}"
                if u.sd_days is None
                else f"{{distribution: gamma, mean_days: {u.mean_days}, sd_days: {u.sd_days}}}"
            )
            capacity = "" if u.servers is None else f"capacity: {{servers: {u.servers}}}, "
            lines.append(f"  - {{id: {u.id}, {capacity}length_of_stay: {stay}{waiting}}}")
        if self.exits:
            lines.append(f"exits: [{', '.join(self.exits)}]")
        lines.append("pathways:")
        for u in self.units:
            for r in u.routes:
                delay = (
                    f", delay: {{distribution: exponential, mean_days: {r.delay_mean_days}}}"
                    if r.delay_mean_days is not None
                    else ""
                )
                lines.append(f"  - {{from: {u.id}, to: {r.to}, share: {r.share}{delay}}}")
        return scenario_from(
            "\n".join(lines),
            days=self.days,
            warm_up_days=self.warm_up_days,
            replications=replications,
            seed=seed,
        )


def knockon_metrics(network: Network, replications: int, seed: int) -> np.ndarray:
    """replication x unit x metric, from Knock-on's run records."""
    scenario = network.scenario(replications, seed)
    rows = []
    for replication in range(replications):
        record = simulate(scenario, replication, seed)
        units = len(network.units)
        starts = record.starts[:units].sum(axis=1)
        rows.append(
            np.column_stack(
                [
                    record.arrivals[:units].sum(axis=1) / network.days,
                    record.occupancy_days[:units].sum(axis=1) / network.days,
                    record.blocked_days[:units].sum(axis=1) / network.days,
                    record.wait_days[:units].sum(axis=1) / np.maximum(starts, 1),
                ]
            )
        )
    return np.stack(rows)


class _StayThenRoute(ciw.dists.Distribution):
    """A unit's stay, with the way on chosen as it starts and any transfer delay added."""

    def __init__(self, unit: Unit, node_of: dict[str, int]) -> None:
        self.mean_days, self.sd_days = unit.mean_days, unit.sd_days
        self.ways = [(node_of.get(r.to, -1), r.share, r.delay_mean_days) for r in unit.routes]

    def sample(self, t: float | None = None, ind: ciw.Individual | None = None) -> float:
        assert ind is not None
        if self.sd_days is None:
            stay = random.expovariate(1.0 / self.mean_days)
        else:
            shape = (self.mean_days / self.sd_days) ** 2
            stay = random.gammavariate(shape, self.mean_days / shape)
        draw, ind.planned_next = random.random(), -1  # the remainder leaves the system
        for node, share, delay in self.ways:
            if draw < share:
                ind.planned_next = node
                if delay is not None:
                    stay += random.expovariate(1.0 / delay)
                break
            draw -= share
        return stay


class _Planned(ciw.routing.NodeRouting):
    def next_node(self, ind: ciw.Individual) -> ciw.Node:
        return self.simulation.nodes[ind.planned_next]


def ciw_metrics(network: Network, seed: int) -> np.ndarray:
    """unit x metric for one Ciw replication, read as Knock-on reads its own."""
    node_of = {u.id: i + 1 for i, u in enumerate(network.units)}
    ciw_network = ciw.create_network(
        arrival_distributions=[
            ciw.dists.Exponential(u.arrivals_per_day) if u.arrivals_per_day > 0 else None
            for u in network.units
        ],
        service_distributions=[_StayThenRoute(u, node_of) for u in network.units],
        routing=ciw.routing.NetworkRouting(routers=[_Planned() for _ in network.units]),
        number_of_servers=[math.inf if u.servers is None else u.servers for u in network.units],
        queue_capacities=[0 if u.in_place else math.inf for u in network.units],
    )
    ciw.seed(seed)  # Ciw keeps global random state; this checks our engine, not Ciw
    simulation = ciw.Simulation(ciw_network)
    start, end = network.warm_up_days, network.warm_up_days + network.days
    simulation.simulate_until_max_time(end)
    records = simulation.get_all_records(only=["service"], include_incomplete=True)
    by_patient: dict[int, list] = {}
    for record in records:
        by_patient.setdefault(record.id_number, []).append(record)

    def overlap(begin: float, finish: float) -> float:
        return max(0.0, min(finish, end) - max(begin, start))

    metrics = np.zeros((len(network.units), len(METRICS)))
    waits: list[list[float]] = [[] for _ in network.units]
    for visits in by_patient.values():
        visits.sort(key=lambda r: r.arrival_date)
        referred = None
        for record in visits:
            unit = record.node - 1
            arrived = record.arrival_date if referred is None else referred
            if start <= arrived < end:
                metrics[unit, 0] += 1
            if record.service_start_date is not None:
                left = end if record.exit_date is None else record.exit_date
                metrics[unit, 1] += overlap(record.service_start_date, left)
                if record.service_end_date is not None:
                    metrics[unit, 2] += overlap(record.service_end_date, left)
                if start <= record.service_start_date < end:
                    waits[unit].append(record.service_start_date - arrived)
            # The next unit's referral was made when this stay (and delay) ended.
            referred = record.service_end_date
    metrics[:, :3] /= network.days
    metrics[:, 3] = [np.mean(w) if w else 0.0 for w in waits]
    return metrics


def disagreements(network: Network, replications: int, seed: int, z: float = 3.5) -> list[str]:
    """Every unit and metric where Knock-on and Ciw's means differ by more than `z`
    standard errors of the difference (each side's error from its replications)."""
    ours = knockon_metrics(network, replications, seed)
    theirs = np.stack([ciw_metrics(network, seed * 1000 + r) for r in range(replications)])
    error = np.sqrt(
        ours.var(axis=0, ddof=1) / replications + theirs.var(axis=0, ddof=1) / replications
    )
    gap = np.abs(ours.mean(axis=0) - theirs.mean(axis=0))
    # Metrics that are exactly zero in both (no blocking possible) have no error to use.
    tolerance = z * error + 1e-9
    found = []
    for i, unit in enumerate(network.units):
        for j, metric in enumerate(METRICS):
            if gap[i, j] > tolerance[i, j]:
                found.append(
                    f"{unit.id} {metric}: Knock-on {ours[:, i, j].mean():.3f} vs Ciw "
                    f"{theirs[:, i, j].mean():.3f} (se of difference {error[i, j]:.3f})"
                )
    return found
