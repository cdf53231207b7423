"""Sensitivity: the tornado ranks inputs by how far they move a metric (paired seeds), and
SALib's Morris and Sobol analyses find the inputs that matter and the ones that do not."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.compare.roi import ComparisonError
from sim.compare.sensitivity import Input, global_sensitivity, inputs_of, tornado
from sim.scenario import load_scenario
from tests.conftest import scenario_from

CLINIC = """
    demand: [{id: referrals, enters: clinic, per_day: 20}]
    providers:
      - id: clinic
        capacity: {servers: 25}
        length_of_stay: {distribution: exponential, mean_days: 1}
        price: {per_attendance_gbp: 100}
"""
PRICE = Input("providers[clinic].price.per_attendance_gbp", 50, 150)
SERVERS = Input("providers[clinic].capacity.servers", 22, 40)
RATE = Input("demand[referrals].per_day", 10, 22)


def _clinic():
    return scenario_from(CLINIC, days=60, warm_up_days=10, replications=5, seed=4)


def test_the_tornado_puts_the_biggest_swing_first_with_exact_paired_answers() -> None:
    table = tornado(_clinic(), [SERVERS, PRICE, RATE], ["all.paid_gbp"], replications=5, seed=4)
    assert list(table["input"]) == [PRICE.path, RATE.path, SERVERS.path]
    price = table.iloc[0]
    # Same patients at both ends: paying £100 more each adds exactly 100 x completions.
    completions_cost = price["nominal"] / 100
    assert price["swing"] == pytest.approx(100 * completions_cost)
    assert table.iloc[0]["significant"] and table.iloc[1]["significant"]


def test_an_input_that_cannot_move_a_metric_has_no_swing() -> None:
    table = tornado(_clinic(), [PRICE], ["clinic.mean_wait_days"], replications=4, seed=1)
    row = table.iloc[0]
    assert (row["swing"], row["swing_ci_low"], row["swing_ci_high"]) == (0.0, 0.0, 0.0)
    assert not row["significant"]


def test_morris_screening_separates_inputs_that_matter_from_those_that_do_not() -> None:
    table = global_sensitivity(
        _clinic(),
        [PRICE, RATE],
        ["clinic.mean_wait_days"],
        replications=2,
        seed=3,
        method="morris",
        samples=4,
    )
    by_input = table.set_index("input")["mu_star"]
    assert by_input[PRICE.path] == 0.0
    assert by_input[RATE.path] > 0.0


def test_sobol_gives_the_price_most_of_the_variance_of_spend() -> None:
    table = global_sensitivity(
        _clinic(),
        [PRICE, SERVERS],
        ["all.paid_gbp"],
        replications=2,
        seed=3,
        method="sobol",
        samples=16,
    )
    total = table.set_index("input")["total_order"]
    assert total[PRICE.path] > 0.8
    assert abs(total[SERVERS.path]) < 0.1


def test_inputs_default_to_the_scenarios_uncertain_inputs(tmp_path: Path) -> None:
    path = tmp_path / "ranges.yaml"
    path.write_text(
        "format: 1\nname: ranges\npopulation: 1000\n"
        "demand: [{id: d, enters: clinic, per_day: {low: 5, high: 9}}]\n"
        "providers:\n  - {id: clinic, capacity: {servers: 12},"
        " length_of_stay: {distribution: exponential, mean_days: 1}}\n"
    )
    scenario = load_scenario(path).scenario
    assert inputs_of(scenario) == [Input("demand[d].per_day", 5, 9)]
    with pytest.raises(ComparisonError, match="no inputs to vary"):
        inputs_of(_clinic())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("providers[clinic].capacity.servers", "PATH=LOW:HIGH"),
        ("providers[clinic].capacity.servers=40:20", "LOW must be below HIGH"),
    ],
)
def test_badly_written_inputs_are_refused(text: str, message: str) -> None:
    with pytest.raises(ComparisonError, match=message):
        Input.parse(text)


def test_an_input_that_names_nothing_is_refused() -> None:
    with pytest.raises(ComparisonError, match="no providers item 'ward'"):
        inputs_of(_clinic(), [Input("providers[ward].capacity.servers", 1, 2)])


def test_sensitivity_command_writes_a_tornado_table(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "clinic.yaml"
    scenario.write_text(
        "format: 1\nname: clinic\nrun: {days: 30, replications: 3}\npopulation: 1000\n"
        "demand: [{id: d, enters: clinic, per_day: 8}]\n"
        "providers:\n  - {id: clinic, capacity: {servers: 12},"
        " length_of_stay: {distribution: exponential, mean_days: 1},"
        " price: {per_attendance_gbp: 100}}\n"
    )
    out = tmp_path / "out"
    code = main(
        [
            "sensitivity",
            str(scenario),
            "--out",
            str(out),
            "--workers",
            "1",
            "--input",
            "providers[clinic].capacity.servers=9:15",
            "--input",
            "providers[clinic].price.per_attendance_gbp=80:120",
        ]
    )
    assert code == 0
    table = pd.read_csv(out / "tornado.csv")
    assert set(table["metric"]) == {"all.paid_gbp", "clinic.mean_wait_days"}
    bad = main(
        [
            "sensitivity",
            str(scenario),
            "--out",
            str(out),
            "--overwrite",
            "--input",
            "providers[nope].capacity.servers=1:2",
        ]
    )
    assert bad == 1
    assert "no providers item 'nope'" in capsys.readouterr().err
