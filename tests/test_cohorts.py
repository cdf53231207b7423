"""Patient cohorts: patients keep their cohort through the system, a cohort with pathways of
its own from a provider takes only those, and cohorts.csv adds up to providers.csv. Each
test states its hand-checked answer in its docstring."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.engine import simulate
from sim.results import run_scenario
from sim.scenario import load_scenario, parse_scenario, paths
from tests.conftest import scenario_from
from tests.test_engine_invariants import assert_every_patient_is_counted_once

WARD = """
practices:
  - {id: north, list_size: 6000}
  - {id: south, list_size: 4000, referral_multiplier: 1.5}
cohorts:
  - {id: frail, name: Frail older people}
demand:
  - {id: frail_need, enters: ward, per_day: 2, cohort: frail}
  - {id: other_need, enters: ward, per_1000_per_year: 250}
providers:
  - id: ward
    capacity: {servers: 200}
    length_of_stay: {distribution: exponential, mean_days: 2}
    price: {per_spell_gbp: 1000}
  - {id: social_care, price: {per_attendance_gbp: 100}}
exits: [home]
pathways:
  - {from: ward, to: social_care, share: 1.0, cohort: frail}
  - {from: ward, to: home, share: 1.0}
"""


def _flow(record, origin: str, destination: str) -> float:
    nodes = list(record.nodes)
    return float(record.flows[nodes.index(origin), nodes.index(destination)])


def test_a_cohorts_own_pathways_route_only_that_cohort() -> None:
    """Frail patients leave the ward only for social care (their one pathway, share 1);
    everyone else goes home (the pathway naming no cohort). So social care's arrivals are
    exactly the frail ward discharges, and home's exactly the others'. Frail demand is 2 a
    day: about 730 a year (Poisson sd 27); nobody but the frail reaches social care."""
    scenario = scenario_from(WARD, days=365, seed=1)
    record = simulate(scenario)
    assert record.cohorts == ("none", "frail")
    none, frail = 0, 1
    ward, social_care = 0, 1
    frail_discharges = record.cohort_activity[ward, :, frail].sum()
    assert _flow(record, "ward", "social_care") == frail_discharges
    assert _flow(record, "ward", "home") == record.cohort_activity[ward, :, none].sum()
    assert record.cohort_arrivals[social_care, :, none].sum() == 0
    assert record.cohort_arrivals[social_care, :, frail].sum() == frail_discharges
    assert record.cohort_arrivals[ward, :, frail].sum() == pytest.approx(730, abs=4 * 27)
    assert_every_patient_is_counted_once(record, scenario)


def test_cohorts_fold_back_into_practices() -> None:
    """Groups are (practice, cohort) pairs: the practice tables still add up to the
    provider's completions, and the per_day frail stream is shared between practices by
    list size (6,000 : 4,000, so 60% north)."""
    record = simulate(scenario_from(WARD, days=365, seed=2))
    assert record.practice_activity.shape == (2, 12, 2)
    assert (record.practice_activity.sum(axis=2) == record.completions).all()
    frail_social_care = record.practice_activity[1].sum(axis=0)
    north_share = frail_social_care[0] / frail_social_care.sum()
    assert north_share == pytest.approx(0.6, abs=4 * np.sqrt(0.24 / frail_social_care.sum()))


def test_a_cohort_without_pathways_of_its_own_takes_everyone_elses() -> None:
    """With no pathway naming the cohort, frail patients go home like everyone else."""
    text = WARD.replace("  - {from: ward, to: social_care, share: 1.0, cohort: frail}\n", "")
    record = simulate(scenario_from(text, days=120, seed=3))
    assert _flow(record, "ward", "social_care") == 0
    assert _flow(record, "ward", "home") == record.completions[0].sum()


def test_batched_departures_follow_the_cohorts_own_pathways_too() -> None:
    """An appointment book without a length of stay sends its patients on in one vector
    step; its frail patients still take only their own pathway (to social care, 1.0) and
    the others the general one (home, 1.0)."""
    text = """
        cohorts: [{id: frail}]
        demand:
          - {id: frail_need, enters: clinic, per_day: 3, cohort: frail}
          - {id: other_need, enters: clinic, per_day: 12}
        providers:
          - {id: clinic, capacity: {slots_per_day: 20}}
          - {id: social_care}
        exits: [home]
        pathways:
          - {from: clinic, to: social_care, share: 1.0, cohort: frail}
          - {from: clinic, to: home, share: 1.0}
        """
    scenario = scenario_from(text, days=120, seed=4)
    record = simulate(scenario)
    frail = record.cohort_activity[0, :, 1].sum()
    assert frail > 0
    assert _flow(record, "clinic", "social_care") == frail
    assert _flow(record, "clinic", "home") == record.cohort_activity[0, :, 0].sum()
    assert_every_patient_is_counted_once(record, scenario)


@pytest.mark.slow
def test_cohorts_csv_adds_up_to_each_providers_arrivals() -> None:
    """Each provider's rows of cohorts.csv (none + frail) sum to its arrivals, completions
    and cost in providers.csv: each replication's figures add up, so their means do."""
    result = run_scenario(scenario_from(WARD, days=120, replications=3, seed=5), workers=1)
    assert result.cohorts is not None
    assert list(result.cohorts["cohort"].unique()) == ["none", "frail"]
    summed = result.cohorts.groupby("provider", sort=False)[
        ["arrivals", "completions", "cost_gbp"]
    ].sum()
    providers = result.providers.set_index("provider")
    for column in ("arrivals", "completions", "cost_gbp"):
        assert summed[column].to_numpy() == pytest.approx(providers[column].to_numpy()), column
    assert "cohorts.csv" in result.files()
    assert result.files()["cohorts.csv"].startswith("cohort,provider,arrivals,arrivals_ci_low")


