"""The app's Run button, timed as a user meets it, for benchmarks/benchmark.py.

A fresh `streamlit run app.py` each round, driven by headless Chromium as a board member's
browser would be: from pressing Run to the headline numbers on screen. Each press is a new
browser session with a seed of its own, so no run is found already done in the app's cache:

- the reference network (uploaded on the Scenario page) at the app's fewest replications,
  2, first on the freshly started server (the worker processes start with it) and then
  again with them running;
- the default scenario at the replications it opens with (its file's `run.replications`).

In the same round, outside the app: the same jobs as whole `knockon run` processes with
the same replications on 2 workers, and the idiomatic SimPy script doing the reference
network's 2 replications as two processes side by side, so that both use both cores.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from sim.app.server import running_app  # noqa: E402

CHROMIUM = os.environ.get("KNOCKON_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
TIMEOUT_MS = 600_000
APP_REPLICATIONS = 2
"""The fewest the Run page takes: one replication for each of this machine's two cores."""


def _open(browser: Any, url: str, upload: Path | None) -> Any:
    """A new session on the app, with `upload` opened on the Scenario page if given."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.get_by_text("The scenario is valid").wait_for()
    if upload is not None:
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(upload)
        name = yaml.safe_load(upload.read_text())["name"]
        page.get_by_role("heading", name=name).wait_for()
        page.get_by_text("The scenario is valid").wait_for()
    return page


def press_run(
    browser: Any, url: str, upload: Path | None, replications: int | None, seed: int
) -> float:
    """Seconds from pressing Run to the first headline number, in a new session."""
    page = _open(browser, url, upload)
    page.get_by_role("link", name="Run").click()
    if replications is not None:
        field = page.get_by_role("spinbutton", name="Replications")
        field.fill(str(replications))
        field.press("Enter")
    seed_field = page.get_by_role("spinbutton", name="Seed")
    seed_field.fill(str(seed))
    seed_field.press("Enter")
    page.wait_for_timeout(500)  # let the inputs reach the server before Run
    began = time.perf_counter()
    page.get_by_role("button", name="Run", exact=True).click()
    page.locator('[data-testid="stMetricValue"]').first.wait_for()
    seconds = time.perf_counter() - began
    if page.locator('[data-testid="stException"]').count():
        raise RuntimeError("the app showed an exception")
    page.context.close()
    return seconds


def side_by_side(commands: list[list[str]]) -> float:
    """Wall time of processes started together; each must succeed."""
    began = time.perf_counter()
    processes = [
        subprocess.Popen(c, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for c in commands
    ]
    for command, process in zip(commands, processes, strict=True):
        _, error = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{error.decode()}")
    return time.perf_counter() - began


def app_rounds(
    rounds: int,
    reference: Path,
    default: Path,
    default_replications: int,
    knockon: Callable[..., list[str]],
    folder: Path,
) -> dict[str, Any]:
    """`rounds` rounds of the app's Run button against the same jobs outside the app."""
    from playwright.sync_api import sync_playwright

    python = sys.executable
    measured = []
    for number in range(rounds):
        print(f"  round {number + 1} of {rounds} ...", flush=True)
        row: dict[str, float] = {}
        with running_app() as (url, _server), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            seed = 7000 + 10 * number
            row["app_reference_first"] = press_run(browser, url, reference, APP_REPLICATIONS, seed)
            row["app_reference"] = press_run(browser, url, reference, APP_REPLICATIONS, seed + 1)
            row["app_default"] = press_run(browser, url, None, None, seed + 2)
            browser.close()
        out = ["--out", str(folder / "app_equivalent"), "--overwrite", "--workers", "2"]
        row["run_reference"] = side_by_side(
            [knockon("run", str(reference), *out, "--replications", str(APP_REPLICATIONS))]
        )
        row["run_default"] = side_by_side(
            [knockon("run", str(default), *out, "--replications", str(default_replications))]
        )
        twin = [python, str(HERE / "idiomatic_simpy.py"), str(reference)]
        row["idiomatic_reference"] = side_by_side(
            [[*twin, "--seed", str(seed + k)] for k in range(APP_REPLICATIONS)]
        )
        measured.append({key: round(value, 2) for key, value in row.items()})
    return {
        "rounds": measured,
        "replications": {"reference": APP_REPLICATIONS, "default": default_replications},
    }
