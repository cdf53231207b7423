"""Loading good scenarios: what comes back, its canonical forms, its warnings, its docs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.network.load_by_month import monthly_load
from sim.scenario import (
    LoadedScenario,
    Problem,
    ScenarioError,
    load_scenario,
    parse_scenario,
    scenario_hash,
    scenario_to_yaml,
)

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
DESIGN_EXAMPLE = DATA / "design_example.yaml"


def test_the_design_example_loads_complete_and_without_warnings() -> None:
    loaded = load_scenario(DESIGN_EXAMPLE)
    assert loaded.path == DESIGN_EXAMPLE
    assert loaded.files == (DESIGN_EXAMPLE,)
    assert loaded.warnings == ()
    scenario = loaded.scenario
    assert scenario.name == "Northshire - baseline 2026/27"
    assert scenario.run.start_date == dt.date(2026, 4, 1)
    assert scenario.budget is not None and scenario.budget.annual_gbp == 400_000_000
    assert scenario.registered_population == 20_500
    assert [p.id for p in scenario.providers] == ["gp", "ae", "ward", "social_care"]
    assert scenario.pathways[0].from_ == "gp"
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.path = None  # type: ignore[misc]


def test_a_path_can_be_given_as_text() -> None:
    assert load_scenario(str(DESIGN_EXAMPLE)).scenario == load_scenario(DESIGN_EXAMPLE).scenario


def test_in_memory_data_loads_like_the_file() -> None:
    data = yaml.safe_load(DESIGN_EXAMPLE.read_text())
    loaded = parse_scenario(data)
    assert loaded.scenario == load_scenario(DESIGN_EXAMPLE).scenario
    assert (loaded.path, loaded.files, loaded.warnings) == (None, (), ())


def _reordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _reordered(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reordered(item) for item in value]
    return value


def test_the_hash_depends_on_content_not_on_how_it_is_written() -> None:
    data = yaml.safe_load(DESIGN_EXAMPLE.read_text())
    original = parse_scenario(data).scenario
    digest = scenario_hash(original)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert scenario_hash(parse_scenario(_reordered(data)).scenario) == digest
    # 30 and 30.0 are the same mean; a default written out is the same as one left out
    data["providers"][3]["length_of_stay"]["mean_days"] = 30.0
    data["providers"][2]["kind"] = "acute"
    data["run"]["warm_up_days"] = 0
    assert scenario_hash(parse_scenario(data).scenario) == digest
    data["providers"][2]["capacity"]["servers"] = 621
    assert scenario_hash(parse_scenario(data).scenario) != digest


@pytest.mark.parametrize("path", [DESIGN_EXAMPLE, DATA / "variants" / "reshaped.yaml"])
def test_canonical_yaml_round_trips(tmp_path: Path, path: Path) -> None:
    scenario = load_scenario(path).scenario
    text = scenario_to_yaml(scenario)
    assert text.startswith("format: 1\nname: ")
    assert "from: " in text and "from_" not in text
    (tmp_path / "canonical.yaml").write_text(text)
    again = load_scenario(tmp_path / "canonical.yaml")
    assert again.scenario == scenario
    assert scenario_hash(again.scenario) == scenario_hash(scenario)
    assert scenario_to_yaml(again.scenario) == text


# --- warnings -------------------------------------------------------------------------------


def _warnings(**changes: Any) -> list[Problem]:
    data: dict[str, Any] = {
        "format": 1,
        "name": "Warnings",
        "demand": [{"id": "need", "enters": "ward", "per_day": 5}],
        "providers": [
            {
                "id": "ward",
                "capacity": {"servers": 10},
                "length_of_stay": {"distribution": "fixed", "mean_days": 1},
            }
        ],
        **changes,
    }
    loaded = parse_scenario(data, origin="<test>")
    assert all(warning.severity == "warning" for warning in loaded.warnings)
    return list(loaded.warnings)


def test_a_sound_scenario_has_no_warnings() -> None:
    assert _warnings() == []


def test_offered_load_at_or_above_one_is_a_warning_naming_provider_and_load() -> None:
    (warning,) = _warnings(
        demand=[
            {
                "id": "need",
                "enters": "ward",
                "per_day": 10.7,
                "seasonality": [1.0] * 10 + [1.2, 0.8],
            }
        ]
    )
    assert warning.field == "providers[ward]"
    assert warning.message == (
        "offered load 1.07 of its 10 servers (peak in February: 1.28): "
        "queues will grow without limit"
    )
    assert str(warning).startswith("<test> providers[ward]: warning: offered load 1.07")


def test_a_single_server_is_one_server_in_the_warning() -> None:
    (warning,) = _warnings(
        providers=[
            {
                "id": "ward",
                "capacity": {"servers": 1},
                "length_of_stay": {"distribution": "fixed", "mean_days": 0.25},
            }
        ]
    )
    assert warning.message == "offered load 1.25 of its 1 server: queues will grow without limit"


def test_a_busy_month_alone_is_a_warning_too() -> None:
    (warning,) = _warnings(
        demand=[
            {
                "id": "need",
                "enters": "ward",
                "per_day": 9,
                "seasonality": [1.0] * 8 + [1.2, 0.8, 1, 1],
            }
        ]
    )
    assert warning.message == (
        "offered load 0.90 of its 10 servers, but 1.08 in December: "
        "queues will grow through the busiest months"
    )


# Offered load through the run, as dated. A bed is held a fixed day, so a month's load is
# its mean arrivals a day over its mean beds; the run is 1 April 2026 to 31 March 2027.
DAY_STAY = {"distribution": "fixed", "mean_days": 1}


def _ward(servers: int, *changes: dict[str, Any]) -> dict[str, Any]:
    capacity: dict[str, Any] = {"servers": servers, "changes": list(changes)}
    return {"id": "ward", "capacity": capacity, "length_of_stay": DAY_STAY}


def test_beds_cut_in_winter_are_judged_at_the_beds_left() -> None:
    # 480 a day, 528 in December and January, against 600 beds but 400 in January: a typical
    # year at 600 beds would be 0.81 at most, but January is 528 / 400 = 1.32. Over the
    # year: (480 x 365 + 48 x 62) / (600 x 365 - 200 x 31) = 178,176 / 212,800.
    (warning,) = _warnings(
        demand=[
            {
                "id": "need",
                "enters": "ward",
                "per_day": 480,
                "seasonality": [1.0] * 8 + [1.1, 1.1, 1, 1],
            }
        ],
        providers=[_ward(600, {"from": "2027-01-01", "to": "2027-02-01", "servers": 400})],
    )
    assert warning.field == "providers[ward]"
    assert warning.message == (
        "offered load 0.84 of its 600 servers, but 1.32 in January (400 servers): "
        "queues will grow through the busiest months"
    )


def test_a_long_cut_names_the_months_it_overloads() -> None:
    # 400 beds from 15 December to 1 March: December is 528 x 31 / (600 x 14 + 400 x 17) =
    # 1.08 at 490 beds on average, January 528 / 400 = 1.32, February 480 / 400 = 1.2.
    (warning,) = _warnings(
        demand=[
            {
                "id": "need",
                "enters": "ward",
                "per_day": 480,
                "seasonality": [1.0] * 8 + [1.1, 1.1, 1, 1],
            }
        ],
        providers=[_ward(600, {"from": "2026-12-15", "to": "2027-03-01", "servers": 400})],
    )
    assert warning.message == (
        "offered load 0.87 of its 600 servers, but 1.32 in January (400 servers) and at or "
        "above 1 from December to February: queues will grow through the busiest months"
    )
    scenario = parse_scenario(
        {
            "format": 1,
            "name": "cut",
            "demand": [{"id": "need", "enters": "ward", "per_day": 480}],
            "providers": [_ward(600, {"from": "2026-12-15", "to": "2027-03-01", "servers": 400})],
        }
    ).scenario
    december = monthly_load(scenario)["ward"].months[8]
    assert december.first_day == dt.date(2026, 12, 1)
    assert december.level == pytest.approx((600 * 14 + 400 * 17) / 31)
    assert december.load == pytest.approx(480 * 31 / (600 * 14 + 400 * 17))


def test_a_ward_closed_for_a_month_while_patients_arrive_is_a_warning() -> None:
    (warning,) = _warnings(
        providers=[_ward(10, {"from": "2027-01-01", "to": "2027-02-01", "servers": 0})],
        demand=[{"id": "need", "enters": "ward", "per_day": 9}],
    )
    # 9 x 365 / (10 x 334)
    assert warning.message == (
        "offered load 0.98 of its 10 servers, but patients arrive with no capacity in January "
        "(0 servers): queues will grow through the busiest months"
    )


def test_a_two_week_surge_counts_for_its_share_of_the_month() -> None:
    # 9 a day, 13.5 from 17 December: December is 9 x (16 + 15 x 1.5) / 31 / 10 = 1.12.
    (warning,) = _warnings(
        demand=[
            {
                "id": "need",
                "enters": "ward",
                "per_day": 9,
                "shocks": [{"from": "2026-12-17", "to": "2027-01-01", "multiplier": 1.5}],
            }
        ],
    )
    assert warning.message == (
        "offered load 0.92 of its 10 servers, but 1.12 in December: "
        "queues will grow through the busiest months"
    )


def test_a_service_that_opens_in_october_is_judged_on_the_months_it_is_open() -> None:
    # 60 a day leave the GP, half for A&E and half for an urgent treatment centre that opens
    # on 1 October over 30 days. Until then A&E takes all 60 (1.2 of its 50 places); the
    # centre takes 40 a day (30 and 10 walk-ins) once open, 1.14 of its 35 places.
    warnings = _warnings(
        demand=[
            {"id": "need", "enters": "gp", "per_day": 60},
            {"id": "walk_in", "enters": "utc", "per_day": 10},
        ],
        providers=[
            {"id": "gp"},
            {"id": "ae", "capacity": {"servers": 50}, "length_of_stay": DAY_STAY},
            {
                "id": "utc",
                "opens": "2026-10-01",
                "ramp_up_days": 30,
                "capacity": {"servers": 35},
                "length_of_stay": DAY_STAY,
            },
        ],
        pathways=[
            {"from": "gp", "to": "ae", "share": 0.5},
            {"from": "gp", "to": "utc", "share": 0.5},
        ],
    )
    # In October the centre takes half over the 30 days of its ramp, all on the 31st:
    # 16 / 31 of its share. A&E, over the year: (60 x 183 + 60 x 31 - 30 x 16 + 30 x 151) /
    # (50 x 365); the centre over the days it is open: 40 x (16 + 151) / (35 x 182).
    assert [(w.field, w.message) for w in warnings] == [
        (
            "providers[ae]",
            "offered load 0.93 of its 50 servers, but 1.20 in April and at or above 1 from "
            "April to September: queues will grow through the busiest months",
        ),
        (
            "providers[utc]",
            "offered load 1.05 of its 35 servers (peak in November: 1.14): "
            "queues will grow without limit",
        ),
    ]


def test_growth_over_three_years_is_judged_in_the_year_it_reaches() -> None:
    # A cohort growing 10% a year: 9, 9.9 and 10.89 a day against 10 beds in the three
    # years from 1 April 2026 (the second has 29 February 2028): 1,088.325 bed-days needed
    # over 10,960 offered. Month names repeat over three years, so they carry the year.
    (warning,) = _warnings(
        run={"days": 1096},
        cohorts=[{"id": "frail", "growth_per_year": 0.1}],
        demand=[{"id": "need", "enters": "ward", "per_day": 9, "cohort": "frail"}],
    )
    assert warning.message == (
        "offered load 0.99 of its 10 servers, but 1.09 in April 2028 and at or above 1 from "
        "April 2028 to March 2029: queues will grow through the busiest months"
    )


def test_a_provider_no_demand_reaches_is_a_warning() -> None:
    (warning,) = _warnings(
        providers=[
            {
                "id": "ward",
                "capacity": {"servers": 10},
                "length_of_stay": {"distribution": "fixed", "mean_days": 1},
            },
            {"id": "hospice"},
        ]
    )
    assert warning.field == "providers[hospice]"
    assert warning.message == "no demand reaches this provider, so it will see no patients"


def test_waiting_options_on_an_unlimited_provider_are_a_warning() -> None:
    (warning,) = _warnings(
        demand=[{"id": "need", "enters": "clinic", "per_day": 5}],
        providers=[{"id": "clinic", "waiting": {"max_days": 5, "then": "other"}}, {"id": "other"}],
    )
    assert warning.field == "providers[clinic].waiting"
    assert "has no queue" in warning.message


def test_in_place_waiting_round_a_loop_is_a_deadlock_warning() -> None:
    bed: dict[str, Any] = {
        "capacity": {"servers": 10},
        "waiting": {"in_place": True},
        "length_of_stay": {"distribution": "fixed", "mean_days": 0.1},
    }
    (warning,) = _warnings(
        providers=[{"id": "ward", **bed}, {"id": "rehab", **bed}],
        pathways=[
            {"from": "ward", "to": "rehab", "share": 0.1},
            {"from": "rehab", "to": "ward", "share": 0.1},
        ],
    )
    assert warning.field == "providers[ward]"
    assert warning.message.startswith("in_place waiting in a loop (ward and rehab)")


def test_warnings_come_with_errors_when_both_are_found(tmp_path: Path) -> None:
    path = tmp_path / "both.yaml"
    path.write_text(
        "format: 1\nname: Both\nrun: {days: 10, seed: -1}\n"
        "demand:\n  - {id: need, enters: ward, per_day: 5}\n"
        "providers:\n  - {id: ward, waiting: {in_place: true}}\n"
    )
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert [(p.severity, p.line) for p in raised.value.problems] == [("error", 3), ("warning", 7)]
    assert [p.line for p in raised.value.errors] == [3]


# --- the format reference -------------------------------------------------------------------


def _readme_examples() -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The yaml examples (file name, text), and what loading one prints where a text block
    follows it in the same section with no other block between."""
    text = (ROOT / "scenarios" / "README.md").read_text()
    examples: list[tuple[str, str]] = []
    outputs: dict[str, str] = {}
    last = None
    for found in re.finditer(r"```(\w*)\n(.*?)```|^#+ ", text, re.S | re.M):
        language, block = found.group(1), found.group(2)
        if language == "yaml":
            named = re.match(r"# file: (\S+)\n", block)
            assert named, f"every yaml example names its file:\n{block}"
            last = named.group(1)
            examples.append((last, block))
            continue
        if language == "text" and last is not None:
            outputs[last] = block.strip()
        last = None
    return examples, outputs


