"""Load check: ten board members open the app at once and run the default scenario.

Starts `streamlit run app.py`, opens ten concurrent sessions in headless Chromium (each
its own browser context, as ten laptops would be), and in each: open the app, go to Run,
set the replications (and, in the `different` case, a seed of its own), press Run and wait
for the headline numbers. Meanwhile an eleventh session keeps loading the Scenario page,
to see how quickly the app answers someone else while the runs go on; and the server's
memory (the Streamlit process and its worker processes) is sampled every half second.

Two cases, because they load the app differently:
- `same`: everyone runs the same scenario, seed and replications (a training room): one
  run is shared, everyone else joins it.
- `different`: each session has its own seed, so ten runs queue for the cores.

    python benchmarks/app_load.py                  # both cases, 10 sessions, 4 replications
    python benchmarks/app_load.py --case different --sessions 10 --replications 4

Writes benchmarks/app_load.json and prints a table for the README. Not a test: the
numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).parents[1]))

from sim.app.server import running_app

HERE = Path(__file__).parent
CHROMIUM = os.environ.get("KNOCKON_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
TIMEOUT_MS = 900_000


class Sampler:
    """Memory of the server (its process and all its children) every half second, and
    the CPU seconds used by the server and by everything else this script started (the
    browsers), which share the machine's cores with it."""

    def __init__(self, server_pid: int, every: float = 0.5) -> None:
        self.server = psutil.Process(server_pid)
        self.every = every
        self.samples: list[float] = []
        self.cpu: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            server = [self.server, *self.server.children(recursive=True)]
            ours = {p.pid for p in server}
            others = [p for p in me.children(recursive=True) if p.pid not in ours]
            total = 0
            for group, procs in (("server", server), ("browsers", others)):
                for proc in procs:
                    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                        if group == "server":
                            total += proc.memory_info().rss
                        times = proc.cpu_times()
                        self.cpu[proc.pid] = (group, times.user + times.system)
            self.samples.append(total / 2**20)
            self._stop.wait(self.every)

    def cpu_seconds(self, group: str) -> float:
        return sum(seconds for kind, seconds in self.cpu.values() if kind == group)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def _session(browser: Any, url: str, replications: int, seed: int | None) -> dict[str, float]:
    """One board member: open, go to Run, run, wait for numbers. Times in seconds."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    began = time.monotonic()
    await page.goto(url)
    await page.get_by_text("The scenario is valid").wait_for(timeout=TIMEOUT_MS)
    opened = time.monotonic()
    await page.get_by_role("link", name="Run").click()
    field = page.get_by_role("spinbutton", name="Replications")
    await field.fill(str(replications))
    await field.press("Enter")
    if seed is not None:
        seed_field = page.get_by_role("spinbutton", name="Seed")
        await seed_field.fill(str(seed))
        await seed_field.press("Enter")
    await page.wait_for_timeout(500)  # let the inputs reach the server before Run
    pressed = time.monotonic()
    await page.get_by_role("button", name="Run", exact=True).click()
    await page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=TIMEOUT_MS)
    finished = time.monotonic()
    errors = await page.locator('[data-testid="stException"]').count()
    await context.close()
    if errors:
        raise RuntimeError("a session showed an exception")
    return {"open_s": opened - began, "run_s": finished - pressed, "total_s": finished - began}


async def _probe(browser: Any, url: str, stop: asyncio.Event) -> list[float]:
    """Someone else using the app meanwhile: seconds to load the Scenario page, repeatedly."""
    context = await browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    times = []
    while not stop.is_set():
        began = time.monotonic()
        await page.goto(url)
        await page.get_by_text("The scenario is valid").wait_for(timeout=TIMEOUT_MS)
        times.append(time.monotonic() - began)
        await asyncio.sleep(1)
    await context.close()
    return times


async def _case(url: str, case: str, sessions: int, replications: int) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        stop = asyncio.Event()
        probe = asyncio.create_task(_probe(browser, url, stop))
        began = time.monotonic()
        seeds = [None if case == "same" else 1000 + n for n in range(sessions)]
        results = await asyncio.gather(
            *(_session(browser, url, replications, seed) for seed in seeds)
        )
        wall = time.monotonic() - began
        stop.set()
        probe_times = await probe
        await browser.close()
    runs = sorted(r["run_s"] for r in results)
    opens = sorted(r["open_s"] for r in results)
    return {
        "case": case,
        "sessions": sessions,
        "replications": replications,
        "wall_s": round(wall, 1),
        "open_s_median": round(statistics.median(opens), 2),
        "open_s_max": round(opens[-1], 2),
        "run_s_first": round(runs[0], 1),
        "run_s_median": round(statistics.median(runs), 1),
        "run_s_last": round(runs[-1], 1),
        "probe_loads": len(probe_times),
        "probe_s_median": round(statistics.median(probe_times), 2) if probe_times else None,
        "probe_s_max": round(max(probe_times), 2) if probe_times else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=["same", "different", "both"], default="both")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--replications", type=int, default=4)
    args = parser.parse_args()
    cases = ["same", "different"] if args.case == "both" else [args.case]
    rows = []
    for case in cases:
        # A fresh server per case, so no case finds the other's results in the cache.
        with running_app() as (url, server):
            with Sampler(server.pid) as idle:
                time.sleep(2)
            began = idle.cpu_seconds("server")
            with Sampler(server.pid) as busy:
                row = asyncio.run(_case(url, case, args.sessions, args.replications))
            row["memory_mib_idle"] = round(max(idle.samples), 0)
            row["memory_mib_peak"] = round(max(busy.samples), 0)
            row["cpu_s_server"] = round(busy.cpu_seconds("server") - began, 1)
            row["cpu_s_browsers"] = round(busy.cpu_seconds("browsers"), 1)
        rows.append(row)
        print(json.dumps(row), flush=True)
    report = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        },
        "cases": rows,
    }
    (HERE / "app_load.json").write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(
        "| case | sessions x replications | page opens (median / max) | run to numbers "
        "(first / median / last) | other user's page load while busy (median / max) | "
        "memory idle / peak | CPU seconds: server / browsers |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['case']} | {r['sessions']} x {r['replications']} | "
            f"{r['open_s_median']} s / {r['open_s_max']} s | "
            f"{r['run_s_first']} s / {r['run_s_median']} s / {r['run_s_last']} s | "
            f"{r['probe_s_median']} s / {r['probe_s_max']} s | "
            f"{r['memory_mib_idle']:.0f} MiB / {r['memory_mib_peak']:.0f} MiB | "
            f"{r['cpu_s_server']} s / {r['cpu_s_browsers']} s |"
        )


if __name__ == "__main__":
    main()
