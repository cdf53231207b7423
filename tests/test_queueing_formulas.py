"""sim.network.queueing against textbook results and hand-solved networks."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest
import yaml

from sim.network.queueing import (
    DAYS_PER_YEAR,
    demand_rates_per_day,
    erlang_b,
    erlang_c,
    external_rates_per_day,
    jackson,
    jackson_for_scenario,
    mmc,
    mminf,
    traffic_rates,
)
from sim.scenario.model import Scenario

REFERENCE_NETWORK = Path(__file__).resolve().parents[1] / "benchmarks" / "reference_network.yaml"


def erlang_c_by_definition(a: float, c: int) -> float:
    """Erlang C from its textbook definition with factorials (fine for small c)."""
    tail = a**c / math.factorial(c) * c / (c - a)
    return tail / (sum(a**k / math.factorial(k) for k in range(c)) + tail)


# --- Erlang B and C ------------------------------------------------------------------------


def test_erlang_b_small_cases() -> None:
    assert erlang_b(1.0, 1) == pytest.approx(0.5)
    # a = 2, c = 3: (8/6) / (1 + 2 + 2 + 8/6) = 4/19
    assert erlang_b(2.0, 3) == pytest.approx(4 / 19)
    assert erlang_b(0.0, 5) == 0.0


def test_erlang_c_published_mm3_case() -> None:
    # lambda = 2, mu = 1, c = 3: P(wait) = 4/9 (e.g. Gross & Harris; Kleinrock)
    assert erlang_c(2.0, 1.0, 3) == pytest.approx(4 / 9)


@pytest.mark.parametrize(("a", "c"), [(0.3, 1), (1.5, 2), (4.0, 5), (9.5, 12), (30.0, 40)])
def test_erlang_c_matches_definition(a: float, c: int) -> None:
    assert erlang_c(a, 1.0, c) == pytest.approx(erlang_c_by_definition(a, c), rel=1e-10)
    # Only the offered load matters.
    assert erlang_c(a * 7.0, 7.0, c) == pytest.approx(erlang_c(a, 1.0, c), rel=1e-12)


def test_erlang_c_is_single_server_utilisation() -> None:
    for rho in (0.1, 0.5, 0.95):
        assert erlang_c(rho, 1.0, 1) == pytest.approx(rho)


def test_erlang_c_stable_for_thousands_of_servers() -> None:
    # a^c / c! overflows a float long before c = 2000; the recursion must not.
    values = [erlang_c(a, 1.0, 2000) for a in (1800.0, 1900.0, 1950.0, 1990.0)]
    assert all(0.0 < value < 1.0 for value in values)
    assert values == sorted(values)
    assert erlang_c(1999.9, 1.0, 2000) > 0.99


def test_erlang_c_rejects_unstable_and_bad_input() -> None:
    with pytest.raises(ValueError, match="unstable"):
        erlang_c(3.0, 1.0, 3)
    with pytest.raises(ValueError, match="unstable"):
        erlang_c(5.0, 1.0, 3)
    with pytest.raises(ValueError):
        erlang_c(1.0, 0.0, 3)
    with pytest.raises(ValueError):
        erlang_c(-1.0, 1.0, 3)
    with pytest.raises(ValueError):
        erlang_c(1.0, 1.0, 0)
    with pytest.raises(ValueError):
        erlang_c(1.0, 1.0, 2.5)  # type: ignore[arg-type]


# --- M/M/c ---------------------------------------------------------------------------------


def test_mm1_textbook() -> None:
    lam, mu = 0.75, 1.0
    rho = lam / mu
    result = mmc(lam, mu, 1)
    assert result.utilisation == pytest.approx(rho)
    assert result.prob_wait == pytest.approx(rho)
    assert result.mean_wait == pytest.approx(rho / (mu - lam))  # 3
    assert result.mean_time_in_system == pytest.approx(1 / (mu - lam))  # 4
    assert result.mean_in_system == pytest.approx(rho / (1 - rho))  # 3
    assert result.mean_queue == pytest.approx(rho**2 / (1 - rho))  # 2.25


def test_mm3_published_case() -> None:
    result = mmc(2.0, 1.0, 3)
    assert result.prob_wait == pytest.approx(4 / 9)
    assert result.mean_wait == pytest.approx(4 / 9)  # C / (c mu - lambda) = (4/9) / 1
    assert result.mean_queue == pytest.approx(8 / 9)
    assert result.mean_in_system == pytest.approx(8 / 9 + 2)
    assert result.mean_time_in_system == pytest.approx(13 / 9)
    assert result.utilisation == pytest.approx(2 / 3)
    assert result.offered_load == pytest.approx(2.0)


@pytest.mark.parametrize("rho", [0.2, 0.5, 0.8, 0.95])
def test_mm2_closed_form(rho: float) -> None:
    # M/M/2 with rho = lambda / (2 mu): Lq = 2 rho^3 / (1 - rho^2), L = 2 rho / (1 - rho^2)
    mu = 3.0
    result = mmc(2 * rho * mu, mu, 2)
    assert result.mean_queue == pytest.approx(2 * rho**3 / (1 - rho**2))
    assert result.mean_in_system == pytest.approx(2 * rho / (1 - rho**2))


@pytest.mark.parametrize(
    ("lam", "mu", "c"), [(0.5, 1.0, 1), (2.0, 1.0, 3), (39.0, 2.0, 22), (315.5, 0.2, 1700)]
)
def test_littles_law(lam: float, mu: float, c: int) -> None:
    result = mmc(lam, mu, c)
    assert result.mean_in_system == pytest.approx(lam * result.mean_time_in_system)
    assert result.mean_queue == pytest.approx(lam * result.mean_wait)
    assert result.mean_in_system == pytest.approx(result.mean_queue + lam / mu)
    assert result.mean_time_in_system == pytest.approx(result.mean_wait + 1 / mu)
    assert result.mean_busy == pytest.approx(c * result.utilisation)


def test_wait_distribution() -> None:
    result = mmc(2.0, 1.0, 3)
    # P(Wq > t) = C exp(-(c mu - lambda) t)
    assert result.wait_exceedance(0.0) == pytest.approx(4 / 9)
    assert result.wait_exceedance(2.0) == pytest.approx(4 / 9 * math.exp(-2.0))
    for q in (0.6, 0.9, 0.95, 0.99):
        assert result.wait_exceedance(result.wait_quantile(q)) == pytest.approx(1 - q)
    # With P(wait) = 4/9 < 0.5 the median wait is zero.
    assert result.wait_quantile(0.5) == 0.0
    # Rarely any wait: the 95th percentile is zero.
    assert mmc(1.0, 1.0, 5).wait_quantile(0.95) == 0.0


def test_mmc_rejects_unstable() -> None:
    with pytest.raises(ValueError, match="unstable"):
        mmc(3.0, 1.0, 3)


def test_mmc_with_no_arrivals() -> None:
    result = mmc(0.0, 1.0, 2)
    assert (result.prob_wait, result.mean_wait, result.mean_in_system) == (0.0, 0.0, 0.0)


def test_mminf() -> None:
    result = mminf(10.0, 0.25)
    assert result.servers is None
    assert result.mean_in_system == pytest.approx(40.0)
    assert result.mean_wait == 0.0
    assert result.mean_time_in_system == pytest.approx(4.0)
    assert result.wait_quantile(0.95) == 0.0


# --- Jackson networks ----------------------------------------------------------------------


def test_tandem() -> None:
    results = jackson(
        external_rates={"a": 1.0},
        routing={("a", "b"): 1.0},
        service_rates={"a": 2.0, "b": 3.0},
        servers={"a": 1, "b": 1},
    )
    assert results["a"].arrival_rate == pytest.approx(1.0)
    assert results["b"].arrival_rate == pytest.approx(1.0)
    assert results["a"].mean_wait == pytest.approx(0.5 / (2.0 - 1.0))  # rho / (mu - lambda)
    assert results["b"].mean_wait == pytest.approx((1 / 3) / (3.0 - 1.0))


def test_single_node_feedback() -> None:
    # Outpatients with 40% follow-ups: lambda = lambda0 / (1 - 0.4)
    results = jackson({"op": 3.0}, {("op", "op"): 0.4}, {"op": 10.0}, {"op": 1})
    assert results["op"].arrival_rate == pytest.approx(5.0)
    assert results["op"].utilisation == pytest.approx(0.5)
    assert results["op"].mean_wait == pytest.approx(0.5 / (10.0 - 5.0))


def test_two_node_loop_hand_solved() -> None:
    # lambda_a = 1 + 0.2 lambda_b, lambda_b = 2 + 0.5 lambda_a
    # => lambda_a = 1.4 / 0.9 = 14/9, lambda_b = 2 + 7/9 = 25/9
    routing = {("a", "b"): 0.5, ("a", "home"): 0.5, ("b", "a"): 0.2}
    rates = traffic_rates({"a": 1.0, "b": 2.0}, routing, ("a", "b"))
    assert rates == pytest.approx({"a": 14 / 9, "b": 25 / 9})
    results = jackson({"a": 1.0, "b": 2.0}, routing, {"a": 1.0, "b": 1.0}, {"a": 2, "b": 4})
    assert results["a"].mean_wait == pytest.approx(mmc(14 / 9, 1.0, 2).mean_wait)
    assert results["b"].mean_wait == pytest.approx(mmc(25 / 9, 1.0, 4).mean_wait)
    # Flow balance: what comes in from outside leaves through the exits.
    leaving = results["a"].arrival_rate * 0.5 + results["b"].arrival_rate * 0.8
    assert leaving == pytest.approx(3.0)


def test_three_node_network_with_unlimited_node() -> None:
    # A&E -> ward (0.25), ward -> A&E (0.1: readmission), ward -> community (0.4, unlimited)
    routing = {("ae", "ward"): 0.25, ("ward", "ae"): 0.1, ("ward", "community"): 0.4}
    results = jackson(
        {"ae": 100.0},
        routing,
        {"ae": 5.0, "ward": 0.2, "community": 0.05},
        {"ae": 25, "ward": 150, "community": None},
    )
    # lambda_ae = 100 + 0.1 lambda_w, lambda_w = 0.25 lambda_ae => lambda_ae = 100 / 0.975
    lam_ae = 100 / 0.975
    assert results["ae"].arrival_rate == pytest.approx(lam_ae)
    assert results["ward"].arrival_rate == pytest.approx(0.25 * lam_ae)
    assert results["community"].arrival_rate == pytest.approx(0.1 * lam_ae)
    assert results["community"].mean_in_system == pytest.approx(0.1 * lam_ae / 0.05)
    assert results["community"].mean_wait == 0.0


def test_jackson_errors() -> None:
    with pytest.raises(ValueError, match="sum to"):
        traffic_rates({"a": 1.0}, {("a", "b"): 0.7, ("a", "c"): 0.5}, ("a", "b", "c"))
    with pytest.raises(ValueError, match="closed"):
        traffic_rates({"a": 1.0}, {("a", "a"): 1.0}, ("a",))
    with pytest.raises(ValueError, match="closed"):
        traffic_rates({"a": 1.0}, {("a", "b"): 1.0, ("b", "a"): 1.0}, ("a", "b"))
    with pytest.raises(ValueError, match="unknown node"):
        traffic_rates({"x": 1.0}, {}, ("a",))
    with pytest.raises(ValueError, match="node 'b'"):
        jackson({"a": 1.0}, {("a", "b"): 1.0}, {"a": 2.0, "b": 0.5}, {"a": 1, "b": 1})


# --- format-1 scenarios --------------------------------------------------------------------

SMALL = """
format: 1
name: small
practices:
  - {id: p1, list_size: 6000}
  - {id: p2, list_size: 4000, referral_multiplier: 1.5}
