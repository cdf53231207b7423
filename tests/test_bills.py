"""Bill checks: an honest bill passes, an over-claim or an overcharge is flagged on its line
with the reason, a block contract is owed its instalment, and a bad bill file is refused
with one line per problem naming the file, line and column.

The bundled example, scenarios/northshire_2026_bills.csv, is made by `bundled_example`
below; `write_bundled_example()` rewrites it."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from sim.engine.record import RunRecord
from sim.money.bills import (
    COLUMNS,
    BillLine,
    BillsError,
    bill_from_record,
    check_bills,
    read_bills,
    summarise,
    write_bills,
)
from sim.results import run_scenario
from sim.scenario import Scenario, load_scenario
from tests.conftest import scenario_from

ROOT = Path(__file__).parents[1]
NORTHSHIRE = ROOT / "scenarios" / "northshire_2026.yaml"
BUNDLED_BILLS = ROOT / "scenarios" / "northshire_2026_bills.csv"

# A small acute system that runs a year in a fraction of a second a replication: A&E,
# a clinic, a ward paid by activity, and community visits on a block of £10,000 a month.
SMALL = """
    population: 50_000
    demand:
      - {id: walk_in, enters: ae, per_day: 30, seasonality: [0.98, 1.0, 0.97, 0.98, 0.94, 0.97, 1.0, 1.02, 1.08, 1.06, 1.0, 1.0]}
      - {id: referrals, enters: clinic, per_day: 20}
    providers:
      - {id: ae, kind: acute, capacity: {servers: 7}, length_of_stay: {distribution: lognormal, mean_days: 0.15, sd_days: 0.1}, price: {per_attendance_gbp: 273}, contract: {type: activity}}
      - {id: clinic, kind: acute, capacity: {slots_per_day: 24}, price: {per_attendance_gbp: 206}, contract: {type: activity}}
      - {id: ward, kind: acute, capacity: {servers: 40}, length_of_stay: {distribution: gamma, mean_days: 5.0, sd_days: 5.5}, price: {per_spell_gbp: 3260, trim_days: 14, per_excess_day_gbp: 901}, contract: {type: activity}}
      - {id: community, kind: community, capacity: {slots_per_day: 10}, price: {per_attendance_gbp: 57}, contract: {type: block, annual_gbp: 120_000}}
    pathways:
      - {from: ae, to: ward, share: 0.2}
      - {from: ward, to: community, share: 0.3}
    """
SMALL_SEED = 11
BILL_SEEDS = (101, 102, 103, 104)
"""Independent of SMALL_SEED: each bill is one replication of its own seed."""


@pytest.fixture(scope="module")
def small() -> tuple[Scenario, list[RunRecord]]:
    scenario = scenario_from(SMALL, days=365, warm_up_days=30, seed=SMALL_SEED)
    return scenario, run_scenario(scenario, replications=20).records


def _honest_bill(scenario: Scenario, seed: int) -> list[BillLine]:
    record = run_scenario(scenario, replications=1, seed=seed).records[0]
    return bill_from_record(record, scenario)


@pytest.fixture(scope="module")
def honest_bill(small: tuple[Scenario, list[RunRecord]]) -> list[BillLine]:
    scenario, _ = small
    return _honest_bill(scenario, BILL_SEEDS[0])


def _changed(bill: list[BillLine], provider: str, month: str, **values: float) -> list[BillLine]:
    return [
        dataclasses.replace(line, **values)
        if (line.provider, line.month) == (provider, month)
        else line
        for line in bill
    ]


def _line(bill: list[BillLine], provider: str, month: str) -> BillLine:
    (found,) = [line for line in bill if (line.provider, line.month) == (provider, month)]
    return found


def _flagged(checked: pd.DataFrame) -> set[tuple[str, str]]:
    rows = checked[checked["flagged"]]
    return set(zip(rows["provider"], rows["month"], strict=True))


# --- the check --------------------------------------------------------------------------------


def test_honest_bills_from_independent_replications_are_rarely_flagged(
    small: tuple[Scenario, list[RunRecord]],
) -> None:
    """The ranges are 95% prediction ranges, so about one honest line in twenty falls
    outside by chance, and no more: over 192 lines, at most the binomial's 97.5% bound."""
    scenario, records = small
    bills = [line for seed in BILL_SEEDS for line in _honest_bill(scenario, seed)]
    checked = check_bills(records, scenario, bills)
    lines, flagged = len(checked), int(checked["flagged"].sum())
    assert lines == len(BILL_SEEDS) * 4 * 12
    bound = 0.05 * lines + 2 * math.sqrt(lines * 0.05 * 0.95)
    assert flagged <= bound, checked[checked["flagged"]][["provider", "month", "reason"]]
    # An honest block bill is its instalment, every month.
    assert not checked["reason"].str.contains("instalment").any()


