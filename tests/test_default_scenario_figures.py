"""Sanity checks on the figures in the default scenario, scenarios/northshire_2026.yaml.

These do not run the simulation. They read the file, validate its shape, and redo the
commissioner's back-of-envelope arithmetic independently of the engine:

- the traffic equations, lambda = external + P^T lambda, month by month (demand
  seasonality is linear, so each month is one solve);
- offered load per provider: lambda * mean stay (plus pathway delays held in the place)
  / servers, or lambda / slots_per_day for an appointment book;
- annual visits, expected cost and payments against the budget;
- sources and price years on every price, shares per provider, and a way out from
  every provider.

Overflow after `waiting.max_days` and waiting in place are left out of the traffic
equations: they depend on queueing, not on averages, and are small when loads are below 1.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import yaml
from scipy import stats

from sim.scenario.model import UNNAMED_EXIT, Gamma, LogNormal, Scenario

SCENARIO_PATH = Path(__file__).resolve().parents[1] / "scenarios" / "northshire_2026.yaml"
DAYS_PER_YEAR = 365


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load()


def load() -> Scenario:
    return Scenario.model_validate(yaml.safe_load(SCENARIO_PATH.read_text(encoding="utf-8")))


# --- the arithmetic ------------------------------------------------------------------------


def provider_ids(scenario: Scenario) -> list[str]:
    return [provider.id for provider in scenario.providers]


def external_rates_per_day(scenario: Scenario) -> np.ndarray:
    """External arrivals per day, shape (12 months, providers), April first."""
    ids = provider_ids(scenario)
    population = scenario.registered_population
    referral_population = sum(
        p.list_size * p.referral_multiplier for p in scenario.registered_practices
    )
    rates = np.zeros((12, len(ids)))
    for stream in scenario.demand:
        if stream.per_day is not None:
            base = stream.per_day
        else:
            assert stream.per_1000_per_year is not None
            people = referral_population if stream.uses_referral_multiplier else population
            base = stream.per_1000_per_year * people / 1000 / DAYS_PER_YEAR
        months = np.array([stream.month_multiplier(m) for m in range(12)])
        rates[:, ids.index(stream.enters)] += base * months
    return rates


def routing_matrix(scenario: Scenario) -> np.ndarray:
    """P[i, j] = share of provider i's patients who go on to provider j."""
    ids = provider_ids(scenario)
    matrix = np.zeros((len(ids), len(ids)))
    for pathway in scenario.pathways:
        if pathway.to in ids:
            matrix[ids.index(pathway.from_), ids.index(pathway.to)] += pathway.share
    return matrix


def arrival_rates_per_day(scenario: Scenario) -> np.ndarray:
    """Traffic equations solved month by month: shape (12, providers)."""
    p = routing_matrix(scenario)
    external = external_rates_per_day(scenario)
    system = np.eye(len(p)) - p.T
    return np.stack([np.linalg.solve(system, external[m]) for m in range(12)])


def occupancy_per_arrival_days(scenario: Scenario, provider_id: str) -> float:
    """Mean days a patient holds a place: length of stay plus pathway delays held there."""
    provider = scenario.provider(provider_id)
    stay = provider.length_of_stay.mean if provider.length_of_stay is not None else 0.0
    held = sum(
        pathway.share * pathway.delay.mean
        for pathway in scenario.pathways
        if pathway.from_ == provider_id and pathway.delay is not None
    )
    return stay + held


def offered_loads(scenario: Scenario) -> dict[str, np.ndarray]:
    """Offered load per month for every provider with capacity (12 values each)."""
    rates = arrival_rates_per_day(scenario)
    loads: dict[str, np.ndarray] = {}
    for index, provider in enumerate(scenario.providers):
        if provider.capacity is None:
            continue
        if provider.capacity.slots_per_day is not None:
            loads[provider.id] = rates[:, index] / provider.capacity.slots_per_day
        else:
            assert provider.capacity.servers is not None
            busy = rates[:, index] * occupancy_per_arrival_days(scenario, provider.id)
            loads[provider.id] = busy / provider.capacity.servers
    return loads


