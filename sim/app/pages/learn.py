"""Learn page: training exercises for a new board, and the glossary of every term."""

from __future__ import annotations

import streamlit as st

from sim.app.glossary import GLOSSARY

st.title("Learn")
st.caption(
    "Each exercise is a short story, a decision for the board, and then the reveal: what "
    "happened across the system, and why."
)
st.info(
    "The eight training exercises arrive with the scenario library; until then, compare "
    "the bundled urgent community response variant with the baseline on the Compare page."
)

st.header("Glossary")
for term, meaning in sorted(GLOSSARY.items()):
    st.markdown(f"**{term}**: {meaning}")