def test_the_check_has_a_row_per_bill_line_with_expected_values_and_ranges(
    small: tuple[Scenario, list[RunRecord]], honest_bill: list[BillLine]
) -> None:
    scenario, records = small
    checked = check_bills(records, scenario, honest_bill)
    assert len(checked) == len(honest_bill)
    assert list(checked[["provider", "month"]].itertuples(index=False, name=None)) == [
        (line.provider, line.month) for line in honest_bill
    ]
    for low, expected, high in (
        ("activity_low", "expected_activity", "activity_high"),
        ("gbp_low", "expected_gbp", "gbp_high"),
    ):
        assert (checked[low] >= 0).all()
        assert (checked[low] <= checked[expected]).all()
        assert (checked[expected] <= checked[high]).all()
    assert checked["flagged"].dtype == bool
    assert (checked["reason"] == "").eq(~checked["flagged"]).all()
    ae = checked[checked["provider"] == "ae"]
    assert ae["expected_unit_gbp"].round(6).eq(273).all()


def test_an_over_claimed_month_is_flagged_on_that_line_alone_with_its_reason(
    small: tuple[Scenario, list[RunRecord]], honest_bill: list[BillLine]
) -> None:
    """A&E bills 15% more attendances in January 2027, charged at its price."""
    scenario, records = small
    honest = _line(honest_bill, "ae", "2027-01")
    claimed = round(honest.activity * 1.15)
    over_claim = _changed(
        honest_bill, "ae", "2027-01", activity=float(claimed), amount_gbp=claimed * 273.0
    )
    before = check_bills(records, scenario, honest_bill)
    after = check_bills(records, scenario, over_claim)
    assert ("ae", "2027-01") not in _flagged(before)
    assert _flagged(after) == _flagged(before) | {("ae", "2027-01")}
    row = after.set_index(["provider", "month"]).loc[("ae", "2027-01")]
    assert row["reason"].startswith(
        f"activity {claimed:,} is above the modelled range "
        f"{row['activity_low']:,.0f}-{row['activity_high']:,.0f} "
        f"(+{claimed / row['expected_activity'] - 1:.0%} on expected); amount £"
    )
    assert "a unit" not in row["reason"]


def test_an_amount_that_does_not_follow_from_the_activity_is_flagged_at_its_unit_price(
    small: tuple[Scenario, list[RunRecord]], honest_bill: list[BillLine]
) -> None:
    """The clinic bills its honest attendances at £221 each instead of £206 (+7.3%)."""
    scenario, records = small
    honest = _line(honest_bill, "clinic", "2026-10")
    overcharged = _changed(honest_bill, "clinic", "2026-10", amount_gbp=honest.activity * 221)
    before = check_bills(records, scenario, honest_bill)
    after = check_bills(records, scenario, overcharged)
    assert _flagged(after) == _flagged(before) | {("clinic", "2026-10")}
    reason = after.set_index(["provider", "month"]).loc[("clinic", "2026-10"), "reason"]
    assert "charged £221 a unit against a modelled £206 (+7.3%)" in reason
    assert "activity" not in reason


def test_a_price_a_little_off_the_scenarios_is_not_a_unit_price_flag(
    small: tuple[Scenario, list[RunRecord]], honest_bill: list[BillLine]
) -> None:
    """Within 5% of the modelled unit price is the trust's price, not an overcharge."""
    scenario, records = small
    honest = _line(honest_bill, "ae", "2026-06")
    repriced = _changed(honest_bill, "ae", "2026-06", amount_gbp=honest.activity * 280)
    checked = check_bills(records, scenario, repriced)
    reason = checked.set_index(["provider", "month"]).loc[("ae", "2026-06"), "reason"]
    assert "a unit" not in reason


def test_a_block_contract_is_owed_its_instalment_whatever_the_activity(
    small: tuple[Scenario, list[RunRecord]], honest_bill: list[BillLine]
) -> None:
    scenario, records = small
    instalments = check_bills(records, scenario, honest_bill).query("provider == 'community'")
    assert instalments["expected_gbp"].round(2).eq(10_000).all()
    assert not instalments["reason"].str.contains("amount|instalment").any()

    extra = _changed(honest_bill, "community", "2026-11", amount_gbp=10_500.0)
    checked = check_bills(records, scenario, extra).set_index(["provider", "month"])
    assert checked.loc[("community", "2026-11"), "flagged"]
    assert checked.loc[("community", "2026-11"), "reason"].endswith(
        "block contract: instalment is £10,000.00, not £10,500.00"
    )