demand:
  - {id: walk_in, enters: triage, per_day: 6}
  - {id: referrals, enters: clinic, per_1000_per_year: 146}
  - {id: flat, enters: clinic, per_1000_per_year: 73, uses_referral_multiplier: false}
providers:
  - id: triage
    capacity: {servers: 2}
    length_of_stay: {distribution: exponential, mean_days: 0.2}
  - id: clinic
    capacity: {servers: 5}
    length_of_stay: {distribution: exponential, mean_days: 0.25}
  - id: support
    length_of_stay: {distribution: exponential, mean_days: 3}
exits: [home]
pathways:
  - {from: triage, to: clinic, share: 0.4}
  - {from: clinic, to: clinic, share: 0.3}
  - {from: clinic, to: support, share: 0.1}
  - {from: clinic, to: home, share: 0.5}
"""


def test_scenario_rates() -> None:
    scenario = Scenario.model_validate(yaml.safe_load(SMALL))
    assert DAYS_PER_YEAR == 365.0
    rates = demand_rates_per_day(scenario)
    assert rates["walk_in"] == 6.0
    assert rates["referrals"] == pytest.approx(146 * (6.0 + 4.0 * 1.5) / 365)  # 4.8 a day
    assert rates["flat"] == pytest.approx(73 * 10.0 / 365)  # 2 a day
    assert external_rates_per_day(scenario) == pytest.approx({"triage": 6.0, "clinic": 6.8})
    results = jackson_for_scenario(scenario)
    clinic = (6.8 + 0.4 * 6.0) / 0.7
    assert results["clinic"].arrival_rate == pytest.approx(clinic)
    assert results["support"].arrival_rate == pytest.approx(0.1 * clinic)
    assert results["support"].servers is None
    assert results["triage"].utilisation == pytest.approx(6.0 * 0.2 / 2)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("exponential, mean_days: 3}", "lognormal, mean_days: 3, sd_days: 1}"),
        ("per_day: 6}", "per_day: 6, seasonality: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.2]}"),
        ("share: 0.4}", "share: 0.4, delay: {distribution: fixed, mean_days: 1}}"),
        ("{servers: 2}", "{slots_per_day: 20}"),
        ("{servers: 5}", "{servers: 5}\n    waiting: {max_days: 2, then: triage}"),
    ],
)
def test_scenario_that_is_not_jackson(old: str, new: str) -> None:
    assert old in SMALL
    scenario = Scenario.model_validate(yaml.safe_load(SMALL.replace(old, new, 1)))
    with pytest.raises(ValueError):
        jackson_for_scenario(scenario)


# --- the reference network -----------------------------------------------------------------


def test_reference_network_is_a_jackson_network_in_range() -> None:
    scenario = Scenario.model_validate(yaml.safe_load(REFERENCE_NETWORK.read_text()))
    assert scenario.registered_population == 250_000
    assert (scenario.run.days, scenario.run.warm_up_days) == (365, 30)
    assert 6 <= len(scenario.providers) <= 8
    assert all(p.capacity is not None and p.capacity.servers for p in scenario.providers)
    results = jackson_for_scenario(scenario)  # raises if any feature is not Jackson
    for provider_id, node in results.items():
        assert 0.6 <= node.utilisation <= 0.9, provider_id
    visits_per_year = sum(node.arrival_rate for node in results.values()) * scenario.run.days
    assert 400_000 <= visits_per_year <= 600_000
    graph = nx.DiGraph((p.from_, p.to) for p in scenario.pathways)
    assert list(nx.simple_cycles(graph)), "the reference network needs a feedback loop"
