"""MSER-5 warm-up: known truncations on synthetic series, the daily calendar (which must
not change the simulation), M/M/c runs from empty, and the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.engine import simulate
from sim.engine.calendar import Calendar
from sim.results.warmup import (
    WarmUpError,
    daily_series,
    from_empty,
    mser5,
    mser5_statistics,
    warm_up,
)
from sim.scenario.model import Run
from tests.conftest import scenario_from

MMC = """
name: M/M/c
demand: [{{id: patients, enters: ward, per_day: {arrivals}}}]
providers:
  - {{id: ward, capacity: {{servers: {servers}}}, length_of_stay: {{distribution: exponential, mean_days: {stay}}}}}
"""

SYSTEM = """
name: Small system
run: {days: 60, warm_up_days: 10, replications: 3, seed: 4}
population: 20000
demand:
  - {id: need, enters: gp, per_1000_per_year: 2000}
  - {id: admissions, enters: ward, per_day: 3}
providers:
  - {id: gp, capacity: {slots_per_day: 105}, waiting: {max_days: 2, then: ae, share: 0.3}}
  - {id: ae, capacity: {servers: 4}, length_of_stay: {distribution: lognormal, mean_days: 0.15, sd_days: 0.1}}
  - {id: ward, capacity: {servers: 20}, length_of_stay: {distribution: gamma, mean_days: 5, sd_days: 4}}
  - {id: care, capacity: {servers: 3}, waiting: {in_place: true}, length_of_stay: {distribution: exponential, mean_days: 10}}
exits: [home]
pathways:
  - {from: gp, to: ae, share: 0.05}
  - {from: ae, to: ward, share: 0.2}
  - {from: ward, to: care, share: 0.1}
  - {from: ward, to: home, share: 0.6, delay: {distribution: exponential, mean_days: 1}}
