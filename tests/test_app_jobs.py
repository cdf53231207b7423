"""The app's background runs: a page waiting for a run learns that it ended at once, not at
its next poll, whatever way it ended."""

from __future__ import annotations

import threading
from concurrent.futures import Executor

import pytest

from sim.app.jobs import Runner, Work
from sim.results.replicate import Progress


def _held_run(release: threading.Event, fail: bool = False) -> Work:
    def work(pool: Executor, progress: Progress) -> str:
        release.wait(30)
        if fail:
            raise ValueError("ward: capacity.servers must be at least 1")
        return "result"

    return work


@pytest.mark.parametrize("fail", [False, True])
def test_a_watcher_is_told_the_moment_a_run_ends(fail: bool) -> None:
    runner, release = Runner(workers=1), threading.Event()
    job = runner.start("key", label="test", total=1, work=_held_run(release, fail), watcher="me")
    assert not job.wait(0.05)
    assert job.state == "running"
    release.set()
    assert job.wait(10)
    assert job.state == ("failed" if fail else "finished")
    assert job.finished is not None
    if fail:
        assert job.error == "ward: capacity.servers must be at least 1"
    else:
        assert runner.collect(job, "me") == "result"
