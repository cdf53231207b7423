"""How the commands talk to the terminal: results on standard output, problems on
standard error one line each (never a traceback), a progress bar only where someone is
watching, and files already there left alone unless the user says otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sim.scenario import LoadedScenario

out = Console()
ProgressCallback = Callable[[int, int], None]
err = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal width


def load_or_exit(path: Path) -> LoadedScenario:
    """Load a scenario or stop with its problems, one per line, and exit code 1."""
    from sim.scenario import ScenarioError, load_scenario

    try:
        loaded = load_scenario(path)
    except ScenarioError as error:
        for problem in error.problems:
            err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    for warning in loaded.warnings:
        err.print(str(warning), markup=False, highlight=False, soft_wrap=True)
    return loaded


def refuse_to_overwrite(directory: Path, overwrite: bool, names: tuple[str, ...]) -> None:
    """Stop, with exit code 1, rather than replace any of `names` already in `directory`,
    unless `overwrite` is given or someone at a terminal says yes."""
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


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[ProgressCallback | None]:
    """A progress bar on a terminal (None elsewhere, so logs stay clean)."""
    if not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, _: bar.update(task, completed=done)