"""


def mmc(arrivals: float, servers: int, stay: float, days: int):
    text = MMC.format(arrivals=arrivals, servers=servers, stay=stay)
    return scenario_from(text, days=days, warm_up_days=0, seed=1)


# --- MSER-5 on synthetic series -------------------------------------------------------


def test_mser5_by_hand_on_four_batches() -> None:
    # Batch means 4, 2, 2, 2. MSER(0) = (1.5^2 + 3 * 0.5^2) / 4^2 = 3 / 16; MSER(1) = 0 / 3^2;
    # MSER(2) = 0 / 2^2 (d stops at half the batches). The first minimum deletes 1 batch.
    series = [4.0] * 5 + [2.0] * 15 + [9.0] * 4  # the last 4 do not fill a batch: ignored
    assert mser5_statistics(series) == pytest.approx([3 / 16, 0.0, 0.0])
    assert mser5(series) == 5


def test_mser5_finds_a_step_transient_exactly() -> None:
    assert mser5(np.r_[np.full(50, 10.0), np.zeros(200)]) == 50


def test_mser5_finds_an_exponential_transient_in_noise() -> None:
    rng = np.random.default_rng(0)
    days = np.arange(1000)
    # 10 e^(-t/20) falls below the noise of a batch mean (1 / sqrt(5) = 0.45) near t = 62.
    series = 10.0 * np.exp(-days / 20.0) + rng.normal(0.0, 1.0, days.size)
    assert 40 <= mser5(series) <= 100


def test_mser5_deletes_almost_nothing_from_a_stationary_series() -> None:
    rng = np.random.default_rng(0)
    assert mser5(rng.normal(5.0, 1.0, 1000)) <= 10


def test_mser5_refuses_short_or_missing_series() -> None:
    with pytest.raises(WarmUpError, match="at least 10 observations"):
        mser5([1.0] * 9)
    with pytest.raises(WarmUpError, match="finite"):
        mser5([1.0] * 10 + [float("nan")])


# --- the daily calendar ---------------------------------------------------------------


def test_daily_calendar_has_one_period_per_day() -> None:
    calendar = Calendar.daily(Run(days=365, warm_up_days=30, start_date=dt.date(2026, 4, 1)))
    assert calendar.months == 365
    assert calendar.labels[0] == "2026-04-01" and calendar.labels[-1] == "2027-03-31"
    assert calendar.month_days.tolist() == [1.0] * 365
    assert calendar.boundaries[0] == 30.0 and calendar.horizon == 395.0
    monthly = Calendar.for_run(Run(days=365, warm_up_days=30))
    assert calendar.horizon == monthly.horizon
    assert [calendar.month_of_year(d) for d in (0, 30, 60, 394)] == [
        monthly.month_of_year(d) for d in (0, 30, 60, 394)
    ]


def test_a_daily_run_is_the_monthly_run_counted_by_day() -> None:
    scenario = scenario_from(SYSTEM)
    monthly = simulate(scenario, 2, 11)
    daily = simulate(scenario, 2, 11, Calendar.daily(scenario.run))
    assert len(monthly.months) == 2 and len(daily.months) == 60
    for counter in ("arrivals", "completions", "starts", "overflows", "slots_used"):
        assert np.array_equal(getattr(monthly, counter).sum(axis=1), getattr(daily, counter).sum(1))
    assert daily.arrivals.sum() > 3000
    for level in ("occupancy_days", "queue_days", "wait_days", "blocked_days", "delay_days"):
        np.testing.assert_allclose(
            getattr(monthly, level).sum(axis=1), getattr(daily, level).sum(axis=1), rtol=1e-9
        )
    assert np.array_equal(monthly.flows, daily.flows)
    assert np.array_equal(monthly.p95_wait_days, daily.p95_wait_days, equal_nan=True)
    assert np.array_equal(monthly.occupying_end, daily.occupying_end)


def test_a_calendar_for_another_run_is_refused() -> None:
    scenario = scenario_from(SYSTEM)
    with pytest.raises(ValueError, match="calendar must cover"):
        simulate(scenario, 0, 1, Calendar.daily(Run(days=30, warm_up_days=10)))


def test_from_empty_keeps_the_calendar_dates_of_the_original_run() -> None:
    scenario = scenario_from(SYSTEM)
    empty = from_empty(scenario, 70)
    assert (empty.run.days, empty.run.warm_up_days) == (70, 0)
    assert empty.run.start_date == scenario.run.start_date - dt.timedelta(days=10)
    assert scenario.run.warm_up_days == 10, "the original scenario is not changed"


# --- warm-up of simulated systems -----------------------------------------------------


def test_mmc_at_high_load_from_empty_needs_a_warm_up() -> None:
    # rho = 95 / 100 = 0.95: the first days are biased low while beds fill and a queue forms.
    found = warm_up(mmc(95, 100, 1.0, 200), "ward.mean_in_system")
    assert found.warm_up_days >= 5 and not found.at_limit
    values = found.series["value"]
    assert values.iloc[: found.warm_up_days].mean() < values.iloc[found.warm_up_days :].mean()
    assert f"at least {found.warm_up_days}" in found.message


def test_a_system_at_steady_state_from_the_start_needs_almost_none() -> None:
    # Stays of an hour at light load: the empty start is forgotten within the first day.
    found = warm_up(mmc(40, 100, 0.05, 100), "ward.mean_in_system")
    assert found.warm_up_days <= 10


def test_a_run_too_short_to_settle_says_run_longer() -> None:
    # rho = 0.95 with two-day stays relaxes over months: 200 days is not enough.
    found = warm_up(mmc(38, 40, 2.0, 200), "ward.mean_in_system", replications=3)
    assert found.at_limit and found.warm_up_days == 100
    assert "Run longer" in found.message


def test_the_series_is_daily_from_empty_and_the_same_for_any_workers() -> None:
    scenario = scenario_from(SYSTEM)
    one = warm_up(scenario, "ward.mean_occupied", replications=2)
    two = warm_up(scenario, "ward.mean_occupied", replications=2, workers=2)
    pd.testing.assert_frame_equal(one.series, two.series)
    assert len(one.series) == 70 and one.series["date"].iloc[0] == "2026-03-22"
    assert one.series["value"].iloc[0] < one.series["value"].iloc[-10:].mean()
    assert list(one.mser.columns) == ["batches_deleted", "days_deleted", "mser"]
    assert len(one.mser) == 70 // 5 // 2 + 1


def test_daily_ratio_metrics_pool_replications() -> None:
    scenario = from_empty(scenario_from(SYSTEM), 30)
    calendar = Calendar.daily(scenario.run)
    records = [simulate(scenario, number, 1, calendar) for number in range(2)]
    waits = daily_series(records, "ae.mean_wait_days")
    # Patients reach A&E through the GP's list, so nobody starts there on day 0: the empty
    # day takes the value before it, 0 for an empty start.
    assert sum(r.starts[1, 0] for r in records) == 0 and waits[0] == 0.0
    by_hand = sum(r.wait_days[1, 5] for r in records) / sum(r.starts[1, 5] for r in records)
    assert waits[5] == pytest.approx(by_hand)
    in_system = daily_series(records, "all.mean_in_system")
    by_hand = sum((r.occupancy_days + r.queue_days).sum(axis=0) for r in records) / 2
    np.testing.assert_allclose(in_system, by_hand)


def test_a_waits_series_with_too_many_empty_days_is_refused() -> None:
    scenario = from_empty(scenario_from(SYSTEM), 30)
    records = [simulate(scenario, 0, 1, Calendar.daily(scenario.run))]
    with pytest.raises(WarmUpError, match=r"care\.mean_wait_days has no patients on"):
        daily_series(records, "care.mean_wait_days")


def test_unknown_or_undaily_metrics_are_refused() -> None:
    scenario = scenario_from(SYSTEM)
    with pytest.raises(WarmUpError, match=r"unknown metric 'ward.paid_gbp'.*ward\."):
        warm_up(scenario, "ward.paid_gbp")
    with pytest.raises(WarmUpError, match=r"unknown metric 'all\.utilisation'"):
        warm_up(scenario, "all.utilisation")


# --- the command line -----------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text("format: 1\n" + SYSTEM)
    return path


def test_cli_prints_the_warm_up_and_writes_the_tables(small: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    command = ["warm-up", str(small), "--metric", "ward.mean_occupied", "--replications", "2"]
    assert main([*command, "--workers", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "ward.mean_occupied, MSER-5 on the mean of 2 replications of 70 days from empty" in (
        printed
    )
    series = pd.read_csv(out / "warm_up_series.csv")
    assert list(series.columns) == ["day", "date", "value"] and len(series) == 70
    mser = pd.read_csv(out / "warm_up_mser.csv")
    assert list(mser.columns) == ["batches_deleted", "days_deleted", "mser"]


def test_cli_warm_up_days_option_sets_the_run_length(small: Path, capsys) -> None:
    command = ["warm-up", str(small), "--metric", "ae.mean_queue", "--days", "20"]
    assert main([*command, "--replications", "1", "--workers", "1"]) == 0
    assert "1 replications of 20 days from empty" in capsys.readouterr().out


def test_cli_unknown_metric_is_one_line_listing_known_names(small: Path, capsys) -> None:
    assert main(["warm-up", str(small), "--metric", "ward.paid_gbp"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # The scenario's own load warnings come first; the error itself is one line.
    errors = [line for line in err.splitlines() if ": warning:" not in line]
    assert len(errors) == 1
    err = errors[0]
    assert "unknown metric 'ward.paid_gbp'; known metrics include ward." in err
