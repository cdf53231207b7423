"""Every class of bad input gives one-line problems naming file, line and field; no traceback.

Each fixture in tests/data/bad/ holds one kind of mistake. Loading it must raise
ScenarioError (never another exception), and each problem must say where to look.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario import Problem, ScenarioError, load_scenario, parse_scenario

BAD = Path(__file__).parent / "data" / "bad"


def problems_in(name: str) -> tuple[Problem, ...]:
    path = BAD / name
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    problems = raised.value.problems
    assert problems, "a ScenarioError must carry its problems"
    for problem in problems:
        assert problem.file == str(path)
        assert "\n" not in str(problem), f"not one line: {problem}"
    assert str(raised.value) == "\n".join(str(problem) for problem in problems)
    return problems


def only_problem(name: str) -> Problem:
    problems = problems_in(name)
    assert len(problems) == 1, "\n".join(str(problem) for problem in problems)
    return problems[0]


def test_malformed_yaml_names_the_line_of_the_syntax_error() -> None:
    problem = only_problem("malformed.yaml")
    assert problem.line == 5
    assert problem.message.startswith("not valid YAML:")


def test_an_empty_file_says_so() -> None:
    problem = only_problem("empty.yaml")
    assert (problem.line, problem.field, problem.message) == (1, "", "the file is empty")
    assert str(problem) == f"{BAD / 'empty.yaml'}:1: the file is empty"


def test_a_top_level_list_is_not_a_scenario() -> None:
    problem = only_problem("not_a_mapping.yaml")
    assert problem.line == 1
    assert "must be a mapping" in problem.message


def test_a_python_object_tag_is_refused_and_nothing_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fixture's tag would run `touch knockon-was-here` if the file were constructed
    # with an unsafe loader; run from an empty folder so any such file would show up here.
    monkeypatch.chdir(tmp_path)
    problem = only_problem("python_tag.yaml")
    assert (problem.line, problem.field) == (2, "name")
    assert problem.message == (
        "YAML tag '!!python/object/apply:os.system' is not allowed: scenario files are plain data"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_missing_format_asks_for_one() -> None:
    problem = only_problem("missing_format.yaml")
    assert (problem.line, problem.field, problem.message) == (
        1,
        "format",
        "missing: add `format: 1`",
    )


def test_another_format_is_refused_not_guessed_at() -> None:
    problem = only_problem("format_2.yaml")
    assert (problem.line, problem.field) == (1, "format")
    assert problem.message == "format 2 is not supported; this version reads format 1"


def test_an_unknown_key_suggests_the_likely_one() -> None:
    problem = only_problem("unknown_key.yaml")
    assert (problem.line, problem.field) == (7, "providers[ward].capcity")
    assert problem.message == "unknown field 'capcity' (did you mean 'capacity'?)"


def test_a_repeated_key_is_an_error_not_a_silent_overwrite() -> None:
    problem = only_problem("duplicate_key.yaml")
    assert problem.line == 8
    assert problem.message == "duplicate key 'capacity' (first on line 7)"


def test_unknown_ids_in_demand_overflow_and_pathways_list_the_known_ones() -> None:
    enters, then, to = problems_in("unknown_ids.yaml")
    assert (enters.line, enters.field) == (4, "demand[need].enters")
    assert enters.message == "unknown provider 'gpp' (did you mean 'gp'?): use one of gp, ae"
    assert (then.line, then.field) == (8, "providers[gp].waiting.then")
    assert then.message == "unknown provider 'urgent_care': use one of gp, ae"
    assert (to.line, to.field) == (12, "pathways[gp->ea].to")
    assert to.message == (
        "unknown provider or exit 'ea' (did you mean 'ae'?): use one of gp, ae, home"
    )


def test_a_share_above_one_is_out_of_range() -> None:
    problem = only_problem("share_above_one.yaml")
    assert (problem.line, problem.field) == (9, "pathways[gp->ae].share")
    assert problem.message == "must be at most 1 (got 1.2)"


def test_shares_summing_above_one_name_the_provider_the_sum_and_the_pathways() -> None:
    problem = only_problem("shares_sum_above_one.yaml")
    assert problem.line == 12
    assert problem.message == (
        "shares from ward sum to 1.1 (ward->social_care 0.3, ward->home 0.8): "
        "they must sum to at most 1"
    )


@pytest.mark.parametrize(
    ("name", "field", "message"),
    [
        (
            "zero_capacity.yaml",
            "providers[ward].capacity.servers",
            "must be greater than 0 (got 0)",
        ),
        (
            "negative_capacity.yaml",
            "providers[gp].capacity.slots_per_day",
            "must be greater than 0 (got -5)",
        ),
    ],
)
def test_capacity_must_be_positive(name: str, field: str, message: str) -> None:
    problem = only_problem(name)
    assert (problem.line, problem.field, problem.message) == (7, field, message)


def test_an_unknown_distribution_lists_the_known_ones() -> None:
    problem = only_problem("unknown_distribution.yaml")
    assert (problem.line, problem.field) == (8, "providers[ward].length_of_stay")
    assert problem.message == (
        "unknown distribution 'weibull': use one of exponential, lognormal, gamma, uniform, "
        "triangular, fixed"
    )


def test_seasonality_needs_twelve_months() -> None:
    problem = only_problem("seasonality_length.yaml")
    assert (problem.line, problem.field) == (7, "demand[need].seasonality")
    assert problem.message == "needs 12 monthly multipliers, got 11"


def test_a_missing_extends_target_names_the_file_and_line() -> None:
    problem = only_problem("extends_missing.yaml")
    assert (problem.line, problem.field) == (1, "extends")
    assert "no_such_baseline.yaml" in problem.message


def test_an_extends_loop_is_an_error_not_a_hang() -> None:
    with pytest.raises(ScenarioError) as raised:
        load_scenario(BAD / "loop_a.yaml")
    (problem,) = raised.value.problems
    assert problem.file == str(BAD / "loop_b.yaml")
    assert (problem.line, problem.field) == (1, "extends")
    assert problem.message.startswith("extends loop: ")
    assert problem.message.count("loop_a.yaml") == 2


def test_a_closed_loop_of_providers_names_all_of_them() -> None:
    problem = only_problem("closed_loop.yaml")
    assert (problem.line, problem.field) == (7, "providers[ward]")
    assert problem.message.startswith(
        "closed loop: patients who reach ward and rehab can never leave"
    )


def test_ids_are_one_namespace_and_exit_is_reserved() -> None:
    demand, provider, reserved = problems_in("duplicate_ids.yaml")
    assert (demand.line, demand.field) == (4, "demand[ward].id")
    assert "already used by a provider" in demand.message
    assert (provider.line, provider.field) == (7, "providers[ward].id")
    assert (reserved.line, reserved.field) == (8, "providers[exit].id")
    assert "reserved" in reserved.message


def test_every_problem_is_reported_at_once() -> None:
    problems = problems_in("three_errors.yaml")
    assert [(p.line, p.field) for p in problems] == [
        (4, "demand[need].per_day"),
        (7, "providers[gp].capacity.slots_per_day"),
        (10, "providers[ward].length_of_stay.sd_days"),
    ]
    assert problems[2].message == "required, but missing"


def test_type_errors_and_reference_errors_come_together(tmp_path: Path) -> None:
    path = tmp_path / "both.yaml"
    path.write_text(
        "format: 1\n"
        "name: Both kinds\n"
        "demand:\n"
        "  - {id: need, enters: wrd, per_day: 10}\n"
        "providers:\n"
        "  - id: ward\n"
        "    capacity: {servers: 0}\n"
        "    length_of_stay: {distribution: exponential, mean_days: 2}\n"
        "pathways:\n"
        "  - {from: ward, to: nowhere, share: 0.5}\n"
    )
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert [(p.line, p.field) for p in raised.value.problems] == [
        (4, "demand[need].enters"),
        (7, "providers[ward].capacity.servers"),
        (10, "pathways[ward->nowhere].to"),
    ]


def test_a_missing_file_is_a_problem_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    (problem,) = raised.value.problems
    assert problem == Problem(str(path), None, "", "file not found")
    assert str(problem) == f"{path}: file not found"


def test_a_file_that_is_not_text_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "budget.xlsx.yaml"
    path.write_bytes(b"PK\x03\x04\xff\xfe\x00binary")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert "not UTF-8 text" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format: 1\na: &x\n  b: *x\n", "a YAML alias refers to a value that contains it"),
        (
            "format: 1\nbase: &b {x: 1}\nother:\n  <<: *b\n",
            "YAML merge keys (<<) are not supported",
        ),
        ("format: 1\nname: x\nrun: {days: .inf}\n", "'.inf' is not a finite number"),
        ("format: 1\nname: !custom thing\n", "YAML tag '!custom' is not allowed"),
    ],
)
def test_yaml_features_beyond_plain_data_are_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert message in str(raised.value)
    assert re.match(rf"^{re.escape(str(path))}:\d+", str(raised.value))


def test_in_memory_data_gets_the_same_checks_without_line_numbers() -> None:
    data = {
        "format": 1,
        "name": "In memory",
        "demand": [{"id": "need", "enters": "ward", "per_day": 10}],
        "providers": [{"id": "ward", "capacity": {"servers": 3}}],
    }
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(data, origin="<app>")
    (problem,) = raised.value.problems
    assert (problem.file, problem.line, problem.field) == (
        "<app>",
        None,
        "providers[ward].length_of_stay",
    )
    assert str(problem).startswith("<app> providers[ward].length_of_stay: required when")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"budget": {"annual_gbp": 1, "phasing": "monthly"}},
            "budget.phasing",
            "must be 'even' or a list",
        ),
        (
            {"providers": [{"id": "gp", "kind": "hospital"}]},
            "providers[gp].kind",
            "unknown kind 'hospital': use one of primary_care",
        ),
        (
            {"providers": [{"id": "gp", "contract": {"type": "cap_and_collar"}}]},
            "providers[gp].contract",
            "unknown contract type 'cap_and_collar': use one of activity, block",
        ),
        (
            {"providers": [{"id": "gp", "capacity": 40}]},
            "providers[gp].capacity",
            "must be a mapping (got 40)",
        ),
        ({"run": {"days": 2.5}}, "run.days", "must be a whole number (got 2.5)"),
        ({"run": {"start_date": "someday"}}, "run.start_date", "must be a date like 2026-04-01"),
        ({"population": 5000}, "population", "give practices"),
        (
            {"practices": [], "population": None},
            "demand[need].per_1000_per_year",
            "needs a population",
        ),
        ({"providers": [{"id": "a b"}]}, "providers[a b].id", "must be an id of letters"),
        (
            {"providers": [{"id": "gp", "remove": True}]},
            "providers[gp].remove",
            "only works in a variant",
        ),
    ],
)
def test_messages_say_what_is_wrong_in_plain_words(
    change: dict[str, object], field: str, message: str
) -> None:
    data: dict[str, object] = {
        "format": 1,
        "name": "Plain words",
        "practices": [{"id": "riverside", "list_size": 10_000}],
        "demand": [{"id": "need", "enters": "gp", "per_1000_per_year": 100}],
        "providers": [{"id": "gp"}],
        **change,
    }
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(data)
    problems = {problem.field: problem.message for problem in raised.value.problems}
    assert field in problems, str(raised.value)
    assert message in problems[field]


def test_str_of_a_problem_follows_the_file_line_field_format() -> None:
    assert str(Problem("a.yaml", 3, "run.days", "too long")) == "a.yaml:3 run.days: too long"
    assert str(Problem("a.yaml", None, "", "file not found")) == "a.yaml: file not found"
    warning = Problem("a.yaml", 9, "providers[gp]", "busy", severity="warning")
    assert str(warning) == "a.yaml:9 providers[gp]: warning: busy"


# --- whatever the input, the answer is a ScenarioError or a scenario -------------------------

_DESIGN = yaml.safe_load((Path(__file__).parent / "data" / "design_example.yaml").read_text())

_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(-2, 2, allow_nan=False)
    | st.sampled_from(["gp", "ae", "ward", "exit", "home", "lognormal", "block", "", "a b"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "from", "to", "share", "servers", "x"]), children, max_size=3
        )
    ),
    max_leaves=6,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*path, index))
    return found


_PATHS = [path for path in _paths(_DESIGN) if path]


@settings(max_examples=300, deadline=None)
@given(changes=st.lists(st.tuples(st.sampled_from(_PATHS), _values), min_size=1, max_size=3))
def test_any_mangled_scenario_gives_problems_never_a_crash(
    changes: list[tuple[tuple[Any, ...], Any]],
) -> None:
    data = copy.deepcopy(_DESIGN)
    for path, value in changes:
        parent = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this path
    try:
        parse_scenario(data)
    except ScenarioError as error:
        assert error.problems
        assert all("\n" not in str(problem) for problem in error.problems)


def test_a_pathway_with_share_zero_is_no_way_out_of_a_loop() -> None:
    data = {
        "format": 1,
        "name": "A way out nobody takes",
        "demand": [{"id": "need", "enters": "ward", "per_day": 1}],
        "providers": [{"id": "ward"}, {"id": "rehab"}],
        "exits": ["home"],
        "pathways": [
            {"from": "ward", "to": "rehab", "share": 1},
            {"from": "rehab", "to": "ward", "share": 1},
            {"from": "rehab", "to": "home", "share": 0},
        ],
    }
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(data)
    (problem,) = raised.value.problems
    assert problem.message.startswith("closed loop: patients who reach ward and rehab")
