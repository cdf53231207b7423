"""Exact queueing-theory results the engine is checked against.

Everything here is closed-form (or a linear solve) for Markovian systems, so the test-suite
and the benchmark can say what a simulation *should* report:

- `erlang_b`, `erlang_c`: blocking and waiting probabilities of c parallel servers;
- `mmc`: the steady state of an M/M/c queue (Poisson arrivals, exponential service, c
  servers, unlimited FIFO waiting room); `mminf` for unlimited capacity (M/M/inf);
- `jackson`: an open Jackson network, i.e. M/M/c nodes joined by probabilistic routing,
  solved with the traffic equations  lambda = lambda0 + P^T lambda  and then node by node
  (Jackson's theorem: in steady state each node behaves as an independent M/M/c queue
  fed at its total arrival rate);
- `jackson_for_scenario`: the same for a format-1 `Scenario` that *is* a Jackson network
  (servers or unlimited providers, exponential lengths of stay, no appointment books,
  seasonality, waiting options or pathway delays).

Units are whatever the caller uses consistently; Knock-on uses days, so rates are per day
and waits are in days.

Notation: lambda = arrival rate, mu = service rate of one server (1 / mean length of stay),
c = servers, a = lambda / mu the offered load in Erlangs, rho = a / c the utilisation.
References: Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory* (4th ed.),
sections 2.3 (M/M/c) and 4.1 (Jackson networks); Kleinrock, *Queueing Systems* vol. 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.scenario.model import DAYS_PER_YEAR

if TYPE_CHECKING:
    from sim.scenario.model import Scenario

__all__ = [
    "DAYS_PER_YEAR",
    "MMcResult",
    "demand_rates_per_day",
    "erlang_b",
    "erlang_c",
    "external_rates_per_day",
    "jackson",
    "jackson_for_scenario",
    "mmc",
    "mminf",
    "traffic_rates",
]


def _check_rates(arrival_rate: float, service_rate: float) -> None:
    if not (math.isfinite(arrival_rate) and arrival_rate >= 0.0):
        raise ValueError(f"arrival_rate must be finite and >= 0, got {arrival_rate!r}")
    if not (math.isfinite(service_rate) and service_rate > 0.0):
        raise ValueError(f"service_rate must be finite and > 0, got {service_rate!r}")


def _check_servers(servers: int) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int | np.integer) or servers < 1:
        raise ValueError(f"servers must be a positive integer, got {servers!r}")


def erlang_b(offered_load: float, servers: int) -> float:
    """Erlang B: probability that all `servers` are busy in an M/M/c/c loss system.

    Uses the recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)), which stays in [0, 1]
    and never forms a^c or c!, so it is stable for thousands of servers.
    """
    if not (math.isfinite(offered_load) and offered_load >= 0.0):
        raise ValueError(f"offered_load must be finite and >= 0, got {offered_load!r}")
    _check_servers(servers)
    b = 1.0
    for k in range(1, int(servers) + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


def erlang_c(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Erlang C: probability that an arrival has to wait in a stable M/M/c queue.

    C = c B / (c - a (1 - B)) with B = Erlang B(a, c), a = lambda / mu. Raises ValueError
    when the queue is unstable (a >= c), where every arrival eventually waits.
    """
    _check_rates(arrival_rate, service_rate)
    _check_servers(servers)
    a = arrival_rate / service_rate
    c = int(servers)
    if a >= c:
        raise ValueError(
            f"unstable: offered load {a:g} Erlangs >= {c} servers (utilisation {a / c:.3f})"
        )
    if a == 0.0:
        return 0.0
    b = erlang_b(a, c)
    return c * b / (c - a * (1.0 - b))


@dataclass(frozen=True, slots=True)
class MMcResult:
    """Steady state of one M/M/c (or M/M/inf) node. Times in the caller's unit (days)."""

    arrival_rate: float
    """lambda: arrivals per unit time (for a network node, the total from the traffic equations)."""
    service_rate: float
    """mu: completions per unit time of one busy server, 1 / mean length of stay."""
    servers: int | None
    """c; None for unlimited capacity (M/M/inf)."""
    utilisation: float
    """rho = lambda / (c mu): long-run fraction of servers busy (0.0 when unlimited)."""
    prob_wait: float
    """P(Wq > 0), Erlang C."""
    mean_wait: float
    """Wq: mean time from arrival to start of service."""
    mean_queue: float
    """Lq: time-average number waiting (not in service)."""
    mean_in_system: float
    """L: time-average number waiting or in service."""
    mean_time_in_system: float
    """W = Wq + 1 / mu."""

    @property
    def offered_load(self) -> float:
        """a = lambda / mu, in Erlangs: the mean number of busy servers."""
        return self.arrival_rate / self.service_rate

    @property
    def mean_busy(self) -> float:
        """Time-average number of busy servers (= offered load when stable)."""
        return self.offered_load

    def wait_exceedance(self, t: float) -> float:
        """P(Wq > t) = C exp(-(c mu - lambda) t) for FIFO M/M/c (0 when unlimited)."""
        if t < 0:
            return 1.0
        if self.servers is None:
            return 0.0
        return self.prob_wait * math.exp(
            -(self.servers * self.service_rate - self.arrival_rate) * t
        )

    def wait_quantile(self, q: float) -> float:
        """The q-quantile of the waiting time Wq (FIFO), e.g. q=0.95 for the 95th percentile.

        Wq is 0 with probability 1 - C and otherwise exponential with rate c mu - lambda, so
        the quantile is 0 when 1 - q >= C and ln(C / (1 - q)) / (c mu - lambda) otherwise.
        """
        if not 0.0 <= q < 1.0:
            raise ValueError(f"q must be in [0, 1), got {q!r}")
        if self.servers is None or 1.0 - q >= self.prob_wait:
            return 0.0
        drain = self.servers * self.service_rate - self.arrival_rate
        return math.log(self.prob_wait / (1.0 - q)) / drain


