"""Training exercises: the `exercise:` block of a scenario file, and whether its answer held.

An exercise is text a board reads plus the directions its answer is expected to take. The
file is checked like any other part (one-line problems naming file, line and field); the
text changes no number; and every bundled exercise's expected directions hold on paired
replications, so the Learn page never reveals an answer the model does not give.
"""

from __future__ import annotations

import dataclasses
import math
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from sim.compare import ComparisonError, compare_scenarios, input_changes
from sim.compare.exercise import Outcome, expectations, held, metric_words, shown
from sim.compare.paired import Comparison
from sim.scenario import Problem, ScenarioError, load_scenario, parse_scenario, scenario_hash
from tests.conftest import scenario_from

ROOT = Path(__file__).parents[1]
SCENARIOS = ROOT / "scenarios"

BASELINE = """\
format: 1
name: Small system
run: {days: 60, replications: 3, seed: 7}
demand:
  - {id: need, enters: ae, per_day: 20}
providers:
  - id: ae
    capacity: {servers: 4}
    length_of_stay: {distribution: exponential, mean_days: 0.1}
    price: {per_attendance_gbp: 273}
  - id: ward
    capacity: {servers: 30}
    length_of_stay: {distribution: exponential, mean_days: 4}
    price: {per_spell_gbp: 2_600}
pathways:
  - {from: ae, to: ward, share: 0.2}
"""

EXERCISE = """\
extends: baseline.yaml
name: Fewer admissions
pathways:
  - {from: ae, to: ward, share: 0.1}
exercise:
  title: Fewer admissions
  story: A&E admits half as many patients.
  question: Does spend fall?
  choices: ["Yes", "No"]
  expect:
    - {metric: ward.arrivals, direction: down}
    - {metric: all.paid_gbp, direction: down}
  why: Fewer spells are paid for.
"""


def _write(folder: Path, variant: str) -> Path:
    (folder / "baseline.yaml").write_text(BASELINE)
    path = folder / "variant.yaml"
    path.write_text(textwrap.dedent(variant))
    return path


def _only_problem(path: Path) -> Problem:
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    problems = raised.value.problems
    assert len(problems) == 1, "\n".join(str(problem) for problem in problems)
    (problem,) = problems
    assert problem.file == str(path)
    assert "\n" not in str(problem)
    return problem


# --- the format -----------------------------------------------------------------------------


def test_a_sound_exercise_loads_without_warnings(tmp_path: Path) -> None:
    loaded = load_scenario(_write(tmp_path, EXERCISE))
    assert loaded.warnings == ()
    exercise = loaded.scenario.exercise
    assert exercise is not None
    assert exercise.title == "Fewer admissions"
    assert exercise.choices == ("Yes", "No")
    assert [(e.metric, e.direction) for e in exercise.expect] == [
        ("ward.arrivals", "down"),
        ("all.paid_gbp", "down"),
    ]


def test_a_direction_is_up_or_down(tmp_path: Path) -> None:
    path = _write(tmp_path, EXERCISE.replace("direction: down}", "direction: sideways}", 1))
    problem = _only_problem(path)
    assert (problem.line, problem.field) == (11, "exercise.expect[0].direction")
    assert problem.message == "unknown direction 'sideways': use one of up, down"


def test_an_exercise_needs_at_least_two_paired_replications(tmp_path: Path) -> None:
    path = _write(tmp_path, EXERCISE.replace("  expect:", "  replications: 1\n  expect:"))
    problem = _only_problem(path)
    assert (problem.line, problem.field) == (10, "exercise.replications")
    assert "at least 2" in problem.message and "got 1" in problem.message


def test_an_exercise_may_ask_for_more_replications_and_its_numbers_stay_the_same(
    tmp_path: Path,
) -> None:
    plain = load_scenario(_write(tmp_path, EXERCISE)).scenario
    more = load_scenario(
        _write(tmp_path, EXERCISE.replace("  expect:", "  replications: 20\n  expect:"))
    ).scenario
    assert more.exercise is not None and more.exercise.replications == 20
    assert scenario_hash(more) == scenario_hash(plain)


def test_an_unknown_metric_is_named_with_the_likeliest_ones(tmp_path: Path) -> None:
    path = _write(tmp_path, EXERCISE.replace("ward.arrivals", "ward.attendances"))
    problem = _only_problem(path)
    assert (problem.line, problem.field) == (11, "exercise.expect[0].metric")
    assert problem.message.startswith("unknown metric 'ward.attendances'; known metrics include")
    assert "ward.arrivals" in problem.message


