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


def _readme_blocks() -> list[tuple[str, str]]:
    text = (ROOT / "scenarios" / "README.md").read_text()
    return re.findall(r"```(yaml|text)\n(.*?)```", text, re.S)


def test_the_examples_in_the_format_reference_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    files, expected_output = [], None
    for language, block in _readme_blocks():
        if language == "yaml":
            named = re.match(r"# file: (\S+)\n", block)
            assert named, f"every yaml example names its file:\n{block}"
            Path(named.group(1)).write_text(block)
            files.append(named.group(1))
        elif files and files[-1] == "broken.yaml":
            expected_output = block.strip()
    assert "baseline.yaml" in files and "more_beds.yaml" in files
    for name in files:
        if name == "broken.yaml":
            with pytest.raises(ScenarioError) as raised:
                load_scenario(name)
            assert str(raised.value) == expected_output
        else:
            loaded = load_scenario(name)
            assert loaded.warnings == (), [str(w) for w in loaded.warnings]


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
