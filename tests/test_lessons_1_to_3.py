"""Board-training lessons 1 to 3: each lesson file loads without warnings, is a variant of
the Northshire baseline (directly or through a lesson's own base), carries an exercise
where it should, and runs a short horizon. Whether each exercise's expected directions hold
on 5 paired replications is checked by tests/test_exercises.py for every bundled file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.compare.roi import return_on_investment
from sim.engine import simulate
from sim.scenario import load_scenario

SCENARIOS = Path(__file__).parents[1] / "scenarios"

LESSONS = {
    "lesson1_msk_triage.yaml": ("northshire_2026.yaml", True),
    "lesson2_base.yaml": ("northshire_2026.yaml", False),
    "lesson2_sdec_investment.yaml": ("lesson2_base.yaml", True),
    "lesson2_sdec_frontloaded.yaml": ("lesson2_sdec_investment.yaml", True),
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


@pytest.mark.slow
def test_lesson2_front_loading_the_same_block_delays_payback_and_leaves_the_year_alone() -> None:
    """The spending regime: the same £2.5m paid April to September instead of a twelfth a
    month. Same patients and the same year's total; payback two months later (September ->
    November on these seeds, as the exercise's why says)."""
    base, phased, front = (
        load_scenario(SCENARIOS / name).scenario
        for name in (
            "lesson2_base.yaml",
            "lesson2_sdec_investment.yaml",
            "lesson2_sdec_frontloaded.yaml",
        )
    )
    evenly = return_on_investment(base, phased, ["sdec"], replications=3, workers=2)
    early = return_on_investment(base, front, ["sdec"], replications=3, workers=2)
    assert evenly.summary["payback_month"] == "2026-09"
    assert early.summary["payback_month"] == "2026-11"
    # By September the front-loaded block has paid £2.5m, the even one half of that.
    by_month = early.monthly.set_index("month")
    assert by_month.loc["2026-09", "cumulative_investment_gbp"] == pytest.approx(2_500_000)
    assert evenly.monthly.set_index("month").loc[
        "2026-09", "cumulative_investment_gbp"
    ] == pytest.approx(1_250_000)
    same_year = early.summary["net_change_in_total_spend_gbp"]["mean"]
    assert same_year == pytest.approx(evenly.summary["net_change_in_total_spend_gbp"]["mean"])
