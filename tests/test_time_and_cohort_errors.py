"""Bad capacity changes, openings, shocks, elasticity, cohorts and growth: each gives one
line naming the file, the line and the field, and says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import Problem, ScenarioError, load_scenario

HEAD = """format: 1
name: errors
run: {days: 365, start_date: 2026-04-01}
"""


def problems(tmp_path: Path, body: str) -> list[Problem]:
    """The problems of a file made of HEAD (3 lines) and `body`, whose first line is 4."""
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + body)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    found = list(raised.value.errors)
    for problem in found:
        assert problem.file == str(path) and "\n" not in str(problem)
    return found


def only(tmp_path: Path, body: str) -> tuple[int | None, str, str]:
    found = problems(tmp_path, body)
    assert len(found) == 1, [str(problem) for problem in found]
    return found[0].line, found[0].field, found[0].message


WARD = """demand:
  - {id: need, enters: ward, per_day: 3}
providers:
  - id: ward
    capacity:
      servers: 10
      changes:
"""
#      ^ lines 4-10; the first change is on line 11.
STAY = "    length_of_stay: {distribution: exponential, mean_days: 2}\n"


def test_a_change_after_the_run_ends(tmp_path: Path) -> None:
    line, field, message = only(
        tmp_path, WARD + "        - {from: 2027-05-01, servers: 12}\n" + STAY
    )
    assert (line, field) == (11, "providers[ward].capacity.changes[0].from")
    assert message == ("2027-05-01 is after the run ends (the run is 2026-04-01 to 2027-03-31)")


def test_a_change_that_ends_before_it_starts(tmp_path: Path) -> None:
    line, field, message = only(
        tmp_path, WARD + "        - {from: 2026-12-01, to: 2026-11-01, servers: 12}\n" + STAY
    )
    assert (line, field) == (11, "providers[ward].capacity.changes[0]")
    assert message == "to (2026-11-01) must be after from (2026-12-01)"


def test_a_change_with_both_servers_and_slots(tmp_path: Path) -> None:
    line, field, message = only(
        tmp_path,
        WARD + "        - {from: 2026-12-01, servers: 12, slots_per_day: 30}\n" + STAY,
    )
    assert (line, field) == (11, "providers[ward].capacity.changes[0]")
    assert message == "give exactly one of servers or slots_per_day"


def test_a_change_of_the_other_kind(tmp_path: Path) -> None:
    line, field, message = only(
        tmp_path, WARD + "        - {from: 2026-12-01, slots_per_day: 30}\n" + STAY
    )
    assert (line, field) == (11, "providers[ward].capacity.changes[0].slots_per_day")
    assert message == "this provider's capacity is servers, so its changes give servers too"


def test_overlapping_changes(tmp_path: Path) -> None:
    line, field, message = only(
        tmp_path,
        WARD
        + "        - {from: 2026-12-01, to: 2027-03-01, servers: 12}\n"
        + "        - {from: 2027-02-01, servers: 8}\n"
        + STAY,
    )
    assert (line, field) == (12, "providers[ward].capacity.changes[1].from")
    assert message.startswith("overlaps the change from 2026-12-01 to 2027-03-01")


def test_a_ramp_up_without_opening_and_a_change_before_opening(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        WARD
        + "        - {from: 2026-05-01, servers: 12}\n"
        + STAY
        + "    ramp_up_days: 30\n"
        + "  - {id: unit, opens: 2026-06-01, capacity: {servers: 2, changes: [{from: 2026-05-01, servers: 3}]}, "
        + "length_of_stay: {distribution: fixed, mean_days: 1}}\n",
    )
    assert [(p.line, p.field) for p in found] == [
        (13, "providers[ward].ramp_up_days"),
        (14, "providers[unit].capacity.changes[0].from"),
    ]
    assert found[0].message == "a ramp-up needs the day the provider opens: give opens too"
    assert found[1].message.startswith("2026-05-01 is before the provider opens (2026-06-01)")


def test_opening_before_the_run_and_a_shock_outside_it(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """demand:
  - id: need
    enters: clinic
    per_day: 3
    shocks: [{from: 2026-03-01, to: 2026-05-01, multiplier: 1.2}, {from: 2026-05-01, to: 2027-05-01, multiplier: 1.1}]
providers:
  - {id: clinic, opens: 2026-01-01}