def test_the_summary_counts_lines_and_flags(
    small: tuple[Scenario, list[RunRecord]], honest_bill: list[BillLine]
) -> None:
    scenario, records = small
    bill = _changed(honest_bill, "community", "2026-11", amount_gbp=10_500.0)
    checked = check_bills(records, scenario, bill)
    summary = summarise(checked)
    assert summary.startswith(
        f"48 bill lines checked, {checked['flagged'].sum()} flagged; billed £"
    )
    assert "expected" in summary


def test_one_replication_cannot_give_a_range(small: tuple[Scenario, list[RunRecord]]) -> None:
    scenario, records = small
    with pytest.raises(ValueError, match="at least 2 replications"):
        check_bills(records[:1], scenario, [])


# --- the bundled example ---------------------------------------------------------------------

BUNDLED_SEED = 2030
"""Not the scenario's 2026: the bill is one realistic year, not the model's mean."""
BUNDLED_WARM_UP_DAYS = 30
"""The baseline's warm-up when the bill was made (the default scenario's has been 120 days
since); the bill is kept as it was."""
OVER_CLAIM = ("ward", "2027-01", 1.12)
"""The ward bills 12% more spells than it had in January, at the same price a spell."""


def bundled_example(scenario: Scenario) -> list[BillLine]:
    """The acute trust's bill for 2026/27: A&E, outpatients and ward, every month, from one
    replication with seed 2030 and a 30-day warm-up, with the ward's January spells
    over-claimed by 12% and the amount to match."""
    warm_up = scenario.run.model_copy(update={"warm_up_days": BUNDLED_WARM_UP_DAYS})
    made = scenario.model_copy(update={"run": warm_up})
    record = run_scenario(made, replications=1, seed=BUNDLED_SEED).records[0]
    bill = bill_from_record(record, made, ["ae", "outpatients", "ward"])
    provider, month, factor = OVER_CLAIM
    honest = _line(bill, provider, month)
    claimed = float(round(honest.activity * factor))
    return _changed(
        bill,
        provider,
        month,
        activity=claimed,
        amount_gbp=round(honest.amount_gbp * claimed / honest.activity, 2),
    )


def write_bundled_example(path: Path = BUNDLED_BILLS) -> Path:
    return write_bills(bundled_example(load_scenario(NORTHSHIRE).scenario), path)


@pytest.fixture(scope="module")
def northshire() -> tuple[Scenario, list[RunRecord]]:
    """The default scenario as `knockon check-bills` runs it: its own seed, 20 replications."""
    scenario = load_scenario(NORTHSHIRE).scenario
    return scenario, run_scenario(scenario, workers=2).records


@pytest.mark.slow
def test_the_bundled_example_flags_the_over_claimed_ward_month_and_one_chance_flag(
    northshire: tuple[Scenario, list[RunRecord]],
) -> None:
    scenario, records = northshire
    assert len(records) == scenario.run.replications == 20
    bill = read_bills(BUNDLED_BILLS, scenario)
    checked = check_bills(records, scenario, bill)
    assert len(checked) == 36
    # One honest line falls just outside its range by chance: 11 attendances below it.
    assert _flagged(checked) == {("ward", "2027-01"), ("outpatients", "2026-09")}
    by_line = checked.set_index(["provider", "month"])
    row = by_line.loc[("ward", "2027-01")]
    assert row["line"] == 35
    assert row["reason"].startswith("activity 2,782 is above the modelled range 2,418-2,636")
    assert "amount £10.26m is above the modelled range £8.90m-£9.65m" in row["reason"]
    chance = by_line.loc[("outpatients", "2026-09")]
    assert chance["line"] == 19
    assert chance["reason"].startswith("activity 17,564 is below the modelled range 17,575-")
    story = _readme_section().split("### The bundled example", 1)[1]
    assert f"\n{summarise(checked)}\n{row['reason']}\n" in story
    # With half the replications, the ranges differ a little and only the over-claim is out.
    fewer = check_bills(records[:10], scenario, bill)
    assert _flagged(fewer) == {("ward", "2027-01")}


