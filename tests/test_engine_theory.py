"""The engine against queueing theory: M/M/c (Erlang C), a Jackson network with feedback,
and Little's law. Each check is against the run's own 95% confidence interval."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.network.queueing import jackson_for_scenario, mmc
from sim.results import run_scenario
from sim.scenario.model import Scenario
from tests.conftest import scenario_from

REFERENCE = Path(__file__).parents[1] / "benchmarks" / "reference_network.yaml"


def _mmc(rate: float, servers: int, mean: float, days: int = 4000):
    scenario = scenario_from(
        f"""
        demand: [{{id: arrivals, enters: desk, per_day: {rate}}}]
        providers:
          - id: desk
            capacity: {{servers: {servers}}}
            length_of_stay: {{distribution: exponential, mean_days: {mean}}}
        """,
        days=days,
        warm_up_days=200,
        replications=12,
        seed=11,
    )
    return run_scenario(scenario).providers.iloc[0]


def _within(row, metric: str, expected: float) -> None:
    low, high = row[f"{metric}_ci_low"], row[f"{metric}_ci_high"]
    assert low <= expected <= high, (
        f"{metric}: theory {expected:.4f} outside the run's 95% CI [{low:.4f}, {high:.4f}] "
        f"(mean {row[metric]:.4f})"
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("rate", "servers", "mean"),
    [(0.8, 1, 1.0), (2.0, 3, 1.0), (40.0, 50, 1.1)],
    ids=["M/M/1 at 0.8", "M/M/3 at 0.67", "M/M/50 at 0.88"],
)
def test_mmc_waits_and_utilisation_match_erlang_c(rate: float, servers: int, mean: float) -> None:
    theory = mmc(rate, 1 / mean, servers)
    row = _mmc(rate, servers, mean)
    _within(row, "mean_wait_days", theory.mean_wait)
    _within(row, "utilisation", theory.utilisation)
    _within(row, "mean_queue", theory.mean_queue)
    _within(row, "mean_in_system", theory.mean_in_system)


@pytest.mark.slow
def test_jackson_network_with_feedback_matches_traffic_equations_and_waits() -> None:
    base = Scenario.model_validate(yaml.safe_load(REFERENCE.read_text()))
    scenario = base.model_copy(update={"run": base.run.model_copy(update={"replications": 8})})
    theory = jackson_for_scenario(scenario)
    table = run_scenario(scenario, workers=2).providers.set_index("provider")
    days = scenario.run.days
    for provider, expected in theory.items():
        row = table.loc[provider]
        # Arrivals over the year against lambda x days, and waits against M/M/c per node.
        assert row["arrivals_ci_low"] <= expected.arrival_rate * days <= row["arrivals_ci_high"], (
            provider
        )
        assert row["mean_wait_days"] == pytest.approx(
            expected.mean_wait,
            abs=max(3 * (row["mean_wait_days_ci_high"] - row["mean_wait_days"]), 1e-4),
        ), provider
        _within(row, "utilisation", expected.utilisation)


def test_littles_law_holds_per_provider_for_queue_and_occupancy() -> None:
    """L = lambda W, for the queue and for the places held, on a network with loops,
    blocking and delays (the general case, where no closed form exists)."""
    scenario = scenario_from(
        """
        demand:
          - {id: walk_in, enters: ae, per_day: 30}
        providers:
          - {id: ae, capacity: {servers: 5}, length_of_stay: {distribution: lognormal, mean_days: 0.15, sd_days: 0.1}}
          - {id: ward, capacity: {servers: 40}, length_of_stay: {distribution: gamma, mean_days: 4, sd_days: 3}}
          - {id: care, capacity: {servers: 16}, waiting: {in_place: true}, length_of_stay: {distribution: exponential, mean_days: 10}}
        exits: [home]
        pathways:
          - {from: ae, to: ward, share: 0.25}
          - {from: ward, to: care, share: 0.15, delay: {distribution: uniform, min_days: 0.5, max_days: 1.5}}
          - {from: ward, to: ae, share: 0.05}
          - {from: ward, to: home, share: 0.7}
        """,
        days=3000,
        warm_up_days=200,
        replications=4,
        seed=5,
    )
    result = run_scenario(scenario)
    days = scenario.run.days
    for record in result.records:
        for i, provider in enumerate(record.providers):
            starts = record.starts[i].sum()
            queue_l = record.queue_days[i].sum() / days
            queue_w = record.wait_days[i].sum() / starts
            assert queue_l == pytest.approx(starts / days * queue_w, rel=0.03, abs=1e-3), provider
            done = record.completions[i].sum()
            occupied_l = record.occupancy_days[i].sum() / days
            stay_w = record.stay_days[i].sum() / done
            assert occupied_l == pytest.approx(done / days * stay_w, rel=0.03), provider
