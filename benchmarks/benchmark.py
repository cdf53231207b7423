"""Knock-on against a plain idiomatic SimPy model of the same network, timed as a user meets them.

    python benchmarks/benchmark.py                # the whole benchmark (about 5 minutes on 2 cores)
    python benchmarks/benchmark.py --quick        # one round of each timing, for a smoke check
    python benchmarks/benchmark.py --only memory  # re-run one section, keep the others' results

Prints a report, checks each speed target, and writes benchmarks/results.json and
benchmarks/RESULTS.md. Every timing is of a whole process, started afresh, unless it says
"engine": a user waits for the process, not the event loop. Sections:

1. whole processes: `knockon run` on the reference network (benchmarks/reference_network.yaml:
   7 providers, 250,000 people, exponential stays, so theory checks both engines) for one and
   for two simulated years, one replication, one worker, against
   `python benchmarks/idiomatic_simpy.py` on the same file (one process per patient, one
   simpy.Resource per provider), alternating, in rounds; and each engine alone, timed inside
   a fresh process (Knock-on's `simulate`, the twin's `simulate_idiomatic`), with both
   engines' waits, arrivals and utilisation against queueing theory;
2. start-up: `knockon --help` and `knockon validate` on the default scenario;
3. breakdown: where a whole `knockon run` of the reference network spends its time, phase by
   phase, from the sampling profiler in benchmarks/breakdown.py;
4. the default scenario (scenarios/northshire_2026.yaml): one replication's engine time;
5. compare: `knockon compare` of the default scenario and its urgent-response variant on 20
   paired replications and 2 worker processes, tables and files included, once a round;
6. scaling: the engine's cost per visit with demand and capacity scaled 0.25x to 4x;
7. app: the app's Run button in headless Chromium, from pressing Run to the headline
   numbers, on the reference network and on the default scenario, against the same jobs
   as `knockon run` and the idiomatic script in the same round (benchmarks/app_run.py);
8. memory (--only memory): peak resident memory of `knockon run` of the default scenario on 2
   workers at 5, 20 and 40 replications;
9. dask (--only dask): overhead of a Dask LocalCluster against the local process pool.

Timings on a shared machine vary from run to run; the ratios are taken within each round
(the two processes run one after the other) and reported with their spread, and each target
is judged on the median round. Speed targets live here, not in the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from app_run import app_rounds  # noqa: E402

from sim.engine import simulate  # noqa: E402
from sim.network.queueing import jackson_for_scenario  # noqa: E402
from sim.results.replicate import replicate_many  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.scenario.model import Scenario  # noqa: E402

REFERENCE = HERE / "reference_network.yaml"
DEFAULT = ROOT / "scenarios" / "northshire_2026.yaml"
VARIANT = ROOT / "scenarios" / "northshire_2026_urgent_response.yaml"
PYTHON = sys.executable

RUN_RATIO_TARGET = 8.0
"""Issue 12: a whole `knockon run` at least 8x faster than the idiomatic SimPy script."""
ENGINE_RATIO_TARGET = 10.0
"""Issue 12: the engine alone still at least 10x the idiomatic model."""
COMPARE_TARGET_SECONDS = 30.0
"""Issues 4 and 12: 20 paired replications of the default scenario and a variant, tables
included, on 2 workers."""
STARTUP_TARGET_SECONDS = 1.0
"""Issue 12: `knockon --help` and `knockon validate` answer well under a second."""
MEMORY_GROWTH_TARGET = 0.10
"""Issue 12: peak memory flat in replications: 40 replications within 10% of 5."""

COMPARE_REPLICATIONS = 20
MEMORY_REPLICATIONS = (5, 20, 40)


# --- measuring processes --------------------------------------------------------------------


def timed(command: list[str]) -> tuple[float, str]:
    """Wall time of a whole process and its standard output; it must succeed."""
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def knockon(*arguments: str) -> list[str]:
    """The `knockon` command, as `python -m sim` (the same code, whatever PATH holds)."""
    return [PYTHON, "-m", "sim", *arguments]


def run_command(scenario: Path, out: Path) -> list[str]:
    return knockon(
        "run",
        str(scenario),
        "--out",
        str(out),
        "--replications",
        "1",
        "--workers",
        "1",
        "--overwrite",
    )


def engine_alone(scenario: Path) -> dict[str, Any]:
    """Knock-on's `simulate` timed inside a fresh process (see `--engine`)."""
    _, output = timed([PYTHON, str(Path(__file__)), "--engine", str(scenario)])
    return json.loads(output.splitlines()[-1])


