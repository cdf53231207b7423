"""Sweeps: values and ranges as typed, designs and their points, `*` selectors, the tidy
table, a direction check against queueing theory, and the `knockon sweep` command."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.results.sweep import (
    SUMMARY_COLUMNS,
    SweepError,
    build_points,
    expand_inputs,
    parse_values,
    parse_vary,
    sweep,
)
from sim.scenario import ScenarioError
from tests.conftest import scenario_from

# One queue with exponential stays and Poisson arrivals: M/M/c with offered load 0.8.
MMC = """
demand: [{id: need, enters: clinic, per_day: 4}]
providers:
  - {id: clinic, capacity: {servers: 1}, length_of_stay: {distribution: exponential, mean_days: 0.2}, price: {per_attendance_gbp: 100}}
"""

PRACTICES = """
practices:
  - {id: riverside, list_size: 5000}
  - {id: hilltop, list_size: 3000, referral_multiplier: 1.3}
  - {id: valley, list_size: 2000}
demand:
  - {id: need, enters: gp, per_1000_per_year: 2000}
providers:
  - {id: gp, capacity: {slots_per_day: 60}}
  - {id: ae, capacity: {servers: 3}, length_of_stay: {distribution: exponential, mean_days: 0.1}}
  - {id: ward, capacity: {servers: 10}, length_of_stay: {distribution: exponential, mean_days: 3}}
  - {id: pharmacy}
pathways:
  - {from: gp, to: ae, share: 0.05}
  - {from: gp, to: pharmacy, share: 0.3}
  - {from: ae, to: ward, share: 0.2}
