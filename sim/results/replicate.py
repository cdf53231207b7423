"""Running replications: in this process, on a local pool of worker processes, or on Dask.

A replication depends only on (scenario, seed, replication number), so the records are
the same whatever runs them and in whatever order they finish; they are returned in
replication order. Every path calls `run_replication`, so what one replication does is
decided in one place.

Several scenarios run on the same seed get common random numbers: replication r of each
meets the same patients wherever the scenarios agree. `replicate_many` submits all of
their replications together so that no worker idles between scenarios.
"""

from __future__ import annotations

import math
import socket
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sim.engine import RunRecord, simulate
from sim.scenario.model import Scenario

if TYPE_CHECKING:
    from distributed import Client

Progress = Callable[[int, int], None]
"""Called with (replications done, replications in all) as replications finish."""

CONNECT_TIMEOUT_SECONDS = 10
"""How long to wait for a Dask scheduler to answer, and for it to have a worker."""

TASKS_PER_THREAD = 4
"""Dask tasks per worker thread: enough that the last tasks to finish leave little idle
time, few enough that per-task overhead (tens of milliseconds) stays small."""

Unit = tuple[int, int]
"""One replication to run: (scenario index, replication number)."""


class ScaleOutError(RuntimeError):
    """Replications could not be run on the cluster asked for; the message says why in
    one line and what to do."""


def run_replication(scenario: Scenario, replication: int, seed: int) -> RunRecord:
    """The unit of work a worker runs: picklable, pure, deterministic."""
    return simulate(scenario, replication, seed)


def replicate(
    scenario: Scenario,
    replications: int,
    seed: int,
    workers: int = 1,
    progress: Progress | None = None,
    *,
    scheduler: str | None = None,
    executor: Executor | None = None,
) -> list[RunRecord]:
    """Replications 0..replications-1 of one scenario, in replication order."""
    return replicate_many(
        [scenario], replications, seed, workers, scheduler, progress, executor=executor
    )[0]


def replicate_many(
    scenarios: Sequence[Scenario],
    replications: int,
    seed: int,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    *,
    batch: int | None = None,
    executor: Executor | None = None,
) -> list[list[RunRecord]]:
    """Replications 0..replications-1 of every scenario on the same seed, per scenario.

    Runs in this process when `workers` is 1, on a pool of `workers` processes otherwise,
    or on the Dask cluster whose scheduler is at `scheduler` (for example
    `tcp://10.0.0.5:8786`; `workers` is then the cluster's business). On Dask, replications
    go in tasks of `batch` each (default: about TASKS_PER_THREAD tasks per worker thread).
    The records are identical on every path.

    `executor`, a pool the caller keeps (the app shares one between its users), runs the
    replications instead of a pool made for this call. If `progress` raises, or a
    replication is cancelled, the replications not yet started are cancelled and the
    error propagates: that is how a long run is stopped.
    """
    units = [(index, number) for index in range(len(scenarios)) for number in range(replications)]
    if not units:
        return [[] for _ in scenarios]
    if scheduler is not None:
        done = _on_dask(scenarios, units, seed, scheduler, batch, progress)
    elif executor is not None:
        done = _collect(executor, scenarios, units, seed, progress)
    elif workers <= 1 or len(units) == 1:
        done = _in_process(scenarios, units, seed, progress)
    else:
        done = _on_pool(scenarios, units, seed, workers, progress)
    return [
        [done[(index, number)] for number in range(replications)] for index in range(len(scenarios))
    ]


def _in_process(
    scenarios: Sequence[Scenario], units: list[Unit], seed: int, progress: Progress | None
) -> dict[Unit, RunRecord]:
    done: dict[Unit, RunRecord] = {}
    for index, number in units:
        done[(index, number)] = run_replication(scenarios[index], number, seed)
        if progress:
            progress(len(done), len(units))
    return done


def _on_pool(
    scenarios: Sequence[Scenario],
    units: list[Unit],
    seed: int,
    workers: int,
    progress: Progress | None,
) -> dict[Unit, RunRecord]:
    with ProcessPoolExecutor(max_workers=min(workers, len(units))) as pool:
        return _collect(pool, scenarios, units, seed, progress)