def idiomatic(scenario: Path) -> tuple[float, dict[str, Any]]:
    """The idiomatic twin as a whole process, and what it reports of its own engine."""
    seconds, output = timed([PYTHON, str(HERE / "idiomatic_simpy.py"), str(scenario), "--json"])
    return seconds, json.loads(output.splitlines()[-1])


def time_engine(path: str) -> None:
    """`--engine FILE`: one replication timed in this (fresh) process, as a JSON line."""
    scenario = load_scenario(path).scenario
    began = time.perf_counter()
    record = simulate(scenario)
    seconds = time.perf_counter() - began
    days = record.period_days
    stats = {
        provider: {
            "arrivals_per_day": float(record.arrivals[i].sum() / days),
            "mean_wait_days": float(record.wait_days[i].sum() / max(record.starts[i].sum(), 1)),
            "utilisation": float(record.occupancy_days[i].sum() / (record.servers[i] * days)),
        }
        for i, provider in enumerate(record.providers)
    }
    print(json.dumps({"seconds": seconds, "visits": int(record.arrivals.sum()), "stats": stats}))


def longer(scenario: Path, years: int, folder: Path) -> Path:
    """The scenario file with `years` measured years instead of one."""
    data = yaml.safe_load(scenario.read_text())
    data["run"]["days"] = 365 * years
    data["name"] = f"{data['name']} ({years} years)"
    path = folder / f"{scenario.stem}_{years}_years.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def peak_rss_mib(command: list[str]) -> tuple[float, float]:
    """Wall time and peak resident memory (MiB) of a process and its worker processes,
    measured from a fresh intermediate process so that no earlier child counts."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    _, output = timed([PYTHON, "-c", probe, *command])
    seconds, mib = output.split()
    return float(seconds), float(mib)


# --- sections -------------------------------------------------------------------------------


def whole_processes(rounds: int, folder: Path) -> dict[str, Any]:
    """Alternating rounds: knockon run and the idiomatic script, 1 and 2 years, and each
    engine alone on 1 year."""
    two_years = longer(REFERENCE, 2, folder)
    out = folder / "run"
    measured: list[dict[str, float]] = []
    theory: dict[str, Any] = {}
    visits: dict[str, int] = {}
    for number in range(rounds):
        print(f"  round {number + 1} of {rounds} ...", flush=True)
        row: dict[str, float] = {}
        row["run_1y"], _ = timed(run_command(REFERENCE, out))
        row["idiomatic_1y"], twin = idiomatic(REFERENCE)
        row["idiomatic_engine_1y"] = twin["seconds"]
        engine = engine_alone(REFERENCE)
        row["engine_1y"] = engine["seconds"]
        row["run_2y"], _ = timed(run_command(two_years, out))
        row["idiomatic_2y"], twin_2y = idiomatic(two_years)
        row["idiomatic_engine_2y"] = twin_2y["seconds"]
        measured.append({key: round(value, 3) for key, value in row.items()})
        theory = {"knockon": engine["stats"], "idiomatic": twin["stats"]}
        visits = {"1y": engine["visits"]}
    visits["2y"] = engine_alone(two_years)["visits"]
    expected = jackson_for_scenario(load_scenario(REFERENCE).scenario)
    return {
        "rounds": measured,
        "visits": visits,
        "worst_error_vs_theory": {
            engine: {k: round(v, 4) for k, v in worst_error(stats, expected).items()}
            for engine, stats in theory.items()
        },
    }


def startup(repeats: int) -> dict[str, float]:
    """Best of `repeats` whole processes: `knockon --help` and `knockon validate`."""
    help_seconds = min(timed(knockon("--help"))[0] for _ in range(repeats))
    validate_seconds = min(timed(knockon("validate", str(DEFAULT)))[0] for _ in range(repeats))
    return {"help": round(help_seconds, 3), "validate": round(validate_seconds, 3)}


def breakdown(folder: Path) -> dict[str, Any]:
    """Phases of one whole `knockon run` of the reference network (one year)."""
    arguments = run_command(REFERENCE, folder / "breakdown")[3:]
    whole, output = timed([PYTHON, str(HERE / "breakdown.py"), *arguments])
    sampled = json.loads(output.splitlines()[-1])
    phases = sampled["phases"]
    # Outside the sampled stretch: the interpreter's start, and its exit (freeing modules).
    phases["interpreter start and exit"] = round(whole - sampled["sampled_seconds"], 3)
    return {"phases": phases, "whole_seconds": round(whole, 3)}


def default_scenario() -> dict[str, Any]:
    engine = engine_alone(DEFAULT)
    return {"visits": engine["visits"], "seconds_per_replication": round(engine["seconds"], 3)}


def compare(folder: Path, rounds: int) -> dict[str, Any]:
    """`knockon compare` of the default scenario and its urgent-response variant, `rounds`
    times (judged on the median)."""
    command = knockon(
        "compare",
        str(DEFAULT),
        str(VARIANT),
        "--replications",
        str(COMPARE_REPLICATIONS),
        "--workers",
        "2",
        "--out",
        str(folder / "compare"),
        "--overwrite",
    )
    runs = [round(timed(command)[0], 2) for _ in range(rounds)]
    return {
        "replications": COMPARE_REPLICATIONS,
        "workers": 2,
        "runs": runs,
        "seconds": round(statistics.median(runs), 2),
        "target_seconds": COMPARE_TARGET_SECONDS,
    }


def memory(folder: Path) -> dict[str, Any]:
    """Peak resident memory of a default run on 2 workers, as replications grow."""
    rows = []
    for replications in MEMORY_REPLICATIONS:
        print(f"  {replications} replications ...", flush=True)
        command = knockon(
            "run",
            str(DEFAULT),
            "--out",
            str(folder / "memory"),
            "--replications",
            str(replications),
            "--workers",
            "2",
            "--overwrite",
        )
        seconds, mib = peak_rss_mib(command)
        rows.append({"replications": replications, "seconds": round(seconds, 1), "peak_mib": mib})
    return {"workers": 2, "rows": rows}


def scaled(scenario: Scenario, factor: float) -> Scenario:
    """Demand and capacity both times `factor`: the same loads, `factor` times the volume."""
    practices = tuple(
        p.model_copy(update={"list_size": max(1, round(p.list_size * factor))})
        for p in scenario.practices
    )
    demand = tuple(
        d.model_copy(update={"per_day": d.per_day * factor}) if d.per_day is not None else d
        for d in scenario.demand
    )
    providers = tuple(
        p.model_copy(
            update={
                "capacity": p.capacity.model_copy(
                    update={"servers": max(1, round(p.capacity.servers * factor))}
                )
            }
        )
        if p.capacity is not None and p.capacity.servers is not None
        else p
        for p in scenario.providers
    )
    return scenario.model_copy(
        update={"practices": practices, "demand": demand, "providers": providers}
    )


def scaling() -> list[dict[str, Any]]:
    """The engine's cost per visit on the reference network scaled 0.25x to 4x (in this
    process: only Knock-on runs here, so nothing else shares its memory)."""
    reference = load_scenario(REFERENCE).scenario
    rows = []
    for factor in (0.25, 0.5, 1.0, 2.0, 4.0):
        scenario = scaled(reference, factor)

        def once(scenario: Scenario = scenario) -> Any:
            return simulate(scenario)

        seconds, record = best_time(once, 1 if factor > 1 else 2)
        count = int(record.arrivals.sum())
        rows.append(
            {
                "factor": factor,
                "visits": count,
                "seconds": round(seconds, 3),
                "microseconds_per_visit": round(seconds / count * 1e6, 2),
            }
        )
    return rows


def best_time(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        began = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - began)
    return best, result


def worst_error(stats: dict[str, dict[str, float]], theory: dict[str, Any]) -> dict[str, float]:
    """Largest relative error against theory over providers, per measure."""
    worst = {"arrivals_per_day": 0.0, "utilisation": 0.0, "mean_wait_days": 0.0}
    for provider, expected in theory.items():
        got = stats[provider]
        worst["arrivals_per_day"] = max(
            worst["arrivals_per_day"], abs(got["arrivals_per_day"] / expected.arrival_rate - 1)
        )
        worst["utilisation"] = max(
            worst["utilisation"], abs(got["utilisation"] / expected.utilisation - 1)
        )
        # Waits are tiny where servers are plentiful: judge them on the scale of the stay.
        scale = max(expected.mean_wait, 1 / expected.service_rate)
        worst["mean_wait_days"] = max(
            worst["mean_wait_days"], abs(got["mean_wait_days"] - expected.mean_wait) / scale
        )
    return worst


def same_records(first: list[Any], second: list[Any]) -> bool:
    """Every field of every record equal, arrays to the byte."""
    for a, b in zip(first, second, strict=True):
        for name, value in vars(a).items():
            other = getattr(b, name)
            if isinstance(value, np.ndarray):
                if value.dtype != other.dtype or value.tobytes() != other.tobytes():
                    return False
            elif value != other:
                return False
    return True


def dask_overhead(repeats: int, tasks: int = 200, replications: int = 8) -> dict[str, Any]:
    """What running on Dask costs against the local process pool, on 2 single-thread workers.

    Overhead per task is the worker time a task takes beyond its simulation:
    (2 x wall time - serial time) / tasks, on replications short enough (one day of the
    default scenario) that the overhead shows.
    """
    from distributed import LocalCluster

    default = load_scenario(DEFAULT).scenario
    run = default.run.model_copy(update={"days": 1, "warm_up_days": 0})
    tiny = default.model_copy(update={"run": run})
    seed = default.run.seed
    serial, _ = best_time(lambda: replicate_many([tiny], tasks, seed, workers=1), repeats)
    pool, _ = best_time(lambda: replicate_many([tiny], tasks, seed, workers=2), repeats)
    pool_seconds, on_pool = best_time(
        lambda: replicate_many([default], replications, seed, workers=2), 1
    )
    began = time.perf_counter()
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        address = cluster.scheduler_address
        start_seconds = time.perf_counter() - began
        # The first task on a fresh worker imports numpy, pandas and the engine.
        warm_up_seconds, _ = best_time(
            lambda: replicate_many([tiny], 2, seed, scheduler=address, batch=1), 1
        )
        one_each, _ = best_time(
            lambda: replicate_many([tiny], tasks, seed, scheduler=address, batch=1), repeats
        )
        batched, _ = best_time(
            lambda: replicate_many([tiny], tasks, seed, scheduler=address), repeats
        )
        dask_seconds, on_dask = best_time(
            lambda: replicate_many([default], replications, seed, scheduler=address), 1
        )

    def overhead_ms(wall: float) -> float:
        return round((2 * wall - serial) / tasks * 1e3, 2)

    return {
        "workers": 2,
        "tiny_tasks": tasks,
        "tiny_replication_ms": round(serial / tasks * 1e3, 2),
        "cluster_start_seconds": round(start_seconds, 2),
        "first_tasks_seconds": round(warm_up_seconds, 2),
        "tiny_seconds": {
            "in_process": round(serial, 3),
            "local_pool": round(pool, 3),
            "dask_one_per_task": round(one_each, 3),
            "dask_batched": round(batched, 3),
        },
        "overhead_ms_per_task": {
            "local_pool": overhead_ms(pool),
            "dask_one_per_task": overhead_ms(one_each),
        },
        "dask_batched_overhead_ms_per_replication": overhead_ms(batched),
        "default_replications": replications,
        "default_local_pool_seconds": round(pool_seconds, 2),
        "default_dask_seconds": round(dask_seconds, 2),
        "default_identical": same_records(on_pool[0], on_dask[0]),
    }


# --- judging and reporting ------------------------------------------------------------------


def ratios(rounds: list[dict[str, float]], slow: str, fast: str) -> list[float]:
    return [round(row[slow] / row[fast], 2) for row in rounds]


def spread(values: list[float]) -> dict[str, float]:
    return {
        "min": min(values),
        "median": round(statistics.median(values), 2),
        "max": max(values),
    }


def judge(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target: the figure it is judged on, the target, and whether it is met."""
    verdicts: dict[str, dict[str, Any]] = {}
    whole = results.get("whole_process")
    if whole:
        rounds = whole["rounds"]
        for years in ("1y", "2y"):
            ratio = spread(ratios(rounds, f"idiomatic_{years}", f"run_{years}"))["median"]
            verdicts[f"run_{years}_ratio"] = {
                "value": ratio,
                "target": RUN_RATIO_TARGET,
                "met": ratio >= RUN_RATIO_TARGET,
            }
        engine = spread(ratios(rounds, "idiomatic_engine_1y", "engine_1y"))["median"]
        verdicts["engine_ratio"] = {
            "value": engine,
            "target": ENGINE_RATIO_TARGET,
            "met": engine >= ENGINE_RATIO_TARGET,
        }
    if "compare" in results:
        seconds = results["compare"]["seconds"]
        verdicts["compare_seconds"] = {
            "value": seconds,
            "target": COMPARE_TARGET_SECONDS,
            "met": seconds <= COMPARE_TARGET_SECONDS,
        }
    if "startup" in results:
        for command, seconds in results["startup"].items():
            verdicts[f"{command}_seconds"] = {
                "value": seconds,
                "target": STARTUP_TARGET_SECONDS,
                "met": seconds < STARTUP_TARGET_SECONDS,
            }
    if "memory" in results:
        rows = results["memory"]["rows"]
        growth = round(rows[-1]["peak_mib"] / rows[0]["peak_mib"] - 1, 3)
        verdicts["memory_growth"] = {
            "value": growth,
            "target": MEMORY_GROWTH_TARGET,
            "met": growth <= MEMORY_GROWTH_TARGET,
        }
    return verdicts