@pytest.mark.slow
def test_the_bundled_example_is_what_bundled_example_makes(tmp_path: Path) -> None:
    remade = write_bundled_example(tmp_path / "bills.csv")
    assert remade.read_text() == BUNDLED_BILLS.read_text()


# --- bad bill files ---------------------------------------------------------------------------

HEADER = ",".join(COLUMNS)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(NORTHSHIRE).scenario


def _problems(scenario: Scenario, path: Path, content: str | bytes | None) -> list[str]:
    if isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(BillsError) as raised:
        read_bills(path, scenario)
    problems = list(raised.value.problems)
    assert str(raised.value) == "\n".join(problems)
    assert all("\n" not in problem and "Traceback" not in problem for problem in problems)
    return [problem.removeprefix(f"{path}") for problem in problems]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(None, ": no such file", id="missing file"),
        pytest.param(
            "",
            ": is empty: the first line must be the header provider,month,activity,amount_gbp "
            "(and optionally note), then one line per provider per month",
            id="empty file",
        ),
        pytest.param(f"{HEADER}\n\n", ":1: no bill lines after the header", id="header only"),
        pytest.param(
            "ward,2026-04,2400,7824000\n",
            ":1: the first line must be the header provider,month,activity,amount_gbp (and "
            "optionally note), then one line per provider per month "
            "(got 'ward,2026-04,2400,7824000')",
            id="no header",
        ),
        pytest.param(
            "provider,month,activity\nward,2026-04,2400\n",
            ":1 amount_gbp: missing column: the header is provider,month,activity,amount_gbp",
            id="missing column",
        ),
        pytest.param(
            "provider,month,activity,amount_gbp,amount\nward,2026-04,2400,7824000,1\n",
            ":1 amount: unknown column (did you mean 'amount_gbp'?)",
            id="unknown column",
        ),
        pytest.param(
            "provider,month,activity,activity,amount_gbp\nward,2026-04,1,1,1\n",
            ":1 activity: column given twice",
            id="repeated column",
        ),
        pytest.param(
            f"{HEADER}\nward,2026-04,lots,7824000\n",
            ":2 activity: must be a number of units like 2910 or 2,910 (got 'lots')",
            id="activity not a number",
        ),
        pytest.param(
            f"{HEADER}\nward,2026-04,2400,£7.8m\n",
            ":2 amount_gbp: must be pounds and pence like 7654321.09 or £7,654,321.09 "
            "(got '£7.8m')",
            id="amount not a number",
        ),
        pytest.param(
            f"{HEADER}\nward,2026-04,-2400,7824000\n",
            ":2 activity: must not be negative (got '-2400'): credits are not bill lines",
            id="negative activity",
        ),
        pytest.param(
            f"{HEADER}\nward,2026-04,2400,-£7824000\n",
            ":2 amount_gbp: must not be negative (got '-£7824000'): credits are not bill lines",
            id="negative amount",
        ),
        pytest.param(
            f"{HEADER}\nward,2026-04,,7824000\n",
            ":2 activity: required, but missing",
            id="missing value",
        ),
        pytest.param(
            f"{HEADER}\nwards,2026-04,2400,7824000\n",
            ":2 provider: unknown provider 'wards' (did you mean 'ward'?): use one of gp, "
            "nhs111, ae, outpatients, ward, community, social_care",
            id="unknown provider",
        ),
        pytest.param(
            f"{HEADER}\nward,2027-04,2400,7824000\n",
            ":2 month: 2027-04 is not a month of the run: use 2026-04 to 2027-03",
            id="month outside the run",
        ),
        pytest.param(
            f"{HEADER}\nward,Apr-26,2400,7824000\n",
            ":2 month: must be a month like 2026-04 (got 'Apr-26')",
            id="month not YYYY-MM",
        ),
        pytest.param(
            f"{HEADER}\nward,2026-04,2400,7824000\nae,2026-04,7600,2074800\n"
            "ward,2026-04,2400,7824000\n",
            ":4 month: ward 2026-04 is billed already on line 2",
            id="duplicate provider and month",
        ),
        pytest.param(
            f"{HEADER}\nward,2026-04,2400,£7,824,000\n",
            ":2: has 6 values, the header has 4 columns (a number with thousands commas must "
            'be in quotes, like "£1,234.50")',
            id="unquoted thousands commas",
        ),
        pytest.param(
            f'{HEADER}\nward,2026-04,2400,"7824000\n',
            ':2: not valid CSV: a value opened with a quote (") is never closed',
            id="malformed CSV",
        ),
        pytest.param(
            f"{HEADER}\nward,2026-04,2400,\xa37824000\n".encode("cp1252"),
            ":2: is not UTF-8 text (a '£' saved by Excel's plain 'CSV' is Windows-1252): save "
            "the file as 'CSV UTF-8'",
            id="not UTF-8",
        ),
    ],
)
def test_a_bad_bill_file_gets_one_line_naming_the_line_and_column(
    scenario: Scenario, tmp_path: Path, content: str | bytes | None, expected: str
) -> None:
    assert _problems(scenario, tmp_path / "bills.csv", content) == [expected]


