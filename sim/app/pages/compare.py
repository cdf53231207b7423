"""Compare page: a baseline and its variants on paired replications, in words and charts."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from functools import partial

import pandas as pd
import streamlit as st

from sim.app import jobs, state
from sim.app.charts import sensitivity as sensitivity_charts
from sim.app.comparison_view import show_changes_and_summary, show_difference_charts
from sim.app.glossary import HELP
from sim.compare import Comparison, compare_scenarios
from sim.compare.sensitivity import Input, candidate_inputs, tornado
from sim.metric_names import metric_names
from sim.results.replicate import Progress
from sim.scenario import ScenarioError
from sim.scenario.loader import scenario_hash
from sim.scenario.model import Scenario


def _compare(
    base: Scenario,
    variants: Sequence[Scenario],
    labels: Sequence[str],
    replications: int,
    pool: Executor,
    progress: Progress,
) -> Comparison:
    return compare_scenarios(base, variants, labels, replications, executor=pool, progress=progress)


def _tornado(
    scenario: Scenario,
    inputs: Sequence[Input],
    metric: str,
    replications: int,
    pool: Executor,
    progress: Progress,
) -> tuple[pd.DataFrame, str]:
    table = tornado(
        scenario,
        inputs,
        [metric],
        replications,
        scenario.run.seed,
        executor=pool,
        progress=progress,
    )
    return table, metric


st.title("Compare")
st.caption(
    "Pick a baseline and one or more variants. They run on the same random patients, so "
    "every difference shown is the effect of the change; only differences whose 95% "
    "interval excludes zero are described."
)

files = {path.name: path for path in state.bundled_files()}
uploads = st.file_uploader(
    "Add scenario files",
    type=["yaml", "yml"],
    accept_multiple_files=True,
    help=HELP["upload"],
    key="compare_uploads",
)
documents = {name: state.read_file(path) for name, path in files.items()}
# Uploads are kept for the session: the uploader itself forgets them on a page switch.
uploaded: dict[str, state.Document] = st.session_state.setdefault("compare_documents", {})
for upload in uploads or []:
    try:
        uploaded[upload.name] = state.read_upload(upload.name, upload.getvalue())
    except ScenarioError as error:
        for problem in error.problems:
            st.error(str(problem))
documents |= uploaded
documents["(the scenario being edited)"] = state.current()

names = list(documents)
if st.session_state.get("compare_base") not in names:
    st.session_state["compare_base"] = names[0]
base_name = st.selectbox("Baseline", names, key="compare_base")
others = [n for n in names if n != base_name]
kept = [n for n in st.session_state.get("compare_variants", others[:1]) if n in others]
st.session_state["compare_variants"] = kept
variant_names = st.multiselect("Variants", others, key="compare_variants")
st.session_state.setdefault("compare_replications", 10)
replications = st.number_input(
    "Paired replications",
    min_value=2,
    max_value=200,
    help=HELP["paired replications"],
    key="compare_replications",
)

runner, me = jobs.runner(), jobs.session_id()


def _checked(names: list[str]) -> dict[str, Scenario] | None:
    """The named documents as scenarios, or None after saying which cannot run and why."""
    checked = {}
    for name in names:
        loaded, problems = state.validate(documents[name])
        if loaded is None:
            st.error(f"{name} cannot run: " + "; ".join(str(p) for p in problems[:3]))
            return None
        checked[name] = loaded.scenario
    return checked


def _follow(session_key: str, cancel_key: str, kept_as: str) -> None:
    """Show a background run's progress, or keep its result once it has finished."""
    job = runner.job(st.session_state.get(session_key))
    if job is None:
        return
    if job.state == "running":
        jobs.watch(job, cancel_key=cancel_key)
        st.stop()
    del st.session_state[session_key]
    if job.state == "finished":
        st.session_state[kept_as] = runner.collect(job, me)
    elif job.state == "cancelled":
        st.warning("Cancelled. Your choices are as you left them.")
    else:
        st.error(job.error)


if st.button("Compare", type="primary", key="compare_button", disabled=not variant_names):
    checked = _checked([base_name, *variant_names])
    if checked is not None:
        scenarios = list(checked.values())
        labels = [n.rsplit(".", 1)[0] for n in variant_names]
        key = ("compare", *(scenario_hash(s) for s in scenarios), *labels, int(replications))
        runner.start(
            key,
            label="compare",
            total=int(replications) * len(scenarios),
            work=partial(_compare, scenarios[0], scenarios[1:], labels, int(replications)),
            watcher=me,
        )
        st.session_state["compare_job"] = key
_follow("compare_job", "cancel_compare", "comparison")

shown: Comparison | None = st.session_state.get("comparison")
if shown is not None:
    comparison = shown
    for label in comparison.labels:
        st.header(label)
        show_changes_and_summary(comparison, label)
        show_difference_charts(comparison, label)
        with st.expander("Every difference, with its 95% interval"):
            table = comparison.differences[comparison.differences["scenario"] == label]
            st.dataframe(table, hide_index=True)

# --- sensitivity -----------------------------------------------------------------------------

st.header("Sensitivity of the baseline")
st.caption(
    "Which inputs matter most? Each chosen number is tried at its low and its high end, one "
    "at a time, on paired replications; the longest bars are the inputs worth getting right."
)
base_check = _checked([base_name])
if base_check is not None:
    baseline = base_check[base_name]
    st.session_state.setdefault("spread", 20)
    spread = st.slider("Spread (%)", 5, 50, step=5, help=HELP["spread"], key="spread")
    offered = {item.path: item for item in candidate_inputs(baseline, spread / 100)}
    still = [p for p in st.session_state.get("sensitivity_inputs", []) if p in offered]
    st.session_state["sensitivity_inputs"] = still or list(offered)[:4]
    chosen = st.multiselect(
        "Inputs to vary",
        list(offered),
        format_func=lambda path: f"{path} ({offered[path].low:g} to {offered[path].high:g})",
        help=HELP["sensitivity inputs"],
        key="sensitivity_inputs",
    )
    metrics = metric_names(baseline)
    if st.session_state.get("sensitivity_metric") not in metrics:
        st.session_state["sensitivity_metric"] = (
            "all.paid_gbp" if "all.paid_gbp" in metrics else metrics[0]
        )
    metric = st.selectbox(
        "Result to watch",
        metrics,
        help=HELP["sensitivity metric"],
        key="sensitivity_metric",
    )
    st.session_state.setdefault("sensitivity_replications", 5)
    sensitivity_replications = st.number_input(
        "Paired replications for each end",
        min_value=2,
        max_value=100,
        help=HELP["paired replications"],
        key="sensitivity_replications",
    )
    if st.button("Run the sensitivity analysis", key="sensitivity_button", disabled=not chosen):
        inputs = [offered[path] for path in chosen]
        key = ("tornado", scenario_hash(baseline), *map(str, inputs), metric)
        key += (int(sensitivity_replications),)
        runner.start(
            key,
            label="tornado",
            total=int(sensitivity_replications) * (1 + 2 * len(inputs)),
            work=partial(_tornado, baseline, inputs, metric, int(sensitivity_replications)),
            watcher=me,
        )
        st.session_state["tornado_job"] = key
    _follow("tornado_job", "cancel_tornado", "tornado")
    found = st.session_state.get("tornado")
    if found is not None:
        table, watched = found
        st.plotly_chart(
            sensitivity_charts.tornado(table, watched, scenario=baseline), width="stretch"
        )
        with st.expander("The tornado's numbers, with 95% intervals of each swing"):
            st.dataframe(table, hide_index=True)
