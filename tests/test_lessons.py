"""The board-training lessons: every bundled scenario file validates and runs, every lesson
is a sourced variant of the baseline, lesson 4's bill check flags exactly the over-claimed
lines, and lesson 7's pooling arithmetic is right to the pound.

Whether each lesson's expected directions hold on paired replications is checked for every
bundled exercise by `tests/test_exercises.py` (its slow test).

Lesson 4's bill, scenarios/lesson4_bills.csv, is made by `lesson4_bill` below;
`write_lesson4_bill()` rewrites it."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli import main
from sim.engine import RunRecord, simulate
from sim.metric_names import SYSTEM
from sim.money.bills import BillLine, bill_from_record, read_bills, write_bills
from sim.money.pooling import (
    BUDGET_HOLDER,
    CONSORTIUM,
    PRACTICE,
    holder_positions,
    mean_abs_variance_share,
    pooling_table,
    practice_paid,
    structure_risk,
)
from sim.results import run_scenario
from sim.results.metrics import replication_metrics
from sim.scenario import Scenario, ScenarioError, load_scenario
from tests.conftest import scenario_from

ROOT = Path(__file__).parents[1]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "northshire_2026.yaml"
LESSONS = sorted(SCENARIOS.glob("lesson*.yaml"))
LESSON4_BILLS = SCENARIOS / "lesson4_bills.csv"


def _short(scenario: Scenario, days: int = 30) -> Scenario:
    """The same scenario over a short measured period, for a quick run."""
    return scenario.model_copy(update={"run": scenario.run.model_copy(update={"days": days})})


# --- every bundled file ---------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda path: path.name)
def test_every_bundled_scenario_validates(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err
    assert "valid" in capsys.readouterr().out


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda path: path.name)
def test_every_bundled_scenario_runs_a_short_horizon(path: Path) -> None:
    scenario = _short(load_scenario(path).scenario)
    result = run_scenario(scenario, replications=1)
    assert result.records[0].months == ("2026-04",)
    assert result.providers["completions"].sum() > 0
    assert result.summary["totals"]["paid_gbp"] > 0
    holders = (
        PRACTICE if all(p.holder == p.id for p in scenario.registered_practices) else BUDGET_HOLDER
    )
    assert list(result.pooling["structure"].unique()) == [holders, CONSORTIUM]


# --- the lessons are sourced variants of the baseline ---------------------------------------


def _number(path: Path) -> str:
    return path.name.split("_", 1)[0].removeprefix("lesson")


def _bases() -> set[str]:
    """Lesson files another lesson extends: a lesson's own starting point (a winter surge,
    a decision-to-admit step) against which its variants are compared."""
    return {Path(f).name for path in LESSONS for f in load_scenario(path).files[1:-1]}


def test_there_is_a_lesson_file_for_each_of_the_eight_lessons() -> None:
    assert sorted({int(_number(path)) for path in LESSONS}) == list(range(1, 9))


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.name)
def test_each_lesson_builds_on_the_baseline_and_its_variants_are_exercises(path: Path) -> None:
    loaded = load_scenario(path)
    chain = [Path(file).name for file in loaded.files]
    assert chain[0] == BASELINE.name and chain[-1] == path.name
    # In between, only the same lesson's own base files.
    assert all(_number(Path(name)) == _number(path) for name in chain[1:-1])
    if path.name in _bases():
        return
    exercise = loaded.scenario.exercise
    assert exercise is not None
    assert 2 <= len(exercise.choices) <= 4
    assert exercise.expect
    assert "placeholder" not in exercise.model_dump_json().lower()


def _unsourced(item: Any, where: str) -> list[str]:
    """Numbers in a list item of a variant file that neither the item nor any mapping
    around them gives a source for."""
    if not isinstance(item, dict) or item.get("remove"):
        return []
    if "source" in item:
        return []
    found = []
    for key, value in item.items():
        if isinstance(value, bool) or key in ("from", "to", "id"):
            continue
        if isinstance(value, int | float):
            found.append(f"{where}.{key}")
        elif isinstance(value, dict):
            found += _unsourced(value, f"{where}.{key}")
    return found


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.name)
def test_every_number_a_lesson_changes_carries_a_source(path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    unsourced = []
    for section in ("practices", "demand", "providers", "pathways"):
        for i, item in enumerate(data.get(section) or []):
            unsourced += _unsourced(item, f"{section}[{i}]")
    assert not unsourced, f"{path.name}: no source for {', '.join(unsourced)}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.name)
def test_sources_md_has_a_section_for_each_lesson(path: Path) -> None:
    sources = (SCENARIOS / "SOURCES.md").read_text()
    number = _number(path)
    heading = re.search(rf"^## Lesson {number}: .*`{path.name}`", sources, re.M)
    assert heading, f"SOURCES.md has no '## Lesson {number}: ... `{path.name}`' section"


def test_the_scenarios_readme_lists_every_bundled_file() -> None:
    readme = (SCENARIOS / "README.md").read_text()
    bundled = sorted(p.name for p in SCENARIOS.iterdir() if p.suffix in (".yaml", ".csv"))
    missing = [name for name in bundled if f"`{name}`" not in readme]
    assert not missing, f"scenarios/README.md does not mention {', '.join(missing)}"


# --- lesson 4: checking the bills -----------------------------------------------------------

LESSON4_SEED = 2093
"""Not the scenario's 2026: the bill is one realistic year, not the model's mean."""
LESSON4_WARM_UP_DAYS = 30
"""The baseline's warm-up when the bill was made. The default scenario's has been 120 days
since; the bill is kept as it was (one realistic year, whatever the warm-up), and the
check still flags exactly the padded lines against the baseline as it is now."""
LESSON4_PROVIDERS = ("ae", "outpatients", "ward", "community")
A_AND_E_WINTER = ("2026-12", "2027-01", "2027-02")
"""A&E bills 10% more attendances than it had in these months, at the same price each."""
OUTPATIENT_PRICE = ("2026-09", 232.0)
"""Outpatients bill every attendance of the month at the first-attendance price."""
BLOCK_TWICE = ("2026-10", 2)
"""The community trust bills the month's block instalment twice."""
OVER_CLAIMED = {
    *(("ae", month) for month in A_AND_E_WINTER),
    ("outpatients", OUTPATIENT_PRICE[0]),
    ("community", BLOCK_TWICE[0]),
}