""",
    )
    assert [(p.line, p.field) for p in found] == [
        (8, "demand[need].shocks[0].from"),
        (8, "demand[need].shocks[1].to"),
        (10, "providers[clinic].opens"),
    ]
    assert found[0].message == (
        "2026-03-01 is before the run starts (the run is 2026-04-01 to 2027-03-31)"
    )


def test_a_redirect_needs_a_route_open_all_along_and_overflow_cannot_go_to_an_opening(
    tmp_path: Path,
) -> None:
    found = problems(
        tmp_path,
        """demand:
  - {id: need, enters: gp, per_day: 30}
providers:
  - {id: gp, capacity: {slots_per_day: 40}, waiting: {max_days: 2, then: utc}}
  - {id: utc, opens: 2026-10-01}
pathways:
  - {from: gp, to: utc, share: 1.0}
""",
    )
    assert [(p.line, p.field) for p in found] == [
        (7, "providers[gp].waiting.then"),
        (10, "pathways[gp->utc].to"),
    ]
    assert found[0].message.startswith("'utc' opens part-way through the run (opens)")
    assert found[1].message.startswith(
        "before utc opens, patients from gp who would go there need another way on"
    )


COHORTS = """cohorts:
  - {id: frail}
demand:
  - {id: need, enters: ward, per_day: 3, cohort: fraill}
  - {id: frail_need, enters: ward, per_day: 1, cohort: frail, growth_per_year: 0.02}
providers:
  - {id: ward}
exits: [home]
pathways:
  - {from: ward, to: home, share: 0.6, cohort: frail}
  - {from: ward, to: home, share: 0.5, cohort: frail}
"""


def test_unknown_cohorts_growth_in_two_places_and_a_cohorts_pathway_twice(
    tmp_path: Path,
) -> None:
    found = problems(tmp_path, COHORTS)
    assert [(p.line, p.field, p.message) for p in found] == [
        (7, "demand[need].cohort", "unknown cohort 'fraill' (did you mean 'frail'?): use frail"),
        (
            8,
            "demand[frail_need].growth_per_year",
            "this stream grows with its cohort 'frail': give growth_per_year on the cohort, "
            "not on the stream",
        ),
        (
            13,
            "pathways[ward->home@frail]",
            "shares from ward for cohort frail sum to 1.1 (ward->home@frail 0.6, "
            "ward->home@frail 0.5): they must sum to at most 1",
        ),
        (
            14,
            "pathways[ward->home@frail]",
            "a second pathway from ward to home for cohort frail: give one, with the "
            "combined share",
        ),
    ]


def test_a_cohort_named_none_or_used_twice(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """cohorts:
  - {id: none}
  - {id: frail}
  - {id: frail}
demand:
  - {id: need, enters: ward, per_day: 3}
providers:
  - {id: ward}
""",
    )
    assert [(p.line, p.field) for p in found] == [(5, "cohorts[none].id"), (7, "cohorts[frail].id")]
    assert found[0].message == "'none' is reserved for patients without a cohort: choose another id"
    assert found[1].message == "cohort id 'frail' is used twice"


def test_bad_elasticity(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """demand:
  - {id: need, enters: ward, per_day: 3, elasticity: {elasticity: 0.2, reference_wait_days: 0}}
  - {id: more, enters: ward, per_day: 3, elasticity: {elasticity: 0.2, reference_wait_days: 1, floor_wait_days: 2}}
providers:
  - {id: ward}
""",
    )
    assert [(p.line, p.field, p.message) for p in found] == [
        (5, "demand[need].elasticity.reference_wait_days", "must be greater than 0 (got 0)"),
        (
            6,
            "demand[more].elasticity",
            "floor_wait_days 2 is above reference_wait_days 1: the floor is a wait shorter "
            "than the reference",
        ),
    ]


def test_growth_and_budget_growth_are_bounded(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """budget: {annual_gbp: 1000, growth_per_year: 2}
demand:
  - {id: need, enters: ward, per_day: 3, growth_per_year: -0.9}
providers:
  - {id: ward}
""",
    )
    assert [(p.line, p.field, p.message) for p in found] == [
        (4, "budget.growth_per_year", "must be at most 1 (got 2)"),
        (6, "demand[need].growth_per_year", "must be at least -0.5 (got -0.9)"),
    ]