def test_an_unknown_provider_in_a_metric_is_named_with_the_known_ones(tmp_path: Path) -> None:
    path = _write(tmp_path, EXERCISE.replace("ward.arrivals", "wrd.arrivals"))
    problem = _only_problem(path)
    assert (problem.line, problem.field) == (11, "exercise.expect[0].metric")
    assert (
        problem.message == "unknown provider 'wrd' (did you mean 'ward'?): use one of ae, ward, all"
    )


def test_the_whole_system_has_its_own_metrics(tmp_path: Path) -> None:
    path = _write(tmp_path, EXERCISE.replace("all.paid_gbp", "all.arrivals"))
    problem = _only_problem(path)
    assert (problem.line, problem.field) == (12, "exercise.expect[1].metric")
    assert problem.message.startswith("unknown metric 'all.arrivals'")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (("ward.arrivals", "arrivals"), "exercise.expect[0].metric", "must be PROVIDER.METRIC"),
        (('choices: ["Yes", "No"]', 'choices: ["Yes"]'), "exercise.choices", "give 2 to 5 answers"),
        (
            ("all.paid_gbp", "ward.arrivals"),
            "exercise.expect",
            "ward.arrivals expected more than once",
        ),
        (("  why: Fewer spells are paid for.\n", ""), "exercise.why", "required, but missing"),
        (("  title:", "  headline:"), "exercise.headline", "unknown field 'headline'"),
    ],
)
def test_each_mistake_in_an_exercise_is_one_line_naming_its_field(
    tmp_path: Path, change: tuple[str, str], field: str, message: str
) -> None:
    with pytest.raises(ScenarioError) as raised:
        load_scenario(_write(tmp_path, EXERCISE.replace(*change)))
    problems = raised.value.problems
    assert any(p.field == field and p.message.startswith(message) for p in problems), [
        str(p) for p in problems
    ]
    assert all(p.file.endswith("variant.yaml") and "\n" not in str(p) for p in problems)


def test_an_exercise_changes_no_number_no_hash_and_no_listed_input(tmp_path: Path) -> None:
    with_exercise = load_scenario(_write(tmp_path, EXERCISE)).scenario
    plain = EXERCISE[: EXERCISE.index("exercise:")]
    without = load_scenario(_write(tmp_path, plain)).scenario
    assert with_exercise.model_copy(update={"exercise": None}) == without
    assert scenario_hash(with_exercise) == scenario_hash(without)
    base = load_scenario(tmp_path / "baseline.yaml").scenario
    assert [c.path for c in input_changes(base, with_exercise)] == ["pathways[ae->ward].share"]
    assert input_changes(without, with_exercise) == []


# --- the exercise's bill --------------------------------------------------------------------

BILL = """\
provider,month,activity,amount_gbp
ae,2026-04,560,152880.00
ward,2026-05,112,"£291,200.00"
"""


def _with_bill(folder: Path, bill: str | None = BILL, name: str = "bill.csv") -> Path:
    """The exercise variant naming `name` as its bill, with `bill` written there (if any)."""
    if bill is not None:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(bill)
    return _write(folder, EXERCISE + f"  bills: {name}\n")


def test_an_exercise_bill_is_found_beside_the_file_that_names_it(tmp_path: Path) -> None:
    path = _with_bill(tmp_path, name="bills/2026.csv")
    loaded = load_scenario(path)
    assert loaded.warnings == ()
    assert loaded.scenario.exercise is not None
    assert loaded.scenario.exercise.bills == "bills/2026.csv"
    assert loaded.exercise_bills == tmp_path / "bills" / "2026.csv"
    # A variant elsewhere that inherits the exercise finds the bill where its base named it.
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "again.yaml").write_text("extends: ../variant.yaml\nname: Again\n")
    again = load_scenario(tmp_path / "more" / "again.yaml")
    assert again.exercise_bills == tmp_path / "bills" / "2026.csv"


def test_a_missing_bill_is_one_line_naming_the_field(tmp_path: Path) -> None:
    problem = _only_problem(_with_bill(tmp_path, bill=None, name="nope.csv"))
    assert (problem.line, problem.field) == (14, "exercise.bills")
    assert (
        problem.message == f"cannot find the bill 'nope.csv' (looked for {tmp_path / 'nope.csv'})"
    )


