"""The `knockon` command: a thin face over the public API, one module per command.

It validates and computes nothing itself: the scenario layer reports problems, the
results layer runs and tabulates; the commands only read arguments and print. This entry
only wires them together. Each command imports the layers it needs when it runs, so that
`knockon --help` and `knockon validate` answer at once rather than after loading pandas,
SciPy and the engine.
"""

from __future__ import annotations

import gc

import typer

from sim.cli import (
    bills,
    compare,
    replications,
    report,
    roi,
    run,
    schema,
    sensitivity,
    sweep,
    validate,
    warm_up,
)
from sim.cli.console import err

app = typer.Typer(
    name="knockon",
    help="Knock-on: where patients, waits and money move when commissioners change a service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# The order here is the order `knockon --help` lists them in.
app.command()(validate.validate)
app.command()(run.run)
app.command()(roi.roi)
app.command()(compare.compare)
app.command()(sensitivity.sensitivity)
app.command("check-bills")(bills.check_bills_command)
app.command()(schema.schema)
app.command()(replications.replications)
app.command("warm-up")(warm_up.warm_up_command)
app.command("sweep")(sweep.sweep_command)
app.command()(report.report)


def entry() -> None:
    """The `knockon` program (and `python -m sim`).

    A run leaves a large heap of objects that are all about to go; freezing it on the way
    out spares the interpreter's collector walking it again during shutdown (about a
    quarter of a second after a year's run), and changes nothing else: files are written
    and closed by then, and exit handlers still run.
    """
    try:
        app(prog_name="knockon")
    finally:
        gc.freeze()


def main(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` and return its exit code (for tests and embedding)."""
    try:
        app(args=argv, prog_name="knockon")
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        err.print(str(stop.code), markup=False)
        return 1
    return 0
