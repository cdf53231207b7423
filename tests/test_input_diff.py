"""The input diff: what changed between two scenarios, in lines a commissioner reads."""

from __future__ import annotations

from pathlib import Path

from sim.compare.inputs import COLUMNS, InputChange, changes_table, input_changes
from sim.scenario import load_scenario
from tests.conftest import scenario_from

SCENARIOS = Path(__file__).parents[1] / "scenarios"

BASE = """
name: base
budget: {annual_gbp: 412_000_000}
practices:
  - {id: hilltop, name: Hilltop Practice, list_size: 14_800, referral_multiplier: 1.4}
  - {id: riverside, name: Riverside Surgery, list_size: 12_000}
demand:
  - id: gp_routine
    enters: gp
    per_1000_per_year: 3_400
    seasonality: [1.0, 1.0, 1.0, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 1.0]
providers:
  - {id: gp, name: GP practices, capacity: {slots_per_day: 100}}
  - {id: outpatients, capacity: {slots_per_day: 50}, price: {per_attendance_gbp: 206}}
  - id: ward
    name: Acute wards
    capacity: {servers: 620}
    length_of_stay: {distribution: exponential, mean_days: 5}
    price: {per_spell_gbp: 3_260, source: "National Cost Collection 2023/24"}
    contract: {type: activity}
exits: [home, died]
pathways:
  - {from: gp, to: outpatients, share: 0.15}
  - {from: gp, to: ward, share: 0.01}
  - {from: outpatients, to: home, share: 0.9}
  - {from: ward, to: died, share: 0.03}
  - {from: ward, to: home, share: 0.9}
"""


def _edited(*edits: tuple[str, str], text: str = BASE) -> str:
    """BASE with each (old, new) replaced; each old text must occur exactly once."""
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def _changes(*edits: tuple[str, str], **run: object) -> list[InputChange]:
    return input_changes(scenario_from(BASE, **run), scenario_from(_edited(*edits), **run))


def _lines(*edits: tuple[str, str], **run: object) -> list[str]:
    return [change.description for change in _changes(*edits, **run)]


def _bundled(name: str):
    return load_scenario(SCENARIOS / name).scenario


# --- nothing changed ---------------------------------------------------------------------


def test_identical_scenarios_have_no_changes() -> None:
    assert input_changes(scenario_from(BASE), scenario_from(BASE)) == []
    baseline = _bundled("northshire_2026.yaml")
    assert input_changes(baseline, _bundled("northshire_2026.yaml")) == []


def test_the_scenario_name_and_description_are_labels_not_changes() -> None:
    assert _lines(("name: base", "name: variant\ndescription: Wards cut by 60 beds")) == []


# --- one field of an item that exists in both ------------------------------------------


def test_a_cut_in_ward_beds_reads_as_one_line() -> None:
    (change,) = _changes(("servers: 620", "servers: 560"))
    assert change == InputChange(
        path="providers[ward].capacity.servers",
        change="changed",
        before=620,
        after=560,
        description="ward (Acute wards): servers 620 -> 560",
    )


def test_a_pathway_share_change_names_both_ends() -> None:
    (change,) = _changes(("to: outpatients, share: 0.15", "to: outpatients, share: 0.06"))
    assert change.path == "pathways[gp->outpatients].share"
    assert change.description == "pathway gp -> outpatients: share 0.15 -> 0.06"


def test_a_practice_is_named_as_the_commissioner_knows_it() -> None:
    assert _lines(("referral_multiplier: 1.4", "referral_multiplier: 1.0")) == [
        "Hilltop Practice: referral multiplier 1.4 -> 1"
    ]


def test_a_budget_change_is_in_millions_of_pounds() -> None:
    (change,) = _changes(("annual_gbp: 412_000_000", "annual_gbp: 405_000_000"))
    assert change.path == "budget.annual_gbp"
    assert change.description == "budget: annual £412.0m -> £405.0m"


def test_money_is_never_rounded_so_far_that_two_amounts_look_the_same() -> None:
    assert _lines(("annual_gbp: 412_000_000", "annual_gbp: 412_012_345")) == [
        "budget: annual £412.0m -> £412,012,345"
    ]
    assert _lines(("per_attendance_gbp: 206", "per_attendance_gbp: 9.08")) == [
        "outpatients: price per attendance £206 -> £9.08"
    ]


def test_a_seasonal_month_is_named_by_the_calendar_month_it_falls_in() -> None:
    seasonality = ("1.0, 1.1, 1.0, 1.0, 1.0", "1.0, 1.3, 1.0, 1.0, 1.0")
    (change,) = _changes(seasonality)
    assert change.path == "demand[gp_routine].seasonality"
    assert change.description == "demand gp_routine: seasonality July 1.1 -> 1.3"
    assert len(change.before) == len(change.after) == 12
    # The same fourth value is April's when the run starts in January.
    assert _lines(seasonality, start_date="2027-01-01") == [
        "demand gp_routine: seasonality April 1.1 -> 1.3"
    ]


