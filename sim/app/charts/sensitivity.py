"""Which inputs move a result most: the tornado of a one-way sensitivity analysis.

The largest swing is drawn on top and swings chance could explain are faded, so a board
spends its attention on the inputs worth getting right.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.app.charts.style import (
    BLACK,
    BLUE,
    ORANGE,
    house_style,
    place_names,
    shorten,
    wait_unit,
)
from sim.metric_names import in_words
from sim.scenario.model import Scenario

WAIT_METRICS = frozenset({"mean_wait_days", "p95_wait_days", "mean_stay_days"})
"""Metrics in days that are a time per patient (shown in minutes, hours or days)."""


def tornado(
    tornado_table: pd.DataFrame, metric: str, *, scenario: Scenario | None = None
) -> go.Figure:
    """One-way sensitivity: for each input, the metric at its low end and at its high end
    as bars either side of the nominal value, the input with the largest swing on top.
    Bars whose swing chance could explain (95% interval includes zero) are faded."""
    rows = tornado_table[tornado_table["metric"] == metric]
    if rows.empty:
        known = ", ".join(dict.fromkeys(tornado_table["metric"]))
        raise ValueError(f"no tornado rows for metric '{metric}' (the table has: {known})")
    provider, _, name = metric.rpartition(".")
    largest = float(rows[["nominal", "at_low", "at_high"]].astype(float).abs().max().max())
    scale, unit, prefix, suffix = _metric_unit(name, largest)
    nominal = float(rows["nominal"].iloc[0]) * scale
    labels = [
        f"{path}<br>{low:g} → {high:g}"
        for path, low, high in zip(
            rows["input"], rows["low_value"], rows["high_value"], strict=True
        )
    ]
    opacity = [1.0 if bool(s) else 0.45 for s in rows["significant"]]
    figure = go.Figure()
    for end, colour, words in (
        ("low", BLUE, "Input at its low end"),
        ("high", ORANGE, "Input at its high end"),
    ):
        at = rows[f"at_{end}"].astype(float) * scale
        given = rows[f"{end}_value"]
        figure.add_trace(
            go.Bar(
                y=labels,
                x=at - nominal,
                base=nominal,
                orientation="h",
                name=words,
                marker={"color": colour, "opacity": opacity, "line": {"width": 1, "color": BLACK}},
                customdata=np.stack(
                    [given, at, rows["swing_ci_low"] * scale, rows["swing_ci_high"] * scale],
                    axis=-1,
                ),
                hovertemplate="%{y}<br>at %{customdata[0]:g}: "
                f"{prefix}%{{customdata[1]:,.2f}}{suffix}"
                f"<br>swing 95% CI {prefix}%{{customdata[2]:,.2f}}{suffix} to "
                f"{prefix}%{{customdata[3]:,.2f}}{suffix}<extra></extra>",
            )
        )
    figure.add_vline(
        x=nominal,
        line={"color": BLACK, "width": 2},
        annotation_text=f"nominal {prefix}{nominal:,.2f}{suffix}",
        annotation_position="top",
    )
    names = place_names([scenario] if scenario else [])
    words = in_words(name)
    if provider in ("all", ""):
        words, place = f"total {words}", "across the whole system"
    else:
        place = f"at {shorten(names.get(provider, provider), 36)}"
    house_style(
        figure,
        f"What moves {words} {place}? ({unit})",
        x_title=f"{words[0].upper() + words[1:]} ({unit})",
        y_title="Input (low → high)",
        subtitle="Each input at its low and its high end, everything else at its nominal "
        "value, on paired seeds. Largest swing on top. Faded: a swing chance could explain.",
        height=max(380, 160 + 90 * len(labels)),
        legend_below=True,
    )
    figure.update_layout(barmode="overlay")
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(tickprefix=prefix, ticksuffix=suffix)
    return figure


def _metric_unit(metric: str, largest: float) -> tuple[float, str, str, str]:
    """Scale, unit name, tick prefix and suffix for a metric of the results tables."""
    if metric.endswith("_gbp"):
        return 1e-6, "£m", "£", "m"
    if metric in WAIT_METRICS:
        scale, unit = wait_unit(largest)
        return scale, unit, "", {"minutes": " min", "hours": " h", "days": " d"}[unit]
    if metric == "utilisation":
        return 100.0, "%", "", "%"
    if metric.endswith("_days"):
        return 1.0, "days", "", ""
    if metric in ("mean_occupied", "mean_queue", "mean_in_system"):
        return 1.0, "places", "", ""
    return 1.0, "patients", "", ""
