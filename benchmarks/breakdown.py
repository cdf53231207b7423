"""Where a whole `knockon` command's time goes, from a sampling profiler, phase by phase.

    python benchmarks/breakdown.py run benchmarks/reference_network.yaml --out /tmp/run \
        --replications 1 --workers 1 --overwrite

runs the command in this process (as `python -m sim ...` would) while a thread samples the
main thread's stack every millisecond and charges the time since the last sample to the
phase the stack is in:

- start-up: importing modules (wherever an import happens) and the interpreter itself;
- load and checks: reading and validating the scenario file;
- warm-up and measured period: the engine, split by the simulation clock at the sample;
- money: costs, payments, budgets, practices, pooling (sim.money);
- tables and intervals: the output tables, their confidence intervals, the summary;
- files written: turning the tables into CSV text and writing it;
- waiting for worker processes: replications running elsewhere (`--workers` above 1);
- console and other: the command line itself, progress bar and printing.

The interpreter's own start (before this script runs) is not sampled: the caller gets it
as the whole process's wall time less `sampled_seconds`. Sampling costs about 1% of the
run; a phase shorter than a few milliseconds is noise. With `--workers` above 1 the
replications run in other processes: the parent's time waiting for them is its own phase.

Prints one JSON object: {"phases": {phase: seconds}, "sampled_seconds": ..., "exit_code": ...}.
"""

from __future__ import annotations

import contextlib
import io
import json
import runpy
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

PHASES = (
    "start-up",
    "load and checks",
    "warm-up",
    "measured period",
    "money",
    "tables and intervals",
    "files written",
    "waiting for worker processes",
    "console and other",
)

SAMPLE_SECONDS = 0.001

ROOT = Path(__file__).resolve().parents[1]
SIM = str(ROOT / "sim")
sys.path.insert(0, str(ROOT))  # this checkout's sim, whatever is installed


def _in(frame: FrameType, *parts: str) -> bool:
    return frame.f_code.co_filename.startswith(str(Path(SIM, *parts)))


def phase_of(frame: FrameType | None) -> str:
    """The phase a stack (innermost frame first) is in."""
    stack = []
    while frame is not None:
        stack.append(frame)
        frame = frame.f_back
    if any("importlib._bootstrap" in f.f_code.co_filename for f in stack):
        return "start-up"
    for f in stack:
        if _in(f, "engine"):
            return _engine_phase(stack)
        if _in(f, "money"):
            return "money"
        if _in(f, "results", "replicate.py"):
            return "waiting for worker processes"
        if _in(f, "results", "run.py") and f.f_code.co_name in ("files", "write"):
            return "files written"
        if _in(f, "results") or _in(f, "intervals.py"):
            return "tables and intervals"
        if _in(f, "scenario"):
            return "load and checks"
    return "console and other"


def _engine_phase(stack: list[FrameType]) -> str:
    """Warm-up or measured period, by the simulation clock of the World being run."""
    for f in stack:
        if _in(f, "engine", "world.py") and f.f_code.co_name == "run":
            world: Any = f.f_locals.get("self")
            if world is not None:
                warming = world.env.now < world.calendar.warm_up_days
                return "warm-up" if warming else "measured period"
    return "measured period"


class Sampler(threading.Thread):
    """Charges wall time to the main thread's phase at each sample."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        main = threading.main_thread().ident
        assert main is not None
        self.main = main
        self.stopped = threading.Event()
        self.seconds = dict.fromkeys(PHASES, 0.0)

    def run(self) -> None:
        last = time.perf_counter()
        while not self.stopped.is_set():
            time.sleep(SAMPLE_SECONDS)
            frame = sys._current_frames().get(self.main)
            now = time.perf_counter()
            self.seconds[phase_of(frame)] += now - last
            last = now


def main(argv: list[str]) -> int:
    sampler = Sampler()
    began = time.perf_counter()
    sampler.start()
    sys.argv = ["knockon", *argv]
    code: Any = 0
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            runpy.run_module("sim", run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        code = stop.code
    sampler.stopped.set()
    sampler.join()
    sampled = time.perf_counter() - began
    report = {
        "phases": {phase: round(seconds, 3) for phase, seconds in sampler.seconds.items()},
        "sampled_seconds": round(sampled, 3),
        "exit_code": code if isinstance(code, int) else 1,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
