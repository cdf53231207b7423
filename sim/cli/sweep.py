"""`knockon sweep`: a scenario run at a grid of input values on common seeds, written
as one tidy table and summarised on the terminal."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from sim.cli.console import err, load_or_exit, out, progress_bar, refuse_to_overwrite
from sim.cli.formats import money_text, wait_text
from sim.cli.options import CORES, ScenarioFile, Scheduler, Seed, Workers

if TYPE_CHECKING:
    import pandas as pd

    from sim.results.sweep import Design, Value
    from sim.scenario import Scenario


SWEEP_SHOWN_POINTS = 30
"""Points printed by `knockon sweep`; the rest are in sweep.csv."""


def _metric_text(metric: str, value: float) -> str:
    """A metric in the unit a commissioner reads it."""
    if math.isnan(value):
        return "-"
    if metric.endswith("_days"):
        return wait_text(value)
    if metric.endswith("_gbp"):
        return money_text(value)
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
    """The first points of the sweep as a table: the inputs (or, past three of them, what
    changed), then each shown metric's mean and interval."""
    from sim.results.sweep import describe_points

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


def sweep_command(
    file: ScenarioFile,
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
    from sim.results.replicate import ScaleOutError
    from sim.results.sweep import (
        SweepError,
        expand_inputs,
        headline_metrics,
        parse_vary,
        point_count,
        sweep,
    )
    from sim.scenario import ScenarioError

    scenario = load_or_exit(file).scenario
    refuse_to_overwrite(out_dir, overwrite, ("sweep.csv",))
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
        with progress_bar(f"sweep: {points} points", total) as progress:
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
