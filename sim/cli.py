"""The `knockon` command: a thin face over the public API.

It validates and computes nothing itself: the scenario layer reports problems, the
results layer runs and tabulates; this module only reads arguments and prints.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from sim.compare.roi import ComparisonError, return_on_investment
from sim.money.bills import BillsError, check_bills, read_bills, summarise
from sim.results import OUTPUT_FILES, RunResult, run_scenario
from sim.scenario import LoadedScenario, ScenarioError, load_scenario
from sim.scenario.schema import scenario_json_schema

app = typer.Typer(
    name="knockon",
    help="Knock-on: where patients, waits and money move when commissioners change a service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


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
    seed: Annotated[
        int | None, typer.Option(min=0, help="Seed (default: the file's run.seed).")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes; results are the same for any number.")
    ] = os.cpu_count() or 1,
    overwrite: Annotated[bool, typer.Option(help="Replace output files already in --out.")] = False,
) -> None:
    """Simulate a scenario and write providers.csv, flows.csv, monthly.csv and summary.json."""
    loaded = _load(file)
    _refuse_to_overwrite(out_dir, overwrite)
    scenario = loaded.scenario
    total = replications or scenario.run.replications
    if err.is_terminal:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
        ) as bar:
            task = bar.add_task(f"{scenario.name}: replications", total=total)
            result = run_scenario(
                scenario,
                replications,
                seed,
                workers,
                progress=lambda done, _: bar.update(task, completed=done),
            )
    else:
        result = run_scenario(scenario, replications, seed, workers)
    try:
        written = result.write(out_dir)
    except OSError as error:
        err.print(f"{out_dir}: cannot write results: {error.strerror or error}", markup=False)
        raise typer.Exit(1) from None
    _show(result)
    out.print(f"Wrote {', '.join(str(p) for p in written)}", markup=False, highlight=False)


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
    seed: Annotated[int | None, typer.Option(min=0, help="Seed for both.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = os.cpu_count() or 1,
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
    seed: Annotated[int | None, typer.Option(min=0, help="Seed.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = os.cpu_count() or 1,
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
