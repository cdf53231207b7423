"""One scenario, run and summarised: what `knockon run` and the Python API both return."""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine import RunRecord
from sim.money.budget import budget_table, chance_of_overspend, financial_years, spend
from sim.money.pooling import pooling_table
from sim.money.practices import practice_providers_table, practices_table
from sim.money.viability import viability_table
from sim.results.replicate import Progress, replicate
from sim.results.tables import cohorts_table, flows_table, monthly_table, providers_table
from sim.scenario.loader import scenario_hash
from sim.scenario.model import Scenario

OUTPUT_FILES = (
    "providers.csv",
    "flows.csv",
    "monthly.csv",
    "budget.csv",
    "viability.csv",
    "practices.csv",
    "practice_providers.csv",
    "pooling.csv",
    "cohorts.csv",
    "summary.json",
)
"""Every file a run can write; `cohorts.csv` only for a scenario with cohorts."""
VERSIONED = ("knockon", "simpy", "numpy", "pandas", "networkx", "pydantic", "scipy")


@dataclass(frozen=True)
class RunResult:
    scenario: Scenario
    records: list[RunRecord] = field(repr=False)
    providers: pd.DataFrame = field(repr=False)
    flows: pd.DataFrame = field(repr=False)
    monthly: pd.DataFrame = field(repr=False)
    budget: pd.DataFrame = field(repr=False)
    viability: pd.DataFrame = field(repr=False)
    practices: pd.DataFrame = field(repr=False)
    practice_providers: pd.DataFrame = field(repr=False)
    pooling: pd.DataFrame = field(repr=False)
    summary: dict[str, Any]
    cohorts: pd.DataFrame | None = field(default=None, repr=False)
    """Cohort x provider activity; None for a scenario without cohorts."""

    def files(self) -> dict[str, str]:
        """Every output file's name and text: what `write` saves and the app downloads."""
        tables = {
            "providers.csv": self.providers,
            "flows.csv": self.flows,
            "monthly.csv": self.monthly,
            "budget.csv": self.budget,
            "viability.csv": self.viability,
            "practices.csv": self.practices,
            "practice_providers.csv": self.practice_providers,
            "pooling.csv": self.pooling,
        }
        if self.cohorts is not None:
            tables["cohorts.csv"] = self.cohorts
        texts = {name: table.to_csv(index=False) for name, table in tables.items()}
        texts["summary.json"] = json.dumps(self.summary, indent=2) + "\n"
        return texts

    def write(self, directory: str | Path) -> list[Path]:
        """Write the output files into `directory` (created if missing)."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in self.files().items():
            (out / name).write_text(text)
            written.append(out / name)
        return written


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in VERSIONED:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def run_scenario(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
) -> RunResult:
    """Run every replication of a validated scenario and build the output tables.

    `scheduler`, a Dask scheduler address, runs the replications on that cluster instead of
    `workers` local processes; `executor`, a pool the caller keeps, runs them there. The
    tables are the same on every path.
    """
    replications = scenario.run.replications if replications is None else replications
    seed = scenario.run.seed if seed is None else seed
    began = time.perf_counter()
    records = replicate(
        scenario, replications, seed, workers, progress, scheduler=scheduler, executor=executor
    )
    providers = providers_table(records, scenario)
    flows = flows_table(records)
    monthly = monthly_table(records, scenario)
    totals = monthly[monthly["provider"] == "all"]
    first = records[0]
    entered = [r.entered() for r in records]
    left = [r.left() for r in records]
    # The plan for the measured period: the annual budget for a year's run, pro rata by the
    # phasing for a shorter one, so the variance compares like with like.
    budget = float(totals["budget_gbp"].sum()) if scenario.budget is not None else None
    yearly = [float(spend(record, scenario).sum()) for record in records]
    summary = {
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": seed,
        "replications": replications,
        "workers": workers,
        **({"scheduler": scheduler} if scheduler is not None else {}),
        "period": {
            "start_date": scenario.run.start_date.isoformat(),
            "days": scenario.run.days,
            "warm_up_days": scenario.run.warm_up_days,
            "months": list(first.months),
        },
        "totals": {
            "patients_entered": sum(entered) / len(entered),
            "patients_left": sum(left) / len(left),
            "cost_gbp": float(totals["cost_gbp"].sum()),
            "paid_gbp": float(totals["paid_gbp"].sum()),
            "budget_gbp": budget,
            "annual_budget_gbp": scenario.budget.annual_gbp
            if scenario.budget is not None
            else None,
            "year_end_variance_gbp": (
                float(totals["paid_gbp"].sum()) - budget if budget is not None else None
            ),
            "chance_of_overspend": chance_of_overspend(records, scenario),
            # One year's plausible range of total payments, across replications.
            "paid_gbp_p10": float(np.percentile(yearly, 10)),
            "paid_gbp_p90": float(np.percentile(yearly, 90)),
        },
        "uncertain_inputs": _uncertain_inputs(records, scenario),
        **_years(records, scenario),
        **_deadlock(records),
        "versions": versions(),
        "run_seconds": round(time.perf_counter() - began, 3),
    }
    return RunResult(
        scenario=scenario,
        records=records,
        providers=providers,
        flows=flows,
        monthly=monthly,
        budget=budget_table(records, scenario),
        viability=viability_table(records, scenario),
        practices=practices_table(records, scenario),
        practice_providers=practice_providers_table(records, scenario),
        pooling=pooling_table(records, scenario),
        summary=summary,
        cohorts=cohorts_table(records, scenario),
    )


def _years(records: list[RunRecord], scenario: Scenario) -> dict[str, Any]:
    """For a run of more than one financial year, each year's plan, spend and chance of
    overspending (the totals are for the whole period)."""
    years = financial_years(records, scenario)
    return {"financial_years": years} if len(years) > 1 else {}


def _deadlock(records: list[RunRecord]) -> dict[str, Any]:
    found = deadlock_summary(records)
    return {} if found is None else {"deadlock": found}


def deadlock_summary(records: Sequence[RunRecord]) -> dict[str, Any] | None:
    """Where providers waiting in place for each other locked up, if any did: in how many
    replications, which providers, the first day it formed, patients stuck at the end."""
    days = [r.deadlock_day for r in records if r.deadlock_day is not None]
    if not days:
        return None
    stuck = np.stack([r.stuck_end for r in records])
    return {
        "replications": len(days),
        "providers": [
            p for p, n in zip(records[0].providers, stuck.sum(axis=0), strict=True) if n > 0
        ],
        "first_day": round(min(days), 3),
        "patients_stuck_at_end": float(stuck.sum(axis=1).mean()),
    }


def deadlock_note(summary: dict[str, Any]) -> str | None:
    """The run's deadlock in a sentence, for every face to show; None without one."""
    deadlock = summary.get("deadlock")
    return None if deadlock is None else describe_deadlock(deadlock, summary["replications"])


