"""Running replications, in this process or on a local pool of worker processes.

A replication depends only on (scenario, seed, replication number), so the records are
the same whatever the number of workers; they are returned in replication order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from sim.engine import RunRecord, simulate
from sim.scenario.model import Scenario

Progress = Callable[[int, int], None]
"""Called with (replications done, replications in all) as each one finishes."""


def run_replication(scenario: Scenario, replication: int, seed: int) -> RunRecord:
    """The unit of work a worker runs: picklable, pure, deterministic."""
    return simulate(scenario, replication, seed)


def replicate(
    scenario: Scenario,
    replications: int,
    seed: int,
    workers: int = 1,
    progress: Progress | None = None,
) -> list[RunRecord]:
    numbers: Sequence[int] = range(replications)
    records: dict[int, RunRecord] = {}
    if workers <= 1 or replications == 1:
        for number in numbers:
            records[number] = run_replication(scenario, number, seed)
            if progress:
                progress(len(records), replications)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, replications)) as pool:
            futures = {
                pool.submit(run_replication, scenario, number, seed): number for number in numbers
            }
            for future in as_completed(futures):
                records[futures[future]] = future.result()
                if progress:
                    progress(len(records), replications)
    return [records[number] for number in numbers]
