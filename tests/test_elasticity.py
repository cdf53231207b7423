"""Demand that answers to access: each day a stream's rate is multiplied by
(max(W, floor) / W0)^-E, W the mean wait at its entry provider over the trailing window.
Each test states its hand-checked answer in its docstring."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import simulate
from sim.scenario.model import Elasticity
from tests.conftest import scenario_from
from tests.test_engine_invariants import assert_every_patient_is_counted_once

UNLIMITED = """
demand:
  - {id: need, enters: clinic, per_day: 50 %s}
providers:
  - {id: clinic}
"""

BOOK = """
demand:
  - {id: need, enters: book, per_day: 50 %s}
providers:
  - {id: book, capacity: {slots_per_day: 40}}
"""


def test_the_multiplier_is_one_at_the_reference_wait_and_stops_at_the_floor() -> None:
    """E = 0.5, W0 = 2, floor 0.5: at W = 2 the multiplier is 1; at W = 8 it is
    (8 / 2)^-0.5 = 0.5; at W = 0 the floor applies, (0.5 / 2)^-0.5 = 2. Without a floor
    given, it is half a day, or W0 if that is shorter: 0.1 for W0 = 0.1."""
    elasticity = Elasticity(elasticity=0.5, reference_wait_days=2.0, floor_wait_days=0.5)
    assert elasticity.multiplier(2.0) == 1.0
    assert elasticity.multiplier(8.0) == pytest.approx(0.5)
    assert elasticity.multiplier(0.0) == pytest.approx(2.0)
    assert Elasticity(elasticity=0.5, reference_wait_days=2.0).floor == 0.5
    assert Elasticity(elasticity=0.5, reference_wait_days=0.1).floor == 0.1


def test_with_no_wait_at_the_entry_demand_runs_at_the_floors_multiplier() -> None:
    """An unlimited entry provider: nobody waits (W = 0), so from day 1 the rate is
    50 x (0.5 / 2)^-0.5 = 100 a day. Day 0 runs at 50 (nobody has started yet, so W = W0).
    Over 365 days: 50 + 364 x 100 = 36,450 arrivals, Poisson sd sqrt(36,450) = 191."""
    text = (
        UNLIMITED % ", elasticity: {elasticity: 0.5, reference_wait_days: 2, floor_wait_days: 0.5}"
    )
    scenario = scenario_from(text, days=365, seed=1)
    record = simulate(scenario)
    assert record.arrivals.sum() == pytest.approx(36_450, abs=4 * 191)
    assert_every_patient_is_counted_once(record, scenario)


@pytest.mark.slow
def test_congestion_at_the_entry_holds_elastic_demand_near_what_capacity_can_serve() -> None:
    """A book of 40 slots a day and 50 arrivals a day: inelastic, the list grows by about 10
    a day and arrivals stay at 50 a day. With E = 0.5 and W0 = 1 day, the rate falls as the
    wait grows: it can only settle where arrivals meet the 40 slots, at a wait W with
    50 x W^-0.5 = 40, W = (50 / 40)^2 = 1.56 days. The 28-day window makes it swing round
    that point, so from the third month on arrivals average at most 40 a day and well above
    the 30 a day of a wait twice as long (50 x 2.8^-0.5), and the wait stays within a few
    days instead of growing to over two months as the inelastic one does."""
    plain = simulate(scenario_from(BOOK % "", days=365, seed=2))
    elastic_scenario = scenario_from(
        BOOK % ", elasticity: {elasticity: 0.5, reference_wait_days: 1}", days=365, seed=2
    )
    elastic = simulate(elastic_scenario)
    later = slice(2, None)
    days = elastic.month_days[later].sum()
    per_day = elastic.arrivals[0, later].sum() / days
    assert plain.arrivals[0, later].sum() / days == pytest.approx(50, abs=1)
    assert 30 < per_day <= 40.5
    waits = elastic.wait_days[0, later] / elastic.starts[0, later]
    plain_waits = plain.wait_days[0] / plain.starts[0]
    assert waits.max() < 5 < 60 < plain_waits[-1]
    assert_every_patient_is_counted_once(elastic, elastic_scenario)


def test_an_elasticity_of_zero_gives_the_same_run_as_none() -> None:
    """(W / W0)^0 = 1 whatever the wait: every draw and every count is the same."""
    plain = simulate(scenario_from(BOOK % "", days=120, seed=3))
    zero = simulate(
        scenario_from(
            BOOK % ", elasticity: {elasticity: 0, reference_wait_days: 1}", days=120, seed=3
        )
    )
    for field in ("arrivals", "starts", "wait_days", "queue_days", "flows", "practice_activity"):
        assert np.array_equal(getattr(plain, field), getattr(zero, field)), field


def test_streams_sharing_an_entry_answer_to_the_same_wait_and_others_are_untouched() -> None:
    """Two streams enter the book; only one is elastic. The other stream's arrivals draw
    from its own stream, so they are exactly those of the inelastic run."""
    text = """
        demand:
          - {id: need, enters: book, per_day: 30 %s}
          - {id: other, enters: book, per_day: 20}
        providers:
          - {id: book, capacity: {slots_per_day: 40}}
        """
    plain = simulate(scenario_from(text % "", days=120, seed=4))
    elastic = simulate(
        scenario_from(
            text % ", elasticity: {elasticity: 1, reference_wait_days: 1}", days=120, seed=4
        )
    )
    nodes = list(plain.nodes)
    other = nodes.index("other"), nodes.index("book")
    need = nodes.index("need"), nodes.index("book")
    assert plain.flows[other] == elastic.flows[other]
    assert elastic.flows[need] < plain.flows[need]


def test_a_window_in_which_nobody_starts_keeps_the_last_mean_wait() -> None:
    """A book of 100 slots a day, far more than needed: patients arrive through the day and
    are seen next morning, a mean wait of 0.5 day, so with E = 1 and W0 = 1 the rate is
    20 x (0.5 / 1)^-1 = 40 a day. From 1 May the book has no slots: nobody starts, and the
    stream keeps the last mean wait known (0.5), so June still brings about 40 x 30 = 1,200
    patients (Poisson sd 35) rather than the 600 of the reference wait."""
    text = """
        demand:
          - {id: need, enters: book, per_day: 20, elasticity: {elasticity: 1, reference_wait_days: 1, floor_wait_days: 0.25}}
        providers:
          - id: book
            capacity:
              slots_per_day: 100
              changes: [{from: 2026-05-01, slots_per_day: 0}]
        """
    scenario = scenario_from(text, days=91, seed=5)
    record = simulate(scenario)
    assert record.starts[0, 2] == 0
    assert record.arrivals[0, 2] == pytest.approx(1200, abs=4 * 35)
    assert_every_patient_is_counted_once(record, scenario)
