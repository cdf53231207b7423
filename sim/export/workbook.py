"""Excel workbooks of a run's and a comparison's tables, one sheet per table.

Finance leads open results in Excel, so a workbook holds the same numbers as the CSV
files, unrounded: formats change only how a cell shows (money as £#,##0, shares as
per cent), never what it holds. Every sheet has its header row and first column frozen,
a filter on the header, and columns wide enough to read.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.compare.paired import Comparison
from sim.results.run import RunResult, versions
from sim.scenario.loader import scenario_hash

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

MONEY_FORMAT = "£#,##0"
SHARE_FORMAT = "0.0%"
MAX_SHEET_NAME = 31
"""Excel refuses longer sheet names."""
MAX_WIDTH = 60
"""Wider text wraps instead, so a long sentence does not push the next column off screen."""

RESULT_TABLES = (
    "providers",
    "flows",
    "monthly",
    "budget",
    "viability",
    "practices",
    "practice_providers",
    "pooling",
)
"""The tables of a `RunResult`, each written to the sheet of the same name."""

TOTALS_MEANING = {
    "patients_entered": "Patients entering the system in the measured period",
    "patients_left": "Patients leaving the system in the measured period",
    "cost_gbp": "Value of all activity at its prices",
    "paid_gbp": "Paid by the commissioner under the contracts",
    "budget_gbp": "Budget (plan) for the measured period",
    "annual_budget_gbp": "Annual budget in the scenario",
    "year_end_variance_gbp": "Paid minus plan for the period (positive = overspend)",
    "chance_of_overspend": "Share of replications paying more than the plan",
    "paid_gbp_p10": "Total paid: 10th percentile of replications",
    "paid_gbp_p90": "Total paid: 90th percentile of replications",
}
"""What each of `summary["totals"]` means, in a finance lead's words (means of replications
unless said otherwise)."""

Formatter = Callable[[Mapping[Any, Any], str], str | None]
"""The number format of a cell, given its row (column -> value) and its column."""


def results_workbook(result: RunResult) -> bytes:
    """The run's output tables, its key totals ("summary") and its provenance ("about")."""
    sheets: list[tuple[str, pd.DataFrame, Formatter]] = [
        (name, getattr(result, name), _by_column) for name in RESULT_TABLES
    ]
    sheets.append(("summary", _totals(result.summary), _by_item))
    if result.summary.get("uncertain_inputs"):
        sheets.append(
            ("uncertain_inputs", pd.DataFrame(result.summary["uncertain_inputs"]), _by_column)
        )
    about = {
        "scenario": result.scenario.name,
        "description": result.scenario.description,
        **{
            key: value
            for key, value in result.summary.items()
            if key not in ("scenario", "totals", "uncertain_inputs")
        },
    }
    sheets.append(("about", _items(about), _by_item))
    return _workbook(sheets)


def comparison_workbook(comparison: Comparison) -> bytes:
    """A comparison's input diff, paired differences, flow differences, cost waterfall, its
    plain-English summary and its provenance."""
    sentences = pd.DataFrame(
        [
            {"scenario": label, "variant": variant.name, "sentence": sentence}
            for label, variant in zip(comparison.labels, comparison.variants, strict=True)
            for sentence in comparison.summary[label]
        ],
        columns=["scenario", "variant", "sentence"],
    )
    about: dict[str, Any] = {
        "base": comparison.base.name,
        "base_hash": scenario_hash(comparison.base),
    }
    for label, variant in zip(comparison.labels, comparison.variants, strict=True):
        about[f"variant.{label}"] = variant.name
        about[f"variant.{label}.hash"] = scenario_hash(variant)
    about |= {
        "replications": comparison.replications,
        "seed": comparison.seed,
        "versions": versions(),
    }
    return _workbook(
        [
            ("inputs", comparison.inputs, _by_column),
            ("differences", comparison.differences, _by_metric),
            ("flow_differences", comparison.flows, _by_column),
            ("cost_waterfall", comparison.waterfall, _waterfall),
            ("summary", sentences, _by_column),
            ("about", _items(about), _by_item),
        ]
    )


