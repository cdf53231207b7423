"""`knockon roi`: the return on investing in named services, per pound invested, with
its interval and the month it pays back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.console import err, load_or_exit, out, refuse_to_overwrite
from sim.cli.options import CORES, Seed, Workers


def _signed_pounds(value: float, unit: str = "") -> str:
    """Pounds to the penny with their sign: -£13.01, +£0.85m."""
    return f"{'-' if value < 0 else '+'}£{abs(value):,.2f}{unit}"


def roi(
    base_file: Annotated[Path, typer.Argument(help="The baseline scenario file.")],
    variant_file: Annotated[Path, typer.Argument(help="The variant that invests.")],
    services: Annotated[
        list[str], typer.Option("--service", help="Provider id invested in (repeat for several).")
    ],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for roi.csv and roi.json.")
    ] = None,
    replications: Annotated[int | None, typer.Option(min=1, help="Paired replications.")] = None,
    seed: Seed = None,
    workers: Workers = CORES,
    overwrite: Annotated[bool, typer.Option(help="Replace roi.csv/roi.json in --out.")] = False,
) -> None:
    """Return on investment of a variant: net change in total spend per pound invested in
    the named services, with a 95% interval, and the month it pays back (paired seeds)."""
    from sim.compare.roi import ComparisonError, return_on_investment

    base = load_or_exit(base_file).scenario
    variant = load_or_exit(variant_file).scenario
    if out_dir is not None:
        refuse_to_overwrite(out_dir, overwrite, ("roi.csv", "roi.json"))
    try:
        result = return_on_investment(base, variant, services, replications, seed, workers)
    except ComparisonError as error:
        err.print(f"{variant_file}: {error}", markup=False)
        raise typer.Exit(1) from None
    summary = result.summary
    invested = summary["investment_gbp"]["mean"]
    net = summary["net_change_in_total_spend_gbp"]
    per_pound = summary["net_change_per_pound_invested"]
    out.print(
        f"Investment in {', '.join(services)}: £{invested / 1e6:,.2f}m over the period "
        f"({summary['replications']} paired replications)",
        highlight=False,
    )
    out.print(
        f"Change in total commissioner spend: {_signed_pounds(net['mean'] / 1e6, 'm')} "
        f"(95% CI {_signed_pounds(net['ci_low'] / 1e6, 'm')} "
        f"to {_signed_pounds(net['ci_high'] / 1e6, 'm')})",
        highlight=False,
    )
    out.print(
        f"Per pound invested, total spend changes by {_signed_pounds(per_pound['mean'])} "
        f"(95% CI {_signed_pounds(per_pound['ci_low'])} to {_signed_pounds(per_pound['ci_high'])})",
        highlight=False,
    )
    payback = summary["payback_month"]
    out.print(
        f"Cumulative savings pass cumulative investment in {payback}"
        if payback
        else "Cumulative savings do not pass cumulative investment within the period",
        highlight=False,
    )
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        result.monthly.to_csv(out_dir / "roi.csv", index=False)
        (out_dir / "roi.json").write_text(json.dumps(summary, indent=2) + "\n")