@pytest.mark.parametrize(
    ("bill", "message"),
    [
        (
            BILL.replace("2026-04", "2026-07"),
            ":2 month: 2026-07 is not a month of the run: use 2026-04 to 2026-05",
        ),
        (
            BILL.replace('"£291,200.00"', "£291,200.00"),
            ":3: has 5 values, the header has 4 columns (a number with thousands commas",
        ),
        (BILL.replace("activity", "activty"), ":1 activty: unknown column (did you mean"),
        ("", ": is empty: the first line must be the header"),
    ],
    ids=["month outside the run", "unquoted thousands", "misspelt column", "empty"],
)
def test_a_bill_that_does_not_read_is_one_line_naming_file_and_field(
    tmp_path: Path, bill: str, message: str
) -> None:
    problem = _only_problem(_with_bill(tmp_path, bill))
    assert (problem.line, problem.field) == (14, "exercise.bills")
    assert problem.message.startswith(f"{tmp_path / 'bill.csv'}{message}"), problem.message


def test_the_bill_is_read_against_the_baseline(tmp_path: Path) -> None:
    """A provider only the variant has cannot be on the baseline's bill."""
    path = _with_bill(tmp_path, BILL + "clinic,2026-04,10,100.00\n")
    path.write_text(
        path.read_text().replace(
            "exercise:", "providers:\n  - {id: clinic, price: {per_attendance_gbp: 10}}\nexercise:"
        )
    )
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    (problem,) = raised.value.errors  # and a warning that nobody reaches the clinic
    assert problem.field == "exercise.bills"
    assert problem.message == (
        f"{tmp_path / 'bill.csv'}:4 provider: unknown provider 'clinic': use one of ae, ward"
    )


def test_a_bill_changes_no_hash_and_goes_unchecked_without_a_baseline(tmp_path: Path) -> None:
    with_bill = load_scenario(_with_bill(tmp_path)).scenario
    without = load_scenario(_write(tmp_path, EXERCISE)).scenario
    assert scenario_hash(with_bill) == scenario_hash(without)
    # A merged copy (the app's, an exported file) has no baseline to read the bill against.
    merged = with_bill.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert merged["exercise"]["bills"] == "bill.csv"
    merged["exercise"]["bills"] = "nowhere.csv"
    loaded = parse_scenario(merged, origin="copy.yaml")
    assert loaded.exercise_bills is None and loaded.warnings == ()


# --- whether the answer held ----------------------------------------------------------------


def _comparison(rows: list[tuple[str, str, float, float, float]]) -> Comparison:
    """A comparison of the small system with hand-written differences (no simulation)."""
    base = scenario_from(BASELINE)
    variant = scenario_from(
        BASELINE
        + textwrap.dedent(
            """\
            exercise:
              title: T
              story: S
              question: Q
              expect:
                - {metric: all.paid_gbp, direction: down}
                - {metric: ae.mean_wait_days, direction: up}
                - {metric: ward.arrivals, direction: down}
                - {metric: ae.paid_gbp, direction: up}
              why: W
            """
        )
    )
    differences = pd.DataFrame(
        [
            {
                "provider": provider,
                "metric": metric,
                "base": 100.0,
                "variant": 100.0 + difference,
                "difference": difference,
                "ci_low": low,
                "ci_high": high,
                "scenario": "lesson",
            }
            for provider, metric, difference, low, high in rows
        ]
    )
    empty = pd.DataFrame()
    return Comparison(
        base=base,
        variants=(variant,),
        labels=("lesson",),
        replications=5,
        seed=7,
        inputs=empty,
        differences=differences,
        flows=empty,
        waterfall=empty,
        summary={"lesson": []},
    )


