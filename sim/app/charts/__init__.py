"""The figures of the app and the HTML report, drawn with plotly from the public API's tables.

Turning the tables that `run_scenario`, `compare_scenarios` and `tornado` return into
figures a commissioner can read from the back of a training room: titles in their words
with units, labelled axes, large fonts, hover text with the numbers, and colours that
colour-blind readers can tell apart (where colour carries meaning, a sign, symbol or word
carries it too). Nothing here simulates or validates: every number comes from a table or a
scenario passed in, so the app, the report and a notebook draw the same figures. No
streamlit import, so the report can build these figures without a running app.

One module per family of figure (`network_drawing`, `flows`, `money`, `waits`, `practices`,
`sensitivity`, and the dashboard's `cards`), sharing `style` (colours, type and formats)
and `layout` (where places sit). The figures are also importable from here, as they were
when this was one module.
"""

from sim.app.charts.cards import Card, headline_cards
from sim.app.charts.flows import difference_sankey, patient_sankey
from sim.app.charts.money import cost_waterfall, spend_fan, viability
from sim.app.charts.network_drawing import network
from sim.app.charts.practices import practice_activity_funnel, practice_funnel
from sim.app.charts.sensitivity import tornado
from sim.app.charts.style import FEWER, MORE, figure_config, rgba
from sim.app.charts.waits import ProviderChoice, occupancy_over_time, waits_over_time

_rgba = rgba
"""The name `rgba` had when it was private to the one module (tests/test_charts.py uses it)."""

__all__ = [
    "FEWER",
    "MORE",
    "Card",
    "ProviderChoice",
    "cost_waterfall",
    "difference_sankey",
    "figure_config",
    "headline_cards",
    "network",
    "occupancy_over_time",
    "patient_sankey",
    "practice_activity_funnel",
    "practice_funnel",
    "rgba",
    "spend_fan",
    "tornado",
    "viability",
    "waits_over_time",
]
