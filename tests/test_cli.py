"""The `knockon` command, driven as a user would through `main([...])`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

ROOT = Path(__file__).parents[1]
DEFAULT = ROOT / "scenarios" / "northshire_2026.yaml"
SMALL = """format: 1
name: Small system
run: {days: 60, warm_up_days: 10, replications: 3, seed: 4}
budget: {annual_gbp: 2_000_000}
population: 20000
demand:
  - {id: need, enters: gp, per_1000_per_year: 2000}
providers:
  - {id: gp, capacity: {slots_per_day: 120}, price: {per_attendance_gbp: 45}, contract: {type: block, annual_gbp: 900_000}}
  - {id: ae, capacity: {servers: 4}, length_of_stay: {distribution: lognormal, mean_days: 0.15, sd_days: 0.1}, price: {per_attendance_gbp: 273}}
exits: [home]
pathways:
  - {from: gp, to: ae, share: 0.05}
  - {from: ae, to: home, share: 0.8}
"""

PROVIDER_COLUMNS = [
    "provider",
    "arrivals",
    "completions",
    "mean_wait_days",
    "p95_wait_days",
    "mean_in_system",
    "utilisation",
    "cost_gbp",
]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    return path


def test_run_writes_the_four_outputs_with_the_documented_columns(
    small: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(small), "--out", str(out), "--workers", "1"]) == 0
    providers = pd.read_csv(out / "providers.csv")
    for column in PROVIDER_COLUMNS[1:]:
        assert {column, f"{column}_ci_low", f"{column}_ci_high"} <= set(providers.columns)
    assert list(providers.columns[:2]) == ["provider", "arrivals"]
    assert list(providers.provider) == ["gp", "ae"]
    flows = pd.read_csv(out / "flows.csv")
    assert {"from", "to", "patients"} <= set(flows.columns)
    assert {("need", "gp"), ("gp", "ae"), ("ae", "home"), ("ae", "exit"), ("gp", "exit")} <= set(
        zip(flows["from"], flows["to"], strict=True)
    )
    monthly = pd.read_csv(out / "monthly.csv")
    assert {"month", "provider", "activity", "cost_gbp", "paid_gbp", "cumulative_paid_gbp"} <= set(
        monthly.columns
    )
    assert set(monthly.provider) == {"gp", "ae", "all"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "Small system"
    assert summary["replications"] == 3 and summary["seed"] == 4
    assert len(summary["scenario_hash"]) == 64
    assert {"python", "knockon", "simpy", "numpy"} <= set(summary["versions"])


def test_run_options_override_the_file(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["run", str(small), "--out", str(out), "--replications", "2", "--seed", "9"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["replications"], summary["seed"]) == (2, 9)


def test_run_never_overwrites_results_without_being_told(
    small: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(small), "--out", str(out)]) == 0
    (out / "providers.csv").write_text("my edited results")
    assert main(["run", str(small), "--out", str(out)]) == 1
    assert "--overwrite" in capsys.readouterr().err
    assert (out / "providers.csv").read_text() == "my edited results"
    assert main(["run", str(small), "--out", str(out), "--overwrite"]) == 0
    assert (out / "providers.csv").read_text() != "my edited results"


def test_run_on_a_bad_file_prints_its_problems_and_writes_nothing(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("servers: 4", "servers: 0"))
    out = tmp_path / "out"
    assert main(["run", str(bad), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml:10 providers[ae].capacity.servers: must be greater than 0 (got 0)" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_a_missing_file_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    assert main(["run", str(tmp_path / "nowhere.yaml"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip()
    assert "nowhere.yaml" in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_validate_reports_success_and_failure_by_exit_code(
    small: Path, tmp_path: Path, capsys
) -> None:
    assert main(["validate", str(DEFAULT), str(small)]) == 0
    assert "valid" in capsys.readouterr().out
    bad = tmp_path / "typo.yaml"
    bad.write_text(SMALL.replace("replications: 3", "replicatons: 3"))
    assert main(["validate", str(small), str(bad)]) == 1
    assert "unknown field 'replicatons' (did you mean 'replications'?)" in capsys.readouterr().err


def test_schema_is_json_schema_for_the_scenario_file(capsys) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"format", "providers", "pathways", "extends"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_a_usage_mistake_gets_usage_help_and_exit_code_2(capsys) -> None:
    assert main(["run"]) == 2
    assert "Missing argument" in capsys.readouterr().err


def test_check_bills_lists_the_flagged_lines_and_writes_the_checked_table(
    small: Path, tmp_path: Path, capsys
) -> None:
    bills = tmp_path / "bills.csv"
    bills.write_text("provider,month,activity,amount_gbp\nae,2026-04,5000,1365000\n")
    out = tmp_path / "checked.csv"
    assert main(["check-bills", str(small), str(bills), "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "1 bill line checked, 1 flagged" in printed
    assert f"{bills}:2 ae 2026-04: activity 5,000 is above the modelled range" in printed
    assert pd.read_csv(out).flagged.tolist() == [True]


def test_check_bills_reports_a_bad_bill_by_row_and_field(
    small: Path, tmp_path: Path, capsys
) -> None:
    bills = tmp_path / "bills.csv"
    bills.write_text("provider,month,activity,amount_gbp\nicu,2026-04,3,10\n")
    assert main(["check-bills", str(small), str(bills)]) == 1
    assert f"{bills}:2 provider: unknown provider 'icu'" in capsys.readouterr().err