def lesson4_bill(scenario: Scenario) -> list[BillLine]:
    """The bills of 2026/27 from the acute trust (A&E, outpatients, wards) and the community
    trust (community nursing), every month, from one replication of the baseline with seed
    `LESSON4_SEED` and a warm-up of `LESSON4_WARM_UP_DAYS`, with five lines padded: A&E's
    winter attendances, one month of outpatients at the first-attendance price, and a block
    instalment billed twice."""
    warm_up = scenario.run.model_copy(update={"warm_up_days": LESSON4_WARM_UP_DAYS})
    made = scenario.model_copy(update={"run": warm_up})
    record = run_scenario(made, replications=1, seed=LESSON4_SEED).records[0]
    padded = []
    for line in bill_from_record(record, made, LESSON4_PROVIDERS):
        if line.provider == "ae" and line.month in A_AND_E_WINTER:
            claimed = float(round(line.activity * 1.10))
            line = dataclasses.replace(
                line,
                activity=claimed,
                amount_gbp=round(line.amount_gbp / line.activity * claimed, 2),
            )
        elif (line.provider, line.month) == ("outpatients", OUTPATIENT_PRICE[0]):
            line = dataclasses.replace(
                line, amount_gbp=round(line.activity * OUTPATIENT_PRICE[1], 2)
            )
        elif (line.provider, line.month) == ("community", BLOCK_TWICE[0]):
            line = dataclasses.replace(line, amount_gbp=line.amount_gbp * BLOCK_TWICE[1])
        padded.append(line)
    return padded


def write_lesson4_bill(path: Path = LESSON4_BILLS) -> Path:
    return write_bills(lesson4_bill(load_scenario(BASELINE).scenario), path)


def _lessons_readme_section() -> str:
    text = (SCENARIOS / "README.md").read_text()
    return text.split("\n## The bundled files and the training lessons\n", 1)[1].split("\n## ")[0]