def mmc(arrival_rate: float, service_rate: float, servers: int) -> MMcResult:
    """Steady state of the M/M/c queue (FIFO, unlimited waiting room).

    With a = lambda/mu, rho = a/c and C = Erlang C:
    Wq = C / (c mu - lambda), Lq = lambda Wq, W = Wq + 1/mu, L = lambda W = Lq + a.
    Raises ValueError when rho >= 1 (no steady state).
    """
    prob_wait = erlang_c(arrival_rate, service_rate, servers)  # validates, raises if unstable
    c = int(servers)
    mean_wait = prob_wait / (c * service_rate - arrival_rate)
    mean_time_in_system = mean_wait + 1.0 / service_rate
    return MMcResult(
        arrival_rate=float(arrival_rate),
        service_rate=float(service_rate),
        servers=c,
        utilisation=arrival_rate / (c * service_rate),
        prob_wait=prob_wait,
        mean_wait=mean_wait,
        mean_queue=arrival_rate * mean_wait,
        mean_in_system=arrival_rate * mean_time_in_system,
        mean_time_in_system=mean_time_in_system,
    )


def mminf(arrival_rate: float, service_rate: float) -> MMcResult:
    """M/M/inf (unlimited capacity): nobody waits, L = lambda / mu (Poisson distributed).

    The mean results hold for any length-of-stay distribution with that mean (M/G/inf).
    """
    _check_rates(arrival_rate, service_rate)
    a = arrival_rate / service_rate
    return MMcResult(
        arrival_rate=float(arrival_rate),
        service_rate=float(service_rate),
        servers=None,
        utilisation=0.0,
        prob_wait=0.0,
        mean_wait=0.0,
        mean_queue=0.0,
        mean_in_system=a,
        mean_time_in_system=1.0 / service_rate,
    )


def traffic_rates(
    external_rates: Mapping[str, float],
    routing: Mapping[tuple[str, str], float],
    nodes: list[str] | tuple[str, ...],
) -> dict[str, float]:
    """Solve the traffic equations lambda = lambda0 + P^T lambda for the total arrival rates.

    `routing[(i, j)]` is the probability that a patient finishing at node i goes next to
    node j; pairs whose destination is not one of `nodes` are ways out of the network and
    are ignored (the remainder of each row leaves). A node may route to itself (feedback).
    Raises ValueError for negative rates or probabilities, rows summing above 1, sources
    outside `nodes`, or a network patients can never leave (I - P^T singular).
    """
    index = {node: k for k, node in enumerate(nodes)}
    n = len(nodes)
    lambda0 = np.zeros(n)
    for node, rate in external_rates.items():
        if node not in index:
            raise ValueError(f"external arrivals to unknown node {node!r}")
        if not (math.isfinite(rate) and rate >= 0.0):
            raise ValueError(f"external rate to {node!r} must be finite and >= 0, got {rate!r}")
        lambda0[index[node]] += rate
    p = np.zeros((n, n))
    out_of_row = np.zeros(n)
    for (source, target), prob in routing.items():
        if source not in index:
            raise ValueError(f"routing from unknown node {source!r}")
        if not (math.isfinite(prob) and 0.0 <= prob <= 1.0):
            raise ValueError(f"routing probability {source!r}->{target!r} must be in [0, 1]")
        out_of_row[index[source]] += prob
        if target in index:
            p[index[source], index[target]] += prob
    for node, row_sum in zip(nodes, out_of_row, strict=True):
        if row_sum > 1.0 + 1e-9:
            raise ValueError(f"routing probabilities from {node!r} sum to {row_sum:g} > 1")
    if n == 0:
        return {}
    # Every node must drain to an exit: spectral radius of P < 1, else I - P^T is singular
    # (or the solution is meaningless). Check the radius rather than trust the solver.
    if float(np.max(np.abs(np.linalg.eigvals(p)))) >= 1.0 - 1e-12:
        raise ValueError("routing is closed: some patients can never leave the network")
    total = np.linalg.solve(np.eye(n) - p.T, lambda0)
    return {node: float(total[index[node]]) for node in nodes}


