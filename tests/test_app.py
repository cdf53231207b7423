"""The app, page by page, through Streamlit's AppTest: load, edit, run, compare, export."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).parents[1]
PAGES = "sim/app/pages"
TIMEOUT = 120


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_scenario_page_opens_the_default_scenario_and_says_it_is_valid() -> None:
    at = _app()
    assert "Northshire" in at.subheader[0].value
    assert any("valid" in s.value for s in at.success)


def test_an_invalid_edit_shows_the_loaders_message_and_disables_run() -> None:
    at = _app()
    at.number_input(key="budget_input").set_value(0.0).run()
    assert not at.exception
    providers = at.session_state["document"].data["providers"]
    ward = next(p for p in providers if p["id"] == "ward")
    ward["capacity"]["servers"] = 0
    at.run()
    assert any("servers" in e.value for e in at.error)
    at.switch_page(f"{PAGES}/run.py").run()
    assert at.button(key="run_button").disabled


def test_a_run_shows_headline_numbers_and_rerunning_is_instant() -> None:
    at = _app()
    at.switch_page(f"{PAGES}/run.py").run()
    at.number_input(key="replications").set_value(2).run()
    at.button(key="run_button").click().run()
    assert not at.exception, at.exception
    assert len(at.metric) >= 3
    assert all(m.value for m in at.metric)


def test_comparing_two_bundled_files_shows_the_input_diff_and_the_summary() -> None:
    at = _app()
    at.switch_page(f"{PAGES}/compare.py").run()
    at.selectbox(key="compare_base").set_value("northshire_2026.yaml").run()
    at.multiselect(key="compare_variants").set_value(["northshire_2026_urgent_response.yaml"])
    at.number_input(key="compare_replications").set_value(2).run()
    at.button(key="compare_button").click().run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "new provider urgent_response" in text
    assert "Total paid by the commissioner" in text


def test_after_a_run_every_export_can_be_downloaded() -> None:
    at = _app()
    at.switch_page(f"{PAGES}/run.py").run()
    at.number_input(key="replications").set_value(2).run()
    at.button(key="run_button").click().run()
    at.switch_page(f"{PAGES}/export.py").run()
    assert not at.exception, at.exception
    keys = {"export_yaml", "export_csv", "export_xlsx", "export_html"}
    assert keys <= {button.key for button in at.get("download_button")}


def test_the_learn_page_explains_every_term() -> None:
    from sim.app.glossary import GLOSSARY

    at = _app()
    at.switch_page(f"{PAGES}/learn.py").run()
    text = " ".join(m.value for m in at.markdown)
    assert all(f"**{term}**" in text for term in GLOSSARY)
