"""The `knockon` command: a thin face over the public API.

It validates and computes nothing itself: the scenario layer reports problems, the
results layer runs and tabulates; this module only reads arguments and prints.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from sim.compare.paired import COMPARISON_FILES, compare_scenarios, labels_for
from sim.compare.roi import ComparisonError, return_on_investment
from sim.compare.sensitivity import Input, default_metrics, global_sensitivity, inputs_of, tornado
from sim.compare.words import duration, pounds
from sim.export import html_report, results_workbook
from sim.money.bills import BillsError, check_bills, read_bills, summarise
from sim.results import OUTPUT_FILES, RunResult, run_scenario
from sim.results.precision import PrecisionError, ReplicationsAdvice, replications_needed
from sim.results.replicate import ScaleOutError
from sim.results.run import deadlock_note
from sim.results.sweep import (
    Design,
    SweepError,
    Value,
    describe_points,
    expand_inputs,
    headline_metrics,
    parse_vary,
    point_count,
    sweep,
)
from sim.results.warmup import WarmUpError, warm_up
from sim.scenario import LoadedScenario, Scenario, ScenarioError, load_scenario
from sim.scenario.schema import scenario_json_schema

app = typer.Typer(
    name="knockon",
    help="Knock-on: where patients, waits and money move when commissioners change a service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
ProgressCallback = Callable[[int, int], None]

# Options shared by every command that runs replications.
Seed = Annotated[
    int | None, typer.Option(min=0, help="Seed (default: the scenario file's run.seed).")
]
Workers = Annotated[
    int, typer.Option(min=1, help="Worker processes; results are the same for any number.")
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786: run the replications on that "
        "cluster instead of --workers local processes (same results)."
    ),
]
CORES = os.cpu_count() or 1

err = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal width


def _load(path: Path) -> LoadedScenario:
    """Load a scenario or stop with its problems, one per line, and exit code 1."""
    try:
        loaded = load_scenario(path)
    except ScenarioError as error:
        for problem in error.problems:
            err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    for warning in loaded.warnings:
        err.print(str(warning), markup=False, highlight=False, soft_wrap=True)
    return loaded


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files (YAML) to check.")],
) -> None:
    """Check scenario files and report every problem at once as FILE:LINE field: what is wrong."""
    failed = False
    for path in files:
        try:
            loaded = load_scenario(path)
        except ScenarioError as error:
            failed = True
            for problem in error.problems:
                err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
            continue
        for warning in loaded.warnings:
            err.print(str(warning), markup=False, highlight=False, soft_wrap=True)
        scenario = loaded.scenario
        out.print(
            f"{path}: valid - {scenario.name}: {len(scenario.providers)} providers, "
            f"{len(scenario.pathways)} pathways, {len(scenario.demand)} demand streams, "
            f"{len(loaded.warnings)} warnings",
            markup=False,
            highlight=False,
        )
    if failed:
        raise typer.Exit(1)


def _refuse_to_overwrite(
    directory: Path, overwrite: bool, names: tuple[str, ...] = OUTPUT_FILES
) -> None:
    existing = [name for name in names if (directory / name).exists()]
    if not existing or overwrite:
        return
    listed = ", ".join(existing)
    if sys.stdin.isatty() and typer.confirm(f"{directory} already holds {listed}. Replace them?"):
        return
    err.print(
        f"{directory}: already holds {listed}; choose another --out or pass --overwrite",
        markup=False,
    )
    raise typer.Exit(1)


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the output tables.")],
    replications: Annotated[
        int | None, typer.Option(min=1, help="Replications (default: the file's run.replications).")
    ] = None,
    seed: Seed = None,
    workers: Workers = CORES,
    scheduler: Scheduler = None,
    overwrite: Annotated[bool, typer.Option(help="Replace output files already in --out.")] = False,
) -> None:
    """Simulate a scenario and write providers.csv, flows.csv, monthly.csv and summary.json."""
    loaded = _load(file)
    _refuse_to_overwrite(out_dir, overwrite)
    result = _simulate(loaded.scenario, replications, seed, workers, scheduler)
    try:
        written = result.write(out_dir)
    except OSError as error:
        err.print(f"{out_dir}: cannot write results: {error.strerror or error}", markup=False)
        raise typer.Exit(1) from None
    _show(result)
    out.print(f"Wrote {', '.join(str(p) for p in written)}", markup=False, highlight=False)


def _simulate(
    scenario: Scenario,
    replications: int | None,
    seed: int | None,
    workers: int,
    scheduler: str | None,
) -> RunResult:
    """Run the replications behind a progress bar; a cluster that fails stops in one line."""
    total = replications or scenario.run.replications
    try:
        with _progress_bar(f"{scenario.name}: replications", total) as progress:
            return run_scenario(
                scenario, replications, seed, workers, progress, scheduler=scheduler
            )
    except ScaleOutError as error:
        err.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _duration(days: float) -> str:
    """Waits in the unit a commissioner reads them: hours under a day, days above."""
    if math.isnan(days):
        return "-"
    return f"{days * 24:.1f} h" if days < 1 else f"{days:.1f} d"


def _pounds(value: float) -> str:
    """Money as a board paper writes it: £231.8m, £45.2k, £980."""
    if abs(value) >= 1e6:
        return f"£{value / 1e6:,.1f}m"
    if abs(value) >= 1e4:
        return f"£{value / 1e3:,.1f}k"
    return f"£{value:,.0f}"


def _show(result: RunResult) -> None:
    replications = result.summary["replications"]
    table = Table(title=f"{result.scenario.name}: means of {replications} replications")
    columns = ("provider", "arrivals", "mean wait", "95th centile wait", "utilisation", "cost")
    for column in columns:
        table.add_column(column, justify="left" if column == "provider" else "right")
    for row in result.providers.to_dict("records"):
        utilisation = float(row["utilisation"])
        table.add_row(
            str(row["provider"]),
            f"{row['arrivals']:,.0f}",
            _duration(float(row["mean_wait_days"])),
            _duration(float(row["p95_wait_days"])),
            "-" if math.isnan(utilisation) else f"{utilisation:.0%}",
            _pounds(float(row["cost_gbp"])),
        )
    out.print(table)
    totals = result.summary["totals"]
    line = f"Paid {_pounds(totals['paid_gbp'])}"
    if totals["budget_gbp"] is not None:
        variance = totals["year_end_variance_gbp"]
        sign = "-" if variance < 0 else "+"
        line += (
            f" against a budget of {_pounds(totals['budget_gbp'])} "
            f"(variance {sign}{_pounds(abs(variance))}, "
            f"chance of overspend {totals['chance_of_overspend']:.0%})"
        )
    out.print(line, highlight=False)
    for year in result.summary.get("financial_years", []):
        line = f"  {year['first_month']} to {year['last_month']}: paid {_pounds(year['paid_gbp'])}"
        if year["budget_gbp"] is not None:
            variance = year["variance_gbp"]
            sign = "-" if variance < 0 else "+"
            line += (
                f" against {_pounds(year['budget_gbp'])} (variance {sign}"
                f"{_pounds(abs(variance))}, chance of overspend {year['chance_of_overspend']:.0%})"
            )
        out.print(line, highlight=False)
    note = deadlock_note(result.summary)
    if note is not None:
        out.print(f"[bold red]Warning:[/] {escape(note)}")


def _signed_pounds(value: float, unit: str = "") -> str:
    return f"{'-' if value < 0 else '+'}£{abs(value):,.2f}{unit}"


@app.command()
def roi(
    base_file: Annotated[Path, typer.Argument(help="The baseline scenario file.")],
    variant_file: Annotated[Path, typer.Argument(help="The variant that invests.")],
    services: Annotated[
        list[str], typer.Option("--service", help="Provider id invested in (repeat for several).")
    ],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for roi.csv and roi.json.")
    ] = None,
    replications: Annotated[int | None, typer.Option(min=1, help="Paired replications.")] = None,
    seed: Seed = None,
    workers: Workers = CORES,
    overwrite: Annotated[bool, typer.Option(help="Replace roi.csv/roi.json in --out.")] = False,
) -> None:
    """Return on investment of a variant: net change in total spend per pound invested in
    the named services, with a 95% interval, and the month it pays back (paired seeds)."""
    base = _load(base_file).scenario
    variant = _load(variant_file).scenario
    if out_dir is not None:
        _refuse_to_overwrite(out_dir, overwrite, ("roi.csv", "roi.json"))
    try:
        result = return_on_investment(base, variant, services, replications, seed, workers)
    except ComparisonError as error:
        err.print(f"{variant_file}: {error}", markup=False)
        raise typer.Exit(1) from None
    summary = result.summary
    invested = summary["investment_gbp"]["mean"]
    net = summary["net_change_in_total_spend_gbp"]
    per_pound = summary["net_change_per_pound_invested"]
    out.print(
        f"Investment in {', '.join(services)}: £{invested / 1e6:,.2f}m over the period "
        f"({summary['replications']} paired replications)",
        highlight=False,
    )
    out.print(
        f"Change in total commissioner spend: {_signed_pounds(net['mean'] / 1e6, 'm')} "
        f"(95% CI {_signed_pounds(net['ci_low'] / 1e6, 'm')} "
        f"to {_signed_pounds(net['ci_high'] / 1e6, 'm')})",
        highlight=False,
    )
    out.print(
        f"Per pound invested, total spend changes by {_signed_pounds(per_pound['mean'])} "
        f"(95% CI {_signed_pounds(per_pound['ci_low'])} to {_signed_pounds(per_pound['ci_high'])})",
        highlight=False,
    )
    payback = summary["payback_month"]
    out.print(
        f"Cumulative savings pass cumulative investment in {payback}"
        if payback
        else "Cumulative savings do not pass cumulative investment within the period",
        highlight=False,
    )
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        result.monthly.to_csv(out_dir / "roi.csv", index=False)
        (out_dir / "roi.json").write_text(json.dumps(summary, indent=2) + "\n")


@contextmanager
def _progress_bar(label: str, total: int) -> Iterator[ProgressCallback | None]:
    """A progress bar on a terminal (None elsewhere, so logs stay clean)."""
    if not err.is_terminal:
        yield None
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, _: bar.update(task, completed=done)


@app.command()
def compare(
    base_file: Annotated[Path, typer.Argument(help="The baseline scenario file.")],
    variant_files: Annotated[
        list[Path], typer.Argument(help="One or more variant scenario files.")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the comparison files.")],
    replications: Annotated[
        int | None, typer.Option(min=2, help="Paired replications (default: the baseline's).")
    ] = None,
    seed: Seed = None,
    workers: Workers = CORES,
    scheduler: Scheduler = None,
    overwrite: Annotated[bool, typer.Option(help="Replace comparison files in --out.")] = False,
) -> None:
    """Compare variants with a baseline on paired replications: what changed in the inputs,
    what moved where (differences with 95% intervals, flows, cost waterfall), in words."""
    base = _load(base_file).scenario
    variants = [_load(path).scenario for path in variant_files]
    _refuse_to_overwrite(out_dir, overwrite, COMPARISON_FILES)
    labels = labels_for(variant_files)
    total = (replications or base.run.replications) * (1 + len(variants))
    try:
        with _progress_bar("paired replications", total) as progress:
            comparison = compare_scenarios(
                base, variants, labels, replications, seed, workers, scheduler, progress
            )
    except (ComparisonError, ScaleOutError, ScenarioError) as error:
        err.print(f"{base_file}: {error}", markup=False)
        raise typer.Exit(1) from None
    try:
        written = comparison.write(out_dir)
    except OSError as error:
        err.print(f"{out_dir}: cannot write results: {error.strerror or error}", markup=False)
        raise typer.Exit(1) from None
    out.print(comparison.summary_markdown(), markup=False, highlight=False, soft_wrap=True)
    out.print(f"Wrote {', '.join(str(p) for p in written)}", markup=False, highlight=False)


@app.command()
def sensitivity(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the sensitivity table.")],
    inputs: Annotated[
        list[str] | None,
        typer.Option(
            "--input",
            help="PATH=LOW:HIGH, e.g. 'providers[ward].capacity.servers=560:620' (repeat); "
            "default: the scenario's uncertain inputs.",
        ),
    ] = None,
    metrics: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            help="PROVIDER.METRIC, e.g. all.paid_gbp or ae.mean_wait_days (repeat); default: "
            "total paid, budget variance and mean waits.",
        ),
    ] = None,
    method: Annotated[
        str, typer.Option(help="tornado (one-way), morris or sobol (global, SALib).")
    ] = "tornado",
    samples: Annotated[
        int,
        typer.Option(
            min=2, help="Morris trajectories or Sobol base samples (global methods only)."
        ),
    ] = 10,
    replications: Annotated[
        int | None, typer.Option(min=2, help="Paired replications per point.")
    ] = None,
    seed: Seed = None,
    workers: Workers = CORES,
    scheduler: Scheduler = None,
    overwrite: Annotated[bool, typer.Option(help="Replace the table in --out.")] = False,
) -> None:
    """Which inputs move the results most: a tornado (each input at low and high, paired
    seeds) or a global analysis (Morris or Sobol, SALib), as a table ready to plot."""
    if method not in ("tornado", "morris", "sobol"):
        err.print(f"--method {method}: choose tornado, morris or sobol", markup=False)
        raise typer.Exit(1)
    scenario = _load(file).scenario
    name = f"{method}.csv"
    _refuse_to_overwrite(out_dir, overwrite, (name,))
    replications = replications or scenario.run.replications
    seed = scenario.run.seed if seed is None else seed
    try:
        chosen = inputs_of(scenario, [Input.parse(text) for text in inputs or []])
        wanted = metrics or default_metrics(scenario)
        if method == "tornado":
            points = 1 + 2 * len(chosen)
        elif method == "morris":
            points = samples * (len(chosen) + 1)
        else:
            points = samples * (len(chosen) + 2)
        with _progress_bar(f"{method}: {points} points", points * replications) as progress:
            if method == "tornado":
                table = tornado(
                    scenario, chosen, wanted, replications, seed, workers, scheduler, progress
                )
            else:
                table = global_sensitivity(
                    scenario,
                    chosen,
                    wanted,
                    replications,
                    seed,
                    "morris" if method == "morris" else "sobol",
                    samples,
                    workers,
                    scheduler,
                    progress,
                )
    except (ComparisonError, ScaleOutError) as error:
        err.print(f"{file}: {error}", markup=False)
        raise typer.Exit(1) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    table.to_csv(out_dir / name, index=False)
    if method == "tornado":
        _show_tornado(table)
    else:
        out.print(table.to_string(index=False, max_colwidth=48), markup=False, highlight=False)
    out.print(f"Wrote {out_dir / name}", markup=False, highlight=False)


def _in_units(metric: str, signed: bool = False) -> Callable[[float], str]:
    """How to show a metric's values: pounds, durations, or plain numbers."""
    show: Callable[[float], str]
    if metric.endswith("_gbp"):
        show = pounds
    elif metric.endswith("wait_days") or metric.endswith("stay_days"):
        show = duration
    else:
        return (lambda value: f"{value:+,.3g}") if signed else (lambda value: f"{value:,.3g}")
    if not signed:
        return show
    return lambda value: f"{'-' if value < 0 else '+'}{show(abs(value))}"


