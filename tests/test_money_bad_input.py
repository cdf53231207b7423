"""Bad money input gets one clear line naming the file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import ScenarioError, load_scenario

SCENARIO = """format: 1
name: money
budget: {annual_gbp: 1_000_000, phasing: PHASING}
demand:
  - {id: need, enters: ward, per_day: 2}
providers:
  - id: ward
    price: {per_spell_gbp: PRICE}
    contract: CONTRACT
"""
GOOD = {"PHASING": "even", "PRICE": "2600", "CONTRACT": "{type: activity}"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"PRICE": "-2600"},
            ":8 providers[ward].price.per_spell_gbp: must be at least 0 (got -2600)",
        ),
        (
            {"PHASING": "[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2]"},
            ":3 budget.phasing: monthly fractions must sum to 1, they sum to 1.3",
        ),
        ({"PHASING": "[0.5, 0.5]"}, ":3 budget.phasing: needs 12 monthly fractions, got 2"),
        (
            {"CONTRACT": "{type: cost_and_volume, annual_gbp: 5, volume: -10}"},
            ":9 providers[ward].contract.volume: must be at least 0 (got -10)",
        ),
        (
            {"CONTRACT": "{type: marginal_rate, baseline_volume: 100, rate: 1.5}"},
            ":9 providers[ward].contract.rate: must be at most 1 (got 1.5)",
        ),
        (
            {"CONTRACT": "{type: cost_and_volume, annual_gbp: 5, volume: 10, floor_volume: 20}"},
            "floor_volume 20 is above the agreed volume 10",
        ),
        ({"CONTRACT": "{type: capitation}"}, "providers[ward].contract"),
    ],
    ids=[
        "negative price",
        "phasing sums above one",
        "phasing too short",
        "negative volume",
        "rate above one",
        "floor above volume",
        "unknown contract type",
    ],
)
def test_bad_money_input_is_one_line_naming_file_line_and_field(
    tmp_path: Path, change: dict[str, str], expected: str
) -> None:
    text = SCENARIO
    for key, value in {**GOOD, **change}.items():
        text = text.replace(key, value)
    path = tmp_path / "money.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    lines = [str(p) for p in raised.value.problems if p.severity == "error"]
    assert len(lines) == 1, lines
    assert str(path) in lines[0] and expected in lines[0], lines[0]


def test_the_good_money_file_loads(tmp_path: Path) -> None:
    text = SCENARIO
    for key, value in GOOD.items():
        text = text.replace(key, value)
    path = tmp_path / "money.yaml"
    path.write_text(text)
    assert load_scenario(path).scenario.provider("ward").price.per_spell_gbp == 2600


def test_a_day_cost_on_an_appointment_book_is_refused(tmp_path: Path) -> None:
    """An appointment book holds no place from one day to the next, so a cost per day
    held would silently come to nothing: the loader says so instead."""
    path = tmp_path / "clinic.yaml"
    path.write_text(
        "format: 1\nname: clinic\n"
        "demand:\n  - {id: need, enters: clinic, per_day: 20}\n"
        "providers:\n"
        "  - id: clinic\n"
        "    capacity: {slots_per_day: 25}\n"
        "    price: {per_attendance_gbp: 150, fixed_annual_gbp: 500_000,\n"
        "            marginal_cost_per_day_gbp: 40}\n"
    )
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    (line,) = [str(p) for p in raised.value.problems if p.severity == "error"]
    assert line.startswith(f"{path}:")
    assert "providers[clinic].price.marginal_cost_per_day_gbp" in line
    assert "appointment book" in line and "marginal_cost_share" in line
