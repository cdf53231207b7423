"""Intervals stay within what a quantity can be: a share of capacity never above 100%."""

from __future__ import annotations

import numpy as np
from scipy import stats

from sim.intervals import LEVEL, mean_and_interval
from sim.results import run_scenario
from sim.results.metrics import replication_metrics, summarise
from tests.conftest import scenario_from


def test_a_utilisation_interval_from_few_replications_stops_at_100_percent() -> None:
    # A desk loaded past its capacity: utilisation is near 1 in every replication, and a
    # t-interval from 2 of them would reach beyond it.
    scenario = scenario_from(
        """
        demand: [{id: d, enters: desk, per_day: 3.2}]
        providers:
          - {id: desk, capacity: {servers: 3}, length_of_stay: {distribution: exponential, mean_days: 1}}
        """,
        days=40,
        replications=2,
        seed=1,
    )
    result = run_scenario(scenario)
    row = result.providers.iloc[0]
    assert row["utilisation"] > 0.9
    assert row["utilisation_ci_high"] <= 1.0
    summary = summarise(replication_metrics(result.records, scenario))
    utilisation = summary[summary["metric"] == "utilisation"].iloc[0]
    assert utilisation["ci_high"] <= 1.0


def test_the_t_quantile_is_scipy_stats_to_the_bit() -> None:
    # intervals uses scipy.special.stdtrit to keep scipy.stats out of the run's imports;
    # every table must come out as it did with scipy.stats.t.ppf.
    rng = np.random.default_rng(7)
    for replications in (2, 3, 5, 20, 97, 1000):
        values = rng.normal(size=(replications, 4))
        mean, low, _ = mean_and_interval(values)
        t = stats.t.ppf(0.5 + LEVEL / 2, replications - 1)
        half = t * np.std(values, axis=0, ddof=1) / np.sqrt(replications)
        assert np.array_equal(low, mean - half)
