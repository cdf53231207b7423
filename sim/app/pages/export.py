"""Export page: results as CSV and Excel, the scenario file, and a report for a board paper."""

from __future__ import annotations

import io
import zipfile

import streamlit as st

from sim.app import charts, state

st.title("Export")
result = state.last_result()
document = state.current()

st.download_button(
    "Scenario file (YAML)",
    state.as_yaml(document),
    file_name="scenario.yaml",
    mime="application/x-yaml",
    key="export_yaml",
)
if result is None:
    st.info("Run the scenario (Run page) to export its results.")
    st.stop()

tables = {
    "providers.csv": result.providers,
    "flows.csv": result.flows,
    "monthly.csv": result.monthly,
    "budget.csv": result.budget,
    "viability.csv": result.viability,
    "practices.csv": result.practices,
    "practice_providers.csv": result.practice_providers,
}
archive = io.BytesIO()
with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
    for name, table in tables.items():
        bundle.writestr(name, table.to_csv(index=False))
st.download_button(
    "Results as CSV files (zip)",
    archive.getvalue(),
    file_name="knockon_results.zip",
    mime="application/zip",
    key="export_csv",
)

from sim.export.report import html_report  # noqa: E402
from sim.export.workbook import results_workbook  # noqa: E402

st.download_button(
    "Results as an Excel workbook",
    results_workbook(result),
    file_name="knockon_results.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="export_xlsx",
)
figures = [
    charts.spend_fan(result.budget, result.monthly),
    charts.patient_sankey(result.flows),
    charts.practice_funnel(result.practices),
]
st.download_button(
    "Report for a board paper (HTML)",
    html_report(result, figures=figures),
    file_name="knockon_report.html",
    mime="text/html",
    key="export_html",
)
