"""Saving the edited scenario: the whole file, or a variant that `extends` its baseline
and holds only the changes, so that what was changed can be read, reviewed and run again
against the same baseline.
"""

from __future__ import annotations

import streamlit as st
import yaml

from sim.app import state
from sim.app.glossary import HELP
from sim.scenario.variants import minimal_variant


def save_section(document: state.Document) -> None:
    """Download buttons for the scenario as edited, and for it as a variant."""
    st.subheader("Save")
    save, variant = st.columns(2)
    with save:
        st.download_button(
            "Download this scenario (YAML)",
            state.as_yaml(document),
            file_name=f"{document.origin.rsplit('.', 1)[0]}_edited.yaml",
            mime="application/x-yaml",
            help=HELP["save"],
        )
    baseline_name = st.session_state.get("baseline_file") or state.DEFAULT.name
    with variant:
        base = state.read_file(state.SCENARIOS / baseline_name)
        changes = minimal_variant(base.data, document.data, extends=baseline_name)
        st.download_button(
            f"Download as a variant of {baseline_name} (only the changes)",
            yaml.safe_dump(changes, sort_keys=False, allow_unicode=True),
            file_name="variant.yaml",
            mime="application/x-yaml",
            help=HELP["variant"],
        )