def test_every_problem_in_a_bill_file_is_reported_at_once_in_line_order(
    scenario: Scenario, tmp_path: Path
) -> None:
    content = (
        "provider,month,activty,amount_gbp\n"
        "ward,2026-04,2400,7824000\n"
        "wrd,2026-13,2400,7824000\n"
        "ae,2026-05,7600,\n"
    )
    assert _problems(scenario, tmp_path / "bills.csv", content) == [
        ":1 activty: unknown column (did you mean 'activity'?)",
        ":3 provider: unknown provider 'wrd' (did you mean 'ward'?): use one of gp, nhs111, "
        "ae, outpatients, ward, community, social_care",
        ":3 month: must be a month like 2026-04 (got '2026-13')",
        ":4 amount_gbp: required, but missing",
    ]


def test_a_number_split_by_an_unquoted_comma_into_the_note_is_caught(
    scenario: Scenario, tmp_path: Path
) -> None:
    """With a note column, an unquoted £7,824,000 would otherwise read as £7 and a note."""
    content = f"{HEADER},note\nward,2026-04,2400,£7,824\n"
    assert _problems(scenario, tmp_path / "bills.csv", content) == [
        ":2 note: is a bare number ('824'), as left by a number split at its thousands comma: "
        'a number with thousands commas must be in quotes, like "£1,234.50"'
    ]


def test_a_bill_as_excel_saves_it_reads(scenario: Scenario, tmp_path: Path) -> None:
    """A byte-order mark, CRLF line ends, £ and thousands commas in quotes, columns in another
    order, an optional note left off a line, spaces round values and a blank last line."""
    path = tmp_path / "bills.csv"
    path.write_bytes(
        "\ufeffmonth,provider,activity,amount_gbp,note\r\n"
        '2026-04, ward ,"2,400","£7,824,000.50",winter ward open\r\n'
        "2026-04,ae,7600,2074800\r\n"
        "\r\n".encode()
    )
    assert read_bills(path, scenario) == [
        BillLine("ward", "2026-04", 2400.0, 7_824_000.5, line=2, note="winter ward open"),
        BillLine("ae", "2026-04", 7600.0, 2_074_800.0, line=3),
    ]


def test_bills_written_read_back_the_same(scenario: Scenario, tmp_path: Path) -> None:
    bill = [
        BillLine("ward", "2026-04", 2400.0, 7_824_000.5, line=2),
        BillLine("community", "2026-05", 8712.5, 500_000.0, line=3, note="bed days"),
    ]
    path = write_bills(bill, tmp_path / "bills.csv")
    assert read_bills(path, scenario) == bill


# --- the format reference ----------------------------------------------------------------------


def _readme_section() -> str:
    text = (ROOT / "scenarios" / "README.md").read_text()
    return text.split("\n## Checking bills\n", 1)[1]


def test_the_documented_command_names_the_bundled_files() -> None:
    (command,) = re.findall(r"```bash\n(.*?)```", _readme_section(), re.S)
    assert command.split() == [
        "knockon",
        "check-bills",
        "scenarios/northshire_2026.yaml",
        "scenarios/northshire_2026_bills.csv",
    ]
    assert all((ROOT / name).is_file() for name in command.split()[2:])


def test_the_documented_bill_reads_and_the_documented_mistakes_are_reported_as_shown(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, bad = re.findall(r"```csv\n(.*?)```", _readme_section(), re.S)
    (shown,) = re.findall(r"```console\n(.*?)```", _readme_section(), re.S)
    monkeypatch.chdir(tmp_path)
    Path("bills.csv").write_text(good)
    assert len(read_bills("bills.csv", scenario)) == good.count("\n") - 1
    Path("bills.csv").write_text(bad)
    with pytest.raises(BillsError) as raised:
        read_bills("bills.csv", scenario)
    assert str(raised.value) == shown.strip()
