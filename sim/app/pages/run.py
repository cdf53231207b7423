"""Run page: simulate the scenario and show what happens, month by month."""

from __future__ import annotations

from concurrent.futures import Executor
from functools import partial

import streamlit as st

from sim.app import jobs, state
from sim.app.charts.cards import headline_cards
from sim.app.charts.flows import patient_sankey
from sim.app.charts.money import spend_fan, viability
from sim.app.charts.practices import practice_funnel
from sim.app.charts.waits import occupancy_over_time, waits_over_time
from sim.app.glossary import HELP
from sim.results import RunResult, run_scenario
from sim.results.replicate import Progress
from sim.results.run import deadlock_note
from sim.scenario.model import Scenario


def _simulate(
    scenario: Scenario, replications: int, seed: int, pool: Executor, progress: Progress
) -> RunResult:
    return run_scenario(scenario, replications, seed, executor=pool, progress=progress)


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
st.session_state.setdefault("replications", max(2, scenario.run.replications))
st.session_state.setdefault("seed", scenario.run.seed)
left, right = st.columns(2)
replications = left.number_input(
    "Replications", min_value=2, max_value=200, help=HELP["replications"], key="replications"
)
seed = right.number_input("Seed", min_value=0, help=HELP["seed"], key="seed")

key = state.run_key(scenario, int(replications), int(seed))
cached = state.cached_result(scenario, int(replications), int(seed))
if cached is not None:
    state.remember(key, cached)  # re-running an unchanged scenario is instant
runner, me = jobs.runner(), jobs.session_id()
job = runner.job(st.session_state.get("run_job"))
running = job is not None and job.state == "running"

if st.button("Run", type="primary", key="run_button", disabled=running) and cached is None:
    job = runner.start(
        key,
        label=scenario.name,
        total=int(replications),
        work=partial(_simulate, scenario, int(replications), int(seed)),
        watcher=me,
    )
    st.session_state["run_job"] = key
    st.rerun()  # draw the page again with Run disabled and the progress showing

if job is not None:
    if job.state == "running":
        jobs.watch(job, cancel_key="cancel_run")
        st.stop()
    del st.session_state["run_job"]
    if job.state == "finished":
        state.remember(job.key, runner.collect(job, me))
    elif job.state == "cancelled":
        st.warning("Run cancelled. Your scenario and settings are as you left them.")
    else:
        st.error(f"The run failed: {job.error}")

result = state.last_result()
if result is None:
    st.info("Press Run to simulate the scenario.")
    st.stop()
if state.run_key(result.scenario, result.summary["replications"], result.summary["seed"]) != key:
    st.info(
        "These results are from an earlier run: the scenario, seed or replications have "
        "changed since. Press Run to see the scenario as it is now."
    )
scenario = result.scenario

st.subheader(f"{scenario.name}: means of {result.summary['replications']} replications")
if (deadlock := deadlock_note(result.summary)) is not None:
    st.error(deadlock)
cards = headline_cards(result)
for column, (label, value, note) in zip(st.columns(len(cards)), cards, strict=True):
    column.metric(label, value, help=note)

st.plotly_chart(spend_fan(result.budget, result.monthly, scenario=scenario), width="stretch")
st.plotly_chart(patient_sankey(result.flows, scenario=scenario), width="stretch")
waits_column, occupancy_column = st.columns(2)
waits_column.plotly_chart(
    waits_over_time(result.monthly, result.providers, scenario=scenario), width="stretch"
)
occupancy_column.plotly_chart(
    occupancy_over_time(result.monthly, result.providers, scenario=scenario), width="stretch"
)
funnel_column, viability_column = st.columns(2)
funnel_column.plotly_chart(practice_funnel(result.practices, scenario=scenario), width="stretch")
viability_column.plotly_chart(viability(result.viability, scenario=scenario), width="stretch")
with st.expander("Provider table"):
    st.dataframe(result.providers, hide_index=True)
