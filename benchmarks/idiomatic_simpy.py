"""The idiomatic SimPy twin: the fair baseline for Knock-on's speed benchmark.

A plain SimPy model of a format-1 scenario, written the way a competent SimPy user would
write it from the SimPy documentation:

- one SimPy process per patient, walking from provider to provider;
- one `simpy.Resource` per provider with `capacity: {servers: N}`
  (`with resource.request() as request: yield request; yield env.timeout(los)`);
  a provider without capacity is unlimited, so a visit is just a timeout;
- one generator process per demand stream, producing Poisson arrivals with exponential
  inter-arrival timeouts;
- routing after service by `rng.choice` over the pathway shares (the remainder leaves
  through the unnamed exit);
- numpy Generators from one `SeedSequence(seed)`, one per demand stream and two per
  provider (length of stay, routing); no global random state.

It records the same statistics Knock-on reports, over the measured window
[warm_up_days, warm_up_days + days) in days since the start of the warm-up:

- per provider: arrivals and completions in the window; the mean and 95th percentile wait
  of the patients whose service *started* in the window (unlimited providers: 0);
  time-weighted mean number in system (waiting + in service) and mean queue (waiting);
  utilisation = time-weighted busy servers / servers (NaN for unlimited providers);
  completions per calendar month of the measured window (month 0 starts on run.start_date);
- flows (from, to) -> patients moved in the window, with entries as ("demand", provider)
  (and per stream in `entries`) and leavers as (provider, exit name or "exit").

Only the subset of format 1 that the reference network uses is supported: servers or
unlimited providers; exponential, lognormal, gamma or fixed lengths of stay; pathways
without delays; demand per_day or per_1000_per_year (population or practices, with
referral multipliers) without seasonality. Anything else raises NotImplementedError naming
the feature. Prices, contracts and budgets are accepted and ignored (no money here).

Run it directly for a timing and a comparison with queueing theory:

    python benchmarks/idiomatic_simpy.py [benchmarks/reference_network.yaml] [--seed 2026]

(`--json` prints the timing and statistics as one JSON line instead, for the benchmark.)
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import simpy
import yaml

from sim.scenario.model import UNNAMED_EXIT, Provider, Scenario

DEMAND = "demand"
"""The `from` of flows entering the system from a demand stream."""

DAYS_PER_YEAR = 365.0
"""`per_1000_per_year` demand is spread evenly over this many days."""

REFERENCE_NETWORK = Path(__file__).with_name("reference_network.yaml")


@dataclass(frozen=True)
class ProviderStats:
    """What Knock-on reports for one provider over the measured window (times in days)."""

    provider: str
    servers: int | None
    arrivals: int
    completions: int
    mean_wait_days: float
    p95_wait_days: float
    mean_in_system: float
    mean_queue: float
    utilisation: float
    monthly_completions: tuple[int, ...]


@dataclass(frozen=True)
class IdiomaticResult:
    scenario_name: str
    seed: int
    measured_days: float
    months: tuple[str, ...]
    """Labels of the calendar months of the measured window, e.g. '2026-04'."""
    providers: dict[str, ProviderStats]
    flows: dict[tuple[str, str], int]
    entries: dict[str, int]
    """Patients entering from each demand stream in the window."""
    visits: int
    """Provider visits (arrivals) simulated over the whole run, warm-up included."""

    @property
    def measured_visits(self) -> int:
        return sum(stats.arrivals for stats in self.providers.values())


# --- reading the scenario ---------------------------------------------------------------------


def _unsupported(feature: str) -> NotImplementedError:
    return NotImplementedError(f"the idiomatic SimPy twin does not support {feature}")


def _check_supported(scenario: Scenario) -> None:
    for stream in scenario.demand:
        if stream.seasonality is not None:
            raise _unsupported(f"seasonality (demand stream {stream.id!r})")
    for provider in scenario.providers:
        if provider.is_appointment_book:
            raise _unsupported(f"appointment books, slots_per_day (provider {provider.id!r})")
        if provider.waiting is not None:
            raise _unsupported(f"waiting options (provider {provider.id!r})")
        if provider.length_of_stay is None:
            raise _unsupported(f"a provider without length_of_stay ({provider.id!r})")
        if provider.length_of_stay.distribution not in (
            "exponential",
            "lognormal",
            "gamma",
            "fixed",
        ):
            raise _unsupported(
                f"{provider.length_of_stay.distribution} lengths of stay (provider {provider.id!r})"
            )
    for pathway in scenario.pathways:
        if pathway.delay is not None:
            raise _unsupported(f"pathway delays ({pathway.from_!r} -> {pathway.to!r})")


def _demand_rate_per_day(scenario: Scenario, stream_index: int) -> float:
    stream = scenario.demand[stream_index]
    if stream.per_day is not None:
        return stream.per_day
    assert stream.per_1000_per_year is not None
    people = 0.0
    for practice in scenario.registered_practices:
        multiplier = practice.referral_multiplier if stream.uses_referral_multiplier else 1.0
        people += practice.list_size * multiplier
    return stream.per_1000_per_year * people / 1000.0 / DAYS_PER_YEAR


def _length_of_stay_sampler(provider: Provider, rng: np.random.Generator) -> Callable[[], float]:
    los = provider.length_of_stay
    assert los is not None
    if los.distribution == "exponential":
        return lambda: rng.exponential(los.mean_days)
    if los.distribution == "lognormal":
        sigma2 = math.log(1.0 + (los.sd_days / los.mean_days) ** 2)
        mu, sigma = math.log(los.mean_days) - sigma2 / 2.0, math.sqrt(sigma2)
        return lambda: rng.lognormal(mu, sigma)
    if los.distribution == "gamma":
        shape = (los.mean_days / los.sd_days) ** 2
        scale = los.sd_days**2 / los.mean_days
        return lambda: rng.gamma(shape, scale)
    if los.distribution == "fixed":
        return lambda: los.mean_days
    raise _unsupported(f"{los.distribution} lengths of stay")


def _calendar_months(scenario: Scenario) -> tuple[list[float], tuple[str, ...]]:
    """Start (days into the measured window) and label of each calendar month it touches."""
    start = scenario.run.start_date
    end = start + dt.timedelta(days=scenario.run.days)
    edges: list[float] = []
    labels: list[str] = []
    first = dt.date(start.year, start.month, 1)
    month = first
    while month < end:
        edges.append(float(max((month - start).days, 0)))
        labels.append(f"{month.year:04d}-{month.month:02d}")
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return edges, tuple(labels)


# --- statistics --------------------------------------------------------------------------------


class ProviderMonitor:
    """Counters and time-weighted levels for one provider, restricted to the measured window."""

    def __init__(self, provider: Provider, window: tuple[float, float], month_edges: list[float]):
        self.provider = provider
        self.servers = provider.capacity.servers if provider.capacity else None
        self.start, self.end = window
        self.month_edges = month_edges
        self.waiting = 0
        self.busy = 0
        self.last_change = 0.0
        self.queue_area = 0.0
        self.busy_area = 0.0
        self.arrivals = 0
        self.completions = 0
        self.monthly = [0] * len(month_edges)
        self.waits: list[float] = []
        self.visits = 0

    def in_window(self, now: float) -> bool:
        return self.start <= now < self.end

    def _accumulate(self, now: float) -> None:
        overlap = min(now, self.end) - max(self.last_change, self.start)
        if overlap > 0.0:
            self.queue_area += self.waiting * overlap
            self.busy_area += self.busy * overlap
        self.last_change = now

    def arrive(self, now: float) -> None:
        self._accumulate(now)
        self.waiting += 1
        self.visits += 1
        if self.in_window(now):
            self.arrivals += 1

    def start_service(self, now: float, wait: float) -> None:
        self._accumulate(now)
        self.waiting -= 1
        self.busy += 1
        if self.in_window(now):
            self.waits.append(wait)

    def finish(self, now: float) -> None:
        self._accumulate(now)
        self.busy -= 1
        if self.in_window(now):
            self.completions += 1
            self.monthly[bisect.bisect_right(self.month_edges, now - self.start) - 1] += 1

    def stats(self) -> ProviderStats:
        self._accumulate(self.end)
        length = self.end - self.start
        waits = np.asarray(self.waits)
        return ProviderStats(
            provider=self.provider.id,
            servers=self.servers,
            arrivals=self.arrivals,
            completions=self.completions,
            mean_wait_days=float(waits.mean()) if waits.size else math.nan,
            p95_wait_days=float(np.percentile(waits, 95)) if waits.size else math.nan,
            mean_in_system=(self.queue_area + self.busy_area) / length,
            mean_queue=self.queue_area / length,
            utilisation=self.busy_area / (self.servers * length) if self.servers else math.nan,
            monthly_completions=tuple(self.monthly),
        )


# --- the model ---------------------------------------------------------------------------------


class IdiomaticModel:
    """The SimPy model of one replication."""

    def __init__(self, scenario: Scenario, seed: int):
        _check_supported(scenario)
        self.scenario = scenario
        self.env = simpy.Environment()
        warm_up = float(scenario.run.warm_up_days)
        window = (warm_up, warm_up + scenario.run.days)
        self.window = window
        month_edges, self.months = _calendar_months(scenario)

        streams = iter(
            np.random.SeedSequence(seed).spawn(len(scenario.demand) + 2 * len(scenario.providers))
        )
        self.demand_rngs = [np.random.default_rng(next(streams)) for _ in scenario.demand]

        self.resources: dict[str, simpy.Resource | None] = {}
        self.length_of_stay: dict[str, Callable[[], float]] = {}
        self.route_rngs: dict[str, np.random.Generator] = {}
        self.monitors: dict[str, ProviderMonitor] = {}
        for provider in scenario.providers:
            servers = provider.capacity.servers if provider.capacity else None
            self.resources[provider.id] = simpy.Resource(self.env, servers) if servers else None
            self.length_of_stay[provider.id] = _length_of_stay_sampler(
                provider, np.random.default_rng(next(streams))
            )
            self.route_rngs[provider.id] = np.random.default_rng(next(streams))
            self.monitors[provider.id] = ProviderMonitor(provider, window, month_edges)

        for stream in scenario.demand:
            if stream.enters not in self.resources:
                raise ValueError(f"demand {stream.id!r} enters unknown provider {stream.enters!r}")
        known = set(self.resources) | set(scenario.exits) | {UNNAMED_EXIT}
        self.destinations: dict[str, list[str]] = {
            provider_id: [] for provider_id in self.resources
        }
        self.shares: dict[str, list[float]] = {provider_id: [] for provider_id in self.resources}
        for pathway in scenario.pathways:
            if pathway.from_ not in self.resources or pathway.to not in known:
                raise ValueError(f"pathway {pathway.from_!r} -> {pathway.to!r}: unknown id")
            self.destinations[pathway.from_].append(pathway.to)
            self.shares[pathway.from_].append(pathway.share)
        for provider_id, shares in self.shares.items():
            remainder = 1.0 - sum(shares)
            if remainder < -1e-9:
                raise ValueError(f"pathway shares from {provider_id!r} sum to more than 1")
            if remainder > 1e-12:
                self.destinations[provider_id].append(UNNAMED_EXIT)
                shares.append(remainder)
            total = sum(shares)
            self.shares[provider_id] = [share / total for share in shares]

        self.flows: Counter[tuple[str, str]] = Counter()
        self.entries: Counter[str] = Counter()

    # processes

    def demand(self, stream_index: int) -> Generator[simpy.Event, None, None]:
        stream = self.scenario.demand[stream_index]
        rng = self.demand_rngs[stream_index]
        mean_gap = 1.0 / _demand_rate_per_day(self.scenario, stream_index)
        while True:
            yield self.env.timeout(rng.exponential(mean_gap))
            if self.window[0] <= self.env.now < self.window[1]:
                self.entries[stream.id] += 1
                self.flows[DEMAND, stream.enters] += 1
            self.env.process(self.patient(stream.enters))

    def patient(self, provider_id: str) -> Generator[simpy.Event, None, None]:
        env = self.env
        while True:
            monitor = self.monitors[provider_id]
            resource = self.resources[provider_id]
            arrived = env.now
            monitor.arrive(arrived)
            if resource is None:
                monitor.start_service(env.now, 0.0)
                yield env.timeout(self.length_of_stay[provider_id]())
            else:
                with resource.request() as request:
                    yield request
                    monitor.start_service(env.now, env.now - arrived)
                    yield env.timeout(self.length_of_stay[provider_id]())
            monitor.finish(env.now)

            next_id = self.route(provider_id)
            if self.window[0] <= env.now < self.window[1]:
                self.flows[provider_id, next_id] += 1
            if next_id not in self.resources:
                return  # left the system
            provider_id = next_id

    def route(self, provider_id: str) -> str:
        destinations = self.destinations[provider_id]
        if len(destinations) == 1:
            return destinations[0]
        choice = self.route_rngs[provider_id].choice(len(destinations), p=self.shares[provider_id])
        return destinations[choice]

    def run(self, seed: int) -> IdiomaticResult:
        for stream_index in range(len(self.scenario.demand)):
            self.env.process(self.demand(stream_index))
        self.env.run(until=self.window[1])
        return IdiomaticResult(
            scenario_name=self.scenario.name,
            seed=seed,
            measured_days=self.window[1] - self.window[0],
            months=self.months,
            providers={pid: monitor.stats() for pid, monitor in self.monitors.items()},
            flows=dict(self.flows),
            entries=dict(self.entries),
            visits=sum(monitor.visits for monitor in self.monitors.values()),
        )


def simulate_idiomatic(scenario: Scenario, seed: int) -> IdiomaticResult:
    """Run one replication of `scenario` with the idiomatic SimPy twin."""
    return IdiomaticModel(scenario, seed).run(seed)


def load_scenario(path: str | Path) -> Scenario:
    with open(path, encoding="utf-8") as handle:
        return Scenario.model_validate(yaml.safe_load(handle))


# --- command line ------------------------------------------------------------------------------


def _summary(result: IdiomaticResult, seconds: float) -> dict[str, object]:
    """Timing and the statistics the benchmark checks against theory, per provider."""
    days = result.measured_days
    return {
        "seconds": seconds,
        "visits": result.visits,
        "stats": {
            provider: {
                "arrivals_per_day": numbers.arrivals / days,
                "mean_wait_days": numbers.mean_wait_days,
                "utilisation": numbers.utilisation,
            }
            for provider, numbers in result.providers.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(REFERENCE_NETWORK))
    parser.add_argument("--seed", type=int, default=None, help="default: the scenario's run.seed")
    parser.add_argument(
        "--json", action="store_true", help="print one JSON line (for benchmarks/benchmark.py)"
    )
    args = parser.parse_args(argv)
    scenario = load_scenario(args.scenario)
    seed = scenario.run.seed if args.seed is None else args.seed

    started = time.perf_counter()
    result = simulate_idiomatic(scenario, seed)
    wall = time.perf_counter() - started
    if args.json:
        print(json.dumps(_summary(result, wall)))
        return 0
    print(
        f"{scenario.name}: seed {seed}, {result.visits:,} visits simulated in {wall:.2f} s "
        f"= {result.visits / wall:,.0f} visits/s "
        f"({result.measured_visits:,} in the measured window)"
    )

    try:
        from sim.network.queueing import jackson_for_scenario

        theory = jackson_for_scenario(scenario)
    except (ImportError, ValueError) as error:
        print(f"(no queueing-theory comparison: {error})")
        theory = {}
    days = result.measured_days
    nan = math.nan
    print(
        f"{'provider':<12} {'arr/day':>9} {'theory':>9} {'Wq min':>8} {'theory':>8} "
        f"{'p95 min':>8} {'theory':>8} {'L':>8} {'theory':>8} {'Lq':>7} {'theory':>7} "
        f"{'util':>6} {'theory':>6}"
    )
    for pid, stats in result.providers.items():
        node = theory.get(pid)
        row = [
            (stats.arrivals / days, node.arrival_rate if node else nan, 9, 2),
            (stats.mean_wait_days * 1440, node.mean_wait * 1440 if node else nan, 8, 2),
            (stats.p95_wait_days * 1440, node.wait_quantile(0.95) * 1440 if node else nan, 8, 2),
            (stats.mean_in_system, node.mean_in_system if node else nan, 8, 2),
            (stats.mean_queue, node.mean_queue if node else nan, 7, 3),
            (stats.utilisation, node.utilisation if node else nan, 6, 3),
        ]
        cells = " ".join(f"{got:{w}.{d}f} {want:{w}.{d}f}" for got, want, w, d in row)
        print(f"{pid:<12} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