def jackson(
    external_rates: Mapping[str, float],
    routing: Mapping[tuple[str, str], float],
    service_rates: Mapping[str, float],
    servers: Mapping[str, int | None],
) -> dict[str, MMcResult]:
    """Steady state of an open Jackson network, node by node.

    `service_rates` names the nodes (mu per server); `servers[node]` is c, or None for an
    unlimited node (M/M/inf). `external_rates` (lambda0) may omit nodes with no outside
    arrivals. Routing as in `traffic_rates`. Raises ValueError, naming the node, when any
    node is unstable.
    """
    nodes = tuple(service_rates)
    missing = [node for node in nodes if node not in servers]
    if missing:
        raise ValueError(f"no servers given for {missing}")
    rates = traffic_rates(external_rates, routing, nodes)
    results: dict[str, MMcResult] = {}
    for node in nodes:
        c = servers[node]
        try:
            results[node] = (
                mminf(rates[node], service_rates[node])
                if c is None
                else mmc(rates[node], service_rates[node], c)
            )
        except ValueError as error:
            raise ValueError(f"node {node!r}: {error}") from error
    return results


# --- format-1 scenarios ---------------------------------------------------------------------


def demand_rates_per_day(scenario: Scenario) -> dict[str, float]:
    """Mean arrivals per day of each demand stream (ignoring seasonality).

    `per_day` is absolute; `per_1000_per_year` scales with each practice's list size and,
    when the stream uses it, the practice's referral multiplier, spread over DAYS_PER_YEAR.
    """
    rates: dict[str, float] = {}
    for stream in scenario.demand:
        if stream.per_day is not None:
            rates[stream.id] = float(stream.per_day)
        else:
            assert stream.per_1000_per_year is not None
            people = sum(
                practice.list_size
                * (practice.referral_multiplier if stream.uses_referral_multiplier else 1.0)
                for practice in scenario.registered_practices
            )
            rates[stream.id] = stream.per_1000_per_year * people / 1000.0 / DAYS_PER_YEAR
    return rates


def external_rates_per_day(scenario: Scenario) -> dict[str, float]:
    """Mean outside arrivals per day into each provider (demand streams summed by `enters`)."""
    rates: dict[str, float] = {}
    streams = {stream.id: stream for stream in scenario.demand}
    for stream_id, rate in demand_rates_per_day(scenario).items():
        enters = streams[stream_id].enters
        rates[enters] = rates.get(enters, 0.0) + rate
    return rates


def jackson_for_scenario(
    scenario: Scenario, *, exponential_only: bool = True
) -> dict[str, MMcResult]:
    """Theoretical steady state of a format-1 scenario that is a Jackson network.

    Requires every provider to have `capacity: {servers: N}` or no capacity (unlimited) and
    a length of stay, and no seasonality, waiting options or pathway delays. With
    `exponential_only` (the default) every length of stay must be exponential, so the answer
    is exact; with False, other distributions are accepted and the M/M/c figures become an
    approximation for the servers nodes (means stay exact for unlimited ones).
    Raises ValueError naming the first feature that is not Jackson.
    """
    for stream in scenario.demand:
        if stream.seasonality is not None:
            raise ValueError(f"demand {stream.id!r} has seasonality: not a Jackson network")
        for feature in ("shocks", "elasticity", "growth_per_year"):
            if getattr(stream, feature):
                raise ValueError(f"demand {stream.id!r} has {feature}: not a Jackson network")
    if any(pathway.cohort is not None for pathway in scenario.pathways):
        raise ValueError("cohorts have their own pathways: not one Jackson network")
    for cohort in scenario.cohorts:
        if cohort.growth_per_year:
            raise ValueError(f"cohort {cohort.id!r} grows: not a Jackson network")
    for provider in scenario.providers:
        if provider.opens is not None:
            raise ValueError(f"provider {provider.id!r} opens part-way: not a Jackson network")
        if provider.capacity is not None and provider.capacity.changes:
            raise ValueError(f"provider {provider.id!r} changes capacity: not a Jackson network")
    service_rates: dict[str, float] = {}
    servers: dict[str, int | None] = {}
    for provider in scenario.providers:
        if provider.is_appointment_book:
            raise ValueError(f"provider {provider.id!r} has an appointment book (slots_per_day)")
        if provider.waiting is not None:
            raise ValueError(f"provider {provider.id!r} has waiting options")
        los = provider.length_of_stay
        if los is None:
            raise ValueError(f"provider {provider.id!r} has no length_of_stay")
        if exponential_only and los.distribution != "exponential":
            raise ValueError(
                f"provider {provider.id!r} has a {los.distribution} length of stay, not exponential"
            )
        if los.mean <= 0.0:
            raise ValueError(f"provider {provider.id!r} has a zero mean length of stay")
        service_rates[provider.id] = 1.0 / los.mean
        servers[provider.id] = None if provider.capacity is None else provider.capacity.servers
    routing: dict[tuple[str, str], float] = {}
    for pathway in scenario.pathways:
        if pathway.delay is not None:
            raise ValueError(f"pathway {pathway.from_!r}->{pathway.to!r} has a delay")
        key = (pathway.from_, pathway.to)
        routing[key] = routing.get(key, 0.0) + pathway.share
    return jackson(external_rates_per_day(scenario), routing, service_rates, servers)
