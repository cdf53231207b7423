"""`knockon check-bills`: a provider's monthly bills against the modelled range of
activity and payment, each line outside it listed with its reason."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.console import err, load_or_exit, out, refuse_to_overwrite
from sim.cli.options import CORES, Seed, Workers


def check_bills_command(
    file: Annotated[Path, typer.Argument(help="The scenario the bills are checked against.")],
    bills_file: Annotated[Path, typer.Argument(help="Bills: provider,month,activity,amount_gbp.")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write every checked line to this CSV.")
    ] = None,
    level: Annotated[
        float, typer.Option(min=0.5, max=0.999, help="Coverage of the modelled range.")
    ] = 0.95,
    replications: Annotated[int | None, typer.Option(min=2, help="Replications.")] = None,
    seed: Seed = None,
    workers: Workers = CORES,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
) -> None:
    """Check a provider's monthly bills against the modelled range of activity and payment,
    and list the lines that fall outside it, each with its reason."""
    from sim.money.bill_file import BillsError, read_bills
    from sim.money.bills import check_bills, summarise
    from sim.results import run_scenario

    scenario = load_or_exit(file).scenario
    try:
        bills = read_bills(bills_file, scenario)
    except BillsError as error:
        for problem in error.problems:
            err.print(problem, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    if out_file is not None:
        refuse_to_overwrite(out_file.parent, overwrite, (out_file.name,))
    records = run_scenario(scenario, replications, seed, workers).records
    checked = check_bills(records, scenario, bills, level=level)
    out.print(summarise(checked), markup=False, highlight=False)
    for row in checked[checked["flagged"]].itertuples():
        out.print(
            f"{bills_file}:{row.line} {row.provider} {row.month}: {row.reason}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if out_file is not None:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        checked.to_csv(out_file, index=False)
