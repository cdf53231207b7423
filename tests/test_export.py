"""Exports a board paper can attach: the Excel workbooks and the self-contained HTML report."""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest

from sim import Comparison, RunResult, compare_scenarios, run_scenario
from sim.cli import main
from sim.export import comparison_workbook, html_report, results_workbook
from sim.export.stress import GROUP_TITLES
from sim.export.workbook import MONEY_FORMAT, RESULT_TABLES
from tests.conftest import scenario_from

NAME = 'Riverside <script>alert("boo")</script> & Co'
SMALL = """
format: 1
name: 'Riverside <script>alert("boo")</script> & Co'
description: Does a <b>new</b> clinic take pressure off A&E?
run: {days: 45, warm_up_days: 5, replications: 2, seed: 11}
budget: {annual_gbp: 3_000_000, source: "Board plan 2026/27 <draft>"}
practices:
  - {id: riverside, list_size: 12_000, source: "GP list sizes, April 2026"}
  - {id: hilltop, list_size: 8_000, referral_multiplier: 1.3}
demand:
  - {id: need, enters: gp, per_1000_per_year: 2_500, source: "Appointments data 2024 & local audit"}
providers:
  - {id: gp, name: GP practices, capacity: {slots_per_day: 180}, price: {per_attendance_gbp: 45, source: "PSSRU Unit Costs 2024, table 9.4.2"}, contract: {type: block, annual_gbp: 1_500_000}}
  - {id: ae, name: Town A&E, capacity: {servers: 4}, length_of_stay: {distribution: lognormal, mean_days: 0.15, sd_days: 0.1}, price: {per_attendance_gbp: 273}}
exits: [home]
pathways:
  - {from: gp, to: ae, share: 0.05}
  - {from: ae, to: home, share: 0.8}
"""
SOURCES = (
    "Board plan 2026/27 <draft>",
    "GP list sizes, April 2026",
    "Appointments data 2024 & local audit",
    "PSSRU Unit Costs 2024, table 9.4.2",
)
STRESS_ITEMS = (
    *("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4"),
    *("2.5.1", "2.5.2", "2.5.3", "2.5.4", "2.5.5"),
    *("3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "5.1", "5.2", "5.3", "5.4", "6.1"),
)
PLOTLY_JS_BANNER = re.compile(r"\* plotly\.js v\d")


@pytest.fixture(scope="module")
def result() -> RunResult:
    return run_scenario(scenario_from(SMALL))


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    base = scenario_from(SMALL)
    fewer = scenario_from(
        SMALL.replace("servers: 4", "servers: 2").replace("& Co'", "& Co, fewer cubicles'")
    )
    return compare_scenarios(base, [fewer], ["fewer_cubicles"], replications=2)


@pytest.fixture(scope="module")
def report(result: RunResult) -> str:
    return html_report(result, loaded_files=["scenarios/river<side>.yaml"])


def _figure(title: str) -> go.Figure:
    return go.Figure(go.Bar(x=["gp", "ae"], y=[1, 2]), layout_title_text=title)


# --- the results workbook ------------------------------------------------------------------


def test_the_workbook_holds_every_table_with_the_numbers_of_the_dataframes(
    result: RunResult,
) -> None:
    workbook = results_workbook(result)
    sheets = pd.read_excel(io.BytesIO(workbook), sheet_name=None)
    assert list(sheets) == [*RESULT_TABLES, "summary", "about"]
    for name in RESULT_TABLES:
        expected = getattr(result, name)
        pd.testing.assert_frame_equal(
            sheets[name], expected, check_dtype=False, obj=f"sheet {name}"
        )


def test_the_workbook_summary_and_about_sheets_carry_the_totals_and_provenance(
    result: RunResult,
) -> None:
    sheets = pd.read_excel(io.BytesIO(results_workbook(result)), sheet_name=None)
    totals = sheets["summary"].set_index("measure")["value"]
    for key, value in result.summary["totals"].items():
        assert totals[key] == pytest.approx(value), key
    about = sheets["about"].set_index("item")["value"].astype(str)
    assert about["scenario"] == NAME
    assert about["scenario_hash"] == result.summary["scenario_hash"]
    assert (about["seed"], about["replications"]) == ("11", "2")
    assert about["period.warm_up_days"] == "5"
    for package, version in result.summary["versions"].items():
        assert about[f"versions.{package}"] == version


def test_the_workbook_shows_money_in_pounds_under_a_frozen_header(result: RunResult) -> None:
    book = openpyxl.load_workbook(io.BytesIO(results_workbook(result)))
    providers = book["providers"]
    headers = [cell.value for cell in providers[1]]
    cost = providers.cell(row=2, column=headers.index("cost_gbp") + 1)
    assert cost.number_format == MONEY_FORMAT
    arrivals = providers.cell(row=2, column=headers.index("arrivals") + 1)
    assert arrivals.number_format == "General"
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "B2", sheet.title
        assert len(sheet.title) <= 31
    width = providers.column_dimensions["A"].width
    assert width is not None and width >= len("provider")


def test_text_that_looks_like_a_formula_stays_text() -> None:
    sneaky = scenario_from(SMALL.replace(f"name: '{NAME}'", "name: '=HYPERLINK(\"x\")'"))
    book = openpyxl.load_workbook(io.BytesIO(results_workbook(run_scenario(sneaky))))
    cell = book["about"]["B2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")


def test_the_comparison_workbook_holds_the_diff_differences_waterfall_and_sentences(
    comparison: Comparison,
) -> None:
    workbook = comparison_workbook(comparison)
    sheets = pd.read_excel(io.BytesIO(workbook), sheet_name=None)
    assert list(sheets) == [
        "inputs",
        "differences",
        "flow_differences",
        "cost_waterfall",
        "summary",
        "about",
    ]
    for name, table in (
        ("differences", comparison.differences),
        ("flow_differences", comparison.flows),
        ("cost_waterfall", comparison.waterfall),
    ):
        pd.testing.assert_frame_equal(sheets[name], table, check_dtype=False, obj=name)
    assert list(sheets["inputs"]["description"]) == list(comparison.inputs["description"])
    assert list(sheets["summary"]["sentence"]) == comparison.summary["fewer_cubicles"]
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    differences = book["differences"]
    headers = [cell.value for cell in differences[1]]
    for row in differences.iter_rows(min_row=2):
        metric = row[headers.index("metric")].value
        shown = row[headers.index("difference")].number_format
        assert (shown == MONEY_FORMAT) == metric.endswith("_gbp"), metric


# --- the HTML report -----------------------------------------------------------------------


def test_the_report_escapes_everything_a_user_typed(report: str) -> None:
    assert "<script>alert" not in report
    assert html.escape(NAME) in report
    assert "Does a &lt;b&gt;new&lt;/b&gt; clinic take pressure off A&amp;E?" in report
    assert "<b>new</b>" not in report
    assert "scenarios/river&lt;side&gt;.yaml" in report


def test_the_report_names_every_provider_and_the_run_settings(
    report: str, result: RunResult
) -> None:
    for label in ("GP practices", "Town A&amp;E"):
        assert label in report
    settings = _section(report, "run-settings")
    for setting, value in (
        ("seed", "11"),
        ("replications", "2"),
        ("warm-up", "5 days"),
        ("run length", "45 days"),
        ("start date", "1 April 2026"),
        ("scenario SHA-256", result.summary["scenario_hash"]),
    ):
        assert f"<td>{setting}</td><td>{value}</td>" in settings, setting
    software = _section(report, "software")
    for package, version in result.summary["versions"].items():
        assert f"<td>{package}</td><td>{html.escape(version)}</td>" in software


def test_the_report_gives_the_headline_money(report: str, result: RunResult) -> None:
    headline = _section(report, "headline")
    totals = result.summary["totals"]
    assert "Forecast total paid (outturn)" in headline
    assert f"£{totals['paid_gbp'] / 1e3:,.1f}k" in headline
    assert "Chance of overspend" in headline
    assert f"{totals['chance_of_overspend']:.0%}" in headline


def test_the_report_lists_every_source_and_names_the_inputs_without_one(report: str) -> None:
    sources = _section(report, "sources")
    for source in SOURCES:
        assert html.escape(source) in sources, source
    assert "Board plan 2026/27 <draft>" not in report
    assert "practices[hilltop]" in sources
    assert "providers[ae].capacity" in sources
    inputs = _section(report, "inputs")
    assert "PSSRU Unit Costs 2024, table 9.4.2" in inputs
    assert "block: £1.5m a year in twelve instalments" in inputs


def test_the_report_answers_every_stress_des_item_from_the_run(report: str) -> None:
    stress = _section(report, "stress-des")
    for number, title in enumerate(GROUP_TITLES, start=1):
        assert f"<h3>{number}. {title}</h3>" in stress
    for item in STRESS_ITEMS:
        assert f"<td>{item}</td>" in stress, item
    assert "A warm-up of 5 days" in stress
    assert "45 days measured" in stress
    assert "2 independent replications from seed 11" in stress
    assert "Appointments data 2024 &amp; local audit" in stress
    assert "Journal of Simulation" in stress


def test_a_scenario_without_a_budget_is_reported_without_one() -> None:
    without = "".join(line for line in SMALL.splitlines(True) if not line.startswith("budget:"))
    unbudgeted = run_scenario(scenario_from(without))
    assert unbudgeted.scenario.budget is None
    headline = _section(html_report(unbudgeted), "headline")
    assert "the scenario sets no budget" in headline
    assert "Chance of overspend" not in headline
    sheets = pd.read_excel(io.BytesIO(results_workbook(unbudgeted)), sheet_name=None)
    assert sheets["summary"].set_index("measure")["value"].isna()["budget_gbp"]


def test_figures_are_embedded_with_plotly_js_once_and_nothing_fetched(
    result: RunResult,
) -> None:
    report = html_report(result, figures=[_figure("Spend"), _figure("</script>flows")])
    assert len(PLOTLY_JS_BANNER.findall(report)) == 1
    assert report.count('class="plotly-graph-div"') == 2
    assert not re.search(r"<script[^>]*\ssrc\s*=", report)
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?https?:", report)
    assert "</script>flows" not in report


def test_a_report_without_figures_carries_no_plotly_js(report: str) -> None:
    assert not PLOTLY_JS_BANNER.search(report)
    assert "<script" not in report
    assert len(report) < 200_000


def test_the_report_is_well_formed_html(result: RunResult, comparison: Comparison) -> None:
    for document in (
        html_report(result, figures=[_figure("Spend")]),
        html_report(result, comparison=comparison),
    ):
        assert document.startswith("<!DOCTYPE html>")
        _assert_well_formed(document)


def test_a_comparison_report_says_what_changed_and_what_happened(
    result: RunResult, comparison: Comparison
) -> None:
    section = _section(html_report(result, comparison=comparison), "comparison")
    assert html.escape(comparison.variants[0].name) in section
    for change in comparison.inputs["description"]:
        assert html.escape(change) in section
    for sentence in comparison.summary["fewer_cubicles"]:
        assert html.escape(sentence) in section
    # Halving A&E's cubicles lengthens its waits beyond chance: the table leads with them.
    assert "<td>ae</td><td>mean wait</td>" in section
    assert re.search(r"<td>ae</td><td>utilisation</td>.*?\+[\d.]+ points", section)


# --- the command line ------------------------------------------------------------------------


def test_knockon_report_writes_the_html_and_the_workbook(tmp_path: Path) -> None:
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SMALL)
    out, xlsx = tmp_path / "board" / "report.html", tmp_path / "results.xlsx"
    argv = ["report", str(scenario), "--out", str(out), "--xlsx", str(xlsx), "--workers", "1"]
    assert main(argv) == 0
    written = out.read_text(encoding="utf-8")
    assert html.escape(NAME) in written and html.escape(str(scenario)) in written
    assert openpyxl.load_workbook(xlsx).sheetnames[:2] == ["providers", "flows"]


def test_knockon_report_never_overwrites_without_being_told(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SMALL)
    out = tmp_path / "report.html"
    out.write_text("the board's annotated copy")
    argv = ["report", str(scenario), "--out", str(out), "--replications", "2", "--workers", "1"]
    assert main(argv) == 1
    assert "--overwrite" in capsys.readouterr().err
    assert out.read_text() == "the board's annotated copy"
    assert main([*argv, "--overwrite"]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# --- helpers ---------------------------------------------------------------------------------


def _section(report: str, anchor: str) -> str:
    match = re.search(rf'<section id="{anchor}">(.*?)</section>', report, re.S)
    assert match, f"no section {anchor!r}"
    return match.group(1)


VOID = {"meta", "link", "br", "hr", "img", "input", "col", "area", "base", "wbr", "source"}


class _Nesting(HTMLParser):
    """Checks that every element closes, in order: what a browser or a printer needs."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


def _assert_well_formed(document: str) -> None:
    parser = _Nesting()
    parser.feed(document)
    parser.close()
    assert not parser.problems, parser.problems[:5]
    assert parser.open == [], parser.open
