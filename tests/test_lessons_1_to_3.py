"""Board-training lessons 1 to 3: each lesson file loads without warnings, is a variant of
the Northshire baseline (directly or through a lesson's own base), carries an exercise
where it should, and runs a short horizon. Whether each exercise's expected directions hold
on 5 paired replications is checked by tests/test_exercises.py for every bundled file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.engine import simulate
from sim.scenario import load_scenario

SCENARIOS = Path(__file__).parents[1] / "scenarios"

LESSONS = {
    "lesson1_msk_triage.yaml": ("northshire_2026.yaml", True),
    "lesson2_base.yaml": ("northshire_2026.yaml", False),
    "lesson2_sdec_investment.yaml": ("lesson2_base.yaml", True),
    "lesson3_winter_surge.yaml": ("northshire_2026.yaml", False),
    "lesson3_ward_block.yaml": ("lesson3_winter_surge.yaml", True),
    "lesson3_ward_marginal_rate.yaml": ("lesson3_winter_surge.yaml", True),
}


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_a_lesson_file_loads_as_a_variant_with_its_exercise(name: str) -> None:
    base, has_exercise = LESSONS[name]
    loaded = load_scenario(SCENARIOS / name)
    assert loaded.warnings == ()
    assert loaded.files[-1].name == name
    assert loaded.files[-2].name == base
    assert loaded.files[0].name == "northshire_2026.yaml"
    exercise = loaded.scenario.exercise
    assert (exercise is not None) == has_exercise
    if exercise is not None:
        assert 2 <= len(exercise.choices) <= 4
        assert "FIGURES" not in exercise.why


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_a_lesson_runs_a_short_horizon(name: str) -> None:
    scenario = load_scenario(SCENARIOS / name).scenario
    short = scenario.model_copy(
        update={"run": scenario.run.model_copy(update={"days": 30, "warm_up_days": 5})}
    )
    record = simulate(short, replication=0)
    assert record.providers == tuple(p.id for p in scenario.providers)
