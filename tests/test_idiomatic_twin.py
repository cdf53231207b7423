"""The idiomatic SimPy twin (benchmarks/idiomatic_simpy.py) agrees with queueing theory.

Tolerances are set at roughly 3-4 standard errors of each estimate for the run lengths
used here (measured over many seeds when the tests were written), and the seeds are fixed,
so the tests are deterministic and not fragile.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from sim.network.queueing import jackson_for_scenario, mmc
from sim.scenario.model import UNNAMED_EXIT, Scenario

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load_twin() -> ModuleType:
    # benchmarks/ is not a package; load the file as a module.
    name = "knockon_idiomatic_simpy"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / "idiomatic_simpy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


twin = _load_twin()


def scenario_from(text: str) -> Scenario:
    return Scenario.model_validate(yaml.safe_load(text))


def poisson_tolerance(expected_count: float, sds: float = 4.0) -> float:
    """Relative tolerance of `sds` Poisson standard errors on a count."""
    return sds / math.sqrt(expected_count)


# --- M/M/c ---------------------------------------------------------------------------------

# The published M/M/3 case (lambda = 2, mu = 1, c = 3: P(wait) = 4/9, Wq = 4/9) with time
# rescaled tenfold (20 arrivals a day, 0.1-day stays) so that 2,500 days give 50,000 patients.
MM3 = """
format: 1
name: M/M/3
run: {days: 2500, warm_up_days: 20, start_date: 2026-04-01}
population: 1000
demand: [{id: arrivals, enters: desk, per_day: 20}]
providers:
  - {id: desk, capacity: {servers: 3}, length_of_stay: {distribution: exponential, mean_days: 0.1}}
"""


def test_mmc_against_erlang_c() -> None:
    scenario = scenario_from(MM3)
    theory = mmc(20.0, 10.0, 3)
    assert theory.prob_wait == pytest.approx(4 / 9)

    result = twin.simulate_idiomatic(scenario, seed=11)
    desk = result.providers["desk"]
    days = result.measured_days
    assert days == 2500
    # Counts: about 50,000 patients; Poisson sd 0.45%.
    assert desk.arrivals / days == pytest.approx(20.0, rel=0.02)
    assert desk.completions / days == pytest.approx(20.0, rel=0.02)
    # Waits: sd of the estimate about 4% at this run length.
    assert desk.mean_wait_days == pytest.approx(theory.mean_wait, rel=0.12)
    assert desk.p95_wait_days == pytest.approx(theory.wait_quantile(0.95), rel=0.12)
    assert desk.mean_queue == pytest.approx(theory.mean_queue, rel=0.12)
    assert desk.mean_in_system == pytest.approx(theory.mean_in_system, rel=0.05)
    assert desk.utilisation == pytest.approx(theory.utilisation, rel=0.02)
    # Little's law inside the simulation: Lq = lambda Wq.
    assert desk.mean_queue == pytest.approx(desk.arrivals / days * desk.mean_wait_days, rel=0.02)
    # Flows: everyone enters from demand and leaves through the unnamed exit.
    assert result.flows[(twin.DEMAND, "desk")] == desk.arrivals == result.entries["arrivals"]
    assert result.flows[("desk", UNNAMED_EXIT)] == desk.completions


# --- a small Jackson network ---------------------------------------------------------------

# Feedback (clinic -> clinic, bed -> triage), a multi-server node, an unlimited node, named
# and unnamed exits, and demand from practices with referral multipliers.
JACKSON = """
format: 1
name: small Jackson network
run: {days: 3650, warm_up_days: 20, start_date: 2026-04-01}
practices:
  - {id: p1, list_size: 6000}
  - {id: p2, list_size: 4000, referral_multiplier: 1.5}
demand:
  - {id: walk_in, enters: triage, per_day: 6}
  - {id: referrals, enters: clinic, per_1000_per_year: 60}
providers:
  - id: triage
    capacity: {servers: 1}
    length_of_stay: {distribution: exponential, mean_days: 0.075}
  - id: clinic
    capacity: {servers: 1}
    length_of_stay: {distribution: exponential, mean_days: 0.1}
  - id: bed
    capacity: {servers: 2}
    length_of_stay: {distribution: exponential, mean_days: 0.22}
  - id: support
    length_of_stay: {distribution: exponential, mean_days: 3}
exits: [home]
pathways:
  - {from: triage, to: clinic, share: 0.3}
  - {from: triage, to: bed, share: 0.5}
  - {from: clinic, to: clinic, share: 0.2}
  - {from: clinic, to: bed, share: 0.3}
  - {from: bed, to: triage, share: 0.1}
  - {from: bed, to: support, share: 0.1}
  - {from: bed, to: home, share: 0.5}