"""


def mmc(**run: object):
    return scenario_from(MMC, **{"days": 200, "warm_up_days": 20, "replications": 3, **run})


def practices(**run: object):
    return scenario_from(PRACTICES, **{"days": 20, "replications": 2, "seed": 3, **run})


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("500,550,600", (500, 550, 600)),
        ("500..700:50", (500, 550, 600, 650, 700)),
        ("0.8..1.2:0.1", (0.8, 0.9, 1.0, 1.1, 1.2)),
        ("3..3:1", (3,)),
        ("1.5, 2", (1.5, 2)),
        ("gamma,lognormal", ("gamma", "lognormal")),
    ],
)
def test_values_are_read_as_typed_with_exact_range_steps(text: str, values: tuple) -> None:
    assert parse_values(text) == values
    assert [type(v) for v in parse_values(text)] == [type(v) for v in values]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("500..700", "START..END:STEP"),
        ("500..700:0", "step must be greater than 0"),
        ("500..700:-50", "step must be greater than 0"),
        ("700..500:50", "end must not be below the start"),
        ("500..700:75", "not a whole number of steps"),
        ("a..b:1", "must be numbers"),
        ("1..2..3:1", "START..END:STEP"),
        ("0..1000000:1", "at most 1,000"),
        ("1,,2", "give values as"),
        ("", "give values as"),
    ],
)
def test_bad_values_say_how_to_write_them(text: str, message: str) -> None:
    with pytest.raises(SweepError, match=message):
        parse_values(text)


def test_vary_splits_path_and_values() -> None:
    assert parse_vary("pathways[gp->ae].share=0.1,0.2") == ("pathways[gp->ae].share", (0.1, 0.2))
    with pytest.raises(SweepError, match="PATH=VALUES"):
        parse_vary("providers[ward].capacity.servers")


def test_a_star_is_every_item_that_has_the_value() -> None:
    scenario = practices()
    multipliers = expand_inputs(scenario, {"practices[*].referral_multiplier": "1,2"})
    assert [item.path for item in multipliers] == [
        "practices[riverside].referral_multiplier",
        "practices[hilltop].referral_multiplier",
        "practices[valley].referral_multiplier",
    ]
    assert all(item.values == (1, 2) for item in multipliers)
    servers = expand_inputs(scenario, {"providers[*].capacity.servers": [5]})
    # The appointment book (gp) and the unlimited pharmacy have no servers to vary.
    assert [item.path for item in servers] == [
        "providers[ae].capacity.servers",
        "providers[ward].capacity.servers",
    ]


def test_bad_paths_and_repeated_inputs_are_sweep_errors() -> None:
    scenario = practices()
    with pytest.raises(SweepError, match="no providers item 'wards'"):
        expand_inputs(scenario, {"providers[wards].capacity.servers": "1"})
    with pytest.raises(SweepError, match="varied more than once"):
        expand_inputs(
            scenario,
            {
                "practices[*].referral_multiplier": "1",
                "practices[hilltop].referral_multiplier": "2",
            },
        )
    with pytest.raises(SweepError, match="no item has a value"):
        expand_inputs(scenario, {"providers[*].capacity.slots_per_hour": "1"})


def test_grid_is_every_combination_and_one_at_a_time_varies_each_alone() -> None:
    scenario = practices()
    vary = {"providers[ward].capacity.servers": "8..12:2", "pathways[gp->ae].share": "0.04,0.06"}
    grid = sweep(scenario, vary, metrics=["ward.mean_wait_days"])
    assert grid["point"].nunique() == 3 * 2
    assert list(grid.columns) == [
        "point",
        "providers[ward].capacity.servers",
        "pathways[gp->ae].share",
        *SUMMARY_COLUMNS,
    ]
    assert set(zip(grid.iloc[:, 1], grid.iloc[:, 2], strict=True)) == {
        (s, p) for s in (8, 10, 12) for p in (0.04, 0.06)
    }
    alone = sweep(scenario, vary, design="one_at_a_time", metrics=["ward.mean_wait_days"])
    assert alone["point"].nunique() == 3 + 2
    points = alone.set_index("point")
    # While one input varies, the other keeps the scenario's value (10 beds, share 0.05).
    assert list(points.loc[[0, 1, 2], "pathways[gp->ae].share"]) == [0.05] * 3
    assert list(points.loc[[3, 4], "providers[ward].capacity.servers"]) == [10, 10]


def test_integers_stay_integers_and_bad_points_are_named() -> None:
    scenario = mmc()
    ((point, built),) = build_points(
        scenario, expand_inputs(scenario, {"providers[clinic].capacity.servers": [2.0]})
    )
    assert point == {"providers[clinic].capacity.servers": 2}
    assert built.provider("clinic").capacity.servers == 2
    with pytest.raises(ScenarioError) as raised:
        sweep(scenario, {"providers[clinic].capacity.servers": "0,1,2.5"})
    shown = [str(problem) for problem in raised.value.problems]
    assert len(shown) == 2
    assert shown[0].startswith("sweep point 0 (providers[clinic].capacity.servers=0)")
    assert "must be greater than 0" in shown[0]
    assert "point 2 (providers[clinic].capacity.servers=2.5)" in shown[1]


def test_more_servers_never_lengthen_the_wait_of_an_mmc_queue() -> None:
    table = sweep(mmc(), {"providers[clinic].capacity.servers": "1..3:1"})
    waits = table[(table.provider == "clinic") & (table.metric == "mean_wait_days")]
    means = waits.set_index("providers[clinic].capacity.servers")["mean"]
    assert list(means.index) == [1, 2, 3]
    # Erlang C: 0.8, 0.038 and 0.003 days.
    assert means[1] > means[2] > means[3], f"mean waits by servers: {means.to_dict()}"
    assert 0.5 < means[1] < 1.2, means.to_dict()
    assert set(waits["replications"]) == {3}


def test_metrics_can_be_restricted_and_unknown_ones_are_named() -> None:
    table = sweep(mmc(), {"providers[clinic].capacity.servers": "2"}, metrics=["all.paid_gbp"])
    assert list(zip(table.provider, table.metric, strict=True)) == [("all", "paid_gbp")]
    with pytest.raises(SweepError, match=r"unknown metric 'clinic\.mean_wait'.*mean_wait_days"):
        sweep(mmc(), {"providers[clinic].capacity.servers": "2"}, metrics=["clinic.mean_wait"])


def test_the_table_is_the_same_for_any_number_of_workers() -> None:
    vary = {"providers[clinic].capacity.servers": "1,2"}
    one = sweep(mmc(replications=4), vary, workers=1)
    two = sweep(mmc(replications=4), vary, workers=2)
    pd.testing.assert_frame_equal(one, two)


@pytest.fixture
def mmc_file(tmp_path: Path) -> Path:
    path = tmp_path / "clinic.yaml"
    path.write_text(
        "format: 1\nname: Clinic\nrun: {days: 60, replications: 2, seed: 5}\n" + MMC.lstrip()
    )
    return path


def test_cli_sweep_writes_sweep_csv_and_shows_each_point(
    mmc_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["sweep", str(mmc_file), "--vary", "providers[clinic].capacity.servers=1..2:1"]
    assert main([*args, "--out", str(out), "--workers", "1"]) == 0
    table = pd.read_csv(out / "sweep.csv")
    assert list(table.columns) == ["point", "providers[clinic].capacity.servers", *SUMMARY_COLUMNS]
    assert sorted(table["point"].unique()) == [0, 1]
    shown = capsys.readouterr().out
    assert "Clinic: 2 points, means of 2 replications each" in shown
    assert "mean (95% confidence interval)" in shown
    # A second run refuses to overwrite without --overwrite.
    assert main([*args, "--out", str(out)]) == 1
    assert main([*args, "--out", str(out), "--overwrite", "--one-at-a-time"]) == 0


@pytest.mark.parametrize(
    ("vary", "expected"),
    [
        ("providers[clinc].capacity.servers=1,2", "no providers item 'clinc'"),
        ("providers[clinic].capacity.servers=1..2", "START..END:STEP"),
        ("providers[clinic].capacity.servers=0", "point 0"),
    ],
)
def test_cli_sweep_errors_are_one_line_with_exit_code_1(
    mmc_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    vary: str,
    expected: str,
) -> None:
    code = main(["sweep", str(mmc_file), "--vary", vary, "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().err.strip()
    assert code == 1
    assert expected in printed and len(printed.splitlines()) == 1, printed
    assert "Traceback" not in printed
    assert not (tmp_path / "out" / "sweep.csv").exists()