# --- what each cell shows ----------------------------------------------------------------------


def _format_of(name: str) -> str | None:
    """Money and shares by their names: `cost_gbp_ci_low`, `utilisation`, `chance_of_...`."""
    if "gbp" in name.split("_"):
        return MONEY_FORMAT
    if name.startswith(("utilisation", "chance_")) or name.endswith("_share"):
        return SHARE_FORMAT
    return None


def _by_column(row: Mapping[Any, Any], column: str) -> str | None:
    return _format_of(column)


def _by_item(row: Mapping[Any, Any], column: str) -> str | None:
    """Sheets of `item`/`measure`, `value` rows: the item's name says what the value is."""
    if column != "value":
        return None
    return _format_of(str(row.get("item", row.get("measure", ""))).rsplit(".", 1)[-1])


def _by_metric(row: Mapping[Any, Any], column: str) -> str | None:
    """Differences hold every metric in the same columns; the row's metric says which."""
    if column in ("base", "variant", "difference", "ci_low", "ci_high"):
        return _format_of(str(row["metric"]))
    return _format_of(column)


def _waterfall(row: Mapping[Any, Any], column: str) -> str | None:
    """Every number in the cost waterfall is money, its interval too."""
    if column in ("ci_low", "ci_high"):
        return MONEY_FORMAT
    return _format_of(column)


# --- sheets ------------------------------------------------------------------------------------


def _totals(summary: Mapping[str, Any]) -> pd.DataFrame:
    rows = [
        {"measure": key, "value": value, "meaning": TOTALS_MEANING.get(key, "")}
        for key, value in summary["totals"].items()
    ]
    return pd.DataFrame(rows, columns=["measure", "value", "meaning"])


def _items(data: Mapping[str, Any]) -> pd.DataFrame:
    """Nested provenance as `item`, `value` rows, items named by their dotted path."""
    return pd.DataFrame(list(_flat(data)), columns=["item", "value"])


def _flat(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flat(value, f"{name}.")
        elif isinstance(value, list | tuple):
            yield name, ", ".join(str(item) for item in value)
        else:
            yield name, value


def _workbook(sheets: Sequence[tuple[str, pd.DataFrame, Formatter]]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table, formatter in sheets:
            assert len(name) <= MAX_SHEET_NAME, name
            table.to_excel(writer, sheet_name=name, index=False)
            _lay_out(writer.sheets[name], table, formatter)
    return buffer.getvalue()


def _lay_out(sheet: Worksheet, table: pd.DataFrame, formatter: Formatter) -> None:
    # openpyxl takes a third of a second to import: only when a workbook is written.
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "B2"
    if len(table.columns):
        sheet.auto_filter.ref = sheet.dimensions
    records = table.to_dict("records")
    for index, column in enumerate(table.columns, start=1):
        name = str(column)
        width = len(name)
        for row_number, row in enumerate(records, start=2):
            value = row[column]
            cell = sheet.cell(row=row_number, column=index)
            if isinstance(value, str):
                # Text is data, never a formula: a name like "=HYPERLINK(...)" typed into a
                # scenario must not run when the workbook is opened.
                if value.startswith("="):
                    cell.data_type = "s"
                if len(value) > MAX_WIDTH:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                width = max(width, min(len(value), MAX_WIDTH))
                continue
            number_format = formatter(row, name)
            if number_format is not None and _is_number(value):
                cell.number_format = number_format
            width = max(width, _shown_width(value, number_format))
        sheet.column_dimensions[get_column_letter(index)].width = width + 2


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _shown_width(value: Any, number_format: str | None) -> int:
    """About how many characters Excel shows for a value in this format."""
    if not _is_number(value):
        return 0 if value is None or pd.isna(value) else len(str(value))
    if number_format == MONEY_FORMAT:
        return len(f"£{value:,.0f}")
    if number_format == SHARE_FORMAT:
        return len(f"{value:.1%}")
    if isinstance(value, int):
        return len(str(value))
    return min(len(f"{value:.10g}"), 12)