def days_in_months(scenario: Scenario) -> np.ndarray:
    start = scenario.run.start_date
    days = []
    for m in range(12):
        first = dt.date(start.year + (start.month - 1 + m) // 12, (start.month - 1 + m) % 12 + 1, 1)
        following = dt.date(start.year + (start.month + m) // 12, (start.month + m) % 12 + 1, 1)
        days.append((following - first).days)
    return np.array(days, dtype=float)


def annual_visits(scenario: Scenario) -> np.ndarray:
    """Expected arrivals per provider over the financial year."""
    return days_in_months(scenario) @ arrival_rates_per_day(scenario)


def expected_excess_days(duration: object, trim_days: float) -> float:
    """E[(stay - trim)+] for the stay distributions the default scenario uses."""
    if isinstance(duration, Gamma):
        shape = (duration.mean_days / duration.sd_days) ** 2
        dist = stats.gamma(shape, scale=duration.mean_days / shape)
    elif isinstance(duration, LogNormal):
        sigma2 = np.log(1 + (duration.sd_days / duration.mean_days) ** 2)
        mu = np.log(duration.mean_days) - sigma2 / 2
        dist = stats.lognorm(np.sqrt(sigma2), scale=np.exp(mu))
    else:  # pragma: no cover - not used by the default scenario
        raise NotImplementedError(type(duration).__name__)
    return float(dist.expect(lambda x: x - trim_days, lb=trim_days))


def expected_cost_and_paid(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """(cost of activity at price, payment under contract) per provider, per year."""
    visits = annual_visits(scenario)
    result: dict[str, tuple[float, float]] = {}
    for index, provider in enumerate(scenario.providers):
        price = provider.price
        n = visits[index]
        cost = 0.0
        if price is not None:
            cost += n * (price.per_attendance_gbp or 0.0)
            cost += n * (price.per_spell_gbp or 0.0)
            if price.per_excess_day_gbp is not None:
                assert price.trim_days is not None and provider.length_of_stay is not None
                excess = expected_excess_days(provider.length_of_stay, price.trim_days)
                cost += n * excess * price.per_excess_day_gbp
            if price.per_day_gbp is not None:
                cost += n * occupancy_per_arrival_days(scenario, provider.id) * price.per_day_gbp
        contract = provider.contract
        paid = contract.annual_gbp if contract is not None and contract.type == "block" else cost
        result[provider.id] = (cost, paid)
    return result


def provider_graph(scenario: Scenario) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(provider_ids(scenario))
    graph.add_nodes_from(scenario.exits)
    graph.add_node(UNNAMED_EXIT)
    for pathway in scenario.pathways:
        graph.add_edge(pathway.from_, pathway.to)
    for provider in scenario.providers:
        total = sum(p.share for p in scenario.pathways if p.from_ == provider.id)
        if total < 1 - 1e-9:
            graph.add_edge(provider.id, UNNAMED_EXIT)
        if provider.waiting is not None and provider.waiting.then is not None:
            graph.add_edge(provider.id, provider.waiting.then)
    return graph


# --- the checks ----------------------------------------------------------------------------


def test_file_validates(scenario: Scenario) -> None:
    assert scenario.format == 1
    assert scenario.run.days == 365
    assert scenario.run.warm_up_days == 120
    assert scenario.run.replications == 20
    assert scenario.run.seed == 2026
    assert scenario.run.start_date == dt.date(2026, 4, 1)


def test_population_is_about_250k(scenario: Scenario) -> None:
    assert 240_000 <= scenario.registered_population <= 260_000
    assert 6 <= len(scenario.practices) <= 10
    for practice in scenario.practices:
        assert 6_000 <= practice.list_size <= 50_000, practice.id
    multipliers = [p.referral_multiplier for p in scenario.practices]
    assert max(multipliers) >= 1.3, "one outlier referrer"


def test_every_id_referred_to_exists(scenario: Scenario) -> None:
    ids = set(provider_ids(scenario))
    targets = ids | set(scenario.exits)
    assert len(ids) == len(scenario.providers), "provider ids are unique"
    assert not ids & set(scenario.exits), "exits and providers do not share names"
    for stream in scenario.demand:
        assert stream.enters in ids, stream.id
    for pathway in scenario.pathways:
        assert pathway.from_ in ids, pathway
        assert pathway.to in targets, pathway
    for provider in scenario.providers:
        if provider.waiting is not None and provider.waiting.then is not None:
            assert provider.waiting.then in ids, provider.id


def test_only_referral_streams_use_the_referral_multiplier(scenario: Scenario) -> None:
    uses = {s.id for s in scenario.demand if s.uses_referral_multiplier}
    assert uses == {"routine_referrals"}


def test_seasonality_averages_one(scenario: Scenario) -> None:
    for stream in scenario.demand:
        if stream.seasonality is not None:
            assert np.mean(stream.seasonality) == pytest.approx(1.0, abs=0.005), stream.id


def test_shares_per_provider_at_most_one(scenario: Scenario) -> None:
    for provider in scenario.providers:
        total = sum(p.share for p in scenario.pathways if p.from_ == provider.id)
        assert total <= 1 + 1e-9, f"{provider.id}: shares sum to {total}"


def test_every_provider_reaches_an_exit(scenario: Scenario) -> None:
    graph = provider_graph(scenario)
    ways_out = [*scenario.exits, UNNAMED_EXIT]
    for provider_id in provider_ids(scenario):
        assert any(nx.has_path(graph, provider_id, out) for out in ways_out), provider_id


def test_routing_is_not_a_closed_loop(scenario: Scenario) -> None:
    """Every patient leaves eventually: the traffic equations have a unique solution."""
    p = routing_matrix(scenario)
    assert max(abs(np.linalg.eigvals(p))) < 1


def test_offered_load_below_one_at_mean_and_peak(scenario: Scenario) -> None:
    for provider_id, monthly in offered_loads(scenario).items():
        assert monthly.mean() < 1, f"{provider_id}: mean load {monthly.mean():.3f}"
        assert monthly.max() < 1, f"{provider_id}: peak load {monthly.max():.3f}"


def test_appointment_books_peak_at_most_97_percent(scenario: Scenario) -> None:
    loads = offered_loads(scenario)
    for provider in scenario.providers:
        if provider.is_appointment_book:
            assert loads[provider.id].max() <= 0.97, provider.id


def test_ward_shows_winter_pressure_without_running_away(scenario: Scenario) -> None:
    ward = offered_loads(scenario)["ward"]
    assert 0.80 <= ward.max() <= 0.92
    assert int(np.argmax(ward)) in (7, 8, 9, 10), "peak falls between November and February"


def test_total_annual_visits(scenario: Scenario) -> None:
    total = annual_visits(scenario).sum()
    assert 1_000_000 <= total <= 2_000_000, f"{total:,.0f}"


def test_activity_rates_match_the_reference_figures(scenario: Scenario) -> None:
    """Per 1,000 per year, within 10% of REFERENCE-FIGURES.md where a figure exists."""
    per_1000 = dict(
        zip(
            provider_ids(scenario),
            annual_visits(scenario) / scenario.registered_population * 1000,
            strict=True,
        )
    )
    assert per_1000["ae"] == pytest.approx(380, rel=0.10)
    assert per_1000["outpatients"] == pytest.approx(310 + 570, rel=0.10)
    assert per_1000["community"] == pytest.approx(420, rel=0.10)
    # general and acute admissions: long-stay emergency (79) + elective inpatient (21)
    assert per_1000["ward"] == pytest.approx(79 + 21, rel=0.20)


def test_every_price_has_a_source_and_year(scenario: Scenario) -> None:
    for provider in scenario.providers:
        assert provider.price is not None, f"{provider.id} has no price"
        assert provider.price.price_year, f"{provider.id}: price has no price_year"
        assert provider.price.source, f"{provider.id}: price has no source"
        assert provider.contract is not None, f"{provider.id} has no contract"
        assert provider.contract.source, f"{provider.id}: contract has no source"


def test_every_figure_has_a_source(scenario: Scenario) -> None:
    assert scenario.budget is not None and scenario.budget.source
    for practice in scenario.practices:
        assert practice.source, practice.id
    for stream in scenario.demand:
        assert stream.source, stream.id
    for provider in scenario.providers:
        if provider.capacity is not None:
            assert provider.capacity.source, provider.id
        if provider.length_of_stay is not None:
            assert provider.length_of_stay.source, provider.id
    for pathway in scenario.pathways:
        assert pathway.source, f"{pathway.from_} -> {pathway.to}"
        if pathway.delay is not None:
            assert pathway.delay.source, f"{pathway.from_} -> {pathway.to} delay"


def test_baseline_spends_a_little_under_budget(scenario: Scenario) -> None:
    assert scenario.budget is not None
    paid = sum(p for _, p in expected_cost_and_paid(scenario).values())
    budget = scenario.budget.annual_gbp
    assert 0.97 * budget <= paid < budget, f"paid £{paid:,.0f} against budget £{budget:,.0f}"


def test_block_contracts_are_close_to_the_activity_they_buy(scenario: Scenario) -> None:
    """Blocks sized to activity should be within 5% of it (GP is sized per patient)."""
    for provider_id, (cost, paid) in expected_cost_and_paid(scenario).items():
        provider = scenario.provider(provider_id)
        if provider.contract is not None and provider.contract.type == "block":
            if provider_id == "gp":
                assert paid == pytest.approx(180 * scenario.registered_population)
            else:
                assert paid == pytest.approx(cost, rel=0.05), provider_id