SECTIONS = (
    "whole",
    "startup",
    "breakdown",
    "default",
    "compare",
    "scaling",
    "app",
    "memory",
    "dask",
)
DEFAULT_SECTIONS = ("whole", "startup", "breakdown", "default", "compare", "scaling", "app")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round of each timing")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument(
        "--out", type=Path, default=HERE, help="folder for results.json and RESULTS.md"
    )
    parser.add_argument(
        "--only",
        choices=SECTIONS,
        action="append",
        help="run these sections and keep the others from the results already written",
    )
    parser.add_argument("--engine", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.engine:
        time_engine(args.engine)
        return 0
    rounds = 1 if args.quick else args.rounds
    written = args.out / "results.json"
    if args.only and not written.is_file():
        parser.error(f"{written} not found: run the whole benchmark once first")
    # Sections not run this time (memory and Dask, unless asked for) keep their last results.
    results: dict[str, Any] = json.loads(written.read_text()) if written.is_file() else {}
    sections = args.only or DEFAULT_SECTIONS

    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for section in sections:
            print(f"{section} ...", flush=True)
            if section == "whole":
                results["whole_process"] = whole_processes(rounds, folder)
            elif section == "startup":
                results["startup"] = startup(1 if args.quick else 3)
            elif section == "breakdown":
                results["breakdown"] = breakdown(folder)
            elif section == "default":
                results["default_scenario"] = default_scenario()
            elif section == "compare":
                results["compare"] = compare(folder, rounds)
            elif section == "scaling":
                results["scaling"] = scaling()
            elif section == "app":
                opens_with = max(2, load_scenario(DEFAULT).scenario.run.replications)
                results["app"] = app_rounds(rounds, REFERENCE, DEFAULT, opens_with, knockon, folder)
            elif section == "memory":
                results["memory"] = memory(folder)
            else:
                results["dask"] = dask_overhead(1 if args.quick else 3)
    seconds = round(time.perf_counter() - began)
    if not args.only:
        results["benchmark_seconds"] = seconds
    results["machine"] = {
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "date": dt.date.today().isoformat(),
    }
    results["targets"] = judge(results)
    args.out.mkdir(parents=True, exist_ok=True)
    written.write_text(json.dumps(results, indent=2) + "\n")
    text = report(results)
    (args.out / "RESULTS.md").write_text(text)
    print(text)
    print(f"({seconds} s)")
    return 0


def report(results: dict[str, Any]) -> str:
    machine = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Machine: Python {machine['python']}, {machine['cores']} cores of a virtual machine "
        f"(single timings vary by 10-30% from run to run), {machine.get('date', '')}. "
        "Produced by `python benchmarks/benchmark.py` (the memory and Dask sections by "
        "`--only memory --only dask`)"
        + (
            f", which took {results['benchmark_seconds']} s."
            if "benchmark_seconds" in results
            else "."
        ),
        "",
    ]
    lines += targets_report(results.get("targets", {}))
    if "whole_process" in results:
        lines += whole_report(results["whole_process"])
    if "breakdown" in results:
        before = HERE / "breakdown_before.json"
        earlier = json.loads(before.read_text()) if before.is_file() else None
        lines += breakdown_report(results["breakdown"], earlier)
    if "startup" in results:
        start = results["startup"]
        lines += [
            "## Start-up",
            "",
            f"`knockon --help`: {start['help']} s; `knockon validate "
            f"scenarios/northshire_2026.yaml`: {start['validate']} s (best of 3 whole processes).",
            "",
        ]
    if "default_scenario" in results:
        default = results["default_scenario"]
        lines += [
            f"## Default scenario: {default['visits']:,} visits in the measured year, "
            f"{default['seconds_per_replication']} s a replication (engine, 120-day warm-up "
            "included)",
            "",
        ]
    if "compare" in results:
        comparison = results["compare"]
        lines += [
            "## Paired comparison",
            "",
            f"`knockon compare scenarios/northshire_2026.yaml "
            f"scenarios/northshire_2026_urgent_response.yaml --replications "
            f"{comparison['replications']} --workers {comparison['workers']}`, tables and files "
            f"included, as a whole process: **{comparison['seconds']} s** (median of "
            f"{len(comparison['runs'])} runs: "
            f"{', '.join(str(run) for run in comparison['runs'])} s; target "
            f"{comparison['target_seconds']:g} s).",
            "",
        ]
    if "app" in results:
        lines += app_report(results["app"])
    if "memory" in results:
        lines += memory_report(results["memory"])
    if "scaling" in results:
        lines += scaling_report(results["scaling"])
    if "dask" in results:
        lines += dask_report(results["dask"])
    return "\n".join(lines)


