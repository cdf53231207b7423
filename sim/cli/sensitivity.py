"""`knockon sensitivity`: which inputs move the results most, one at a time (a tornado)
or together (Morris or Sobol), as a table ready to plot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from sim.cli.console import err, load_or_exit, out, progress_bar, refuse_to_overwrite
from sim.cli.options import CORES, ScenarioFile, Scheduler, Seed, Workers

if TYPE_CHECKING:
    import pandas as pd


def sensitivity(
    file: ScenarioFile,
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
    from sim.compare.roi import ComparisonError
    from sim.compare.sensitivity import (
        Input,
        default_metrics,
        global_sensitivity,
        inputs_of,
        tornado,
    )
    from sim.results.replicate import ScaleOutError

    if method not in ("tornado", "morris", "sobol"):
        err.print(f"--method {method}: choose tornado, morris or sobol", markup=False)
        raise typer.Exit(1)
    scenario = load_or_exit(file).scenario
    name = f"{method}.csv"
    refuse_to_overwrite(out_dir, overwrite, (name,))
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
        with progress_bar(f"{method}: {points} points", points * replications) as progress:
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
    from sim.compare.words import duration, pounds

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
    """Each metric's swing per input, in the metric's unit, with its interval."""
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
