"""Run page: simulate the scenario and show what happens, month by month."""

from __future__ import annotations

import os

import streamlit as st

from sim.app import charts, state
from sim.app.glossary import HELP
from sim.results import run_scenario

st.title("Run")
document = state.current()
loaded, problems = state.validate(document)
errors = [p for p in problems if p.is_error]

if loaded is None or errors:
    st.error(
        "This scenario cannot run until its problems are fixed on the Scenario page: "
        + "; ".join(str(p) for p in errors[:3])
    )
    st.button("Run", disabled=True, key="run_button")
    st.stop()

scenario = loaded.scenario
left, right = st.columns(2)
replications = left.number_input(
    "Replications",
    min_value=2,
    max_value=200,
    value=int(st.session_state.get("replications", scenario.run.replications)),
    help=HELP["replications"],
    key="replications",
)
seed = right.number_input(
    "Seed",
    min_value=0,
    value=int(st.session_state.get("seed", scenario.run.seed)),
    help=HELP["seed"],
    key="seed",
)

result = state.cached_result(scenario, int(replications), int(seed))
if st.button("Run", type="primary", key="run_button") and result is None:
    bar = st.progress(0.0, text="Running replications ...")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"{done} of {total} replications")

    result = run_scenario(
        scenario,
        int(replications),
        int(seed),
        workers=min(2, os.cpu_count() or 1),
        progress=progress,
    )
    state.remember(scenario, int(replications), int(seed), result)
    bar.empty()
elif result is not None:
    state.remember(scenario, int(replications), int(seed), result)

if result is None:
    st.info("Press Run to simulate the scenario.")
    st.stop()

st.subheader(f"{scenario.name}: means of {result.summary['replications']} replications")
cards = charts.headline_cards(result)
for column, (label, value, note) in zip(st.columns(len(cards)), cards, strict=True):
    column.metric(label, value, help=note)

st.plotly_chart(charts.spend_fan(result.budget, result.monthly, scenario=scenario), width="stretch")
st.plotly_chart(charts.patient_sankey(result.flows, scenario=scenario), width="stretch")
waits, occupancy = st.columns(2)
waits.plotly_chart(
    charts.waits_over_time(result.monthly, result.providers, scenario=scenario), width="stretch"
)
occupancy.plotly_chart(
    charts.occupancy_over_time(result.monthly, result.providers, scenario=scenario), width="stretch"
)
funnel, viability = st.columns(2)
funnel.plotly_chart(charts.practice_funnel(result.practices, scenario=scenario), width="stretch")
viability.plotly_chart(charts.viability(result.viability, scenario=scenario), width="stretch")
with st.expander("Provider table"):
    st.dataframe(result.providers, hide_index=True)
