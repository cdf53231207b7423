"""A self-contained HTML report of a run that a board paper can attach.

One file that opens anywhere without a network: the figures' plotly.js is embedded once,
the styles are inline and simple enough to print on A4. It says what was asked (the
scenario), what came out (headline money, providers, spend by month), what went in (every
input with its source), how it was run (seed, replications, warm-up, versions) and answers
the STRESS-DES reporting checklist from the run itself. Every piece of text that came from
a user (names, descriptions, sources, file names) is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.compare.paired import Comparison
from sim.compare.words import count, duration, pounds, signed_pounds
from sim.export.scenario_tables import input_tables, sources_table, unsourced_inputs
from sim.export.stress import CITATION, StressGroup, stress_des
from sim.results.run import RunResult
from sim.scenario.loader import scenario_to_yaml

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

TOP_DIFFERENCES = 20
"""Differences shown per variant: the board reads the largest; the workbook has them all."""

METRICS = {
    "paid_gbp": "paid",
    "cost_gbp": "cost at price",
    "budget_variance_gbp": "variance against budget",
    "paid_h1_gbp": "paid in H1 (first six months)",
    "budget_variance_h1_gbp": "variance against budget in H1",
    "surplus_gbp": "provider surplus",
    "mean_wait_days": "mean wait",
    "p95_wait_days": "95th percentile wait",
    "utilisation": "utilisation",
    "mean_occupied": "places in use",
    "mean_queue": "patients waiting",
    "arrivals": "arrivals",
    "completions": "completions",
    "overflows": "moved on after waiting too long",
    "delayed_transfer_days": "delayed-transfer days",
}
"""The differences a board reads, in the order it reads them (money, waits, occupancy,
activity), with their names in words."""

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


def html_report(
    result: RunResult,
    loaded_files: Sequence[str | Path] = (),
    comparison: Comparison | None = None,
    figures: Sequence[Figure] | None = None,
) -> str:
    """The report as one HTML document.

    `loaded_files` are the scenario files the run was read from (`LoadedScenario.files`),
    named for provenance; `comparison`, if given, adds its input diff, summary and largest
    differences; `figures` (plotly) are embedded in the order given.
    """
    figures = list(figures or [])
    sections = [
        ("question", "The question", _question(result, loaded_files)),
        ("headline", "Headline results", _headline(result)),
    ]
    if figures:
        sections.append(("figures", "Figures", _figures(figures)))
    sections += [
        ("providers", "Providers", _providers(result)),
        ("money", "Spend through the period", _money(result)),
    ]
    if comparison is not None:
        sections.append(("comparison", "Comparison", _comparison(comparison)))
    sections += [
        ("inputs", "Inputs", _inputs(result)),
        ("sources", "Sources", _sources(result)),
        ("run-settings", "Run settings", _run_settings(result, loaded_files)),
        ("software", "Software versions", _software(result)),
        (
            "stress-des",
            "STRESS-DES checklist",
            _stress(stress_des(result, comparison, loaded_files, len(figures))),
        ),
        ("scenario-file", "Appendix: the scenario file", _scenario_file(result)),
    ]
    name = _e(result.scenario.name)
    contents = "".join(
        f'<li><a href="#{anchor}">{_e(title)}</a></li>' for anchor, title, _ in sections
    )
    body = "".join(
        f'<section id="{anchor}">\n<h2>{_e(title)}</h2>\n{content}\n</section>\n'
        for anchor, title, content in sections
    )
    today = dt.date.today()
    written = f"{today.day} {today:%B %Y}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Knock-on report: {name}</title>\n"
        f"<style>{STYLE}</style>\n"
        f"{_plotly_script() if figures else ''}"
        "</head>\n<body>\n<header>\n"
        f"<h1>{name}</h1>\n"
        f'<p class="meta">Knock-on simulation report, written {written}. Scenario SHA-256 '
        f"{_e(result.summary['scenario_hash'])}; seed {_e(result.summary['seed'])}; "
        f"{_e(result.summary['replications'])} replications.</p>\n"
        f"</header>\n<nav>\n<h2>Contents</h2>\n<ol>{contents}</ol>\n</nav>\n"
        f"{body}</body>\n</html>\n"
    )


# --- sections ----------------------------------------------------------------------------------


def _question(result: RunResult, loaded_files: Sequence[str | Path]) -> str:
    scenario = result.scenario
    parts = [f"<p><strong>{_e(scenario.name)}</strong></p>"]
    if scenario.description:
        parts.append(f"<p>{_e(scenario.description)}</p>")
    parts.append(
        "<p>Knock-on simulates patients flowing through a network of providers, and the money "
        "that follows them, to show where patients, waits and money move when a service or a "
        "contract changes, and how sure the answer is.</p>"
    )
    if loaded_files:
        files = ", ".join(f"<code>{_e(path)}</code>" for path in loaded_files)
        parts.append(f"<p>Read from {files}.</p>")
    return "\n".join(parts)


def _headline(result: RunResult) -> str:
    totals = result.summary["totals"]
    replications = result.summary["replications"]
    days = result.scenario.run.days
    cards = [
        (
            "Forecast total paid (outturn)",
            pounds(totals["paid_gbp"]),
            f"80% of replications between {pounds(totals['paid_gbp_p10'])} and "
            f"{pounds(totals['paid_gbp_p90'])}",
        )
    ]
    if totals.get("budget_gbp") is not None:
        variance = totals["year_end_variance_gbp"]
        cards += [
            (
                "Plan for the period",
                pounds(totals["budget_gbp"]),
                f"{days} days of an annual budget of {pounds(totals['annual_budget_gbp'])}",
            ),
            (
                "Variance against plan",
                signed_pounds(variance),
                "overspend" if variance > 0 else "underspend",
            ),
            (
                "Chance of overspend",
                f"{totals['chance_of_overspend']:.0%}",
                f"share of {replications} replications paying more than the plan",
            ),
        ]
    else:
        cards.append(("Plan for the period", "none", "the scenario sets no budget"))
    cards += [
        (
            "Value of activity at prices",
            pounds(totals["cost_gbp"]),
            "what the activity would cost paid at price, whatever the contracts",
        ),
        (
            "Patients entering the system",
            count(totals["patients_entered"]),
            f"in {days} days measured, mean of replications",
        ),
    ]
    shown = "".join(
        f'<div class="card"><div class="label">{_e(label)}</div>'
        f'<div class="value">{_e(value)}</div><div class="note">{_e(note)}</div></div>'
        for label, value, note in cards
    )
    return (
        f'<div class="cards">{shown}</div>\n'
        f"<p>Means over {replications} replications of the measured period. Money is what "
        "the commissioner pays under the contracts unless it says otherwise.</p>"
    )


def _figures(figures: Sequence[Figure]) -> str:
    return "\n".join(
        '<div class="figure">'
        + figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            default_width="100%",
            default_height="440px",
            config={"displaylogo": False, "responsive": True},
        )
        + "</div>"
        for figure in figures
    )


def _providers(result: RunResult) -> str:
    labels = {provider.id: provider.label for provider in result.scenario.providers}
    table = result.providers
    rows = []
    for row in table.to_dict("records"):
        provider = str(row["provider"])
        rows.append(
            [
                _e(labels.get(provider, provider)),
                _ci(row, "arrivals", count),
                _ci(row, "mean_wait_days", duration),
                _ci(row, "p95_wait_days", duration),
                _ci(row, "utilisation", _percent),
                _ci(row, "mean_occupied", count),
                _ci(row, "cost_gbp", pounds),
                _ci(row, "paid_gbp", pounds),
            ]
        )
    headers = [
        "provider",
        "arrivals",
        "mean wait",
        "95th percentile wait",
        "utilisation",
        "places in use",
        "cost at price",
        "paid",
    ]
    return (
        "<p>Means over replications, with 95% confidence intervals in brackets. Utilisation "
        "is the time-average share of a provider's servers or daily slots in use.</p>\n"
        + _html_table(headers, rows, numeric=range(1, len(headers)))
    )


def _money(result: RunResult) -> str:
    budget = result.budget
    rows = [
        [
            _e(row["month"]),
            _money_cell(row["plan_gbp"]),
            _money_cell(row["spend_gbp"]),
            _money_cell(row["cumulative_spend_gbp"]),
            _money_cell(row["cumulative_variance_gbp"], signed=True),
            _money_cell(row["forecast_outturn_gbp"]),
            _e(_percent(row["chance_of_overspend"])),
        ]
        for row in budget.to_dict("records")
    ]
    headers = [
        "month",
        "plan",
        "paid",
        "paid to date",
        "variance to date",
        "forecast outturn",
        "chance of overspend",
    ]
    return (
        "<p>What the commissioner pays month by month against the plan. The forecast outturn "
        "is the one a finance lead makes at each month-end: spend to date plus the rest of "
        "the plan, scaled by how spend has run against plan so far; the chance of overspend "
        "is the share of replications whose forecast exceeds the plan.</p>\n"
        + _html_table(headers, rows, numeric=range(1, len(headers)))
    )


def _comparison(comparison: Comparison) -> str:
    parts = [
        f"<p>Baseline <strong>{_e(comparison.base.name)}</strong> against each variant, on "
        f"{comparison.replications} paired replications (seed {comparison.seed}) with common "
        "random numbers. Only differences whose 95% confidence interval excludes zero are "
        "stated in words.</p>"
    ]
    for label, variant in zip(comparison.labels, comparison.variants, strict=True):
        parts.append(f"<h3>{_e(label)}: {_e(variant.name)}</h3>")
        changed = comparison.inputs[comparison.inputs["scenario"] == label]["description"]
        parts.append("<p>What changed in the inputs:</p>")
        parts.append(_bullets(changed.tolist()) if len(changed) else "<p>Nothing.</p>")
        parts.append("<p>What happened:</p>")
        parts.append(_bullets(comparison.summary[label]))
        parts.append(_top_differences(comparison, label))
    return "\n".join(parts)


def _top_differences(comparison: Comparison, label: str) -> str:
    differences = comparison.differences
    mine = differences[(differences["scenario"] == label) & differences["significant"]]
    mine = mine[mine["metric"].isin(list(METRICS))]
    if mine.empty:
        return "<p>No difference could be told apart from chance.</p>"
    order = {metric: i for i, metric in enumerate(METRICS)}
    ranked = mine.assign(
        _order=mine["metric"].map(order), _size=mine["difference"].abs()
    ).sort_values(["_order", "_size"], ascending=[True, False])
    rows = []
    for row in ranked.head(TOP_DIFFERENCES).to_dict("records"):
        metric = str(row["metric"])
        show, change = _metric_format(metric), _difference_format(metric)
        rows.append(
            [
                _e(row["provider"]),
                _e(METRICS[metric]),
                _e(show(row["base"])),
                _e(show(row["variant"])),
                f'{_e(change(row["difference"]))} <span class="ci">'
                f"({_e(change(row['ci_low']))} to {_e(change(row['ci_high']))})</span>",
            ]
        )
    headers = ["provider", "measure", "baseline", "variant", "difference (95% CI)"]
    return (
        f"<p>Largest differences that chance cannot explain (up to {TOP_DIFFERENCES}; the "
        "comparison workbook has every one):</p>\n" + _html_table(headers, rows, numeric=(2, 3, 4))
    )


def _inputs(result: RunResult) -> str:
    scenario = result.scenario
    parts = [
        "<p>Every input of the scenario, as the model used it, with the source given for it.</p>"
    ]
    for title, table in input_tables(scenario).items():
        parts.append(f"<h3>{_e(title)}</h3>")
        if table.empty:
            parts.append("<p>None.</p>")
            continue
        headers = [str(column) for column in table.columns]
        rows = [[_e(value) for value in row] for row in table.itertuples(index=False)]
        parts.append(
            _html_table(headers, rows, sources=[i for i, h in enumerate(headers) if h == "source"])
        )
    if scenario.exits:
        parts.append(f"<h3>Exits</h3>\n<p>{_e(', '.join(scenario.exits))}</p>")
    return "\n".join(parts)


def _sources(result: RunResult) -> str:
    table = sources_table(result.scenario)
    unsourced = unsourced_inputs(result.scenario)
    parts = []
    if table.empty:
        parts.append("<p>The scenario cites no sources.</p>")
    else:
        rows = [
            [_e(source), _e(paths)]
            for source, paths in zip(table["source"], table["used for"], strict=True)
        ]
        parts.append(_html_table(["source", "used for"], rows))
    if unsourced:
        parts.append(
            "<p>Inputs that cite no source (the modeller's assumptions): "
            f"{_e(', '.join(unsourced))}.</p>"
        )
    return "\n".join(parts)


def _run_settings(result: RunResult, loaded_files: Sequence[str | Path]) -> str:
    summary = result.summary
    run = result.scenario.run
    settings: list[tuple[str, Any]] = [
        ("scenario", result.scenario.name),
        ("scenario SHA-256", summary["scenario_hash"]),
        ("seed", summary["seed"]),
        ("replications", summary["replications"]),
        ("warm-up", f"{run.warm_up_days} days"),
        ("run length", f"{run.days} days"),
        ("start date", f"{run.start_date.day} {run.start_date:%B %Y}"),
        ("months measured", ", ".join(summary["period"]["months"])),
        ("workers", summary.get("workers")),
    ]
    if "scheduler" in summary:
        settings.append(("Dask scheduler", summary["scheduler"]))
    settings.append(("run time", f"{summary.get('run_seconds', 0):.1f} s"))
    if loaded_files:
        settings.append(("scenario files", ", ".join(str(path) for path in loaded_files)))
    return _html_table(["setting", "value"], [[_e(key), _e(value)] for key, value in settings])


def _software(result: RunResult) -> str:
    rows = [[_e(package), _e(version)] for package, version in result.summary["versions"].items()]
    return _html_table(["package", "version"], rows)


def _stress(groups: Sequence[StressGroup]) -> str:
    parts = [
        "<p>The items of the STRESS-DES guidelines for reporting discrete-event simulation "
        f"studies ({_e(CITATION)}), answered from this run.</p>"
    ]
    for group in groups:
        parts.append(f"<h3>{group.number}. {_e(group.title)}</h3>")
        rows = []
        for item in group.items:
            answer = f"<p>{_e(item.answer)}</p>"
            if item.details:
                answer += _bullets(item.details)
            rows.append([_e(item.number), _e(item.title), answer])
        parts.append(f'<div class="stress">{_html_table(["item", "", "answer"], rows)}</div>')
    return "\n".join(parts)


def _scenario_file(result: RunResult) -> str:
    return (
        "<p>The complete scenario as run, with every variant merged in. Saved as a .yaml file "
        "it loads back to the same scenario (the same SHA-256).</p>\n"
        f"<pre>{_e(scenario_to_yaml(result.scenario))}</pre>"
    )


# --- pieces ------------------------------------------------------------------------------------


def _plotly_script() -> str:
    """plotly.js inline, once for every figure, so the file opens without a network."""
    from plotly.offline import get_plotlyjs  # plotly is heavy: load it only for figures

    return f'<script type="text/javascript">{get_plotlyjs()}</script>\n'


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _html_table(
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

    head = "".join(f"<th{css(i)}>{_e(header)}</th>" for i, header in enumerate(headers))
    body = "\n".join(
        "<tr>" + "".join(f"<td{css(i)}>{cell}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _bullets(lines: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _percent(value: Any) -> str:
    return "-" if _missing(value) else f"{value:.0%}"


def _ci(row: Mapping[Any, Any], metric: str, show: Callable[[float], str]) -> str:
    """A mean with its 95% interval, as HTML: "4.2 days (3.9 days to 4.6 days)"."""
    keys = (metric, f"{metric}_ci_low", f"{metric}_ci_high")
    value, low, high = (row.get(key, math.nan) for key in keys)
    if _missing(value):
        return "-"
    shown = _e(show(float(value)))
    if _missing(low) or _missing(high):
        return shown
    return f'{shown} <span class="ci">({_e(show(float(low)))} to {_e(show(float(high)))})</span>'


def _money_cell(value: Any, signed: bool = False) -> str:
    if _missing(value):
        return "-"
    return _e(signed_pounds(value) if signed else pounds(value))


def _metric_format(metric: str) -> Callable[[Any], str]:
    """How a level of a measure reads: £231.1m, 4.2 h, 71.7%, 3,618.0."""

    def shown(value: Any) -> str:
        if _missing(value):
            return "-"
        if metric.endswith("_gbp"):
            return signed_pounds(value) if value < 0 else pounds(value)
        if "wait" in metric:
            return duration(value)
        if metric == "utilisation":
            return f"{value:.1%}"
        return f"{value:,.1f}"

    return shown


def _difference_format(metric: str) -> Callable[[Any], str]:
    """How a change reads: signed, in the measure's unit; shares in percentage points."""

    def shown(value: Any) -> str:
        if _missing(value):
            return "-"
        sign = "-" if value < 0 else "+"
        if metric == "utilisation":
            return f"{sign}{abs(value) * 100:.1f} points"
        return f"{sign}{_metric_format(metric)(abs(value))}"

    return shown
