"""How many replications (Hoad, Robinson & Davies 2010): exact stopping points on
synthetic sequences, the look-ahead, the give-up, the zero-mean rule, and real runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.results.metrics import replication_metrics, wide
from sim.results.precision import (
    PrecisionError,
    default_metrics,
    look_ahead,
    replications_needed,
    select_replications,
)
from sim.results.replicate import replicate
from tests.conftest import scenario_from

SMALL = """
name: Small system
run: {days: 60, warm_up_days: 10, replications: 3, seed: 4}
population: 20000
demand:
  - {id: need, enters: gp, per_1000_per_year: 2000}
providers:
  - {id: gp, capacity: {slots_per_day: 120}, price: {per_attendance_gbp: 45}}
  - {id: ae, capacity: {servers: 4}, length_of_stay: {distribution: lognormal, mean_days: 0.15, sd_days: 0.1}, price: {per_attendance_gbp: 273}}
  - {id: advice, price: {per_attendance_gbp: 10}}
exits: [home]
pathways:
  - {from: gp, to: ae, share: 0.05}
  - {from: gp, to: advice, share: 0.1}
  - {from: ae, to: home, share: 0.8}
"""


def stream(values: list[float], name: str = "x") -> list[dict[str, float]]:
    return [{name: value} for value in values]


class Counted:
    """A stream that counts how many values were pulled from it."""

    def __init__(self, rows: list[dict[str, float]]) -> None:
        self.rows = rows
        self.pulled = 0

    def __iter__(self) -> Iterator[dict[str, float]]:
        for row in self.rows:
            self.pulled += 1
            yield row


def test_look_ahead_is_k_limit_up_to_100_then_in_proportion() -> None:
    assert [look_ahead(n) for n in (3, 50, 100, 101, 150, 200, 399)] == [5, 5, 5, 5, 7, 10, 19]


def test_a_constant_metric_is_precise_at_three_and_confirmed_by_five_more() -> None:
    values = Counted(stream([100.0] * 50))
    advice = select_replications(values)
    assert (advice.replications, advice.reached, advice.ran) == (3, True, 8)
    assert values.pulled == 8, "the procedure must stop pulling replications once it decides"
    assert list(advice.trace.columns) == [
        "n",
        "metric",
        "mean",
        "half_width",
        "relative_half_width",
    ]
    assert advice.trace["n"].tolist() == list(range(1, 9))
    assert advice.trace["relative_half_width"].iloc[2:].eq(0.0).all()
    assert "3 replications" in advice.message and "confirmed by 5 more" in advice.message


def test_the_look_ahead_rejects_a_first_answer_that_does_not_hold() -> None:
    # 100, 100, 100 is precise at n = 3 (tentative N_sol = 3), but the look-ahead (n = 4..8)
    # meets 130 at n = 6: mean 105, s = sqrt(150) = 12.247, t(5) = 2.5706,
    # d = 2.5706 * 12.247 / sqrt(6) / 105 = 0.1224 > 0.05, so 3 is rejected and the search
    # goes on. With k further 100s the relative half-width falls: at n = 12,
    # mean 102.5, s = 8.660, t(11) = 2.2010, d = 0.0537 (still too wide); at n = 13,
    # mean 102.308, s = 8.321, t(12) = 2.1788, d = 0.0491: the new tentative N_sol = 13,
    # confirmed by n = 14..18.
    values = Counted(stream([100.0] * 5 + [130.0] + [100.0] * 40))
    advice = select_replications(values)
    assert (advice.replications, advice.reached, advice.ran) == (13, True, 18)
    assert values.pulled == 18
    trace = advice.trace.set_index("n")["relative_half_width"]
    assert trace[6] == pytest.approx(0.12241, abs=1e-5)
    assert trace[12] == pytest.approx(0.05368, abs=1e-5)
    assert trace[13] == pytest.approx(0.04915, abs=1e-5)


def test_every_metric_must_be_precise_at_once() -> None:
    rows = [{"steady": 50.0, "jumpy": value} for value in [100.0] * 5 + [130.0] + [100.0] * 40]
    advice = select_replications(rows)
    assert (advice.replications, advice.ran) == (13, 18)
    assert advice.metrics == ("steady", "jumpy")
    assert len(advice.trace) == 2 * 18


def test_looser_precision_stops_sooner() -> None:
    # Alternating 90, 110: at n = 4, mean 100, s = 11.547, t(3) = 3.1824, d = 0.1837.
    values = stream([90.0, 110.0] * 30)
    advice = select_replications(values, precision=0.2)
    assert (advice.replications, advice.ran) == (4, 9)
    assert advice.final()["relative_half_width"].iloc[0] == pytest.approx(0.18374, abs=1e-5)


def test_gives_up_at_the_maximum_and_says_so_plainly() -> None:
    advice = select_replications(stream([0.0, 200.0] * 100), max_replications=20)
    assert (advice.replications, advice.reached, advice.ran) == (None, False, 20)
    assert advice.message.startswith("Precision NOT reached: after 20 replications")
    assert "x at ±" in advice.message
    assert advice.final()["n"].iloc[0] == 20


def test_an_answer_the_look_ahead_cannot_finish_is_not_an_answer() -> None:
    advice = select_replications(stream([100.0] * 50), max_replications=6)
    assert (advice.replications, advice.reached, advice.ran) == (None, False, 6)
    assert "reached at 3 but the look-ahead of 5 replications could not confirm it" in (
        advice.message
    )


def test_zero_mean_rule_all_zero_is_precise_but_zero_mean_with_spread_never_is() -> None:
    rows = [{"paid": 100.0, "overflows": 0.0}] * 20
    assert select_replications(rows).replications == 3
    advice = select_replications(stream([-1.0, 1.0] * 20), max_replications=10)
    assert not advice.reached
    assert advice.trace["relative_half_width"].iloc[-1] == float("inf")
    assert "undefined (mean 0)" in advice.message


def test_missing_values_and_bad_settings_are_refused() -> None:
    with pytest.raises(PrecisionError, match="x has no value in replication 1"):
        select_replications(stream([1.0, float("nan"), 1.0]))
    with pytest.raises(PrecisionError, match="precision must be a fraction"):
        select_replications(stream([1.0] * 10), precision=5)
    with pytest.raises(PrecisionError, match="max_replications must be at least 3"):
        select_replications(stream([1.0] * 10), max_replications=2)


def test_default_metrics_are_payments_and_congestion_where_capacity_is_limited() -> None:
    scenario = scenario_from(SMALL)
    assert default_metrics(scenario) == ("all.paid_gbp", "gp.mean_in_system", "ae.mean_in_system")


def test_real_replications_are_numbered_as_knockon_run_numbers_them() -> None:
    scenario = scenario_from(SMALL)
    metric = "ae.mean_wait_days"
    advice = replications_needed(scenario, [metric], precision=0.1, max_replications=40)
    records = replicate(scenario, advice.ran, scenario.run.seed)
    values = wide(replication_metrics(records, scenario))[metric]
    final = advice.trace[advice.trace["n"] == advice.ran]
    assert final["mean"].iloc[0] == pytest.approx(values.mean(), rel=1e-12)
    assert advice.ran >= 8


def test_the_answer_does_not_depend_on_the_number_of_workers() -> None:
    scenario = scenario_from(SMALL)
    metrics = ["ae.mean_wait_days", "all.paid_gbp"]
    one = replications_needed(scenario, metrics, precision=0.1, max_replications=30, workers=1)
    three = replications_needed(scenario, metrics, precision=0.1, max_replications=30, workers=3)
    assert (one.replications, one.ran, one.message) == (
        three.replications,
        three.ran,
        three.message,
    )
    pd.testing.assert_frame_equal(one.trace, three.trace)


def test_unknown_and_signed_metrics_are_refused_before_anything_runs() -> None:
    scenario = scenario_from(SMALL)
    with pytest.raises(PrecisionError, match=r"unknown metric 'ae.mean_wiat_days'.*ae.mean_wait"):
        replications_needed(scenario, ["ae.mean_wiat_days"])
    with pytest.raises(PrecisionError, match="zero or negative"):
        replications_needed(scenario, ["all.budget_variance_gbp"])


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text("format: 1\n" + SMALL)
    return path


def test_cli_prints_the_recommendation_and_writes_the_trace(
    small: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out"
    command = ["replications", str(small), "--metric", "ae.mean_in_system", "--workers", "1"]
    assert main([*command, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Small system: " in printed and "replications give a 95% interval within ±5%" in printed
    trace = pd.read_csv(out / "replications.csv")
    assert list(trace.columns) == ["n", "metric", "mean", "half_width", "relative_half_width"]
    assert set(trace["metric"]) == {"ae.mean_in_system"}
    assert main([*command, "--out", str(out)]) == 1
    assert "--overwrite" in capsys.readouterr().err


def test_cli_says_when_precision_is_not_reached(small: Path, capsys) -> None:
    command = ["replications", str(small), "--metric", "ae.mean_wait_days", "--workers", "1"]
    assert main([*command, "--precision", "0.001", "--max-replications", "4"]) == 0
    assert "Precision NOT reached: after 4 replications" in capsys.readouterr().out


def test_cli_unknown_metric_is_one_line_listing_known_names(small: Path, capsys) -> None:
    assert main(["replications", str(small), "--metric", "ae.mean_wiat_days"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "unknown metric 'ae.mean_wiat_days'; known metrics include ae.mean_wait_days" in err