def test_an_expected_direction_holds_only_when_its_interval_excludes_zero() -> None:
    comparison = _comparison(
        [
            ("all", "paid_gbp", -5.0, -8.0, -2.0),  # down, wholly below zero: held
            ("ae", "mean_wait_days", 0.5, -0.1, 1.1),  # up, but the interval reaches zero
            ("ward", "arrivals", 3.0, 1.0, 5.0),  # down expected, went up
        ]
    )
    outcomes = expectations(comparison, "lesson")
    assert [o.metric for o in outcomes] == [
        "all.paid_gbp",
        "ae.mean_wait_days",
        "ward.arrivals",
        "ae.paid_gbp",
    ]
    assert [o.expected for o in outcomes] == ["down", "up", "down", "up"]
    assert [o.held for o in outcomes] == [True, False, False, False]
    first = outcomes[0]
    assert (first.base, first.variant, first.difference, first.ci_low, first.ci_high) == (
        100.0,
        95.0,
        -5.0,
        -8.0,
        -2.0,
    )
    missing = outcomes[3]  # not in the comparison: unknown, so it cannot have held
    assert isinstance(missing, Outcome) and math.isnan(missing.difference)


def test_an_interval_touching_zero_has_not_held() -> None:
    assert held("up", 0.0, 3.0) is False
    assert held("down", -3.0, 0.0) is False
    assert held("up", 1e-9, 3.0) is True
    assert held("down", math.nan, math.nan) is False


def test_only_a_variant_with_an_exercise_has_expectations() -> None:
    comparison = _comparison([])
    with pytest.raises(ComparisonError, match="no variant 'other'"):
        expectations(comparison, "other")
    plain = dataclasses.replace(comparison, variants=(comparison.base,))
    with pytest.raises(ComparisonError, match="has no exercise"):
        expectations(plain, "lesson")


def test_outcomes_read_in_a_boards_words() -> None:
    scenario = scenario_from(BASELINE.replace("  - id: ward\n", "  - id: ward\n    name: Wards\n"))
    assert metric_words("ward.paid_gbp", scenario) == "Wards: paid by the commissioner"
    assert metric_words("all.paid_gbp", scenario) == "Whole system: paid by the commissioner"
    assert shown("all.paid_gbp", -976_560.0) == "-£976.6k"
    assert shown("all.paid_gbp", 231_538_000.0, signed=False) == "£231.5m"
    assert shown("ae.arrivals", -2_823.8) == "-2,824"
    assert shown("ae.utilisation", -0.0213) == "-2.1 pp"
    assert shown("ae.utilisation", 0.7164, signed=False) == "71.6%"
    assert shown("ae.mean_wait_days", 0.5) == "+12.0 h"
    assert shown("ae.arrivals", math.nan) == "-"


def test_a_small_paired_comparison_shows_the_expected_directions(tmp_path: Path) -> None:
    path = _write(tmp_path, EXERCISE)
    base = load_scenario(tmp_path / "baseline.yaml").scenario
    comparison = compare_scenarios(base, [load_scenario(path).scenario], labels=["lesson"])
    outcomes = expectations(comparison, "lesson")
    assert all(o.held for o in outcomes), outcomes
    assert all(o.difference < 0 for o in outcomes)


# --- the bundled exercises ------------------------------------------------------------------


def _bundled_exercises() -> list[Path]:
    return [
        path
        for path in sorted(SCENARIOS.glob("*.yaml"))
        if load_scenario(path).scenario.exercise is not None
    ]


def test_the_bundled_exercises_are_variants_with_choices_for_the_board() -> None:
    paths = _bundled_exercises()
    assert {path.name for path in paths} >= {
        "northshire_2026_urgent_response.yaml",
        "northshire_2026_ward_cost_and_volume.yaml",
    }
    for path in paths:
        loaded = load_scenario(path)
        exercise = loaded.scenario.exercise
        assert exercise is not None
        assert len(loaded.files) >= 2, f"{path.name} should extend its baseline"
        assert 2 <= len(exercise.choices) <= 5


@pytest.mark.slow
@pytest.mark.parametrize("path", _bundled_exercises(), ids=lambda path: path.name)
def test_every_bundled_exercise_holds_on_paired_replications(path: Path) -> None:
    loaded = load_scenario(path)
    base = load_scenario(loaded.files[-2]).scenario
    exercise = loaded.scenario.exercise
    assert exercise is not None
    comparison = compare_scenarios(
        base,
        [loaded.scenario],
        labels=[path.stem],
        replications=exercise.replications or 5,
        workers=2,
    )
    outcomes = expectations(comparison, path.stem)
    failed = [
        f"{o.metric} expected {o.expected}: {o.difference:+,.4g} (95% CI {o.ci_low:+,.4g} to "
        f"{o.ci_high:+,.4g})"
        for o in outcomes
        if not o.held
    ]
    assert not failed, "; ".join(failed)
