"""`knockon replications`: how many replications a wanted precision needs, found by
adding them one at a time and confirming with a look-ahead."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from sim.cli.console import err, load_or_exit, out, progress_bar, refuse_to_overwrite
from sim.cli.formats import figure_text
from sim.cli.options import CORES, ScenarioFile, Seed, Workers

if TYPE_CHECKING:
    from sim.results.precision import ReplicationsAdvice


def _show_advice(name: str, advice: ReplicationsAdvice) -> None:
    """The advice in words, then each metric's mean and half-width at the last replication."""
    out.print(f"{name}: {advice.message}", markup=False, highlight=False, soft_wrap=True)
    final = advice.final()
    table = Table(title=f"After {int(final['n'].iloc[0])} replications")
    for column in ("metric", "mean", "95% half-width", "relative"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for row in final.to_dict("records"):
        relative = float(row["relative_half_width"])
        table.add_row(
            str(row["metric"]),
            figure_text(float(row["mean"])),
            figure_text(float(row["half_width"])),
            "-" if math.isinf(relative) else f"±{relative:.1%}",
        )
    out.print(table)


def replications(
    file: ScenarioFile,
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
    from sim.results.precision import PrecisionError, replications_needed

    scenario = load_or_exit(file).scenario
    if out_dir is not None:
        refuse_to_overwrite(out_dir, overwrite, ("replications.csv",))
    try:
        with progress_bar("replications (stops when precise)", max_replications) as progress:
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