def test_a_whole_new_seasonal_pattern_is_still_one_line() -> None:
    lines = _lines(
        (
            "[1.0, 1.0, 1.0, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 1.0]",
            "[0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1]",
        )
    )
    assert lines == [
        "demand gp_routine: seasonality [1 1 1 1.1 1 1 1 1 1 1 0.9 1] (April to March) -> "
        "[0.9 0.9 0.9 0.9 0.9 0.9 1.1 1.1 1.1 1.1 1.1 1.1] (April to March)"
    ]


# --- parts that change their kind ---------------------------------------------------------


def test_a_change_of_contract_type_reads_as_one_line() -> None:
    (change,) = _changes(
        ("contract: {type: activity}", "contract: {type: block, annual_gbp: 45_000_000}")
    )
    assert change.path == "providers[ward].contract"
    assert change.description == (
        "ward (Acute wards): activity contract -> block contract £45.0m a year"
    )
    assert change.before == {"type": "activity"}


def test_a_new_value_for_the_same_contract_reads_field_by_field() -> None:
    block = "contract: {type: block, annual_gbp: 45_000_000}"
    before = scenario_from(_edited(("contract: {type: activity}", block)))
    after = scenario_from(
        _edited(("contract: {type: activity}", block.replace("45_000_000", "47_500_000")))
    )
    assert [c.description for c in input_changes(before, after)] == [
        "ward (Acute wards): contract £45.0m -> £47.5m a year"
    ]


def test_beds_turned_into_an_appointment_book_read_as_one_line() -> None:
    assert _lines(("capacity: {servers: 620}", "capacity: {slots_per_day: 80}")) == [
        "ward (Acute wards): capacity 620 servers -> 80 slots a day"
    ]


def test_a_new_length_of_stay_distribution_reads_as_one_line() -> None:
    lognormal = "{distribution: lognormal, mean_days: 4.5, sd_days: 6}"
    assert _lines(("{distribution: exponential, mean_days: 5}", lognormal)) == [
        "ward (Acute wards): length of stay exponential, mean 5 days -> "
        "lognormal, mean 4.5 days, sd 6 days"
    ]
    assert _lines(("mean_days: 5}", "mean_days: 4}")) == [
        "ward (Acute wards): length of stay mean 5 days -> 4 days"
    ]


def test_a_rate_given_the_other_way_is_one_change() -> None:
    (change,) = _changes(("per_1000_per_year: 3_400", "per_day: 20"))
    assert change.path == "demand[gp_routine]"
    assert (change.before, change.after) == ({"per_1000_per_year": 3400}, {"per_day": 20})
    assert change.description == "demand gp_routine: rate 3,400 per 1,000 a year -> 20 a day"


# --- text is reported as changed, never dumped ---------------------------------------------


def test_a_new_source_or_name_is_reported_briefly() -> None:
    source = ('source: "National Cost Collection 2023/24"', 'source: "PSSRU Unit Costs 2024"')
    (change,) = _changes(source)
    assert change.path == "providers[ward].price.source"
    assert change.description == "source of ward price changed"
    assert change.after == "PSSRU Unit Costs 2024"
    assert _lines(("name: Acute wards", "name: Adult wards")) == [
        "provider ward: name 'Acute wards' -> 'Adult wards'"
    ]


# --- whole items come and go as one change -------------------------------------------------


MSK_TRIAGE = """
  - id: msk_triage
    name: MSK triage
    capacity: {servers: 6}
    length_of_stay: {distribution: fixed, mean_days: 0.05}
    price: {per_attendance_gbp: 150}
    contract: {type: activity}
exits:"""


def test_a_new_provider_is_one_change_and_so_is_its_pathway() -> None:
    changes = _changes(
        ("\nexits:", MSK_TRIAGE),
        (
            "  - {from: gp, to: ward, share: 0.01}",
            "  - {from: gp, to: ward, share: 0.01}\n  - {from: gp, to: msk_triage, share: 0.1}",
        ),
    )
    assert [(c.path, c.change, c.description) for c in changes] == [
        (
            "providers[msk_triage]",
            "added",
            "new provider msk_triage (MSK triage): 6 servers, £150 per attendance, "
            "activity contract",
        ),
        ("pathways[gp->msk_triage]", "added", "pathway gp -> msk_triage added: share 0.1"),
    ]
    assert changes[0].before is None
    assert changes[0].after["capacity"] == {"servers": 6}


def test_a_removed_provider_is_one_change_each_for_it_and_its_pathways() -> None:
    lines = _lines(
        (
            "  - {id: outpatients, capacity: {slots_per_day: 50}, price: {per_attendance_gbp: 206}}\n",
            "",
        ),
        ("  - {from: gp, to: outpatients, share: 0.15}\n", ""),
        ("  - {from: outpatients, to: home, share: 0.9}\n", ""),
    )
    assert lines == [
        "provider outpatients removed",
        "pathway gp -> outpatients removed (was share 0.15)",
        "pathway outpatients -> home removed (was share 0.9)",
    ]