def targets_report(verdicts: dict[str, dict[str, Any]]) -> list[str]:
    names = {
        "run_1y_ratio": "`knockon run`, 1 year, x idiomatic SimPy (whole processes)",
        "run_2y_ratio": "`knockon run`, 2 years, x idiomatic SimPy (whole processes)",
        "engine_ratio": "engine alone, x idiomatic SimPy",
        "compare_seconds": "`knockon compare`, 20 paired replications on 2 workers, seconds",
        "help_seconds": "`knockon --help`, seconds",
        "validate_seconds": "`knockon validate`, seconds",
        "memory_growth": "peak memory growth from 5 to 40 replications",
    }
    lines = ["## Targets", "", "| target | this run | target | met |", "|---|---|---|---|"]
    for key, verdict in verdicts.items():
        better = "<=" if key in ("compare_seconds", "memory_growth") else ">="
        if key in ("help_seconds", "validate_seconds"):
            better = "<"
        lines.append(
            f"| {names[key]} | {verdict['value']} | {better} {verdict['target']:g} | "
            f"{'yes' if verdict['met'] else '**no**'} |"
        )
    return [*lines, ""]


def whole_report(whole: dict[str, Any]) -> list[str]:
    rounds = whole["rounds"]
    visits = whole["visits"]
    lines = [
        "## Reference network: whole processes, alternating rounds",
        "",
        f"One replication, one worker, the 30-day warm-up included; {visits['1y']:,} provider "
        f"visits in the measured year ({visits['2y']:,} in two). Seconds; ratios are the "
        "idiomatic model's time over Knock-on's in the same round.",
        "",
        "| round | `knockon run` 1 y | idiomatic 1 y | ratio | `knockon run` 2 y "
        "| idiomatic 2 y | ratio | engine 1 y | idiomatic engine 1 y | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for number, row in enumerate(rounds, start=1):
        lines.append(
            f"| {number} | {row['run_1y']} | {row['idiomatic_1y']} | "
            f"{row['idiomatic_1y'] / row['run_1y']:.2f} | {row['run_2y']} | "
            f"{row['idiomatic_2y']} | {row['idiomatic_2y'] / row['run_2y']:.2f} | "
            f"{row['engine_1y']} | {row['idiomatic_engine_1y']} | "
            f"{row['idiomatic_engine_1y'] / row['engine_1y']:.2f} |"
        )
    lines.append("")
    for label, slow, fast in (
        ("`knockon run`, 1 year", "idiomatic_1y", "run_1y"),
        ("`knockon run`, 2 years", "idiomatic_2y", "run_2y"),
        ("engine alone, 1 year", "idiomatic_engine_1y", "engine_1y"),
    ):
        values = spread(ratios(rounds, slow, fast))
        lines.append(
            f"- {label}: **{values['median']}x** the idiomatic model (median of "
            f"{len(rounds)} rounds; range {values['min']}-{values['max']}x)."
        )
    errors = whole["worst_error_vs_theory"]
    lines += [
        "",
        "Worst error against queueing theory over the providers (one replication; waits "
        "relative to the mean stay):",
        "",
        "| engine | arrivals | utilisation | wait |",
        "|---|---|---|---|",
    ]
    for engine, name in (("knockon", "Knock-on"), ("idiomatic", "idiomatic SimPy")):
        err = errors[engine]
        lines.append(
            f"| {name} | {err['arrivals_per_day']:.1%} | {err['utilisation']:.1%} | "
            f"{err['mean_wait_days']:.1%} |"
        )
    return [*lines, ""]


def breakdown_report(after: dict[str, Any], before: dict[str, Any] | None) -> list[str]:
    lines = [
        "## Where a whole `knockon run` of the reference network spends its time",
        "",
        "From the sampling profiler in benchmarks/breakdown.py (seconds, one year, one "
        "replication)"
        + (
            f"; {before['label']} is the code before this work, measured the same way on the "
            "same machine (benchmarks/breakdown_before.json)"
            if before
            else ""
        )
        + ":",
        "",
    ]
    columns = [("this run", after)] + ([(before["label"], before)] if before else [])
    lines.append("| phase | " + " | ".join(label for label, _ in columns) + " |")
    lines.append("|---|" + "---|" * len(columns))
    for phase in after["phases"]:
        cells = " | ".join(f"{data['phases'].get(phase, 0.0):.2f}" for _, data in columns)
        lines.append(f"| {phase} | {cells} |")
    cells = " | ".join(f"{data['whole_seconds']:.2f}" for _, data in columns)
    lines.append(f"| **whole process** | {cells} |")
    return [*lines, ""]


def app_report(app: dict[str, Any]) -> list[str]:
    rounds = app["rounds"]
    reference, default = app["replications"]["reference"], app["replications"]["default"]
    lines = [
        "## The app's Run button",
        "",
        "A fresh `streamlit run app.py` each round, driven by headless Chromium on the same "
        "2 cores: seconds from pressing Run to the first headline number, each press a new "
        "session with a seed of its own. Beside them, in the same round, the same jobs as "
        f"whole `knockon run` processes on 2 workers, and the idiomatic script doing the "
        f"reference network's {reference} replications as {reference} processes side by side.",
        "",
        f"| round | app, reference network x {reference}, first Run | app, reference "
        f"network x {reference} | `knockon run` the same | idiomatic SimPy the same | app, "
        f"default scenario x {default} | `knockon run` the same |",
        "|---|---|---|---|---|---|---|",
    ]
    for number, row in enumerate(rounds, start=1):
        lines.append(
            f"| {number} | {row['app_reference_first']} | {row['app_reference']} | "
            f"{row['run_reference']} | {row['idiomatic_reference']} | {row['app_default']} | "
            f"{row['run_default']} |"
        )
    lines.append("")
    for label, fast in (
        ("the app's Run button", "app_reference"),
        ("the first Run on a freshly started app", "app_reference_first"),
        ("`knockon run`", "run_reference"),
    ):
        values = spread(ratios(rounds, "idiomatic_reference", fast))
        lines.append(
            f"- Reference network, {reference} replications on 2 cores, {label}: "
            f"**{values['median']}x** the idiomatic model (median of {len(rounds)} rounds; "
            f"range {values['min']}-{values['max']}x)."
        )
    extra = [row["app_default"] - row["run_default"] for row in rounds]
    lines.append(
        f"- Default scenario, {default} replications (what the Run page opens with): "
        f"{statistics.median(row['app_default'] for row in rounds):.1f} s in the app, "
        f"{statistics.median(row['run_default'] for row in rounds):.1f} s as `knockon run` "
        f"(the app's page, polling and drawing add {statistics.median(extra):.1f} s, median)."
    )
    return [*lines, ""]


def memory_report(memory: dict[str, Any]) -> list[str]:
    lines = [
        f"## Peak memory of a default run on {memory['workers']} workers",
        "",
        "Peak resident memory of the largest of the command's processes.",
        "",
        "| replications | seconds | peak MiB |",
        "|---|---|---|",
    ]
    for row in memory["rows"]:
        lines.append(f"| {row['replications']} | {row['seconds']} | {row['peak_mib']:.0f} |")
    return [*lines, ""]


def scaling_report(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Engine cost against volume (reference network, demand and capacity scaled)",
        "",
        "| scale | visits | seconds | microseconds per visit |",
        "|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['factor']}x | {row['visits']:,} | {row['seconds']} "
            f"| {row['microseconds_per_visit']} |"
        )
    per_visit = [row["microseconds_per_visit"] for row in rows]
    lines += [
        "",
        f"Cost per visit varies by {max(per_visit) / min(per_visit):.2f}x across a 16-fold "
        "range of volume.",
        "",
    ]
    return lines


def dask_report(dask: dict[str, Any]) -> list[str]:
    tiny = dask["tiny_seconds"]
    overhead = dask["overhead_ms_per_task"]
    return [
        f"## Dask overhead: LocalCluster of {dask['workers']} single-thread workers",
        "",
        f"{dask['tiny_tasks']} tiny replications (the default scenario cut to one day, "
        f"{dask['tiny_replication_ms']} ms each in one process). Overhead per task is the "
        "worker time beyond the simulation: (2 x wall - serial) / tasks.",
        "",
        "| how | wall time (s) | overhead per task (ms) |",
        "|---|---|---|",
        f"| in one process | {tiny['in_process']} | - |",
        f"| local process pool, 2 workers | {tiny['local_pool']} | {overhead['local_pool']} |",
        f"| Dask, one replication per task | {tiny['dask_one_per_task']} "
        f"| {overhead['dask_one_per_task']} |",
        f"| Dask, batched (about 4 tasks per worker thread) | {tiny['dask_batched']} "
        f"| {dask['dask_batched_overhead_ms_per_replication']} per replication |",
        "",
        f"Starting the cluster took {dask['cluster_start_seconds']} s and the first tasks on "
        f"fresh workers {dask['first_tasks_seconds']} s; both are paid "
        "once per cluster, not per run.",
        "",
        f"Default scenario, {dask['default_replications']} replications: local pool "
        f"{dask['default_local_pool_seconds']} s, through `--scheduler` "
        f"{dask['default_dask_seconds']} s; records identical: "
        f"{'yes' if dask['default_identical'] else 'NO'}.",
        "",
    ]


if __name__ == "__main__":
    raise SystemExit(main())