def test_lesson4_exercise_names_its_bill_for_the_learn_page() -> None:
    loaded = load_scenario(SCENARIOS / "lesson4_check_bills.yaml")
    assert loaded.scenario.exercise is not None
    assert loaded.scenario.exercise.bills == LESSON4_BILLS.name
    assert loaded.exercise_bills is not None
    assert loaded.exercise_bills.resolve() == LESSON4_BILLS.resolve()
    assert loaded.files[-2].resolve() == BASELINE.resolve()  # the bill's baseline


@pytest.mark.slow
def test_lesson4_check_bills_flags_exactly_the_padded_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`knockon check-bills` as documented, with the scenario's own 20 replications."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "checked.csv"
    command = ["check-bills", "scenarios/northshire_2026.yaml", "scenarios/lesson4_bills.csv"]
    assert main([*command, "--out", str(out), "--workers", "2"]) == 0
    checked = pd.read_csv(out)
    assert len(checked) == 48
    flagged = checked[checked["flagged"]]
    assert set(zip(flagged["provider"], flagged["month"], strict=True)) == OVER_CLAIMED
    honest = checked[~checked["flagged"]]
    assert len(honest) == 43 and (honest["reason"].isna() | (honest["reason"] == "")).all()
    section = _lessons_readme_section()
    assert f"knockon {' '.join(command)}\n" in section
    (shown,) = re.findall(r"```text\n(.*?)```", section, re.S)
    printed = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert printed == shown.strip().splitlines()


@pytest.mark.slow
def test_lesson4_bill_is_what_lesson4_bill_makes(tmp_path: Path) -> None:
    remade = write_lesson4_bill(tmp_path / "bills.csv")
    assert remade.read_text() == LESSON4_BILLS.read_text()
    bill = read_bills(LESSON4_BILLS, load_scenario(BASELINE).scenario)
    assert {(line.provider, line.month) for line in bill} >= OVER_CLAIMED


# --- lesson 7: pooling risk -----------------------------------------------------------------

TWO_PRACTICES = """
    budget: {annual_gbp: 400_000}
    practices:
      - {id: small, list_size: 1_000}
      - {id: large, list_size: 3_000}
    demand:
      - {id: need, enters: clinic, per_1000_per_year: 100}
    providers:
      - {id: clinic, price: {per_attendance_gbp: 100}, contract: {type: activity}}
      - {id: nursing, price: {per_attendance_gbp: 50}, contract: {type: block, annual_gbp: 120_000}}
    pathways:
      - {from: clinic, to: nursing, share: 0.1}
    """


def _hand_written_year(scenario: Scenario) -> RunRecord:
    """A year's record with hand-written activity: the clinic sees 50 patients a month from
    `small` and 200 from `large` (£60,000 and £240,000 at £100); nursing makes 200 visits
    for each practice over the year (equal use of its £120,000 block)."""
    record = simulate(scenario, replication=0, seed=1)
    months = len(record.months)
    activity = np.zeros((2, months, 2))
    activity[0, :, 0], activity[0, :, 1] = 50, 200
    activity[1, :4, 0] = activity[1, :4, 1] = 50
    return dataclasses.replace(
        record,
        completions=activity.sum(axis=2),
        practice_activity=activity,
        practice_excess_days=np.zeros_like(activity),
        practice_occupancy_days=np.zeros_like(activity),
    )


