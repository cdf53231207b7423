"""`knockon report`: simulate a scenario and write the self-contained HTML report a
board paper attaches (and, if asked, the Excel workbook)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.console import err, load_or_exit, out, refuse_to_overwrite
from sim.cli.options import CORES, Replications, ScenarioFile, Scheduler, Seed, Workers
from sim.cli.run import run_with_progress, show_result


def report(
    file: ScenarioFile,
    out_file: Annotated[Path, typer.Option("--out", help="The HTML report to write.")],
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Also write the results as an Excel workbook.")
    ] = None,
    replications: Replications = None,
    seed: Seed = None,
    workers: Workers = CORES,
    scheduler: Scheduler = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out and --xlsx if there.")] = False,
) -> None:
    """Simulate a scenario and write a self-contained HTML report a board paper can attach:
    results, every input with its source, run settings, versions, the STRESS-DES checklist."""
    from sim.export import html_report, results_workbook

    loaded = load_or_exit(file)
    if xlsx is not None and xlsx.resolve() == out_file.resolve():
        err.print(f"{xlsx}: give --xlsx a different file from --out", markup=False)
        raise typer.Exit(1)
    for path in (out_file, xlsx):
        if path is not None:
            refuse_to_overwrite(path.parent, overwrite, (path.name,))
    result = run_with_progress(loaded.scenario, replications, seed, workers, scheduler)
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
    show_result(result)
    written = ", ".join(str(path) for path, _ in outputs)
    out.print(f"Wrote {written}", markup=False, highlight=False)