def test_a_removed_exit_is_one_change() -> None:
    changes = _changes(
        ("exits: [home, died]", "exits: [home]"),
        ("  - {from: ward, to: died, share: 0.03}\n", ""),
    )
    assert [(c.path, c.change, c.before, c.description) for c in changes] == [
        ("exits", "removed", "died", "exit died removed"),
        (
            "pathways[ward->died]",
            "removed",
            changes[1].before,
            "pathway ward -> died removed (was share 0.03)",
        ),
    ]


def test_new_practices_and_demand_streams_say_what_they_bring() -> None:
    lines = _lines(
        (
            "  - {id: riverside, name: Riverside Surgery, list_size: 12_000}",
            "  - {id: riverside, name: Riverside Surgery, list_size: 12_000}\n"
            "  - {id: castle, name: Castle Surgery, list_size: 9_000, referral_multiplier: 0.8}",
        ),
        ("providers:", "  - {id: transfers, enters: ward, per_day: 2}\nproviders:"),
    )
    assert lines == [
        "new practice Castle Surgery (castle): list size 9,000, referral multiplier 0.8",
        "new demand stream transfers: 2 a day into ward",
    ]


def test_uncertain_inputs_are_named_by_the_value_they_make_uncertain() -> None:
    uncertain = "exits: [home, died]\nuncertain:\n  - {input: 'providers[ward].capacity.servers', low: 560, high: 660}"
    (change,) = _changes(("exits: [home, died]", uncertain))
    assert change.path == "uncertain[providers[ward].capacity.servers]"
    assert change.description == "providers[ward].capacity.servers made uncertain: 560 to 660"


# --- order and table --------------------------------------------------------------------------


def test_changes_come_in_scenario_order_whatever_order_the_edits_were_made_in() -> None:
    changes = _changes(
        ("{from: ward, to: home, share: 0.9}", "{from: ward, to: home, share: 0.8}"),
        ("exits: [home, died]", "exits: [home, died, hospice]"),
        ("servers: 620", "servers: 560"),
        ("per_1000_per_year: 3_400", "per_1000_per_year: 3_600"),
        ("list_size: 14_800", "list_size: 15_000"),
        ("annual_gbp: 412_000_000", "annual_gbp: 405_000_000"),
    )
    sections = [change.path.split("[")[0].split(".")[0] for change in changes]
    assert sections == ["budget", "practices", "demand", "providers", "exits", "pathways"]
    assert changes[4].description == "new exit hospice"


def test_a_longer_run_comes_first() -> None:
    before = scenario_from(BASE, days=365)
    after = scenario_from(_edited(("servers: 620", "servers: 560")), days=730)
    assert [change.description for change in input_changes(before, after)] == [
        "run: length 365 days -> 730 days",
        "ward (Acute wards): servers 620 -> 560",
    ]


def test_the_table_has_one_row_per_change_with_plain_cells() -> None:
    base, variant = (
        _bundled("northshire_2026.yaml"),
        _bundled("northshire_2026_urgent_response.yaml"),
    )
    changes = input_changes(base, variant)
    table = changes_table(changes)
    assert list(table.columns) == list(COLUMNS)
    assert table["description"].tolist() == [c.description for c in changes]
    assert isinstance(table.loc[0, "after"], str)  # the new provider, as JSON text
    assert list(changes_table([]).columns) == list(COLUMNS)


# --- the bundled variants ---------------------------------------------------------------------


def test_the_urgent_response_variant_reads_as_the_story_it_tells() -> None:
    changes = input_changes(
        _bundled("northshire_2026.yaml"), _bundled("northshire_2026_urgent_response.yaml")
    )
    lines = [change.description for change in changes]
    assert lines[:3] == [
        "new provider urgent_response (Urgent community response (2-hour crisis response)): "
        "6 servers, £131 per attendance, block contract £500,000 a year",
        "pathway nhs111 -> ae: share 0.118 -> 0.059",
        "source of pathway nhs111 -> ae changed",
    ]
    added = [c.path for c in changes if c.change == "added"]
    assert added == [
        "providers[urgent_response]",
        "pathways[nhs111->urgent_response]",
        "pathways[urgent_response->ae]",
        "pathways[urgent_response->ward]",
        "pathways[urgent_response->community]",
        "pathways[urgent_response->home]",
    ]


def test_the_ward_cost_and_volume_variant_is_a_single_contract_line() -> None:
    changes = input_changes(
        _bundled("northshire_2026.yaml"), _bundled("northshire_2026_ward_cost_and_volume.yaml")
    )
    assert [(c.path, c.change, c.description) for c in changes] == [
        (
            "providers[ward].contract",
            "changed",
            "ward (Northshire General adult wards (general and acute beds)): activity contract "
            "-> cost and volume contract £100.0m for 28,000 a year, marginal rate 0.5, "
            "floor 26,000",
        )
    ]