def test_pooling_on_two_practices_with_known_spends() -> None:
    scenario = scenario_from(TWO_PRACTICES, days=365)
    record = _hand_written_year(scenario)
    recharged = practice_paid(record, scenario)
    # The clinic is paid its activity; the block is split by use, half each.
    np.testing.assert_allclose(recharged, [[60_000, 240_000], [60_000, 60_000]])
    positions = holder_positions([record], scenario).set_index("holder")
    # Budgets by list size: a quarter and three quarters of £400,000.
    expected = {
        "budget_gbp": [100_000, 300_000],
        "spend_gbp": [120_000, 300_000],
        "variance_gbp": [20_000, 0],
        "variance_share": [0.2, 0.0],
    }
    for column, values in expected.items():
        np.testing.assert_allclose(positions.loc[["small", "large"], column], values, atol=1e-6)
    # Each practice alone: 20% and 0% away from budget, 10% on average. Pooled: the
    # consortium is £20,000 over a budget of £400,000, 5%.
    assert mean_abs_variance_share(record, scenario) == pytest.approx(0.10)
    pooled = {"small": CONSORTIUM, "large": CONSORTIUM}
    assert mean_abs_variance_share(record, scenario, pooled) == pytest.approx(0.05)
    table = pooling_table([record, record], scenario)
    assert structure_risk(table) == pytest.approx({PRACTICE: 0.10, CONSORTIUM: 0.05})
    consortium = table[table["structure"] == CONSORTIUM].iloc[0]
    assert (consortium["practices"], consortium["list_size"]) == (2, 4_000)
    assert consortium["variance_gbp"] == pytest.approx(20_000)
    assert consortium["variance_sd_gbp"] == 0.0
    assert consortium["chance_over_budget"] == 1.0


def test_groups_must_name_every_practice_and_only_practices() -> None:
    scenario = scenario_from(TWO_PRACTICES, days=365)
    record = _hand_written_year(scenario)
    with pytest.raises(ValueError, match="no holder for practice large; no such practice big"):
        holder_positions([record], scenario, {"small": "north", "big": "north"})


@pytest.fixture(scope="module")
def short_baseline() -> tuple[Scenario, list[RunRecord]]:
    scenario = _short(load_scenario(BASELINE).scenario, days=60)
    return scenario, run_scenario(scenario, replications=2).records


def test_holders_share_out_every_pound_paid_and_every_pound_of_budget(
    short_baseline: tuple[Scenario, list[RunRecord]],
) -> None:
    scenario, records = short_baseline
    metrics = replication_metrics(records, scenario)
    system = metrics[metrics["provider"] == SYSTEM].pivot(
        index="replication", columns="metric", values="value"
    )
    localities = {
        "central": "north",
        "northgate": "north",
        "hilltop": "north",
        "riverside": "river",
        "valley": "river",
        "harbour": "river",
        "market_street": "south",
        "castle_view": "south",
    }
    for groups in (None, localities):
        totals = holder_positions(records, scenario, groups).groupby("replication").sum()
        np.testing.assert_allclose(totals["spend_gbp"], system["paid_gbp"])
        np.testing.assert_allclose(totals["budget_gbp"], system["budget_gbp"])
    per_holder = holder_positions(records, scenario, localities)
    assert list(per_holder["holder"].unique()) == ["north", "river", "south"]
    assert list(per_holder["list_size"][:3]) == [93_400, 90_100, 66_500]


def test_small_budget_holders_end_further_from_budget_than_one_consortium(
    short_baseline: tuple[Scenario, list[RunRecord]],
) -> None:
    """Lesson 7's direction on the baseline's own replications: pooling the same year's
    spend can only bring the holders closer to budget on average (the triangle
    inequality), and with Hilltop's referrals it brings them much closer."""
    scenario, records = short_baseline
    risk = structure_risk(pooling_table(records, scenario))
    assert risk[CONSORTIUM] < risk[PRACTICE] / 2, risk
    metrics = replication_metrics(records, scenario)
    shares = metrics[metrics["metric"] == "holder_abs_variance_share"]["value"]
    assert shares.mean() == pytest.approx(risk[PRACTICE])


def test_pooling_csv_is_written_with_the_run(tmp_path: Path) -> None:
    scenario = _short(load_scenario(SCENARIOS / "lesson7_pooling_risk.yaml").scenario)
    result = run_scenario(scenario, replications=2)
    result.write(tmp_path)
    table = pd.read_csv(tmp_path / "pooling.csv")
    # One holder: the scenario's holders and the consortium are the same eight practices.
    assert list(table["structure"]) == [BUDGET_HOLDER, CONSORTIUM]
    assert list(table["holder"]) == [CONSORTIUM, CONSORTIUM]
    assert list(table["practices"]) == [8, 8]
    assert table["abs_variance_share"].nunique() == 1


# --- budget holders in the scenario file ----------------------------------------------------

