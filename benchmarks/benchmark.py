"""Knock-on's engine against a plain idiomatic SimPy model of the same network, in one run.

    python benchmarks/benchmark.py            # full run (a few minutes on 2 cores)
    python benchmarks/benchmark.py --quick    # fewer repeats, for a smoke check
    python benchmarks/benchmark.py --only dask  # re-run only the Dask section (4 below)

Prints a table and writes benchmarks/results.json and benchmarks/RESULTS.md. Measures:
1. the reference network (benchmarks/reference_network.yaml: 7 providers, 250,000 people,
   one year, exponential stays, so it is a Jackson network and theory checks both
   engines) through Knock-on and through benchmarks/idiomatic_simpy.py (one process per
   patient, one simpy.Resource per provider): wall time, peak memory, the ratio, and each
   engine's waits and utilisation against theory (equal statistical output);
2. the default scenario (scenarios/northshire_2026.yaml): seconds per replication;
3. cost against volume: the reference network with demand and capacity scaled 0.25x..4x;
4. Dask overhead: on a LocalCluster of 2 single-thread workers, many tiny replications
   (the default scenario cut to one day) one per task, batched, and on the local pool,
   giving the overhead per task; and default-scenario replications through
   `--scheduler` against the local pool (checking the records are identical).
Timings are the best of several repeats (the least disturbed by other work); memory is
the peak of Python allocations (tracemalloc) in a separate, untimed run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from idiomatic_simpy import simulate_idiomatic  # noqa: E402

from sim.engine import simulate  # noqa: E402
from sim.network.queueing import jackson_for_scenario  # noqa: E402
from sim.results.replicate import replicate_many  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.scenario.model import Scenario  # noqa: E402


def best_time(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        began = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - began)
    return best, result


def peak_mib(run: Callable[[], Any]) -> float:
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


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


def knockon_stats(scenario: Scenario, record: Any) -> dict[str, dict[str, float]]:
    days = record.period_days
    stats = {}
    for i, provider in enumerate(record.providers):
        stats[provider] = {
            "arrivals_per_day": record.arrivals[i].sum() / days,
            "mean_wait_days": record.wait_days[i].sum() / max(record.starts[i].sum(), 1),
            "utilisation": record.occupancy_days[i].sum() / (record.servers[i] * days),
        }
    return stats


def idiomatic_stats(result: Any) -> dict[str, dict[str, float]]:
    stats = {}
    for provider, numbers in result.providers.items():
        stats[provider] = {
            "arrivals_per_day": numbers.arrivals / result.measured_days,
            "mean_wait_days": numbers.mean_wait_days,
            "utilisation": numbers.utilisation,
        }
    return stats


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


def dask_overhead(
    default: Scenario, repeats: int, tasks: int = 200, replications: int = 8
) -> dict[str, Any]:
    """What running on Dask costs against the local process pool, on 2 single-thread workers.

    Overhead per task is the worker time a task takes beyond its simulation:
    (2 x wall time - serial time) / tasks, on replications short enough (one day of the
    default scenario) that the overhead shows.
    """
    from distributed import LocalCluster

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


COMPARE_TARGET_SECONDS = 30.0
"""Issue 4: baseline plus one variant, 20 paired replications, within 30 s on 2 cores."""


def compare_timing(replications: int = 20) -> dict[str, Any]:
    """`knockon compare` of the default scenario and its urgent-response variant, on 1 and 2
    worker processes: wall time from the loaded scenarios to the finished tables."""
    from sim.compare import compare_scenarios

    scenarios = HERE.parent / "scenarios"
    base = load_scenario(scenarios / "northshire_2026.yaml").scenario
    variant = load_scenario(scenarios / "northshire_2026_urgent_response.yaml").scenario
    seconds = {}
    for workers in (1, 2):
        began = time.perf_counter()
        compare_scenarios(base, [variant], replications=replications, workers=workers)
        seconds[workers] = round(time.perf_counter() - began, 2)
    return {
        "replications": replications,
        "scenarios": 2,
        "seconds_1_worker": seconds[1],
        "seconds_2_workers": seconds[2],
        "speed_up_1_to_2": round(seconds[1] / seconds[2], 2),
        "target_seconds": COMPARE_TARGET_SECONDS,
        "seconds_per_replication_2_workers": round(seconds[2] / (2 * replications), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat of each timing")
    parser.add_argument(
        "--out", type=Path, default=HERE, help="folder for results.json and RESULTS.md"
    )
    parser.add_argument(
        "--only",
        choices=["dask", "compare"],
        help="run one section and update it in the results already written",
    )
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else 3

    if args.only is not None:
        written = args.out / "results.json"
        if not written.is_file():
            parser.error(f"{written} not found: run the whole benchmark once first")
        results = json.loads(written.read_text())
        if args.only == "dask":
            print("Dask overhead ...", flush=True)
            default = load_scenario(HERE.parent / "scenarios" / "northshire_2026.yaml").scenario
            results["dask"] = dask_overhead(default, repeats)
        else:
            print("Paired comparison ...", flush=True)
            results["compare"] = compare_timing()
        written.write_text(json.dumps(results, indent=2) + "\n")
        (args.out / "RESULTS.md").write_text(report(results))
        print(report(results))
        return 0

    reference = load_scenario(HERE / "reference_network.yaml").scenario
    default = load_scenario(HERE.parent / "scenarios" / "northshire_2026.yaml").scenario
    theory = jackson_for_scenario(reference)

    print("Reference network: Knock-on engine ...", flush=True)
    knockon_seconds, record = best_time(lambda: simulate(reference), repeats)
    visits = int(record.arrivals.sum())
    print("Reference network: idiomatic SimPy ...", flush=True)
    idiomatic_seconds, twin = best_time(
        lambda: simulate_idiomatic(reference, reference.run.seed), max(1, repeats - 1)
    )
    knockon_memory = peak_mib(lambda: simulate(reference))
    idiomatic_memory = peak_mib(lambda: simulate_idiomatic(reference, reference.run.seed))

    print("Default scenario ...", flush=True)
    default_seconds, default_record = best_time(lambda: simulate(default), repeats)

    print("Scaling ...", flush=True)
    scaling = []
    for factor in (0.25, 0.5, 1.0, 2.0, 4.0):
        scenario = scaled(reference, factor)
        seconds, scaled_record = best_time(
            lambda s=scenario: simulate(s), 1 if factor > 1 else repeats
        )
        count = int(scaled_record.arrivals.sum())
        scaling.append(
            {
                "factor": factor,
                "visits": count,
                "seconds": round(seconds, 3),
                "microseconds_per_visit": round(seconds / count * 1e6, 2),
            }
        )

    results = {
        "machine": {
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
        },
        "reference_network": {
            "visits": visits,
            "knockon_seconds": round(knockon_seconds, 3),
            "idiomatic_seconds": round(idiomatic_seconds, 3),
            "speed_ratio": round(idiomatic_seconds / knockon_seconds, 2),
            "knockon_visits_per_second": round(visits / knockon_seconds),
            "idiomatic_visits_per_second": round(visits / idiomatic_seconds),
            "knockon_peak_mib": round(knockon_memory, 1),
            "idiomatic_peak_mib": round(idiomatic_memory, 1),
            "knockon_worst_error_vs_theory": {
                k: round(v, 4)
                for k, v in worst_error(knockon_stats(reference, record), theory).items()
            },
            "idiomatic_worst_error_vs_theory": {
                k: round(v, 4) for k, v in worst_error(idiomatic_stats(twin), theory).items()
            },
        },
        "default_scenario": {
            "visits": int(default_record.arrivals.sum()),
            "seconds_per_replication": round(default_seconds, 3),
        },
        "scaling": scaling,
    }
    per_visit = np.array([row["microseconds_per_visit"] for row in scaling])
    results["scaling_spread"] = round(float(per_visit.max() / per_visit.min()), 2)

    print("Paired comparison ...", flush=True)
    results["compare"] = compare_timing()

    print("Dask overhead ...", flush=True)
    results["dask"] = dask_overhead(default, repeats)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "RESULTS.md").write_text(report(results))
    print(report(results))
    return 0


def report(results: dict[str, Any]) -> str:
    ref = results["reference_network"]
    lines = [
        "# Benchmark results",
        "",
        f"Machine: Python {results['machine']['python']}, {results['machine']['cores']} cores. "
        "Produced by `python benchmarks/benchmark.py`.",
        "",
        f"## Reference network: {ref['visits']:,} provider visits in one year, one replication",
        "",
        "| engine | wall time (s) | visits/s | peak Python memory (MiB) "
        "| worst error vs theory: arrivals / utilisation / wait |",
        "|---|---|---|---|---|",
    ]
    for engine in ("knockon", "idiomatic"):
        err = ref[f"{engine}_worst_error_vs_theory"]
        name = "Knock-on" if engine == "knockon" else "idiomatic SimPy"
        lines.append(
            f"| {name} | {ref[f'{engine}_seconds']} | {ref[f'{engine}_visits_per_second']:,} | "
            f"{ref[f'{engine}_peak_mib']} | {err['arrivals_per_day']:.1%} / "
            f"{err['utilisation']:.1%} / {err['mean_wait_days']:.1%} |"
        )
    default = results["default_scenario"]
    lines += [
        "",
        f"**Knock-on is {ref['speed_ratio']}x faster** than the idiomatic SimPy model of the same "
        "network, with the same statistics recorded (wait errors are relative to the mean stay).",
        "",
        f"## Default scenario: {default['visits']:,} visits, "
        f"{default['seconds_per_replication']} s per replication",
        "",
        "## Cost against volume (reference network, demand and capacity scaled)",
        "",
        "| scale | visits | seconds | microseconds per visit |",
        "|---|---|---|---|",
    ]
    for row in results["scaling"]:
        lines.append(
            f"| {row['factor']}x | {row['visits']:,} | {row['seconds']} "
            f"| {row['microseconds_per_visit']} |"
        )
    lines += [
        "",
        f"Cost per visit varies by {results['scaling_spread']}x across a 16-fold range of volume.",
        "",
    ]
    if "compare" in results:
        lines += compare_report(results["compare"])
    if "dask" in results:
        lines += dask_report(results["dask"])
    return "\n".join(lines)


def compare_report(compare: dict[str, Any]) -> list[str]:
    two = compare["seconds_2_workers"]
    verdict = "within" if two <= compare["target_seconds"] else "NOT within"
    return [
        f"## Paired comparison: baseline plus one variant, {compare['replications']} paired "
        "replications of the default scenario",
        "",
        "| workers | wall time (s) |",
        "|---|---|",
        f"| 1 | {compare['seconds_1_worker']} |",
        f"| 2 | {two} |",
        "",
        f"1 -> 2 workers: {compare['speed_up_1_to_2']}x faster. With 2 workers the comparison is "
        f"{verdict} the {compare['target_seconds']:g} s target "
        f"({compare['seconds_per_replication_2_workers']} s of wall time per scenario and "
        "replication).",
        "",
    ]


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
