"""Opening a scenario on the Scenario page: a bundled file, or one uploaded (read as
safe YAML; a malformed file gets the loader's one-line messages, and the open one stays).
"""

from __future__ import annotations

import streamlit as st

from sim.app import state
from sim.app.glossary import HELP
from sim.app.scenario_page.editing import forget_edits


def open_section() -> None:
    """Choose a bundled scenario or upload one; either replaces the document."""
    left, right = st.columns(2)
    with left:
        files = state.bundled_files()
        chosen = st.selectbox(
            "Open a bundled scenario",
            [path.name for path in files],
            help=HELP["bundled scenario"],
            key="bundled_choice",
        )
        if st.button("Open", key="open_bundled", help=HELP["bundled scenario"]):
            path = next(p for p in files if p.name == chosen)
            state.replace(state.read_file(path))
            st.session_state["baseline_file"] = path.name
            forget_edits()
            st.rerun()
    with right:
        upload = st.file_uploader(
            "Or upload a scenario file", type=["yaml", "yml"], help=HELP["upload"], key="upload"
        )
        if upload is not None and st.session_state.get("uploaded_name") != upload.name:
            try:
                state.replace(state.read_upload(upload.name, upload.getvalue()))
                st.session_state["uploaded_name"] = upload.name
                st.session_state["baseline_file"] = None
                forget_edits()
                st.rerun()
            except state.ScenarioError as error:
                for problem in error.problems:
                    st.error(str(problem))