def test_the_examples_in_the_format_reference_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    examples, outputs = _readme_examples()
    for name, block in examples:
        Path(name).write_text(block)
    files = [name for name, _block in examples]
    assert "baseline.yaml" in files and "more_beds.yaml" in files
    assert {"broken.yaml", "flu.yaml"} <= set(outputs)
    for name in files:
        if name == "broken.yaml":
            with pytest.raises(ScenarioError) as raised:
                load_scenario(name)
            assert str(raised.value) == outputs[name]
        else:
            loaded = load_scenario(name)
            shown = "\n".join(str(warning) for warning in loaded.warnings)
            assert shown == outputs.get(name, ""), f"{name} warns as its text block says"


def test_the_format_reference_mentions_every_field_of_the_model() -> None:
    from pydantic import BaseModel

    from sim.scenario import model

    text = (ROOT / "scenarios" / "README.md").read_text()
    models = [
        value
        for value in vars(model).values()
        if isinstance(value, type) and issubclass(value, BaseModel) and value is not model.Frozen
    ]
    missing = {
        f"{model_class.__name__}.{field.alias or name}"
        for model_class in models
        for name, field in model_class.model_fields.items()
        if f"`{field.alias or name}`" not in text
    }
    assert missing == set()


# --- the package ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "imports", ["import sim.network, sim.scenario", "import sim.scenario, sim.network"]
)
def test_the_layers_import_in_either_order(imports: str) -> None:
    subprocess.run([sys.executable, "-c", imports], check=True, cwd=ROOT)


def test_loaded_scenario_is_the_documented_shape() -> None:
    assert [f.name for f in dataclasses.fields(LoadedScenario)] == [
        "scenario",
        "path",
        "files",
        "warnings",
        "exercise_bills",
    ]


@pytest.mark.parametrize(
    "path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda path: path.name
)
def test_every_shipped_scenario_loads(path: Path) -> None:
    loaded = load_scenario(path)
    assert loaded.scenario.format == 1
