"""The Scenario page's budget: whether to plan against one, how much, how it is phased
through the year, and where the figure comes from.

Its inputs are widgets rather than a table, so each writes into the document from its
callback, before the page runs; the monthly phasing is a table like the others.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import streamlit as st

from sim.app.glossary import HELP
from sim.app.scenario_page.editing import (
    CHECK,
    FileData,
    change_document,
    edited_rows,
    file_value,
    number_column,
    part_of,
    set_cell,
    table_editor,
)
from sim.app.scenario_page.messages import Placed, row_checks, show_messages
from sim.scenario import model

EVEN, MONTHLY = "even", "month by month"


def _month_names(data: dict[str, Any]) -> list[str]:
    """'Apr 2026' and so on, from the run's first month."""
    run = part_of(data, "run")
    try:
        start = dt.date.fromisoformat(str(run.get("start_date")))
    except ValueError:
        start = model.Run().start_date
    names = []
    for offset in range(12):
        month = (start.month - 1 + offset) % 12 + 1
        year = start.year + (start.month - 1 + offset) // 12
        names.append(f"{calendar.month_abbr[month]} {year}")
    return names


def _budget_on() -> None:
    def change(data: dict[str, Any]) -> None:
        if not st.session_state["budget_on"]:
            data.pop("budget", None)
        elif not isinstance(data.get("budget"), dict):
            data["budget"] = {"annual_gbp": file_value(st.session_state.get("budget_input")) or 0}

    change_document(change)


def _budget_amount() -> None:
    amount = file_value(st.session_state["budget_input"])

    def change(data: dict[str, Any]) -> None:
        budget = data.get("budget")
        if isinstance(budget, dict):
            budget["annual_gbp"] = amount if amount is not None else 0
        elif amount:
            data["budget"] = {"annual_gbp": amount}

    change_document(change)


def _phasing_choice() -> None:
    monthly = st.session_state["phasing_choice"] == MONTHLY

    def change(data: dict[str, Any]) -> None:
        budget = data.get("budget")
        if not isinstance(budget, dict):
            return
        phasing = budget.get("phasing", EVEN)
        if not monthly:
            if isinstance(phasing, list):
                st.session_state["phasing_kept"] = list(phasing)  # for switching back
            budget["phasing"] = EVEN
        elif not isinstance(phasing, list):
            # Even phasing, written out month by month; shares typed before are restored.
            kept = st.session_state.get("phasing_kept")
            budget["phasing"] = list(kept) if kept else [1 / 12] * 12

    change_document(change)


def _budget_source() -> None:
    text = (st.session_state["budget_source"] or "").strip()

    def change(data: dict[str, Any]) -> None:
        budget = data.get("budget")
        if isinstance(budget, dict):
            set_cell(budget, None, "source", text or None)

    change_document(change)


def budget_tab(data: FileData, placed: Placed, generation: int, absorbed: list[str]) -> None:
    """The budget's inputs and, when phased month by month, its table of shares."""
    budget = data.get("budget") if isinstance(data.get("budget"), dict) else None
    # Inputs show the document, whatever they showed before (another file, another page).
    st.session_state["budget_on"] = budget is not None
    st.checkbox(
        "Plan against a budget", key="budget_on", on_change=_budget_on, help=HELP["budget on"]
    )
    amount = file_value((budget or {}).get("annual_gbp"))
    st.session_state["budget_input"] = (
        float(amount) if isinstance(amount, int | float) and amount >= 0 else 0.0
    )
    st.number_input(
        "Annual budget (£)",
        min_value=0.0,
        step=1_000_000.0,
        format="%.0f",
        help=HELP["budget"],
        key="budget_input",
        on_change=_budget_amount,
    )
    phasing = (budget or {}).get("phasing", EVEN)
    st.session_state["phasing_choice"] = MONTHLY if isinstance(phasing, list) else EVEN
    st.radio(
        "Phasing",
        [EVEN, MONTHLY],
        key="phasing_choice",
        on_change=_phasing_choice,
        horizontal=True,
        help=HELP["phasing"],
        disabled=budget is None,
    )
    if budget is not None and isinstance(phasing, list):
        check = row_checks(placed, "phasing")
        months = _month_names(data)
        rows = [
            {
                "month": months[number] if number < len(months) else f"month {number + 1}",
                "share": share,
                "check": check(str(number)),
            }
            for number, share in enumerate(phasing)
        ]
        columns = {
            "month": st.column_config.TextColumn("month", help=HELP["phasing"]),
            "share": number_column("share of the year (0 to 1)", "phasing", format="%.4f"),
            "check": CHECK,
        }
        original, edited = table_editor(
            "phasing_table",
            rows,
            columns,
            numbers=["share"],
            generation=generation,
            disabled=["month"],
        )
        for position, row, changed in edited_rows(original, edited, ["share"]):
            if position is not None and changed:
                phasing[position] = row["share"]
                absorbed.append("phasing_table")
        shares = [share for share in phasing if isinstance(share, int | float)]
        st.caption(f"The {len(phasing)} shares add up to {sum(shares):.4f}.")
    st.session_state["budget_source"] = str((budget or {}).get("source") or "")
    st.text_input(
        "Where the budget comes from",
        key="budget_source",
        on_change=_budget_source,
        help=HELP["budget source"],
        disabled=budget is None,
    )
    show_messages(placed, "budget", "phasing")