def describe_deadlock(deadlock: dict[str, Any], replications: int) -> str:
    """A `deadlock_summary` in words."""
    providers = deadlock["providers"]
    names = ", ".join(providers[:-1]) + (" and " if len(providers) > 1 else "") + providers[-1]
    first = deadlock["first_day"]
    when = f"day {first:,.0f}" if first >= 0 else f"{-first:,.0f} days before the start (warm-up)"
    return (
        f"Deadlock in {deadlock['replications']} of {replications} replications: "
        f"every place at {names} is held by a patient waiting in place for another of them, "
        f"so nobody there can move again. {deadlock['patients_stuck_at_end']:,.0f} patients "
        f"(mean of replications) were stuck waiting for them at the end; the first deadlock "
        f"formed on {when}. Give one of them a queue (drop waiting.in_place) or more places."
    )


def _uncertain_inputs(records: list[RunRecord], scenario: Scenario) -> list[dict[str, Any]]:
    """Each uncertain input's range and the p10-p90 of the values the replications drew."""
    shown = []
    for item in scenario.uncertain:
        values = np.array([dict(record.inputs)[item.input] for record in records], dtype=float)
        p10, p90 = np.percentile(values, [10, 90])
        shown.append(
            {
                "input": item.input,
                "low": item.low,
                "mode": item.mode,
                "high": item.high,
                "drawn_p10": float(p10),
                "drawn_p90": float(p90),
            }
        )
    return shown
