"""How one variant's comparison reads on a page: what changed, what happened, and the two
charts of where patients and money moved. Shared by the Compare and Learn pages, so a
board sees a comparison the same way wherever it meets one."""

from __future__ import annotations

import streamlit as st

from sim.app.charts.flows import difference_sankey
from sim.app.charts.money import cost_waterfall
from sim.compare.paired import Comparison


def show_changes_and_summary(comparison: Comparison, label: str) -> None:
    """The input diff beside the plain-English summary, in two columns."""
    changes, results = st.columns(2)
    with changes:
        st.subheader("What changed in the inputs")
        for text in comparison.inputs[comparison.inputs["scenario"] == label]["description"]:
            st.markdown(f"- {text}")
    with results:
        st.subheader("What happened")
        for sentence in comparison.summary[label]:
            st.markdown(f"- {sentence}")


def show_difference_charts(comparison: Comparison, label: str) -> None:
    """The difference Sankey (patients) and the cost waterfall (money)."""
    scenarios = (comparison.base, *comparison.variants)
    st.plotly_chart(
        difference_sankey(comparison.flows, label, scenarios=scenarios), width="stretch"
    )
    st.plotly_chart(
        cost_waterfall(comparison.waterfall, label, scenarios=scenarios), width="stretch"
    )
