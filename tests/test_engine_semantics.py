"""The engine does what the scenario format says: appointment books, overflow, demand
scaled by practices and seasons, warm-up excluded, monthly counts adding up."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import simulate
from sim.results import run_scenario
from tests.conftest import scenario_from


def test_an_ample_appointment_book_sees_everyone_next_morning() -> None:
    """Arrivals are spread over the day and the clinic runs at the start of the next: the
    mean wait is half a day and nobody waits a whole day."""
    record = simulate(
        scenario_from(
            """
            demand: [{id: need, enters: gp, per_day: 200}]
            providers: [{id: gp, capacity: {slots_per_day: 1000}}]
            """,
            days=120,
        )
    )
    waits = record.wait_days.sum() / record.starts.sum()
    assert waits == pytest.approx(0.5, abs=0.01)
    assert record.p95_wait_days[0] <= 1.0
    assert record.slots_used.sum() == record.starts.sum()


def test_a_full_book_uses_every_slot_and_its_list_grows() -> None:
    record = simulate(
        scenario_from(
            """
            demand: [{id: need, enters: gp, per_day: 120}]
            providers: [{id: gp, capacity: {slots_per_day: 100}}]
            """,
            days=60,
        )
    )
    # Day 0's clinic meets an empty list (the run starts empty); every later one is full.
    assert record.slots_offered.sum() == 100 * 60
    assert record.slots_used.sum() == 100 * 59
    assert record.waiting_end[0] == pytest.approx(20 * 60 + 120, rel=0.1)


def test_book_overflow_sends_the_stated_share_of_long_waiters_on() -> None:
    """After max_days on the list, `share` of those still waiting go to `then`; the rest
    keep their place. Nobody who overflows waited less than max_days."""
    scenario = scenario_from(
        """
        demand: [{id: need, enters: gp, per_day: 110}]
        providers:
          - {id: gp, capacity: {slots_per_day: 100}, waiting: {max_days: 2, then: ae, share: 0.5}}
          - {id: ae}
        """,
        days=200,
        warm_up_days=20,
    )
    record = simulate(scenario)
    overflowed = record.overflows[0].sum()
    assert overflowed == record.flows[0, 1].sum() == record.arrivals[1].sum()
    # The excess demand (10 a day) must leave by overflow or queue up; half of the long
    # waiters are sent on, so the list stabilises rather than growing without bound.
    assert 5 * 200 * 0.5 < overflowed < 10 * 200
    assert record.waiting_end[0] < 110 * 5


def test_server_overflow_leaves_at_exactly_max_days() -> None:
    record = simulate(
        scenario_from(
            """
            demand: [{id: need, enters: clinic, per_day: 12}]
            providers:
              - {id: clinic, capacity: {servers: 1}, length_of_stay: {distribution: fixed, mean_days: 0.1}, waiting: {max_days: 1.5, then: elsewhere}}
              - {id: elsewhere}
            """,
            days=300,
        )
    )
    assert record.overflows[0].sum() > 0
    # Every patient who was served waited less than the limit: the rest left at it.
    assert record.p95_wait_days[0] < 1.5


def test_demand_scales_with_list_size_and_referral_multiplier() -> None:
    scenario = scenario_from(
        """
        practices:
          - {id: typical, list_size: 10000}
          - {id: outlier, list_size: 10000, referral_multiplier: 2.0}
        demand:
          - {id: referrals, enters: clinic, per_1000_per_year: 365}
          - {id: urgent, enters: clinic, per_1000_per_year: 365, uses_referral_multiplier: false}
        providers: [{id: clinic}]
        """,
        days=365,
        replications=1,
    )
    record = simulate(scenario)
    by_practice = record.practice_activity[0].sum(axis=0)
    # typical: 10/day + 10/day; outlier: 20/day + 10/day
    assert by_practice[0] == pytest.approx(20 * 365, rel=0.04)
    assert by_practice[1] == pytest.approx(30 * 365, rel=0.04)


def test_seasonality_multiplies_each_months_demand() -> None:
    season = [1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1]  # January (the tenth month from April) doubles
    scenario = scenario_from(
        f"""
        demand: [{{id: need, enters: clinic, per_day: 50, seasonality: {season}}}]
        providers: [{{id: clinic}}]
        """,
        days=365,
    )
    record = simulate(scenario)
    per_day = record.arrivals[0] / record.month_days
    assert record.months[9] == "2027-01"
    assert per_day[9] == pytest.approx(100, rel=0.05)
    assert np.delete(per_day, 9) == pytest.approx(np.full(11, 50.0), rel=0.08)


def test_warm_up_is_excluded_and_the_measured_year_is_the_financial_year() -> None:
    text = """
        demand: [{id: need, enters: ward, per_day: 100}]
        providers: [{id: ward, capacity: {servers: 3000}, length_of_stay: {distribution: fixed, mean_days: 20}}]
    """
    cold = simulate(scenario_from(text, days=365, warm_up_days=0))
    warm = simulate(scenario_from(text, days=365, warm_up_days=60))
    assert warm.months[0] == "2026-04" and len(warm.months) == 12
    assert warm.month_days.sum() == 365
    # Started empty, April fills from 0 to 2000 beds over 20 days (a mean of 1333);
    # warmed up, the ward is already at its steady 2000 when the year starts.
    assert cold.occupancy_days[0, 0] / 30 == pytest.approx(1333, rel=0.05)
    assert warm.occupancy_days[0, 0] / 30 == pytest.approx(2000, rel=0.05)
    assert warm.occupying_start[0] == pytest.approx(2000, rel=0.1)


def test_monthly_tables_add_up_to_the_provider_totals() -> None:
    scenario = scenario_from(
        """
        budget: {annual_gbp: 1_000_000}
        demand: [{id: need, enters: ward, per_day: 4}]
        providers:
          - id: ward
            capacity: {servers: 30}
            length_of_stay: {distribution: gamma, mean_days: 5, sd_days: 4}
            price: {per_spell_gbp: 2000, per_excess_day_gbp: 300, trim_days: 10, per_day_gbp: 10}
        """,
        days=365,
        replications=3,
    )
    result = run_scenario(scenario)
    monthly = result.monthly
    ward = monthly[monthly.provider == "ward"]
    totals = result.providers.set_index("provider").loc["ward"]
    assert ward.activity.sum() == pytest.approx(totals.completions)
    assert ward.cost_gbp.sum() == pytest.approx(totals.cost_gbp)
    everything = monthly[monthly.provider == "all"]
    assert everything.cumulative_budget_gbp.iloc[-1] == pytest.approx(1_000_000)
    assert everything.cumulative_paid_gbp.iloc[-1] == pytest.approx(totals.paid_gbp)
