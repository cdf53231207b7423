"""`knockon warm-up`: how long a warm-up a scenario needs, from the MSER-5 truncation
of a metric's daily series averaged over replications run from empty."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.console import err, load_or_exit, out, progress_bar, refuse_to_overwrite
from sim.cli.formats import figure_text
from sim.cli.options import CORES, ScenarioFile, Seed, Workers


def warm_up_command(
    file: ScenarioFile,
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
    from sim.results.warmup import WarmUpError, warm_up

    scenario = load_or_exit(file).scenario
    names = ("warm_up_series.csv", "warm_up_mser.csv")
    if out_dir is not None:
        refuse_to_overwrite(out_dir, overwrite, names)
    try:
        with progress_bar(f"{metric}: replications from empty", replications) as progress:
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
            f"Mean of {metric}: {figure_text(float(values.iloc[:cut].mean()))} over the first "
            f"{cut} days, {figure_text(float(values.iloc[cut:].mean()))} after them",
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
