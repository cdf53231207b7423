"""Knock-on's engine against a plain idiomatic SimPy model of the same network, in one run.

    python benchmarks/benchmark.py            # full run (a few minutes on 2 cores)
    python benchmarks/benchmark.py --quick    # fewer repeats, for a smoke check

Prints a table and writes benchmarks/results.json and benchmarks/RESULTS.md. Measures:
1. the reference network (benchmarks/reference_network.yaml: 7 providers, 250,000 people,
   one year, exponential stays, so it is a Jackson network and theory checks both
   engines) through Knock-on and through benchmarks/idiomatic_simpy.py (one process per
   patient, one simpy.Resource per provider): wall time, peak memory, the ratio, and each
   engine's waits and utilisation against theory (equal statistical output);
2. the default scenario (scenarios/northshire_2026.yaml): seconds per replication;
3. cost against volume: the reference network with demand and capacity scaled 0.25x..4x.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat of each timing")
    parser.add_argument(
        "--out", type=Path, default=HERE, help="folder for results.json and RESULTS.md"
    )
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else 3

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
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