def test_without_demand_outside_cohorts_there_is_no_none_row() -> None:
    """Every stream names a cohort, so nobody is in `none`: cohorts.csv lists frail only."""
    text = WARD.replace("  - {id: other_need, enters: ward, per_1000_per_year: 250}\n", "")
    result = run_scenario(scenario_from(text, days=60, replications=2, seed=6), workers=1)
    assert result.cohorts is not None
    assert set(result.cohorts["cohort"]) == {"frail"}


def test_a_scenario_without_cohorts_writes_no_cohorts_file() -> None:
    text = """
        demand:
          - {id: need, enters: ward, per_day: 2}
        providers:
          - {id: ward, capacity: {servers: 5}, length_of_stay: {distribution: fixed, mean_days: 1}}
        """
    result = run_scenario(scenario_from(text, days=30, replications=2, seed=7), workers=1)
    assert result.cohorts is None
    assert "cohorts.csv" not in result.files()
    assert result.records[0].cohorts == ()


# --- naming, variants and paths ---------------------------------------------------------------


def test_a_cohorts_pathway_is_named_from_to_at_cohort_in_paths_and_variants(
    tmp_path: Path,
) -> None:
    """`pathways[ward->social_care@frail]` names the frail pathway; a variant merges it by
    its ends and its cohort, leaving the general ward->home pathway alone."""
    base = yaml.safe_load(WARD)
    base.update(format=1, name="base")
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    (tmp_path / "variant.yaml").write_text(
        "extends: base.yaml\nname: variant\npathways:\n"
        "  - {from: ward, to: social_care, share: 0.5, cohort: frail}\n"
        "  - {from: ward, to: home, share: 0.5, cohort: frail}\n"
    )
    scenario = load_scenario(tmp_path / "variant.yaml").scenario
    assert [(p.name, p.share) for p in scenario.pathways] == [
        ("ward->social_care@frail", 0.5),
        ("ward->home", 1.0),
        ("ward->home@frail", 0.5),
    ]
    data = scenario.model_dump(mode="json", by_alias=True)
    assert paths.get(data, "pathways[ward->social_care@frail].share") == 0.5
    assert paths.get(data, "pathways[ward->home].share") == 1.0
    assert paths.get(data, "cohorts[frail].growth_per_year") == 0.0


def test_an_uncertain_range_on_a_cohorts_pathway_draws_per_replication() -> None:
    data = yaml.safe_load(WARD)
    data.update(format=1, name="uncertain")
    data["pathways"][0]["share"] = {"low": 0.5, "high": 1.0}
    scenario = parse_scenario(data).scenario
    assert scenario.uncertain[0].input == "pathways[ward->social_care@frail].share"


def test_knockon_run_writes_cohorts_csv_beside_the_other_files(tmp_path: Path) -> None:
    from sim.cli import main

    data = yaml.safe_load(WARD)
    data.update(format=1, name="cohorts", run={"days": 60, "replications": 2})
    scenario_file = tmp_path / "cohorts.yaml"
    scenario_file.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "out"
    assert main(["run", str(scenario_file), "--out", str(out), "--workers", "1"]) == 0
    cohorts = pd.read_csv(out / "cohorts.csv")
    providers = pd.read_csv(out / "providers.csv")
    assert (out / "providers.csv").exists() and len(cohorts) == 2 * len(providers)
    assert cohorts.groupby("provider", sort=False)["arrivals"].sum().to_numpy() == pytest.approx(
        providers["arrivals"].to_numpy()
    )
