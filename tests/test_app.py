"""The app, page by page, through Streamlit's AppTest: load, edit, run, compare, export."""

from __future__ import annotations

import time
from collections.abc import Callable
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


def _until(at: AppTest, done: Callable[[AppTest], object], seconds: float = 300) -> AppTest:
    """Runs go on in the background while the page polls: rerun until `done` holds."""
    deadline = time.monotonic() + seconds
    while not done(at):
        assert not at.exception, at.exception
        assert time.monotonic() < deadline, "the run did not finish in time"
        time.sleep(0.5)
        at.run()
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
    _until(at, lambda at: at.metric)
    assert len(at.metric) >= 3
    assert all(m.value for m in at.metric)
    # The same scenario, seed and replications again: no new run, the results at once.
    at.button(key="run_button").click().run()
    assert not at.exception, at.exception
    assert len(at.metric) >= 3
    assert not [b for b in at.button if b.key == "cancel_run"]


def test_a_long_run_can_be_cancelled_and_nothing_set_is_lost() -> None:
    at = _app()
    at.switch_page(f"{PAGES}/run.py").run()
    at.number_input(key="replications").set_value(60).run()
    at.button(key="run_button").click().run()
    assert at.button(key="run_button").disabled  # one run at a time per session
    at.button(key="cancel_run").click().run()
    assert not at.exception, at.exception
    assert any("cancelled" in w.value for w in at.warning)
    assert not at.metric
    assert at.number_input(key="replications").value == 60
    at.switch_page(f"{PAGES}/scenario.py").run()
    at.switch_page(f"{PAGES}/run.py").run()
    assert at.number_input(key="replications").value == 60
    assert not at.button(key="run_button").disabled


def test_comparing_two_bundled_files_shows_the_input_diff_and_the_summary() -> None:
    at = _app()
    at.switch_page(f"{PAGES}/compare.py").run()
    at.selectbox(key="compare_base").set_value("northshire_2026.yaml").run()
    at.multiselect(key="compare_variants").set_value(["northshire_2026_urgent_response.yaml"])
    at.number_input(key="compare_replications").set_value(2).run()
    at.button(key="compare_button").click().run()
    _until(at, lambda at: "comparison" in at.session_state)
    text = " ".join(m.value for m in at.markdown)
    assert "new provider urgent_response" in text
    # The block is paid whatever happens, so even 2 replications tell it apart from chance;
    # the total paid is always spoken of (on 2 replications, perhaps as not told from chance).
    assert "Payments to Urgent community response (2-hour crisis response) rise by £500.0k" in text
    assert "total paid by the commissioner" in text.lower()
    at.switch_page(f"{PAGES}/export.py").run()
    assert not at.exception, at.exception
    keys = {"export_comparison_csv", "export_comparison_xlsx"}
    assert keys <= {button.key for button in at.get("download_button")}


def test_a_sensitivity_run_on_the_compare_page_draws_a_tornado() -> None:
    at = _app()
    at.switch_page(f"{PAGES}/compare.py").run()
    ward_beds = "providers[ward].capacity.servers"
    at.multiselect(key="sensitivity_inputs").set_value([ward_beds]).run()
    at.number_input(key="sensitivity_replications").set_value(2).run()
    at.button(key="sensitivity_button").click().run()
    _until(at, lambda at: "tornado" in at.session_state)
    table, metric = at.session_state["tornado"]
    assert metric == "all.paid_gbp"
    assert list(table["input"]) == [ward_beds]
    assert any(chart.proto.spec for chart in at.get("plotly_chart"))


def test_after_a_run_every_export_can_be_downloaded() -> None:
    at = _app()
    at.switch_page(f"{PAGES}/run.py").run()
    at.number_input(key="replications").set_value(2).run()
    at.button(key="run_button").click().run()
    _until(at, lambda at: at.metric)
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


