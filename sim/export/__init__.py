"""Exports a board or a finance team can keep: Excel workbooks and a self-contained HTML report.

A face like the CLI and the app: it formats tables the results and comparison layers have
already computed, and computes nothing of its own. Nothing here imports streamlit, so the
app, the CLI and scripts share one implementation.
"""

from sim.export.report import html_report
from sim.export.workbook import comparison_workbook, results_workbook

__all__ = ["comparison_workbook", "html_report", "results_workbook"]
