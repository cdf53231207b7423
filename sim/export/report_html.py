"""The HTML the board report is built from: its print style, escaped text, tables,
a figure with its 95% interval, and numbers in the unit each measure is read in.

Kept apart from the report's sections so that every section escapes what a user wrote
and formats money, waits and shares the same way, and so that the page prints on A4.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sim.compare.words import duration, pounds, signed_pounds

STYLE = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "Segoe UI", Arial, Helvetica, sans-serif; font-size: 10.5pt;
  line-height: 1.4; color: #1d1d1b; max-width: 182mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 19pt; margin: 0 0 2mm; color: #003087; }
h2 { font-size: 14pt; color: #003087; border-bottom: 2px solid #005eb8; padding-bottom: 1mm;
  margin-top: 9mm; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11.5pt; margin: 5mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }
p, li { margin: 1.5mm 0; }
.meta { color: #425563; font-size: 9.5pt; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 2mm 0 4mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border-bottom: 1px solid #d8dde0; padding: 1mm 1.5mm; text-align: left;
  vertical-align: top; }
th { background: #e8edee; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.source { color: #425563; font-size: 8pt; }
.ci { display: block; color: #5e6b75; font-size: 85%; }
.cards { display: flex; flex-wrap: wrap; gap: 3mm; margin: 3mm 0; }
.card { flex: 1 1 52mm; border: 1px solid #d8dde0; border-left: 4px solid #005eb8;
  padding: 2mm 3mm; break-inside: avoid; page-break-inside: avoid; }
.card .label { font-size: 9pt; color: #425563; }
.card .value { font-size: 16pt; font-weight: 600; }
.card .note { font-size: 8.5pt; color: #5e6b75; }
.figure { break-inside: avoid; page-break-inside: avoid; margin: 4mm 0; }
.stress table { table-layout: fixed; }
.stress th:first-child { width: 11mm; }
.stress th:nth-child(2) { width: 32mm; }
.stress td:first-child { font-weight: 600; }
pre { white-space: pre-wrap; word-break: break-word; font-size: 7.5pt; background: #f6f7f8;
  border: 1px solid #d8dde0; padding: 2mm; }
nav ol { columns: 2; font-size: 9.5pt; }
@media print { nav { display: none; } a { color: inherit; text-decoration: none; } }
"""


def plotly_script() -> str:
    """plotly.js inline, once for every figure, so the file opens without a network."""
    from plotly.offline import get_plotlyjs  # plotly is heavy: load it only for figures

    return f'<script type="text/javascript">{get_plotlyjs()}</script>\n'


def escaped(value: Any) -> str:
    return html.escape(str(value), quote=True)


def html_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[int] | range = (),
    sources: Sequence[int] = (),
) -> str:
    """A table from cells that are already HTML (escaped); headers are escaped here."""

    def css(index: int) -> str:
        if index in numeric:
            return ' class="n"'
        if index in sources:
            return ' class="source"'
        return ""

    head = "".join(f"<th{css(i)}>{escaped(header)}</th>" for i, header in enumerate(headers))
    body = "\n".join(
        "<tr>" + "".join(f"<td{css(i)}>{cell}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def bullets(lines: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{escaped(line)}</li>" for line in lines) + "</ul>"


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def percent(value: Any) -> str:
    return "-" if missing(value) else f"{value:.0%}"


def with_interval(row: Mapping[Any, Any], metric: str, show: Callable[[float], str]) -> str:
    """A mean with its 95% interval, as HTML: "4.2 days (3.9 days to 4.6 days)"."""
    keys = (metric, f"{metric}_ci_low", f"{metric}_ci_high")
    value, low, high = (row.get(key, math.nan) for key in keys)
    if missing(value):
        return "-"
    shown = escaped(show(float(value)))
    if missing(low) or missing(high):
        return shown
    low_text, high_text = escaped(show(float(low))), escaped(show(float(high)))
    return f'{shown} <span class="ci">({low_text} to {high_text})</span>'


def money_cell(value: Any, signed: bool = False) -> str:
    if missing(value):
        return "-"
    return escaped(signed_pounds(value) if signed else pounds(value))


def metric_format(metric: str) -> Callable[[Any], str]:
    """How a level of a measure reads: £231.1m, 4.2 h, 71.7%, 3,618.0."""

    def shown(value: Any) -> str:
        if missing(value):
            return "-"
        if metric.endswith("_gbp"):
            return signed_pounds(value) if value < 0 else pounds(value)
        if "wait" in metric:
            return duration(value)
        if metric == "utilisation":
            return f"{value:.1%}"
        return f"{value:,.1f}"

    return shown


def difference_format(metric: str) -> Callable[[Any], str]:
    """How a change reads: signed, in the measure's unit; shares in percentage points."""

    def shown(value: Any) -> str:
        if missing(value):
            return "-"
        sign = "-" if value < 0 else "+"
        if metric == "utilisation":
            return f"{sign}{abs(value) * 100:.1f} points"
        return f"{sign}{metric_format(metric)(abs(value))}"

    return shown
