"""Scenario page: open, edit, check and save the local system, without reading YAML.

The document in `st.session_state["document"]` is the truth: each section below reads it,
the tables write every edit into a copy of it, and the copy replaces it once all the
tables have had their say (`sim.app.scenario_page.editing` says why edits are written at
once and how the tables keep Streamlit from applying one twice). The sections are in
`sim.app.scenario_page`, one module each.
"""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from sim.app import state
from sim.app.scenario_page.budget import budget_tab
from sim.app.scenario_page.editing import forget_edits, table_generation
from sim.app.scenario_page.messages import place_problem
from sim.app.scenario_page.network import verdict_and_network
from sim.app.scenario_page.opening import open_section
from sim.app.scenario_page.saving import save_section
from sim.app.scenario_page.tables import (
    contracts_table,
    demand_table,
    pathways_table,
    prices_table,
    providers_table,
)

st.title("Scenario")
st.caption(
    "The local system: who provides care, how much, at what price and under which contract, "
    "and where patients go next. Change anything below: each change is checked at once, and "
    "the checker's messages appear in the row they are about."
)

open_section()

document = state.current()
st.subheader(document.data.get("name", "unnamed scenario"))
loaded, problems = state.validate(document)
placed = [(problem, *place_problem(problem)) for problem in problems]
generation = table_generation(document)
data: dict[str, Any] = copy.deepcopy(document.data)
# Tables whose edits were written into the document on this run.
absorbed: list[str] = []

tabs = st.tabs(["Providers", "Prices", "Contracts", "Demand", "Pathways", "Budget"])
for tab, table in zip(
    tabs,
    (providers_table, prices_table, contracts_table, demand_table, pathways_table, budget_tab),
    strict=True,
):
    with tab:
        table(data, placed, generation, absorbed)

if data != document.data:
    state.replace(state.Document(data=data, origin=document.origin))
    forget_edits(absorbed)
    st.rerun()

verdict_and_network(problems, placed, loaded)
save_section(document)