"""
JACKSON_SEEDS = (1, 2)


@pytest.fixture(scope="module")
def jackson_runs() -> tuple[Scenario, list]:
    scenario = scenario_from(JACKSON)
    return scenario, [twin.simulate_idiomatic(scenario, seed) for seed in JACKSON_SEEDS]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def test_jackson_network_against_theory(jackson_runs: tuple[Scenario, list]) -> None:
    scenario, runs = jackson_runs
    theory = jackson_for_scenario(scenario)
    days = runs[0].measured_days
    for provider_id, node in theory.items():
        stats = [run.providers[provider_id] for run in runs]
        expected_count = node.arrival_rate * days * len(runs)
        arrival_rate = _mean([s.arrivals for s in stats]) / days
        assert arrival_rate == pytest.approx(
            node.arrival_rate, rel=poisson_tolerance(expected_count)
        ), provider_id
        completion_rate = _mean([s.completions for s in stats]) / days
        assert completion_rate == pytest.approx(
            node.arrival_rate, rel=poisson_tolerance(expected_count)
        ), provider_id
        assert _mean([s.mean_in_system for s in stats]) == pytest.approx(
            node.mean_in_system, rel=0.08
        ), provider_id
        if node.servers is None:
            assert all(s.mean_wait_days == 0.0 and s.p95_wait_days == 0.0 for s in stats)
            assert all(s.mean_queue == 0.0 and math.isnan(s.utilisation) for s in stats)
            continue
        # Waits: the sd of the two-run mean is at most about 4.5% here.
        assert _mean([s.mean_wait_days for s in stats]) == pytest.approx(
            node.mean_wait, rel=0.15
        ), provider_id
        assert _mean([s.p95_wait_days for s in stats]) == pytest.approx(
            node.wait_quantile(0.95), rel=0.15
        ), provider_id
        assert _mean([s.mean_queue for s in stats]) == pytest.approx(node.mean_queue, rel=0.15), (
            provider_id
        )
        assert _mean([s.utilisation for s in stats]) == pytest.approx(node.utilisation, rel=0.03), (
            provider_id
        )


def test_jackson_network_flows_are_conserved(jackson_runs: tuple[Scenario, list]) -> None:
    scenario, runs = jackson_runs
    shares: dict[str, dict[str, float]] = {}
    for pathway in scenario.pathways:
        shares.setdefault(pathway.from_, {})[pathway.to] = pathway.share
    for run in runs:
        assert sum(run.entries.values()) == sum(
            count for (source, _), count in run.flows.items() if source == twin.DEMAND
        )
        for provider_id, stats in run.providers.items():
            inflow = sum(count for (_, target), count in run.flows.items() if target == provider_id)
            outflow = sum(
                count for (source, _), count in run.flows.items() if source == provider_id
            )
            # Arrivals and moves are counted at the same instant, so these are exact.
            assert stats.arrivals == inflow, provider_id
            assert stats.completions == outflow, provider_id
            assert sum(stats.monthly_completions) == stats.completions
            # Routing follows the pathway shares (binomial, 4 standard errors).
            remainder = 1.0 - sum(shares.get(provider_id, {}).values())
            targets = {**shares.get(provider_id, {}), UNNAMED_EXIT: remainder}
            for target, share in targets.items():
                moved = run.flows.get((provider_id, target), 0)
                if share == 0.0:
                    assert moved == 0
                    continue
                sd = math.sqrt(share * (1 - share) / outflow)
                assert moved / outflow == pytest.approx(share, abs=4 * sd), (provider_id, target)
        assert run.flows[("bed", "home")] > 0
        # 3650 days from 1 April 2026 (three leap days) end on 29 March 2036: 120 months.
        assert len(run.months) == 120
        assert run.months[0] == "2026-04" and run.months[-1] == "2036-03"


def test_same_seed_same_result_and_different_seed_differs() -> None:
    scenario = scenario_from(JACKSON.replace("days: 3650", "days: 60"))
    first = repr(twin.simulate_idiomatic(scenario, seed=5))  # repr: NaN != NaN
    assert repr(twin.simulate_idiomatic(scenario, seed=5)) == first
    assert repr(twin.simulate_idiomatic(scenario, seed=6)) != first


def test_calendar_months_of_a_financial_year() -> None:
    scenario = scenario_from(JACKSON.replace("days: 3650", "days: 365"))
    result = twin.simulate_idiomatic(scenario, seed=3)
    assert len(result.months) == 12
    assert (result.months[0], result.months[-1]) == ("2026-04", "2027-03")
    for stats in result.providers.values():
        assert len(stats.monthly_completions) == 12
        assert sum(stats.monthly_completions) == stats.completions


@pytest.mark.parametrize(
    ("old", "new", "feature"),
    [
        ("per_day: 6}", "per_day: 6, seasonality: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]}", "season"),
        ("{servers: 2}", "{slots_per_day: 30}", "appointment"),
        ("{servers: 2}", "{servers: 2}\n    waiting: {in_place: true}", "waiting"),
        ("share: 0.3}", "share: 0.3, delay: {distribution: fixed, mean_days: 1}}", "delay"),
        (
            "{distribution: exponential, mean_days: 3}",
            "{distribution: uniform, min_days: 1, max_days: 5}",
            "uniform",
        ),
    ],
)
def test_unsupported_features_are_refused(old: str, new: str, feature: str) -> None:
    assert old in JACKSON
    scenario = scenario_from(JACKSON.replace(old, new, 1))
    with pytest.raises(NotImplementedError, match=feature):
        twin.simulate_idiomatic(scenario, seed=1)


def test_other_length_of_stay_distributions_keep_their_mean() -> None:
    # M/G/inf: the mean number in system is lambda x mean stay whatever the distribution.
    for los in (
        "{distribution: lognormal, mean_days: 2, sd_days: 1.5}",
        "{distribution: gamma, mean_days: 2, sd_days: 3}",
        "{distribution: fixed, mean_days: 2}",
    ):
        scenario = scenario_from(
            f"""
format: 1
name: M/G/inf
run: {{days: 3000, warm_up_days: 30}}
demand: [{{id: arrivals, enters: community, per_day: 5}}]
providers: [{{id: community, length_of_stay: {los}}}]
"""
        )
        stats = twin.simulate_idiomatic(scenario, seed=4).providers["community"]
        assert stats.mean_in_system == pytest.approx(10.0, rel=0.04), los


# --- the reference network: one timed replication ------------------------------------------
