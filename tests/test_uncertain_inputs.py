"""Uncertain inputs: a number given as a range is drawn afresh in every replication, the
same way in a baseline and its variants, and results show one year's spread (p10-p90)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.results import run_scenario
from sim.results.replicate import replicate_many
from sim.scenario import ScenarioError, load_scenario
from sim.scenario.loader import scenario_hash, scenario_to_yaml

CLINIC = """\
format: 1
name: clinic with uncertain inputs
run: {{days: 60, replications: 12, seed: 3}}
population: 10000
demand:
  - {{id: referrals, enters: clinic, per_day: {rate}}}
providers:
  - id: clinic
    capacity: {{servers: {servers}}}
    length_of_stay: {{distribution: exponential, mean_days: 1}}
    price: {{per_attendance_gbp: {price}}}
{extra}"""


def _write(tmp_path: Path, name: str = "clinic.yaml", **values: object) -> Path:
    fields = {"rate": 20, "servers": 30, "price": 100, "extra": ""} | values
    path = tmp_path / name
    path.write_text(CLINIC.format(**fields))
    return path


def test_an_inline_range_becomes_its_mean_and_an_uncertain_input(tmp_path: Path) -> None:
    scenario = load_scenario(
        _write(tmp_path, rate="{low: 10, high: 30}", price="{low: 80, mode: 110, high: 170}")
    ).scenario
    assert scenario.demand[0].per_day == 20
    assert scenario.providers[0].price.per_attendance_gbp == pytest.approx(120)
    assert [u.input for u in scenario.uncertain] == [
        "demand[referrals].per_day",
        "providers[clinic].price.per_attendance_gbp",
    ]
    assert scenario.uncertain[1].mode == 110


def test_a_scenario_with_ranges_saves_and_loads_back_the_same(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, servers="{low: 25, high: 35}")).scenario
    saved = tmp_path / "saved.yaml"
    saved.write_text(scenario_to_yaml(scenario))
    assert scenario_hash(load_scenario(saved).scenario) == scenario_hash(scenario)


def test_each_replication_draws_its_own_value_within_the_range(tmp_path: Path) -> None:
    scenario = load_scenario(
        _write(tmp_path, rate="{low: 10, high: 30}", servers="{low: 25, high: 35}")
    ).scenario
    result = run_scenario(scenario)
    rates = [dict(r.inputs)["demand[referrals].per_day"] for r in result.records]
    servers = [dict(r.inputs)["providers[clinic].capacity.servers"] for r in result.records]
    assert all(10 <= rate <= 30 for rate in rates) and len(set(rates)) == len(rates)
    assert all(isinstance(s, int) and 25 <= s <= 35 for s in servers)
    # The engine really ran with the drawn values: arrivals follow each replication's rate.
    arrivals = [r.arrivals.sum() for r in result.records]
    assert np.corrcoef(rates, arrivals)[0, 1] > 0.9
    assert list(result.records[0].servers) == [servers[0]]


def test_money_uses_each_replications_drawn_price(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, price="{low: 50, high: 150}")).scenario
    result = run_scenario(scenario, replications=4)
    for record, (_, price) in zip(
        result.records, (r.inputs[0] for r in result.records), strict=True
    ):
        from sim.money.tariff import monthly_cost

        assert monthly_cost(record, scenario).sum() == pytest.approx(
            price * record.completions.sum()
        )


def test_a_baseline_and_its_variant_draw_the_same_values(tmp_path: Path) -> None:
    base = load_scenario(_write(tmp_path, rate="{low: 10, high: 30}")).scenario
    variant = load_scenario(
        _write(tmp_path, "variant.yaml", rate="{low: 10, high: 30}", servers=40)
    ).scenario
    records = replicate_many([base, variant], 5, seed=9)
    assert [r.inputs for r in records[0]] == [r.inputs for r in records[1]]


def test_results_show_one_years_spread_when_inputs_are_uncertain(tmp_path: Path) -> None:
    uncertain = run_scenario(load_scenario(_write(tmp_path, rate="{low: 10, high: 30}")).scenario)
    row = uncertain.providers.iloc[0]
    assert row["arrivals_p10"] < row["arrivals"] < row["arrivals_p90"]
    # The spread of single years is wider than the interval of their mean.
    assert (
        row["arrivals_p90"] - row["arrivals_p10"] > row["arrivals_ci_high"] - row["arrivals_ci_low"]
    )
    totals = uncertain.summary["totals"]
    assert totals["paid_gbp_p10"] < totals["paid_gbp"] < totals["paid_gbp_p90"]
    drawn = uncertain.summary["uncertain_inputs"][0]
    assert drawn["input"] == "demand[referrals].per_day" and 10 <= drawn["drawn_p10"] <= 30
    certain = run_scenario(load_scenario(_write(tmp_path, "fixed.yaml")).scenario)
    assert "arrivals_p10" not in certain.providers.columns


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"price": "{low: 150, high: 50}"}, "uncertain", "must be below high"),
        (
            {"servers": "{low: 25.5, high: 35}"},
            "providers[clinic].capacity.servers",
            "whole number",
        ),
        (
            {
                "extra": "uncertain:\n  - {input: 'providers[ward].capacity.servers', low: 1, high: 2}\n"
            },
            "providers[ward].capacity.servers",
            "no providers item 'ward'",
        ),
        (
            {"extra": "uncertain:\n  - {input: 'providers[clinic].id', low: 1, high: 2}\n"},
            "providers[clinic].id",
            "not a number",
        ),
        (
            {"servers": "{low: -5, high: 35}"},
            "providers[clinic].capacity.servers",
            "at its low value -5",
        ),
    ],
    ids=[
        "low above high",
        "fractional count",
        "unknown path",
        "not a number",
        "invalid at low end",
    ],
)
def test_bad_ranges_are_reported_with_file_line_and_field(
    tmp_path: Path, values: dict[str, str], field: str, message: str
) -> None:
    path = _write(tmp_path, **values)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    shown = [str(problem) for problem in caught.value.problems]
    assert any(str(path) in line and field in line and message in line for line in shown), shown


def test_validate_command_accepts_ranges(tmp_path: Path, capsys) -> None:
    assert main(["validate", str(_write(tmp_path, rate="{low: 10, high: 30}"))]) == 0
    assert "valid" in capsys.readouterr().out
