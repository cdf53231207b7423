"""`knockon validate`: check scenario files and report every problem at once.

The quickest command, and the one run most often while a file is being written, so it
loads only the scenario layer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.console import err, out


def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files (YAML) to check.")],
) -> None:
    """Check scenario files and report every problem at once as FILE:LINE field: what is wrong."""
    from sim.scenario import ScenarioError, load_scenario

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
