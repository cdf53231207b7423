"""Compare page: a baseline and its variants on paired replications, in words and charts."""

from __future__ import annotations

import os

import streamlit as st

from sim.app import charts, state
from sim.app.glossary import HELP
from sim.compare import Comparison, ComparisonError, compare_scenarios
from sim.scenario import ScenarioError

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
for upload in uploads or []:
    try:
        documents[upload.name] = state.read_upload(upload.name, upload.getvalue())
    except ScenarioError as error:
        for problem in error.problems:
            st.error(str(problem))
documents["(the scenario being edited)"] = state.current()

names = list(documents)
base_name = st.selectbox("Baseline", names, index=0, key="compare_base")
variant_names = st.multiselect(
    "Variants",
    [n for n in names if n != base_name],
    default=[n for n in names if n != base_name][:1],
    key="compare_variants",
)
replications = st.number_input(
    "Paired replications",
    min_value=2,
    max_value=200,
    value=10,
    help=HELP["paired replications"],
    key="compare_replications",
)

if st.button("Compare", type="primary", key="compare_button", disabled=not variant_names):
    checked = {}
    for name in [base_name, *variant_names]:
        loaded, problems = state.validate(documents[name])
        if loaded is None:
            st.error(f"{name} cannot run: " + "; ".join(str(p) for p in problems[:3]))
            st.stop()
        checked[name] = loaded.scenario
    bar = st.progress(0.0, text="Running paired replications ...")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"{done} of {total} replications")

    try:
        comparison = compare_scenarios(
            checked[base_name],
            [checked[n] for n in variant_names],
            labels=[n.rsplit(".", 1)[0] for n in variant_names],
            replications=int(replications),
            workers=min(2, os.cpu_count() or 1),
            progress=progress,
        )
    except ComparisonError as error:
        st.error(str(error))
        st.stop()
    bar.empty()
    st.session_state["comparison"] = comparison

shown: Comparison | None = st.session_state.get("comparison")
if shown is None:
    st.stop()
comparison = shown

for label in comparison.labels:
    st.header(label)
    changes, results = st.columns(2)
    with changes:
        st.subheader("What changed in the inputs")
        for text in comparison.inputs[comparison.inputs["scenario"] == label]["description"]:
            st.markdown(f"- {text}")
    with results:
        st.subheader("What happened")
        for sentence in comparison.summary[label]:
            st.markdown(f"- {sentence}")
    st.plotly_chart(
        charts.difference_sankey(
            comparison.flows, label, scenarios=(comparison.base, *comparison.variants)
        ),
        width="stretch",
    )
    st.plotly_chart(
        charts.cost_waterfall(
            comparison.waterfall, label, scenarios=(comparison.base, *comparison.variants)
        ),
        width="stretch",
    )
    with st.expander("Every difference, with its 95% interval"):
        table = comparison.differences[comparison.differences["scenario"] == label]
        st.dataframe(table, hide_index=True)
