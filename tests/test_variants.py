"""Variants: a file that `extends` a base and says only what changes.

The loader must produce the same complete, validated scenario a user would get by writing
the merged file out in full, and errors must point into the file that holds the mistake.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import LoadedScenario, ScenarioError, load_scenario, parse_scenario
from sim.scenario.model import Gamma

VARIANTS = Path(__file__).parent / "data" / "variants"


def load(name: str) -> LoadedScenario:
    return load_scenario(VARIANTS / name)


def test_a_variant_changes_only_what_it_names() -> None:
    base = load("baseline.yaml").scenario
    variant = load("more_beds.yaml").scenario

    ward = variant.provider("ward")
    assert ward.capacity is not None and ward.capacity.servers == 80
    # Everything the variant did not mention is the base's, down to nested fields.
    assert ward.length_of_stay == base.provider("ward").length_of_stay
    assert isinstance(ward.length_of_stay, Gamma)
    assert ward.price == base.provider("ward").price
    assert variant.format == 1  # inherited: the variant does not say it
    assert variant.name == "Variants - more beds"
    assert [p.id for p in variant.providers] == [p.id for p in base.providers]
    assert variant.pathways == base.pathways
    assert variant.demand == base.demand


def test_files_lists_the_chain_base_first() -> None:
    loaded = load("chained.yaml")
    assert loaded.path == VARIANTS / "chained.yaml"
    assert [path.name for path in loaded.files] == [
        "baseline.yaml",
        "more_beds.yaml",
        "chained.yaml",
    ]
    gp, ward = loaded.scenario.provider("gp"), loaded.scenario.provider("ward")
    assert gp.capacity is not None and gp.capacity.slots_per_day == 300
    assert ward.capacity is not None and ward.capacity.servers == 80


def test_null_removes_a_key_so_a_provider_can_switch_kind_of_capacity() -> None:
    scenario = load("book_ward.yaml").scenario
    ward = scenario.provider("ward")
    assert ward.capacity is not None
    assert (ward.capacity.servers, ward.capacity.slots_per_day) == (None, 50)
    assert ward.is_appointment_book
    assert scenario.provider("gp").waiting is None


def test_lists_of_things_merge_by_id_and_pathways_by_from_and_to() -> None:
    scenario = load("reshaped.yaml").scenario

    # practices: hilltop merged (its multiplier kept), valley appended
    assert [(p.id, p.list_size, p.referral_multiplier) for p in scenario.practices] == [
        ("riverside", 10_000, 1.0),
        ("hilltop", 6_000, 1.2),
        ("valley", 2_000, 1.0),
    ]
    # demand: a plain list inside an item is replaced whole; a removed stream is gone
    (need,) = scenario.demand
    assert need.seasonality == (1.0,) * 12
    assert need.per_1000_per_year == 3_650
    # providers: removed and appended
    assert [p.id for p in scenario.providers] == ["gp", "ae", "ward", "reablement"]
    # pathways: one removed, one changed in place, two appended
    assert [(p.from_, p.to, p.share) for p in scenario.pathways] == [
        ("gp", "ae", 0.05),
        ("ae", "ward", 0.2),
        ("ward", "home", 0.75),
        ("ward", "reablement", 0.1),
        ("ward", "care_home", 0.05),
    ]
    # exits: the union, base first
    assert scenario.exits == ("home", "care_home")


def test_a_variant_equals_the_same_scenario_written_out_in_full(tmp_path: Path) -> None:
    variant = load("book_ward.yaml").scenario
    full = (
        (VARIANTS / "baseline.yaml")
        .read_text()
        .replace("    capacity: {servers: 60}", "    capacity: {slots_per_day: 50}")
    )
    full = full.replace("    waiting: {max_days: 3, then: ae, share: 0.2}\n", "")
    full = full.replace("name: Variants - baseline", f"name: {variant.name}")
    (tmp_path / "full.yaml").write_text(full)
    assert load_scenario(tmp_path / "full.yaml").scenario == variant


def test_errors_point_into_the_file_that_holds_the_mistake() -> None:
    with pytest.raises(ScenarioError) as raised:
        load("bad_override.yaml")
    inherited, overridden = raised.value.problems
    assert (inherited.file, inherited.line) == (str(VARIANTS / "broken_base.yaml"), 8)
    assert inherited.field == "providers[ward].length_of_stay.sd_days"
    assert (overridden.file, overridden.line) == (str(VARIANTS / "bad_override.yaml"), 5)
    assert overridden.field == "providers[ward].capacity.servers"


def test_warnings_point_into_the_file_that_caused_them(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text((VARIANTS / "baseline.yaml").read_text())
    (tmp_path / "fewer_beds.yaml").write_text(
        "extends: base.yaml\n"
        "name: Too few beds\n"
        "providers:\n"
        "  - id: ward\n"
        "    capacity: {servers: 5}\n"
    )
    (warning,) = load_scenario(tmp_path / "fewer_beds.yaml").warnings
    assert warning.severity == "warning"
    assert (warning.file, warning.line) == (str(tmp_path / "fewer_beds.yaml"), 4)
    assert warning.field == "providers[ward]"
    assert warning.message.startswith("offered load ")


def test_removing_what_the_base_does_not_have_is_an_error() -> None:
    with pytest.raises(ScenarioError) as raised:
        load("remove_absent.yaml")
    assert [(p.line, p.field, p.message) for p in raised.value.problems] == [
        (4, "providers[hospice]", "cannot remove it: the base has no provider 'hospice'"),
        (6, "pathways[gp->ward]", "cannot remove it: the base has no pathway from gp to ward"),
    ]


def test_naming_one_item_twice_in_a_variant_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text((VARIANTS / "baseline.yaml").read_text())
    (tmp_path / "twice.yaml").write_text(
        "extends: base.yaml\n"
        "providers:\n"
        "  - {id: ward, capacity: {servers: 70}}\n"
        "  - {id: ward, capacity: {servers: 90}}\n"
    )
    with pytest.raises(ScenarioError) as raised:
        load_scenario(tmp_path / "twice.yaml")
    (problem,) = raised.value.problems
    assert (problem.line, problem.field, problem.message) == (
        4,
        "providers[ward]",
        "appears twice in this variant",
    )


def test_a_variant_may_not_change_the_format(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text((VARIANTS / "baseline.yaml").read_text())
    (tmp_path / "future.yaml").write_text("extends: base.yaml\nformat: 2\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(tmp_path / "future.yaml")
    (problem,) = raised.value.problems
    assert (problem.file, problem.line, problem.field) == (
        str(tmp_path / "future.yaml"),
        2,
        "format",
    )


def test_a_complete_file_is_a_variant_too() -> None:
    loaded = load("complete_variant.yaml")
    assert loaded.files == (VARIANTS / "complete_variant.yaml",)
    assert loaded.scenario.name == "Variants - complete file"


def test_in_memory_data_extends_a_file_relative_to_the_working_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(VARIANTS)
    loaded = parse_scenario(
        {"extends": "baseline.yaml", "providers": [{"id": "ward", "capacity": {"servers": 80}}]}
    )
    assert loaded.path is None
    assert loaded.files == (Path("baseline.yaml"),)
    assert loaded.scenario == load("more_beds.yaml").scenario.model_copy(
        update={"name": "Variants - baseline"}
    )
