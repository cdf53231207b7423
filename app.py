"""Knock-on's app: `streamlit run app.py`. A face over the same public API as the CLI."""

from __future__ import annotations

import streamlit as st

PAGES = "sim/app/pages"


def main() -> None:
    from sim.app import state

    st.set_page_config(page_title="Knock-on", page_icon=":hospital:", layout="wide")
    state.keep_inputs()
    navigation = st.navigation(
        [
            st.Page(f"{PAGES}/scenario.py", title="Scenario", default=True),
            st.Page(f"{PAGES}/run.py", title="Run"),
            st.Page(f"{PAGES}/compare.py", title="Compare"),
            st.Page(f"{PAGES}/learn.py", title="Learn"),
            st.Page(f"{PAGES}/export.py", title="Export"),
        ]
    )
    navigation.run()


# The guard matters: worker processes that run replications import this module afresh
# (as `__mp_main__`), and must not start an app of their own.
if __name__ == "__main__":
    main()