def _collect(
    executor: Executor,
    scenarios: Sequence[Scenario],
    units: list[Unit],
    seed: int,
    progress: Progress | None,
) -> dict[Unit, RunRecord]:
    futures: dict[Future[RunRecord], Unit] = {
        executor.submit(run_replication, scenarios[index], number, seed): (index, number)
        for index, number in units
    }
    done: dict[Unit, RunRecord] = {}
    try:
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            if progress:
                progress(len(done), len(units))
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return done


def run_batch(batch: Sequence[tuple[Scenario, int]], seed: int) -> list[RunRecord]:
    """A Dask task: several replications, so the per-task overhead is paid once for all."""
    return [run_replication(scenario, number, seed) for scenario, number in batch]


def batches(units: list[Unit], tasks: int) -> list[list[Unit]]:
    """`units` in order, cut into `tasks` runs of near-equal length (differing by at most 1),
    so the cluster's threads finish at about the same time."""
    tasks = max(1, min(tasks, len(units)))
    size, extra = divmod(len(units), tasks)
    cut, start = [], 0
    for task in range(tasks):
        end = start + size + (1 if task < extra else 0)
        cut.append(units[start:end])
        start = end
    return cut


def _on_dask(
    scenarios: Sequence[Scenario],
    units: list[Unit],
    seed: int,
    scheduler: str,
    batch: int | None,
    progress: Progress | None,
) -> dict[Unit, RunRecord]:
    done: dict[Unit, RunRecord] = {}
    with _client(scheduler) as client:
        from distributed import as_completed as completed_on_dask  # present: _client checked

        if batch is not None:
            tasks = math.ceil(len(units) / max(1, batch))
        else:
            tasks = TASKS_PER_THREAD * max(1, sum(client.nthreads().values()))
        # Explicit keys: Dask would otherwise hash every scenario to name each task.
        run = uuid.uuid4().hex[:12]
        futures = {}
        for number, cut in enumerate(batches(units, tasks)):
            work = [(scenarios[index], replication) for index, replication in cut]
            future = client.submit(
                run_batch, work, seed, key=f"knockon-replications-{run}-{number}"
            )
            futures[future] = cut
        try:
            for future, records in completed_on_dask(futures, with_results=True, loop=client.loop):
                done.update(zip(futures[future], records, strict=True))
                if progress:
                    progress(len(done), len(units))
        except ImportError as error:
            raise ScaleOutError(
                f"the Dask workers of {scheduler} cannot import Knock-on ({error}); install "
                'it on every worker with the same version: pip install "knockon[dask]"'
            ) from None
        except Exception as error:
            if type(error).__name__ in ("KilledWorker", "CommClosedError", "FutureCancelledError"):
                raise ScaleOutError(
                    f"the Dask cluster at {scheduler} lost the work ({type(error).__name__}: "
                    f"{error}); check that its workers are still running and have enough memory"
                ) from None
            raise
    return done


@contextmanager
def _client(scheduler: str) -> Iterator[Client]:
    """A client of the scheduler at `scheduler` with at least one worker, closed after use."""
    try:
        from distributed import Client
    except ImportError:
        raise ScaleOutError(
            f"running on the Dask cluster at {scheduler} needs the distributed package: "
            'pip install "knockon[dask]"'
        ) from None
    try:
        _check_reachable(scheduler)
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_SECONDS, set_as_default=False)
    except (OSError, ValueError, TypeError) as error:
        raise ScaleOutError(
            f"cannot reach the Dask scheduler at {scheduler} ({_first_line(error)}); "
            "start one with `dask scheduler` and check the address"
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_SECONDS)
        except (OSError, TimeoutError):
            raise ScaleOutError(
                f"the Dask scheduler at {scheduler} has no workers; start some with "
                f"`dask worker {scheduler}`"
            ) from None
        yield client
    finally:
        client.close()


def _check_reachable(scheduler: str) -> None:
    """Raise OSError or ValueError unless something listens at a TCP scheduler address.

    Checked before making a Client because a Client that fails to connect is left half
    built, and its clean-up when garbage collected can hang the next Client made.
    """
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    scheme, location = parse_address(scheduler)
    if scheme not in backends:
        known = ", ".join(f"{name}://" for name in sorted(backends))
        raise ValueError(f"{scheme}:// is not a Dask address scheme; use one of {known}")
    if scheme == "tcp":
        host, port = parse_host_port(location)
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_SECONDS):
            pass


def _first_line(error: Any) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
