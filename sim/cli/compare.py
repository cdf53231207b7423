"""`knockon compare`: variants against a baseline on paired replications, with what
changed in the inputs and what moved where, in words."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.console import err, load_or_exit, out, progress_bar, refuse_to_overwrite
from sim.cli.options import CORES, Scheduler, Seed, Workers


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
    from sim.compare.paired import COMPARISON_FILES, compare_scenarios, labels_for
    from sim.compare.roi import ComparisonError
    from sim.results.replicate import ScaleOutError
    from sim.scenario import ScenarioError

    base = load_or_exit(base_file).scenario
    variants = [load_or_exit(path).scenario for path in variant_files]
    refuse_to_overwrite(out_dir, overwrite, COMPARISON_FILES)
    labels = labels_for(variant_files)
    total = (replications or base.run.replications) * (1 + len(variants))
    try:
        with progress_bar("paired replications", total) as progress:
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
