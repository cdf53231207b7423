"""The arguments and options commands share, defined once so that they read and behave
the same in each: the scenario file, the replications, the seed, the worker processes and a
Dask scheduler."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

ScenarioFile = Annotated[Path, typer.Argument(help="Scenario file (YAML).")]
Replications = Annotated[
    int | None, typer.Option(min=1, help="Replications (default: the file's run.replications).")
]
Seed = Annotated[
    int | None, typer.Option(min=0, help="Seed (default: the scenario file's run.seed).")
]
Workers = Annotated[
    int, typer.Option(min=1, help="Worker processes; results are the same for any number.")
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786: run the replications on that "
        "cluster instead of --workers local processes (same results)."
    ),
]
CORES = os.cpu_count() or 1