def _show_tornado(table: pd.DataFrame) -> None:
    shown = Table(title="One-way sensitivity on paired seeds (swing = at high - at low)")
    for column in ("metric", "input", "low -> high", "at low", "at high", "swing (95% CI)"):
        shown.add_column(
            column,
            justify="left" if column in ("metric", "input") else "right",
            overflow="fold",
        )
    for row in table.to_dict("records"):
        show = _in_units(str(row["metric"]))
        swing = _in_units(str(row["metric"]), signed=True)
        shown.add_row(
            escape(str(row["metric"])),
            escape(str(row["input"])),
            f"{row['low_value']:g} -> {row['high_value']:g}",
            show(float(row["at_low"])),
            show(float(row["at_high"])),
            f"{swing(float(row['swing']))} ({swing(float(row['swing_ci_low']))} to "
            f"{swing(float(row['swing_ci_high']))})",
        )
    out.print(shown)


@app.command("check-bills")
def check_bills_command(
    file: Annotated[Path, typer.Argument(help="The scenario the bills are checked against.")],
    bills_file: Annotated[Path, typer.Argument(help="Bills: provider,month,activity,amount_gbp.")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write every checked line to this CSV.")
    ] = None,
    level: Annotated[
        float, typer.Option(min=0.5, max=0.999, help="Coverage of the modelled range.")
    ] = 0.95,
    replications: Annotated[int | None, typer.Option(min=2, help="Replications.")] = None,
    seed: Seed = None,
    workers: Workers = CORES,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
) -> None:
    """Check a provider's monthly bills against the modelled range of activity and payment,
    and list the lines that fall outside it, each with its reason."""
    scenario = _load(file).scenario
    try:
        bills = read_bills(bills_file, scenario)
    except BillsError as error:
        for problem in error.problems:
            err.print(problem, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    if out_file is not None:
        _refuse_to_overwrite(out_file.parent, overwrite, (out_file.name,))
    records = run_scenario(scenario, replications, seed, workers).records
    checked = check_bills(records, scenario, bills, level=level)
    out.print(summarise(checked), markup=False, highlight=False)
    for row in checked[checked["flagged"]].itertuples():
        out.print(
            f"{bills_file}:{row.line} {row.provider} {row.month}: {row.reason}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if out_file is not None:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        checked.to_csv(out_file, index=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (format 1)."""
    print(json.dumps(scenario_json_schema(), indent=2))


def _figure(value: float) -> str:
    """A metric value of any size, readable: 231,579,874 or 0.1597."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _show_advice(name: str, advice: ReplicationsAdvice) -> None:
    out.print(f"{name}: {advice.message}", markup=False, highlight=False, soft_wrap=True)
    final = advice.final()
    table = Table(title=f"After {int(final['n'].iloc[0])} replications")
    for column in ("metric", "mean", "95% half-width", "relative"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for row in final.to_dict("records"):
        relative = float(row["relative_half_width"])
        table.add_row(
            str(row["metric"]),
            _figure(float(row["mean"])),
            _figure(float(row["half_width"])),
            "-" if math.isinf(relative) else f"±{relative:.1%}",
        )
    out.print(table)


@app.command()
def replications(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML).")],
    metrics: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            help="PROVIDER.METRIC to make precise (repeat); default: all.paid_gbp and "
            "mean_in_system at every provider with limited capacity.",
        ),
    ] = None,
    precision: Annotated[
        float, typer.Option(min=0.001, max=0.5, help="Wanted 95% half-width / mean.")
    ] = 0.05,
    max_replications: Annotated[
        int, typer.Option(min=3, help="Give up (and say so) after this many.")
    ] = 200,
    seed: Seed = None,
    workers: Workers = CORES,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for replications.csv (the trace).")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace replications.csv in --out.")] = False,
) -> None:
    """How many replications: add them one by one until every chosen metric's 95% interval
    is within the precision, confirmed by a look-ahead (Hoad, Robinson & Davies 2010)."""
    scenario = _load(file).scenario
    if out_dir is not None:
        _refuse_to_overwrite(out_dir, overwrite, ("replications.csv",))
    try:
        with _progress_bar("replications (stops when precise)", max_replications) as progress:
            advice = replications_needed(
                scenario, metrics, precision, max_replications, seed, workers, progress
            )
    except PrecisionError as error:
        err.print(f"{file}: {error}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    _show_advice(scenario.name, advice)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        advice.trace.to_csv(out_dir / "replications.csv", index=False)
        out.print(f"Wrote {out_dir / 'replications.csv'}", markup=False, highlight=False)


@app.command("warm-up")
def warm_up_command(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML).")],
    metric: Annotated[
        str,
        typer.Option(
            "--metric", help="PROVIDER.METRIC with a daily value, e.g. ward.mean_occupied."
        ),
    ],
    days: Annotated[
        int | None,
        typer.Option(min=10, help="Days to run from empty (default: warm-up + measured days)."),
    ] = None,
    replications: Annotated[int, typer.Option(min=1, help="Replications averaged day by day.")] = 5,
    seed: Seed = None,
    workers: Workers = CORES,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for warm_up_series.csv and warm_up_mser.csv."),
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace the two files in --out.")] = False,
) -> None:
    """How long a warm-up: run from empty, average the metric's daily series over
    replications and pick the truncation by MSER-5 (White 1997)."""
    scenario = _load(file).scenario
    names = ("warm_up_series.csv", "warm_up_mser.csv")
    if out_dir is not None:
        _refuse_to_overwrite(out_dir, overwrite, names)
    try:
        with _progress_bar(f"{metric}: replications from empty", replications) as progress:
            found = warm_up(scenario, metric, days, replications, seed, workers, progress)
    except WarmUpError as error:
        err.print(f"{file}: {error}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    values = found.series["value"]
    cut = found.warm_up_days
    headline = "MSER-5 truncation (at its limit)" if found.at_limit else "Recommended warm_up_days"
    out.print(
        f"{headline}: {cut} ({metric}, MSER-5 on the mean of {found.replications} "
        f"replications of {len(values)} days from empty)",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if cut:
        out.print(
            f"Mean of {metric}: {_figure(float(values.iloc[:cut].mean()))} over the first "
            f"{cut} days, {_figure(float(values.iloc[cut:].mean()))} after them",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    out.print(found.message, markup=False, highlight=False, soft_wrap=True)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        found.series.to_csv(out_dir / names[0], index=False)
        found.mser.to_csv(out_dir / names[1], index=False)
        out.print(
            f"Wrote {out_dir / names[0]}, {out_dir / names[1]}", markup=False, highlight=False
        )


SWEEP_SHOWN_POINTS = 30
"""Points printed by `knockon sweep`; the rest are in sweep.csv."""


def _metric_text(metric: str, value: float) -> str:
    """A metric in the unit a commissioner reads it."""
    if math.isnan(value):
        return "-"
    if metric.endswith("_days"):
        return _duration(value)
    if metric.endswith("_gbp"):
        return _pounds(value)
    if metric == "utilisation":
        return f"{value:.0%}"
    return f"{value:,.1f}"


def _short_names(inputs: list[str]) -> list[str]:
    """`providers[ward].capacity.servers` as `ward servers`, unless two would read the same."""
    short = []
    for path in inputs:
        item = path.partition("[")[2].partition("]")[0]
        last = path.rpartition(".")[2]
        short.append(f"{item} {last}" if item and "[" not in last else path)
    return short if len(set(short)) == len(short) else inputs


def _estimate_text(name: str, row: pd.Series) -> str:
    """`4.3 h (3.3 h to 5.2 h)`: a mean and its interval (none from one replication)."""
    metric = name.partition(".")[2]
    mean = _metric_text(metric, float(row["mean"]))
    if math.isnan(float(row["ci_low"])):
        return mean
    low, high = (_metric_text(metric, float(row[bound])) for bound in ("ci_low", "ci_high"))
    return f"{mean} ({low} to {high})"


def _show_sweep(title: str, scenario: Scenario, table: pd.DataFrame, shown: list[str]) -> None:
    columns = [str(column) for column in table.columns]
    inputs = columns[1 : columns.index("provider")]
    grid = Table(title=Text(title), caption="mean (95% confidence interval)")
    grid.add_column("point", justify="right")
    named = describe_points(scenario, table) if len(inputs) > 3 else None
    for label in _short_names(inputs) if named is None else ["changed"]:
        grid.add_column(Text(label), justify="left" if named else "right", overflow="fold")
    for name in shown:
        grid.add_column(Text(name), justify="right", overflow="fold")
    keyed = table.assign(key=table["provider"] + "." + table["metric"]).set_index(["point", "key"])
    points = table.drop_duplicates("point")
    for row in points.head(SWEEP_SHOWN_POINTS).to_dict("records"):
        cells = [str(row["point"])]
        cells += [named[int(row["point"])]] if named else [str(row[path]) for path in inputs]
        for name in shown:
            found = keyed.loc[(row["point"], name)] if (row["point"], name) in keyed.index else None
            cells.append("-" if found is None else _estimate_text(name, found))
        grid.add_row(*(Text(cell) for cell in cells))
    out.print(grid)
    if len(points) > SWEEP_SHOWN_POINTS:
        out.print(f"... and {len(points) - SWEEP_SHOWN_POINTS} more points", highlight=False)


@app.command("sweep")
def sweep_command(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML).")],
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            help="PATH=VALUES: a list 500,550,600 or a range 500..700:50 (both ends included), "
            "e.g. 'providers[ward].capacity.servers=560..680:40'; [*] is every item, e.g. "
            "'practices[*].referral_multiplier=0.8,1.2' (repeat for more inputs).",
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for sweep.csv.")],
    one_at_a_time: Annotated[
        bool,
        typer.Option(
            "--one-at-a-time",
            help="Vary each input alone, the others at the scenario's values "
            "(default: every combination).",
        ),
    ] = False,
    metrics: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            help="PROVIDER.METRIC to keep, e.g. ward.mean_wait_days or all.paid_gbp (repeat); "
            "default: every metric.",
        ),
    ] = None,
    replications: Annotated[
        int | None, typer.Option(min=1, help="Replications per point (default: the file's).")
    ] = None,
    seed: Seed = None,
    workers: Workers = CORES,
    scheduler: Scheduler = None,
    overwrite: Annotated[bool, typer.Option(help="Replace sweep.csv in --out.")] = False,
) -> None:
    """Run a scenario at a grid of input values (every combination, or one input at a time)
    on common seeds, and write one tidy table, sweep.csv: a row per point, provider and
    metric with the mean, its 95% interval and the p10-p90 spread of replications."""
    scenario = _load(file).scenario
    _refuse_to_overwrite(out_dir, overwrite, ("sweep.csv",))
    design: Design = "one_at_a_time" if one_at_a_time else "grid"
    try:
        values: dict[str, tuple[Value, ...]] = {}
        for text in vary:
            path, given = parse_vary(text)
            if path in values:
                raise SweepError(f"--vary {path}: given twice; give each path once")
            values[path] = given
        inputs = expand_inputs(scenario, values)
        points = point_count(inputs, design)
        total = points * (replications or scenario.run.replications)
        with _progress_bar(f"sweep: {points} points", total) as progress:
            table = sweep(
                scenario,
                values,
                design,
                metrics,
                replications,
                seed,
                workers,
                scheduler,
                progress,
                origin=str(file),
            )
    except SweepError as error:
        err.print(f"{file}: {error}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except ScaleOutError as error:
        err.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except ScenarioError as error:
        for problem in error.problems:
            err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        table.to_csv(out_dir / "sweep.csv", index=False)
    except OSError as error:
        err.print(f"{out_dir}: cannot write results: {error.strerror or error}", markup=False)
        raise typer.Exit(1) from None
    count = int(table["replications"].max()) if len(table) else 0
    title = (
        f"{scenario.name}: {points} points, means of {count} "
        f"replication{'' if count == 1 else 's'} each"
    )
    _show_sweep(title, scenario, table, headline_metrics(inputs, metrics))
    out.print(f"Wrote {out_dir / 'sweep.csv'}", markup=False, highlight=False)


@app.command()
def report(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML).")],
    out_file: Annotated[Path, typer.Option("--out", help="The HTML report to write.")],
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Also write the results as an Excel workbook.")
    ] = None,
    replications: Annotated[
        int | None, typer.Option(min=1, help="Replications (default: the file's run.replications).")
    ] = None,
    seed: Seed = None,
    workers: Workers = CORES,
    scheduler: Scheduler = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out and --xlsx if there.")] = False,
) -> None:
    """Simulate a scenario and write a self-contained HTML report a board paper can attach:
    results, every input with its source, run settings, versions, the STRESS-DES checklist."""
    loaded = _load(file)
    if xlsx is not None and xlsx.resolve() == out_file.resolve():
        err.print(f"{xlsx}: give --xlsx a different file from --out", markup=False)
        raise typer.Exit(1)
    for path in (out_file, xlsx):
        if path is not None:
            _refuse_to_overwrite(path.parent, overwrite, (path.name,))
    result = _simulate(loaded.scenario, replications, seed, workers, scheduler)
    outputs: list[tuple[Path, bytes]] = [(out_file, html_report(result, loaded.files).encode())]
    if xlsx is not None:
        outputs.append((xlsx, results_workbook(result)))
    for path, content in outputs:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        except OSError as error:
            err.print(f"{path}: cannot write: {error.strerror or error}", markup=False)
            raise typer.Exit(1) from None
    _show(result)
    written = ", ".join(str(path) for path, _ in outputs)
    out.print(f"Wrote {written}", markup=False, highlight=False)


def main(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` and return its exit code (for tests and embedding)."""
    try:
        app(args=argv, prog_name="knockon")
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        err.print(str(stop.code), markup=False)
        return 1
    return 0
