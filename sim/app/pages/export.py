"""Export page: results as CSV and Excel, the scenario file, and a report for a board paper.

The files are made when their button is pressed (Streamlit's deferred downloads), not on
every visit: a report with its figures is megabytes and a second's work.
"""

from __future__ import annotations

import io
import zipfile
from functools import partial

import streamlit as st

from sim.app import state
from sim.app.charts.flows import patient_sankey
from sim.app.charts.money import spend_fan
from sim.app.charts.practices import practice_funnel
from sim.compare import Comparison
from sim.export.report import html_report
from sim.export.workbook import comparison_workbook, results_workbook
from sim.results import RunResult

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _zipped(output: RunResult | Comparison) -> bytes:
    """The same files `knockon run` or `knockon compare` would write, in one zip."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in output.files().items():
            bundle.writestr(name, text)
    return archive.getvalue()


def _report(result: RunResult, comparison: Comparison | None) -> str:
    scenario = result.scenario
    figures = [
        spend_fan(result.budget, result.monthly, scenario=scenario),
        patient_sankey(result.flows, scenario=scenario),
        practice_funnel(result.practices, scenario=scenario),
    ]
    return html_report(result, comparison=comparison, figures=figures)


st.title("Export")
document = state.current()
st.download_button(
    "Scenario file (YAML)",
    state.as_yaml(document),
    file_name=f"{document.origin.rsplit('.', 1)[0]}.yaml",
    mime="application/x-yaml",
    key="export_yaml",
)

result = state.last_result()
comparison: Comparison | None = st.session_state.get("comparison")

st.header("Results")
if result is None:
    st.info("Run the scenario (Run page) to export its results.")
else:
    # A comparison goes in the report only beside a run of its own baseline.
    reported = comparison if comparison is not None and comparison.base == result.scenario else None
    st.caption(
        f"{result.scenario.name}: {result.summary['replications']} replications, seed "
        f"{result.summary['seed']}."
        + (" The report includes the comparison below." if reported is not None else "")
    )
    st.download_button(
        "Results as CSV files (zip)",
        partial(_zipped, result),
        file_name="knockon_results.zip",
        mime="application/zip",
        key="export_csv",
    )
    st.download_button(
        "Results as an Excel workbook",
        partial(results_workbook, result),
        file_name="knockon_results.xlsx",
        mime=XLSX,
        key="export_xlsx",
    )
    st.download_button(
        "Report for a board paper (HTML)",
        partial(_report, result, reported),
        file_name="knockon_report.html",
        mime="text/html",
        key="export_html",
    )

st.header("Comparison")
if comparison is None:
    st.info("Compare scenarios (Compare page) to export the comparison.")
else:
    st.caption(
        f"{comparison.base.name} against {', '.join(v.name for v in comparison.variants)}: "
        f"{comparison.replications} paired replications, seed {comparison.seed}."
    )
    st.download_button(
        "Comparison as CSV files (zip)",
        partial(_zipped, comparison),
        file_name="knockon_comparison.zip",
        mime="application/zip",
        key="export_comparison_csv",
    )
    st.download_button(
        "Comparison as an Excel workbook",
        partial(comparison_workbook, comparison),
        file_name="knockon_comparison.xlsx",
        mime=XLSX,
        key="export_comparison_xlsx",
    )
