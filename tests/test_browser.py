"""The app in a real browser: start `streamlit run app.py`, open it in headless Chromium
(Debian's package, driven by Playwright), run the default scenario, see numbers and no error.

This test needs /usr/bin/chromium; `.ci/run` installs it, and the test fails rather than
skips when it is missing, so a CI machine without it cannot pass quietly.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.app.server import running_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def app_url() -> Iterator[str]:
    with running_app() as (url, _server):
        yield url


@pytest.mark.slow
def test_the_default_scenario_runs_in_a_real_browser(app_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert Path(CHROMIUM).is_file(), f"Chromium not found at {CHROMIUM}: .ci/run installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(app_url)
        expect(page.get_by_text("The scenario is valid")).to_be_visible(timeout=60_000)
        # The uploader states the app's own limit (.streamlit/config.toml), not Streamlit's.
        expect(page.get_by_text("1MB per file").first).to_be_visible()
        page.get_by_role("link", name="Run").click()
        replications = page.get_by_role("spinbutton", name="Replications")
        replications.fill("2")
        replications.press("Enter")
        page.get_by_role("button", name="Run", exact=True).click()
        metrics = page.locator('[data-testid="stMetricValue"]')
        expect(metrics.first).to_be_visible(timeout=120_000)
        values = metrics.all_inner_texts()
        assert len(values) >= 3 and all(any(c.isdigit() for c in v) for v in values), values
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