THREE_PRACTICES = """
    budget: {annual_gbp: 400_000}
    practices:
      - {id: east, list_size: 1_000, budget_holder: pcn}
      - {id: west, list_size: 2_000}
      - {id: north, list_size: 1_000, budget_holder: pcn}
    demand:
      - {id: need, enters: clinic, per_1000_per_year: 100}
    providers:
      - {id: clinic, price: {per_attendance_gbp: 100}, contract: {type: activity}}
      - {id: nursing, price: {per_attendance_gbp: 50}, contract: {type: block, annual_gbp: 120_000}}
    pathways:
      - {from: clinic, to: nursing, share: 0.1}
    """


def test_pooling_with_two_holders_over_three_practices_by_hand() -> None:
    """East and North (1,000 patients each) share the holder `pcn`; West (2,000) holds its
    own budget. The clinic sees 50, 100 and 100 patients a month from east, west and north
    (£60,000, £120,000, £120,000 a year at £100); nursing's £120,000 block is used equally,
    £40,000 each. Budgets by list size: pcn £200,000, west £200,000.
    pcn spends £100,000 + £160,000 = £260,000, 30% over; west £160,000, 20% under."""
    scenario = scenario_from(THREE_PRACTICES, days=365)
    record = simulate(scenario, replication=0, seed=1)
    months = len(record.months)
    activity = np.zeros((2, months, 3))
    activity[0, :, 0], activity[0, :, 1], activity[0, :, 2] = 50, 100, 100
    activity[1, :3, :] = 200 / 3
    record = dataclasses.replace(
        record,
        completions=activity.sum(axis=2),
        practice_activity=activity,
        practice_excess_days=np.zeros_like(activity),
        practice_occupancy_days=np.zeros_like(activity),
    )
    np.testing.assert_allclose(
        practice_paid(record, scenario), [[60_000, 120_000, 120_000], [40_000] * 3]
    )
    positions = holder_positions([record], scenario)
    assert list(positions["holder"]) == ["pcn", "west"]  # in the order first listed
    expected = {
        "practices": [2, 1],
        "list_size": [2_000, 2_000],
        "budget_gbp": [200_000, 200_000],
        "spend_gbp": [260_000, 160_000],
        "variance_gbp": [60_000, -40_000],
        "variance_share": [0.3, -0.2],
    }
    for column, values in expected.items():
        np.testing.assert_allclose(positions[column], values, atol=1e-6)
    # The scenario's holders: (30% + 20%) / 2. Each practice alone: east on budget (£100,000
    # of £100,000), west 20% under, north 60% over (£160,000 of £100,000). One consortium:
    # £420,000 of £400,000, 5% over.
    assert mean_abs_variance_share(record, scenario) == pytest.approx(0.25)
    alone = {p.id: p.id for p in scenario.registered_practices}
    assert mean_abs_variance_share(record, scenario, alone) == pytest.approx(0.8 / 3)
    metrics = replication_metrics([record], scenario)
    gap = metrics[
        (metrics["provider"] == SYSTEM) & (metrics["metric"] == "holder_abs_variance_share")
    ]
    assert float(gap["value"].iloc[0]) == pytest.approx(0.25)
    table = pooling_table([record, record], scenario)
    assert list(zip(table["structure"], table["holder"], strict=True)) == [
        (BUDGET_HOLDER, "pcn"),
        (BUDGET_HOLDER, "west"),
        (CONSORTIUM, CONSORTIUM),
    ]
    assert structure_risk(table) == pytest.approx({BUDGET_HOLDER: 0.25, CONSORTIUM: 0.05})
    np.testing.assert_allclose(table["variance_gbp"], [60_000, -40_000, 20_000], atol=1e-6)
    np.testing.assert_allclose(table["chance_over_budget"], [1.0, 0.0, 1.0])


BASELINE_POOLING_SHA256 = "c8e4bd6bd2210e8608d434e0f0553010196260eb37cd1f53b0aa28ca8219627a"
"""SHA-256 of pooling.csv of the baseline over 60 days, 2 replications, as written before
practices had a `budget_holder` (commit 70b2cd4). Recomputed with that commit's code for the
baseline's 120-day warm-up (commit adce4cb; the ward's variable cost does not enter
pooling.csv); with the earlier 30-day warm-up it gave 41c8ad89...257654f."""


