"""The Scenario page's tables, through Streamlit's AppTest: every edit reaches the document
once, the loader's own messages sit in the row they are about, and nothing typed is lost.

AppTest cannot type into a data editor, so each test gives an editor its pending edits the
way the browser does (`edited_rows`, `added_rows`, `deleted_rows` under the editor's key)
and runs the page, as the browser would after a cell edit.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest

from sim.app import state
from sim.app.glossary import HELP

ROOT = Path(__file__).parents[1]
PAGES = "sim/app/pages"
TIMEOUT = 120


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def _edit(
    at: AppTest,
    key: str,
    edited_rows: dict[int, dict[str, Any]] | None = None,
    added_rows: list[dict[str, Any]] | None = None,
    deleted_rows: list[int] | None = None,
) -> AppTest:
    """Edit a table as a user would, and run the page."""
    at.session_state[key] = {
        "edited_rows": edited_rows or {},
        "added_rows": added_rows or [],
        "deleted_rows": deleted_rows or [],
    }
    at.run()
    assert not at.exception, at.exception
    return at


def _data(at: AppTest) -> dict[str, Any]:
    document: state.Document = at.session_state["document"]
    return document.data


def _provider(at: AppTest, provider_id: str) -> dict[str, Any]:
    return next(p for p in _data(at)["providers"] if p["id"] == provider_id)


def _row(at: AppTest, provider_id: str) -> int:
    return [p["id"] for p in _data(at)["providers"]].index(provider_id)


def _table(at: AppTest, key: str) -> pd.DataFrame:
    return at.data_editor(key=key).value.reset_index(drop=True)


def _loaders_problems(at: AppTest) -> list[Any]:
    _loaded, problems = state.validate(at.session_state["document"])
    return problems


def test_changing_a_contract_to_block_with_an_annual_sum_changes_the_documents_contract() -> None:
    at = _app()
    assert _provider(at, "ae")["contract"]["type"] == "activity"
    _edit(at, "contracts_table", {_row(at, "ae"): {"type": "block", "annual_gbp": 5_000_000.0}})
    contract = _provider(at, "ae")["contract"]
    assert contract == {"type": "block", "annual_gbp": 5_000_000}, contract
    assert any("valid" in s.value for s in at.success)
    row = _table(at, "contracts_table").iloc[_row(at, "ae")]
    assert (row["type"], row["annual_gbp"], row["check"]) == ("block", 5_000_000, "")


def test_a_block_contract_without_its_sum_shows_the_loaders_message_in_its_row() -> None:
    at = _app()
    _edit(at, "contracts_table", {_row(at, "ae"): {"type": "block"}})
    assert _provider(at, "ae")["contract"] == {"type": "block"}, "no sum is made up"
    [problem] = [p for p in _loaders_problems(at) if p.is_error]
    assert problem.field == "providers[ae].contract.annual_gbp"
    checks = _table(at, "contracts_table")["check"].tolist()
    assert checks[_row(at, "ae")] == f"contract.annual_gbp: {problem.message}"
    assert [c for i, c in enumerate(checks) if i != _row(at, "ae")] == [""] * (len(checks) - 1)
    assert str(problem) in [e.value for e in at.error], "listed under the table in full"
    assert any("Contracts (1)" in c.value for c in at.caption), "the summary names the tab"
    at.switch_page(f"{PAGES}/run.py").run()
    assert at.button(key="run_button").disabled
    assert any(str(problem) in e.value for e in at.error), "Run says why"


def test_switching_a_contract_type_keeps_only_the_new_types_figures() -> None:
    at = _app()
    gp = _row(at, "gp")
    _edit(at, "contracts_table", {gp: {"type": "cost_and_volume", "volume": 900_000.0}})
    contract = _provider(at, "gp")["contract"]
    assert contract == {"type": "cost_and_volume", "annual_gbp": 45_000_000, "volume": 900_000}
    _edit(at, "contracts_table", {gp: {"type": "marginal_rate"}})
    assert _provider(at, "gp")["contract"] == {"type": "marginal_rate"}
    messages = _table(at, "contracts_table")["check"].iloc[gp]
    assert "contract.baseline_volume: required, but missing" in messages
    assert "contract.rate: required, but missing" in messages


def test_editing_a_phased_block_keeps_its_monthly_phasing() -> None:
    """The phasing is twelve values, edited in the file: the table must not drop it."""
    at = _app()
    at.selectbox(key="bundled_choice").set_value("lesson2_sdec_frontloaded.yaml")
    at.button(key="open_bundled").click().run()
    assert not at.exception, at.exception
    phasing = _provider(at, "sdec")["contract"]["phasing"]
    assert "phasing" not in _table(at, "contracts_table").columns
    _edit(at, "contracts_table", {_row(at, "sdec"): {"annual_gbp": 2_000_000.0}})
    contract = _provider(at, "sdec")["contract"]
    assert (contract["annual_gbp"], contract["phasing"]) == (2_000_000, phasing)
    assert not [p for p in _loaders_problems(at) if p.is_error]


def test_adding_a_pathway_row_adds_exactly_one_pathway() -> None:
    at = _app()
    before = list(_data(at)["pathways"])
    new = {"from": "nhs111", "to": "outpatients", "share": 0.01}
    _edit(at, "pathways_table", added_rows=[new])
    assert _data(at)["pathways"] == [*before, new]
    at.run()
    at.run()
    assert _data(at)["pathways"] == [*before, new], "the added row is not added again"
    assert len(_table(at, "pathways_table")) == len(before) + 1


def test_deleting_and_editing_pathway_rows_keeps_the_others_whole() -> None:
    at = _app()
    before = list(_data(at)["pathways"])
    _edit(at, "pathways_table", edited_rows={1: {"share": 0.006}}, deleted_rows=[0])
    after = _data(at)["pathways"]
    assert after[0] == {**before[1], "share": 0.006}, "its source is kept"
    assert after[1:] == before[2:]


def test_an_unfinished_pathway_row_is_kept_with_the_loaders_messages_in_it() -> None:
    at = _app()
    count = len(_data(at)["pathways"])
    _edit(at, "pathways_table", added_rows=[{"from": "ward"}])
    assert _data(at)["pathways"][-1] == {"from": "ward"}, "what was typed is kept"
    check = _table(at, "pathways_table")["check"].iloc[count]
    for problem in _loaders_problems(at):
        if problem.field.startswith(f"pathways[{count}]"):
            assert problem.message in check
    assert "to: required, but missing" in check
    at.switch_page(f"{PAGES}/run.py").run()
    assert at.button(key="run_button").disabled


def _with_frail_cohort(at: AppTest) -> AppTest:
    """The default scenario with frail patients who leave A&E by pathways of their own."""
    data = copy.deepcopy(_data(at))
    data["cohorts"] = [{"id": "frail", "name": "Frail older people"}]
    data["demand"].append({"id": "frail_need", "enters": "ae", "per_day": 5, "cohort": "frail"})
    data["pathways"] += [
        {"from": "ae", "to": "ward", "share": 0.4, "cohort": "frail"},
        {"from": "ae", "to": "home", "share": 0.6, "cohort": "frail"},
    ]
    at.session_state["document"] = state.Document(data=data, origin="frail.yaml")
    at.run()
    assert not at.exception, at.exception
    return at


def _pathway_rows(at: AppTest, start: str, end: str) -> list[int]:
    pathways = _data(at)["pathways"]
    return [i for i, p in enumerate(pathways) if (p["from"], p["to"]) == (start, end)]


def test_the_pathways_table_shows_which_cohort_a_pathway_is_for() -> None:
    at = _app()
    assert "cohort" not in _table(at, "pathways_table"), "no cohorts, no cohort column"
    _with_frail_cohort(at)
    table = _table(at, "pathways_table")
    everyone, frail = _pathway_rows(at, "ae", "ward")
    assert pd.isna(table["cohort"].iloc[everyone])
    assert table["cohort"].iloc[frail] == "frail"
    columns = json.loads(at.data_editor(key="pathways_table").proto.columns)
    assert columns["cohort"]["help"] == HELP["pathway cohort"]
    assert any("valid" in s.value for s in at.success)


def test_editing_a_cohort_pathways_share_keeps_its_cohort() -> None:
    at = _with_frail_cohort(_app())
    before = list(_data(at)["pathways"])
    _everyone, frail = _pathway_rows(at, "ae", "ward")
    _edit(at, "pathways_table", edited_rows={frail: {"share": 0.3}})
    after = _data(at)["pathways"]
    assert after[frail] == {"from": "ae", "to": "ward", "share": 0.3, "cohort": "frail"}
    assert after[:frail] + after[frail + 1 :] == before[:frail] + before[frail + 1 :]


def test_a_pathway_can_be_given_a_cohort_and_given_back_to_everyone() -> None:
    at = _with_frail_cohort(_app())
    everyone = _pathway_rows(at, "gp", "ward")[0]
    _edit(at, "pathways_table", edited_rows={everyone: {"cohort": "frail"}})
    assert _data(at)["pathways"][everyone]["cohort"] == "frail"
    assert _table(at, "pathways_table")["cohort"].iloc[everyone] == "frail"
    _edit(at, "pathways_table", edited_rows={everyone: {"cohort": None}})
    assert "cohort" not in _data(at)["pathways"][everyone]
    new = {"from": "ward", "to": "home", "share": 1.0, "cohort": "frail"}
    _edit(at, "pathways_table", added_rows=[new])
    assert _data(at)["pathways"][-1] == new


def test_a_cohort_nobody_declared_shows_the_loaders_message_in_its_row() -> None:
    at = _with_frail_cohort(_app())
    frail = _pathway_rows(at, "ae", "home")[-1]
    _edit(at, "pathways_table", edited_rows={frail: {"cohort": "frial"}})
    assert _data(at)["pathways"][frail]["cohort"] == "frial", "what was typed is kept"
    [problem] = [p for p in _loaders_problems(at) if p.is_error]
    assert problem.field == "pathways[ae->home@frial].cohort"
    assert "unknown cohort 'frial'" in problem.message
    table = _table(at, "pathways_table")
    assert table["cohort"].iloc[frail] == "frial", "shown as typed, not blank"
    assert table["check"].iloc[frail] == f"cohort: {problem.message}"
    others = [c for i, c in enumerate(table["check"]) if i != frail]
    assert others == [""] * len(others)
    assert str(problem) in [e.value for e in at.error], "listed under the table in full"


def test_editing_the_phasing_writes_twelve_shares() -> None:
    at = _app()
    at.radio(key="phasing_choice").set_value("month by month").run()
    assert not at.exception, at.exception
    phasing = _data(at)["budget"]["phasing"]
    assert len(phasing) == 12 and abs(sum(phasing) - 1) < 1e-9
    table = _table(at, "phasing_table")
    assert table["month"].tolist()[:2] == ["Apr 2026", "May 2026"]
    shares = [0.1, 0.1, *[0.08] * 10]
    _edit(at, "phasing_table", {month: {"share": share} for month, share in enumerate(shares)})
    assert _data(at)["budget"]["phasing"] == shares
    assert any("valid" in s.value for s in at.success)
    _edit(at, "phasing_table", {0: {"share": 0.2}})
    assert _data(at)["budget"]["phasing"] == [0.2, *shares[1:]]
    [problem] = [p for p in _loaders_problems(at) if p.is_error]
    assert problem.field == "budget.phasing"
    assert str(problem) in [e.value for e in at.error]
    at.radio(key="phasing_choice").set_value("even").run()
    assert _data(at)["budget"]["phasing"] == "even"
    at.radio(key="phasing_choice").set_value("month by month").run()
    assert _data(at)["budget"]["phasing"] == [0.2, *shares[1:]], "typed shares come back"


def test_an_edit_survives_a_page_switch_and_back() -> None:
    at = _app()
    ward = _row(at, "ward")
    _edit(at, "providers_table", {ward: {"servers": 520.0}})
    at.number_input(key="budget_input").set_value(250_000_000.0).run()
    at.switch_page(f"{PAGES}/run.py").run()
    at.switch_page(f"{PAGES}/scenario.py").run()
    assert not at.exception, at.exception
    assert _provider(at, "ward")["capacity"]["servers"] == 520
    assert _table(at, "providers_table")["servers"].iloc[ward] == 520
    assert _data(at)["budget"]["annual_gbp"] == 250_000_000
    assert at.number_input(key="budget_input").value == 250_000_000


def test_prices_have_their_own_table_and_the_loaders_messages() -> None:
    at = _app()
    ward = _row(at, "ward")
    _edit(at, "prices_table", {ward: {"trim_days": 10.0, "marginal_cost_share": 0.5}})
    price = _provider(at, "ward")["price"]
    assert (price["trim_days"], price["marginal_cost_share"]) == (10, 0.5)
    _edit(at, "prices_table", {ward: {"per_excess_day_gbp": None}})
    assert "per_excess_day_gbp" not in _provider(at, "ward")["price"]
    [problem] = [p for p in _loaders_problems(at) if p.is_error]
    check = _table(at, "prices_table")["check"].iloc[ward]
    assert problem.message in check and problem.field.startswith("providers[ward].price")
    providers_check = _table(at, "providers_table")["check"].iloc[ward]
    assert problem.message not in providers_check, "shown with the prices, not the capacities"


def test_a_changed_stay_distribution_keeps_only_its_own_figures() -> None:
    at = _app()
    ae = _row(at, "ae")
    _edit(at, "providers_table", {ae: {"distribution": "uniform", "min_days": 0.05}})
    assert _provider(at, "ae")["length_of_stay"] == {"distribution": "uniform", "min_days": 0.05}
    check = _table(at, "providers_table")["check"].iloc[ae]
    assert "length_of_stay.max_days: required, but missing" in check
    _edit(at, "providers_table", {ae: {"max_days": 0.3}})
    assert any("valid" in s.value for s in at.success)


def test_reopening_a_file_drops_the_edits_made_to_it() -> None:
    at = _app()
    _edit(at, "providers_table", {_row(at, "ward"): {"servers": 520.0}})
    at.selectbox(key="bundled_choice").set_value("northshire_2026.yaml")
    at.button(key="open_bundled").click().run()
    at.run()
    assert not at.exception, at.exception
    assert _data(at) == state.read_file(state.DEFAULT).data


def test_every_column_and_input_on_the_page_has_help() -> None:
    at = _app()
    at.radio(key="phasing_choice").set_value("month by month").run()
    for editor in at.data_editor:
        columns = json.loads(editor.proto.columns)
        unhelped = [
            name for name, config in columns.items() if name != "_index" and not config.get("help")
        ]
        assert not unhelped, (editor.key, unhelped)
    for kind in ("number_input", "checkbox", "radio", "text_input", "selectbox", "button"):
        for widget in at.get(kind):
            assert widget.help, (kind, widget.key)