def test_a_learn_exercise_records_the_boards_answer_and_reveals_what_happened() -> None:
    at = _app()
    at.switch_page(f"{PAGES}/learn.py").run()
    at.selectbox(key="exercise_pick").set_value("northshire_2026_urgent_response.yaml").run()
    assert not at.exception, at.exception
    answer = at.radio(key="exercise_choice").options[2]
    at.radio(key="exercise_choice").set_value(answer).run()
    at.number_input(key="exercise_replications").set_value(2).run()
    at.button(key="reveal_button").click().run()
    _until(at, lambda at: at.session_state["exercise_reveals"])
    text = " ".join(m.value for m in at.markdown)
    assert "new provider urgent_response" in text
    # The summary always speaks of the total paid (on 2 replications, perhaps to say that
    # chance cannot be ruled out).
    assert "total paid by the commissioner" in text.lower()
    (table,) = [frame.value for frame in at.dataframe if "held" in frame.value.columns]
    assert list(table["metric"]) == [
        "all.paid_gbp",
        "ae.arrivals",
        "ward.arrivals",
        "community.arrivals",
    ]
    # The board's answer and the reveal are still there after visiting another page.
    at.switch_page(f"{PAGES}/compare.py").run()
    at.switch_page(f"{PAGES}/learn.py").run()
    assert not at.exception, at.exception
    assert at.radio(key="exercise_choice").value == answer
    assert any("held" in frame.value.columns for frame in at.dataframe)


def test_each_exercise_starts_at_the_replications_its_answer_needs() -> None:
    at = _app()
    at.switch_page(f"{PAGES}/learn.py").run()
    at.selectbox(key="exercise_pick").set_value("lesson6_social_care_cut.yaml").run()
    assert not at.exception, at.exception
    # Lesson 6's A&E wait shows beyond chance only over the baseline's 20 replications.
    assert at.number_input(key="exercise_replications").value == 20
    at.selectbox(key="exercise_pick").set_value("lesson7_pooling_risk.yaml").run()
    assert at.number_input(key="exercise_replications").value == 10


def test_the_lesson4_reveal_checks_the_bill_before_the_comparison() -> None:
    from tests.test_lessons import OVER_CLAIMED

    at = _app()
    at.switch_page(f"{PAGES}/learn.py").run()
    at.selectbox(key="exercise_pick").set_value("lesson4_check_bills.yaml").run()
    assert not at.exception, at.exception
    at.radio(key="exercise_choice").set_value(at.radio(key="exercise_choice").options[2]).run()
    # The bill check runs on the baseline's own replications (as check-bills does) unless
    # the facilitator asks for fewer: 5 still flag exactly the padded lines.
    assert at.number_input(key="exercise_bill_replications").value == 20
    at.number_input(key="exercise_replications").set_value(2).run()
    at.number_input(key="exercise_bill_replications").set_value(5).run()
    at.button(key="reveal_button").click().run()
    _until(at, lambda at: at.session_state["exercise_reveals"])
    assert not at.exception, at.exception
    (flagged,) = [f.value for f in at.dataframe if "what is wrong" in f.value.columns]
    assert list(flagged.columns) == ["line", "provider", "month", "what is wrong"]
    assert set(zip(flagged["provider"], flagged["month"], strict=True)) == OVER_CLAIMED
    assert list(flagged["line"]) == [10, 11, 12, 19, 44]
    assert flagged["what is wrong"].str.len().gt(0).all()
    text = " ".join(m.value for m in at.markdown)
    assert "48 bill lines checked, 5 flagged" in text and "43 of 48 lines passed" in text
    headings = [s.value for s in at.subheader]
    assert headings.index("The bill") < headings.index("The comparison")
    assert headings.index("The comparison") < headings.index("The expected answer")


def test_no_page_shows_its_own_notes() -> None:
    """Streamlit writes out any bare string at a page's top level ("magic"): a note meant
    for readers of the code would appear on screen. Only the module docstring may stand."""
    import ast

    for path in [ROOT / "app.py", *sorted((ROOT / PAGES).glob("*.py"))]:
        tree = ast.parse(path.read_text())
        statements = tree.body[1:] if ast.get_docstring(tree) else tree.body
        shown = [
            node.lineno
            for top in statements
            for node in ast.walk(top)
            if not isinstance(top, ast.FunctionDef | ast.ClassDef)
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ]
        assert not shown, f"{path.name}: bare strings on lines {shown} would be shown"