def test_a_file_without_budget_holders_writes_the_pooling_csv_it_always_did(
    short_baseline: tuple[Scenario, list[RunRecord]],
) -> None:
    scenario, records = short_baseline
    assert all(p.budget_holder is None for p in scenario.registered_practices)
    assert "budget_holder" not in scenario.model_dump_json()  # so its hash is unchanged
    text = pooling_table(records, scenario).to_csv(index=False)
    assert hashlib.sha256(text.encode()).hexdigest() == BASELINE_POOLING_SHA256
    # Naming each practice as its own holder means the same.
    own = scenario.model_copy(
        update={
            "practices": tuple(
                p.model_copy(update={"budget_holder": p.id}) for p in scenario.practices
            )
        }
    )
    assert pooling_table(records, own).to_csv(index=False) == text


def test_localities_in_the_file_are_the_localities_from_python(
    short_baseline: tuple[Scenario, list[RunRecord]],
) -> None:
    scenario, records = short_baseline
    localities = {
        "central": "north",
        "northgate": "north",
        "hilltop": "north",
        "riverside": "river",
        "valley": "river",
        "harbour": "river",
        "market_street": "south",
        "castle_view": "south",
    }
    held = scenario.model_copy(
        update={
            "practices": tuple(
                p.model_copy(update={"budget_holder": localities[p.id]}) for p in scenario.practices
            )
        }
    )
    from_file = pooling_table(records, held)
    from_python = pooling_table(records, scenario, {BUDGET_HOLDER: localities, CONSORTIUM: None})
    from_python.loc[from_python["structure"] == CONSORTIUM, "holder"] = CONSORTIUM
    assert list(from_file["holder"]) == ["north", "river", "south", CONSORTIUM]
    pd.testing.assert_frame_equal(
        from_file.iloc[:3].reset_index(drop=True), from_python.iloc[:3].reset_index(drop=True)
    )


def _practices_file(tmp_path: Path, practices: str) -> Path:
    path = tmp_path / "holders.yaml"
    path.write_text(
        "format: 1\nname: Holders\nbudget: {annual_gbp: 1_000_000}\npractices:\n"
        + practices
        + "demand:\n  - {id: need, enters: clinic, per_1000_per_year: 100}\n"
        "providers:\n  - {id: clinic, price: {per_attendance_gbp: 100}}\n"
    )
    return path


@pytest.mark.parametrize(
    ("practices", "line", "message"),
    [
        (
            "  - {id: a, list_size: 100, budget_holder: ''}\n",
            5,
            "practices[a].budget_holder: must be an id of letters, digits, '_', '-' and '.'",
        ),
        (
            "  - {id: a, list_size: 100, budget_holder: north pcn}\n",
            5,
            "practices[a].budget_holder: must be an id of letters, digits, '_', '-' and '.'",
        ),
        (
            "  - {id: a, list_size: 100, budget_holder: b}\n"
            "  - {id: b, list_size: 100, budget_holder: pcn}\n",
            5,
            "practices[a].budget_holder: 'b' is a practice whose own budget is held by 'pcn': "
            "use 'pcn' to share that budget, or a holder id that is not another practice's",
        ),
    ],
    ids=["empty", "not an id", "another practice's id, held elsewhere"],
)
def test_a_wrong_budget_holder_is_one_clear_problem(
    tmp_path: Path, practices: str, line: int, message: str
) -> None:
    path = _practices_file(tmp_path, practices)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    (problem,) = raised.value.problems
    assert str(problem).startswith(f"{path}:{line} {message}"), str(problem)


def test_a_practice_may_join_another_practice_s_budget(tmp_path: Path) -> None:
    path = _practices_file(
        tmp_path,
        "  - {id: a, list_size: 100}\n  - {id: b, list_size: 300, budget_holder: a}\n",
    )
    loaded = load_scenario(path)
    assert loaded.warnings == ()
    assert [p.holder for p in loaded.scenario.practices] == ["a", "a"]
