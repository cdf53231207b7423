"""Whether the edited scenario can run, and, when it can, the provider network drawn.

The verdict counts the errors by tab, so a commissioner knows where to look; the drawing
shows the measured flows only when the last run is of this very scenario.
"""

from __future__ import annotations

import streamlit as st

from sim.app import state
from sim.app.scenario_page.messages import TAB_NAMES, Placed
from sim.scenario import LoadedScenario, Problem


def verdict_and_network(
    problems: list[Problem], placed: Placed, loaded: LoadedScenario | None
) -> None:
    """Every error to fix before a run, by tab; or the network, with the last run's flows
    if it ran this scenario."""
    errors = [p for p in problems if p.is_error]
    st.session_state["scenario_errors"] = [str(p) for p in errors]
    if errors:
        st.error(f"{len(errors)} problem(s) to fix before this scenario can run:")
        where = [
            TAB_NAMES.get(table or "", "")
            for problem, table, _row, _rest in placed
            if problem.is_error
        ]
        counts = {tab: where.count(tab) for tab in dict.fromkeys(where) if tab}
        if counts:
            st.caption(
                "In the tabs: " + ", ".join(f"{tab} ({count})" for tab, count in counts.items())
            )
        for problem in errors:
            st.text(str(problem))
    else:
        st.success("The scenario is valid: go to Run.")
        assert loaded is not None
        result = state.last_result()
        ran = result if result is not None and result.scenario == loaded.scenario else None
        st.plotly_chart(state.network_figure(loaded.scenario, ran), width="stretch")
