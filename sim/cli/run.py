"""`knockon run`: simulate a scenario and write its tables, with the summary table a
commissioner reads first. `knockon report` runs and summarises the same way."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from sim.cli.console import err, load_or_exit, out, progress_bar, refuse_to_overwrite
from sim.cli.formats import money_text, wait_text
from sim.cli.options import CORES, Replications, ScenarioFile, Scheduler, Seed, Workers

if TYPE_CHECKING:
    from sim.results import RunResult
    from sim.scenario import Scenario


def run(
    file: ScenarioFile,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the output tables.")],
    replications: Replications = None,
    seed: Seed = None,
    workers: Workers = CORES,
    scheduler: Scheduler = None,
    overwrite: Annotated[bool, typer.Option(help="Replace output files already in --out.")] = False,
) -> None:
    """Simulate a scenario and write providers.csv, flows.csv, monthly.csv and summary.json."""
    from sim.results import OUTPUT_FILES

    loaded = load_or_exit(file)
    refuse_to_overwrite(out_dir, overwrite, OUTPUT_FILES)
    result = run_with_progress(loaded.scenario, replications, seed, workers, scheduler)
    try:
        written = result.write(out_dir)
    except OSError as error:
        err.print(f"{out_dir}: cannot write results: {error.strerror or error}", markup=False)
        raise typer.Exit(1) from None
    show_result(result)
    out.print(f"Wrote {', '.join(str(p) for p in written)}", markup=False, highlight=False)


def run_with_progress(
    scenario: Scenario,
    replications: int | None,
    seed: int | None,
    workers: int,
    scheduler: str | None,
) -> RunResult:
    """Run the replications behind a progress bar; a cluster that fails stops in one line."""
    from sim.results import run_scenario
    from sim.results.replicate import ScaleOutError

    total = replications or scenario.run.replications
    try:
        with progress_bar(f"{scenario.name}: replications", total) as progress:
            return run_scenario(
                scenario, replications, seed, workers, progress, scheduler=scheduler
            )
    except ScaleOutError as error:
        err.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def show_result(result: RunResult) -> None:
    """The summary a commissioner reads first: each provider's activity, waits, utilisation
    and cost, then what was paid against the budget (each financial year of a longer run)."""
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
            wait_text(float(row["mean_wait_days"])),
            wait_text(float(row["p95_wait_days"])),
            "-" if math.isnan(utilisation) else f"{utilisation:.0%}",
            money_text(float(row["cost_gbp"])),
        )
    out.print(table)
    totals = result.summary["totals"]
    line = f"Paid {money_text(totals['paid_gbp'])}"
    if totals["budget_gbp"] is not None:
        line += " against a budget of " + _variance_text(
            totals["budget_gbp"], totals["year_end_variance_gbp"], totals["chance_of_overspend"]
        )
    out.print(line, highlight=False)
    for year in result.summary.get("financial_years", []):
        paid = money_text(year["paid_gbp"])
        line = f"  {year['first_month']} to {year['last_month']}: paid {paid}"
        if year["budget_gbp"] is not None:
            line += " against " + _variance_text(
                year["budget_gbp"], year["variance_gbp"], year["chance_of_overspend"]
            )
        out.print(line, highlight=False)
    from sim.results.run import deadlock_note

    note = deadlock_note(result.summary)
    if note is not None:
        out.print(f"[bold red]Warning:[/] {escape(note)}")


def _variance_text(budget: float, variance: float, chance_of_overspend: float) -> str:
    sign = "-" if variance < 0 else "+"
    return (
        f"{money_text(budget)} (variance {sign}{money_text(abs(variance))}, "
        f"chance of overspend {chance_of_overspend:.0%})"
    )
