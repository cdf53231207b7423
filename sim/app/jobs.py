"""Long runs in the background, so a page never blocks and a run can be stopped.

A Streamlit server is one process serving every browser session. A replication is
seconds of pure Python, so running it in the script thread would freeze that session,
and running it in a thread would hold the GIL against everyone else's. Instead every
session's replications go to one pool of worker processes owned by the server (as many
as there are cores), driven by a background thread per run; pages poll the run's
progress and show its result when it is done. Queued work from several sessions shares
the cores first come, first served.

Two sessions asking for the same run (same scenario content, seed and replications)
share it. Cancelling a run stops it only when no other session is still waiting for it;
the replications not yet started are dropped and the cores go to the next run.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Literal

import streamlit as st

from sim.results.replicate import Progress

Work = Callable[[Executor, Progress], Any]
"""What a run does: given the pool to submit replications to and a progress callback,
return the result to keep (a RunResult, a Comparison, a tornado table)."""

State = Literal["running", "finished", "cancelled", "failed"]

WORKER_NICENESS = 10
"""How much lower than the server the worker processes run (Unix `nice`)."""

POLL_SECONDS = 1.0
"""How often a page waiting for a run asks how it is going."""

WAIT_FRACTION = 0.8
"""Of each poll, the part the server spends waiting for the run to end, so that the page
shows a finished run at once. A click meanwhile (Cancel, another page) is answered when the
wait ends, so at most this much of a second later."""

KEPT_JOBS = 32
"""Finished runs remembered for sessions that have not looked back yet."""

WORKER_PRELOAD = ("sim.results.replicate", "sim.engine.world")
"""What a replication imports, loaded once in the fork server the workers start from."""


class _JobExecutor(Executor):
    """The shared pool, seen through one run: cancelling the run cancels its replications
    that have not started, and refuses any it would still submit."""

    def __init__(self, pool: Executor) -> None:
        self._pool = pool
        self._futures: list[Future[Any]] = []
        self._cancelled = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            if self._cancelled:
                raise CancelledError
            future = self._pool.submit(fn, *args, **kwargs)
            self._futures.append(future)
            return future

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            for future in self._futures:
                future.cancel()


@dataclass(eq=False)
class Job:
    """One run in the background, as the pages see it."""

    key: Hashable
    label: str
    total: int
    done: int = 0
    state: State = "running"
    result: Any = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    watchers: set[str] = field(default_factory=set)
    _executor: _JobExecutor | None = field(default=None, repr=False)
    _ended: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def wait(self, seconds: float) -> bool:
        """Whether the run has ended, waiting up to `seconds` for it to."""
        return self._ended.wait(seconds)


def _ready() -> None:
    """Nothing: submitted once per worker to start the workers before they are needed."""


def _lower_priority() -> None:
    if hasattr(os, "nice"):  # Unix
        os.nice(WORKER_NICENESS)


class Runner:
    """The server's pool of worker processes and the runs in flight on it."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._jobs: dict[Hashable, Job] = {}
        self._lock = threading.Lock()

    def _shared_pool(self) -> ProcessPoolExecutor:
        # forkserver: a worker is never forked from the server's threads mid-flight. Workers
        # run at a lower priority, so pages stay quick for everyone while replications run.
        # The fork server imports the engine once (WORKER_PRELOAD), so each worker starts
        # with it loaded instead of importing it on the first replication it is given.
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["__main__", *WORKER_PRELOAD])
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_lower_priority
            )
        return self._pool

    def warm(self) -> None:
        """Start the worker processes now, in the background, so that the first Run pressed
        does not wait for them."""
        with self._lock:
            pool = self._shared_pool()

        def start_workers() -> None:
            for _ in range(self.workers):
                pool.submit(_ready)

        threading.Thread(target=start_workers, name="knockon-warm", daemon=True).start()

    def start(self, key: Hashable, label: str, total: int, work: Work, watcher: str) -> Job:
        """Start a run, or join the same run already in flight."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and job.state in ("running", "finished"):
                job.watchers.add(watcher)
                return job
            job = Job(key=key, label=label, total=total, watchers={watcher})
            job._executor = _JobExecutor(self._shared_pool())
            self._jobs[key] = job
            self._forget_old()
        threading.Thread(
            target=self._run, args=(job, work), name=f"knockon-run-{label}", daemon=True
        ).start()
        return job

    def _run(self, job: Job, work: Work) -> None:
        assert job._executor is not None
        try:
            result = work(job._executor, job.progress)
            if job.state == "running":
                job.result, job.state = result, "finished"
        except CancelledError:
            job.state = "cancelled"
        except BrokenProcessPool:
            # A worker died (out of memory, killed): start a fresh pool for the next run.
            with self._lock:
                self._pool = None
            job.state, job.error = "failed", "a worker process stopped unexpectedly"
        except Exception as error:  # shown to the user as the library's one-line message
            job.state, job.error = "failed", str(error)
        finally:
            job.finished = time.monotonic()
            job._ended.set()

    def job(self, key: Hashable | None) -> Job | None:
        with self._lock:
            return None if key is None else self._jobs.get(key)

    def collect(self, job: Job, watcher: str) -> Any:
        """A finished run's result, for one of the sessions waiting for it; the run is
        forgotten once every one of them has collected it (results worth keeping live in
        the pages' own bounded caches)."""
        with self._lock:
            job.watchers.discard(watcher)
            if not job.watchers and self._jobs.get(job.key) is job:
                del self._jobs[job.key]
        return job.result

    def cancel(self, job: Job, watcher: str) -> None:
        """Stop waiting for a run; it stops when nobody else is waiting for it."""
        with self._lock:
            job.watchers.discard(watcher)
            if job.watchers or job.state != "running":
                return
            job.state = "cancelled"  # at once: asking again starts afresh, joins nothing
            if job._executor is not None:
                job._executor.cancel()

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.state != "running"]
        for key in finished[: max(0, len(finished) - KEPT_JOBS)]:
            del self._jobs[key]


@st.cache_resource(show_spinner=False)
def runner() -> Runner:
    """One runner per server, shared by every session; its workers start with it."""
    shared = Runner(workers=os.cpu_count() or 1)
    shared.warm()
    return shared


def session_id() -> str:
    """Who is waiting: one id per browser session."""
    if "_session_id" not in st.session_state:
        import uuid

        st.session_state["_session_id"] = uuid.uuid4().hex
    return str(st.session_state["_session_id"])


def watch(job: Job, *, cancel_key: str, what: str = "replications") -> None:
    """While `job` runs: its progress and a Cancel button, refreshed every POLL_SECONDS.

    When it ends the whole page reruns, so the page's code shows the result."""

    @st.fragment(run_every=POLL_SECONDS)
    def _progress() -> None:
        if job.state != "running":
            st.rerun()
        st.progress(
            job.fraction,
            text=f"{job.done} of {job.total} {what} done ({job.seconds:.0f} s); "
            "you can keep working on other pages",
        )
        if st.button("Cancel", key=cancel_key):
            runner().cancel(job, session_id())
            st.rerun()
        # Wait here for most of the interval rather than sleep in the browser, so the
        # result shows the moment the run ends rather than at the next poll.
        if job.wait(WAIT_FRACTION * POLL_SECONDS):
            st.rerun()

    _progress()
