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
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.compare.paired import Comparison
from sim.compare.words import count, duration, pounds, signed_pounds
from sim.export.report_html import (
    STYLE,
    bullets,
    difference_format,
    escaped,
    html_table,
    metric_format,
    money_cell,
    percent,
    plotly_script,
    with_interval,
)
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
    name = escaped(result.scenario.name)
    contents = "".join(
        f'<li><a href="#{anchor}">{escaped(title)}</a></li>' for anchor, title, _ in sections
    )
    body = "".join(
        f'<section id="{anchor}">\n<h2>{escaped(title)}</h2>\n{content}\n</section>\n'
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
        f"{plotly_script() if figures else ''}"
        "</head>\n<body>\n<header>\n"
        f"<h1>{name}</h1>\n"
        f'<p class="meta">Knock-on simulation report, written {written}. Scenario SHA-256 '
        f"{escaped(result.summary['scenario_hash'])}; seed {escaped(result.summary['seed'])}; "
        f"{escaped(result.summary['replications'])} replications.</p>\n"
        f"</header>\n<nav>\n<h2>Contents</h2>\n<ol>{contents}</ol>\n</nav>\n"
        f"{body}</body>\n</html>\n"
    )


def _question(result: RunResult, loaded_files: Sequence[str | Path]) -> str:
    scenario = result.scenario
    parts = [f"<p><strong>{escaped(scenario.name)}</strong></p>"]
    if scenario.description:
        parts.append(f"<p>{escaped(scenario.description)}</p>")
    parts.append(
        "<p>Knock-on simulates patients flowing through a network of providers, and the money "
        "that follows them, to show where patients, waits and money move when a service or a "
        "contract changes, and how sure the answer is.</p>"
    )
    if loaded_files:
        files = ", ".join(f"<code>{escaped(path)}</code>" for path in loaded_files)
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
        f'<div class="card"><div class="label">{escaped(label)}</div>'
        f'<div class="value">{escaped(value)}</div><div class="note">{escaped(note)}</div></div>'
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
                escaped(labels.get(provider, provider)),
                with_interval(row, "arrivals", count),
                with_interval(row, "mean_wait_days", duration),
                with_interval(row, "p95_wait_days", duration),
                with_interval(row, "utilisation", percent),
                with_interval(row, "mean_occupied", count),
                with_interval(row, "cost_gbp", pounds),
                with_interval(row, "paid_gbp", pounds),
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
        + html_table(headers, rows, numeric=range(1, len(headers)))
    )


def _money(result: RunResult) -> str:
    budget = result.budget
    rows = [
        [
            escaped(row["month"]),
            money_cell(row["plan_gbp"]),
            money_cell(row["spend_gbp"]),
            money_cell(row["cumulative_spend_gbp"]),
            money_cell(row["cumulative_variance_gbp"], signed=True),
            money_cell(row["forecast_outturn_gbp"]),
            escaped(percent(row["chance_of_overspend"])),
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
        + html_table(headers, rows, numeric=range(1, len(headers)))
    )


def _comparison(comparison: Comparison) -> str:
    parts = [
        f"<p>Baseline <strong>{escaped(comparison.base.name)}</strong> against each variant, on "
        f"{comparison.replications} paired replications (seed {comparison.seed}) with common "
        "random numbers. Only differences whose 95% confidence interval excludes zero are "
        "stated in words.</p>"
    ]
    for label, variant in zip(comparison.labels, comparison.variants, strict=True):
        parts.append(f"<h3>{escaped(label)}: {escaped(variant.name)}</h3>")
        changed = comparison.inputs[comparison.inputs["scenario"] == label]["description"]
        parts.append("<p>What changed in the inputs:</p>")
        parts.append(bullets(changed.tolist()) if len(changed) else "<p>Nothing.</p>")
        parts.append("<p>What happened:</p>")
        parts.append(bullets(comparison.summary[label]))
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
        show, change = metric_format(metric), difference_format(metric)
        rows.append(
            [
                escaped(row["provider"]),
                escaped(METRICS[metric]),
                escaped(show(row["base"])),
                escaped(show(row["variant"])),
                f'{escaped(change(row["difference"]))} <span class="ci">'
                f"({escaped(change(row['ci_low']))} to {escaped(change(row['ci_high']))})</span>",
            ]
        )
    headers = ["provider", "measure", "baseline", "variant", "difference (95% CI)"]
    return (
        f"<p>Largest differences that chance cannot explain (up to {TOP_DIFFERENCES}; the "
        "comparison workbook has every one):</p>\n" + html_table(headers, rows, numeric=(2, 3, 4))
    )


def _inputs(result: RunResult) -> str:
    scenario = result.scenario
    parts = [
        "<p>Every input of the scenario, as the model used it, with the source given for it.</p>"
    ]
    for title, table in input_tables(scenario).items():
        parts.append(f"<h3>{escaped(title)}</h3>")
        if table.empty:
            parts.append("<p>None.</p>")
            continue
        headers = [str(column) for column in table.columns]
        rows = [[escaped(value) for value in row] for row in table.itertuples(index=False)]
        parts.append(
            html_table(headers, rows, sources=[i for i, h in enumerate(headers) if h == "source"])
        )
    if scenario.exits:
        parts.append(f"<h3>Exits</h3>\n<p>{escaped(', '.join(scenario.exits))}</p>")
    return "\n".join(parts)


def _sources(result: RunResult) -> str:
    table = sources_table(result.scenario)
    unsourced = unsourced_inputs(result.scenario)
    parts = []
    if table.empty:
        parts.append("<p>The scenario cites no sources.</p>")
    else:
        rows = [
            [escaped(source), escaped(paths)]
            for source, paths in zip(table["source"], table["used for"], strict=True)
        ]
        parts.append(html_table(["source", "used for"], rows))
    if unsourced:
        parts.append(
            "<p>Inputs that cite no source (the modeller's assumptions): "
            f"{escaped(', '.join(unsourced))}.</p>"
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
    return html_table(
        ["setting", "value"], [[escaped(key), escaped(value)] for key, value in settings]
    )


def _software(result: RunResult) -> str:
    rows = [
        [escaped(package), escaped(version)]
        for package, version in result.summary["versions"].items()
    ]
    return html_table(["package", "version"], rows)


def _stress(groups: Sequence[StressGroup]) -> str:
    parts = [
        "<p>The items of the STRESS-DES guidelines for reporting discrete-event simulation "
        f"studies ({escaped(CITATION)}), answered from this run.</p>"
    ]
    for group in groups:
        parts.append(f"<h3>{group.number}. {escaped(group.title)}</h3>")
        rows = []
        for item in group.items:
            answer = f"<p>{escaped(item.answer)}</p>"
            if item.details:
                answer += bullets(item.details)
            rows.append([escaped(item.number), escaped(item.title), answer])
        parts.append(f'<div class="stress">{html_table(["item", "", "answer"], rows)}</div>')
    return "\n".join(parts)


def _scenario_file(result: RunResult) -> str:
    return (
        "<p>The complete scenario as run, with every variant merged in. Saved as a .yaml file "
        "it loads back to the same scenario (the same SHA-256).</p>\n"
        f"<pre>{escaped(scenario_to_yaml(result.scenario))}</pre>"
    )
