"""Waits and occupancy month by month, each provider a line with its 95% band.

Winter pressure shows as a shape through the year that a year's mean hides; the bands say
how much of that shape the replications agree on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.app.charts.style import (
    BLACK,
    DASHES,
    SERIES,
    house_style,
    month_start,
    place_names,
    rgba,
    shorten,
    wait_unit,
)
from sim.scenario.model import Scenario

ProviderChoice = pd.DataFrame | Sequence[str] | None
"""Which providers a through-time chart shows: ids, or `providers.csv` (those with limited
capacity), or None for every provider with something to show."""


def waits_over_time(
    monthly: pd.DataFrame,
    providers: ProviderChoice = None,
    *,
    scenario: Scenario | None = None,
) -> go.Figure:
    """Mean wait to be seen, month by month, one line per provider with its 95% interval
    as a band. The unit (minutes, hours or days) follows the longest wait shown."""
    rows = _monthly_rows(monthly, providers, "mean_wait_days", lambda v: v.max() > 0)
    longest = float(rows["mean_wait_days_ci_high"].max()) if len(rows) else 0.0
    scale, unit = wait_unit(longest)
    figure = _lines_with_bands(
        rows, "mean_wait_days", scale, unit, place_names([scenario] if scenario else []), ":.1f"
    )
    house_style(
        figure,
        f"Mean wait to be seen, month by month ({unit})",
        x_title="Month",
        y_title=f"Mean wait ({unit})",
        subtitle="Lines: mean over simulated years. Bands: 95% confidence interval.",
        legend_below=True,
    )
    figure.update_yaxes(rangemode="tozero")
    return figure


def occupancy_over_time(
    monthly: pd.DataFrame,
    providers: ProviderChoice = None,
    *,
    scenario: Scenario | None = None,
) -> go.Figure:
    """Places occupied on an average day, month by month, with 95% bands. With the
    scenario, each provider with servers is shown as a percentage of its places (beds,
    cubicles, packages), so a 40-cubicle A&E and a 500-bed ward share one axis; without
    it, as a count of places."""
    places = (
        {p.id: p.capacity.servers for p in scenario.providers if p.capacity and p.capacity.servers}
        if scenario is not None
        else {}
    )
    if places and providers is None:
        providers = list(places)
    rows = _monthly_rows(monthly, providers, "mean_occupied", lambda v: v.max() > 0)
    names = place_names([scenario] if scenario else [])
    if places:
        rows = rows[rows["provider"].isin(list(places))].copy()
        capacity = rows["provider"].map(places).astype(float)
        for column in ("mean_occupied", "mean_occupied_ci_low", "mean_occupied_ci_high"):
            rows[column] = rows[column] / capacity
        figure = _lines_with_bands(rows, "mean_occupied", 100.0, "%", names, ":.0f")
        figure.add_hline(
            y=100,
            line={"color": BLACK, "dash": "dot", "width": 2},
            annotation_text="every place full",
            annotation_position="top left",
        )
        title, axis = (
            "Places occupied, month by month (% of places)",
            "% of places",
        )
    else:
        figure = _lines_with_bands(rows, "mean_occupied", 1.0, "places", names, ":,.0f")
        title, axis = (
            "Places occupied, month by month (places)",
            "Places occupied",
        )
    house_style(
        figure,
        title,
        x_title="Month",
        y_title=axis,
        subtitle="Beds, cubicles or care packages in use. Lines: mean over simulated years. "
        "Bands: 95% confidence interval.",
        legend_below=True,
    )
    figure.update_yaxes(rangemode="tozero")
    return figure


def _monthly_rows(
    monthly: pd.DataFrame,
    providers: ProviderChoice,
    metric: str,
    worth_showing: Any,
) -> pd.DataFrame:
    """The provider rows of `monthly.csv` for the chosen providers, in their table order."""
    rows = monthly[monthly["provider"] != "all"]
    if isinstance(providers, pd.DataFrame):
        limited = providers[providers["utilisation"].notna()]["provider"]
        chosen = [str(p) for p in limited]
    elif providers is not None:
        chosen = [str(p) for p in providers]
    else:
        values = rows.groupby("provider", sort=False)[metric]
        chosen = [str(p) for p, v in values if worth_showing(v.fillna(0.0))]
    return rows[rows["provider"].isin(chosen)]


def _lines_with_bands(
    rows: pd.DataFrame,
    metric: str,
    scale: float,
    unit: str,
    names: dict[str, str],
    number: str,
) -> go.Figure:
    figure = go.Figure()
    for i, (provider, group) in enumerate(rows.groupby("provider", sort=False)):
        colour = SERIES[i % len(SERIES)]
        months = [month_start(m) for m in group["month"]]
        low = group[f"{metric}_ci_low"].astype(float).to_numpy() * scale
        high = group[f"{metric}_ci_high"].astype(float).to_numpy() * scale
        mean = group[metric].astype(float).to_numpy() * scale
        known = np.isfinite(low) & np.isfinite(high)
        band_x = [m for m, k in zip(months, known, strict=True) if k]
        name = shorten(names.get(str(provider), str(provider)), 32)
        figure.add_trace(
            go.Scatter(
                x=band_x + band_x[::-1],
                y=np.concatenate([high[known], low[known][::-1]]),
                fill="toself",
                fillcolor=rgba(colour, 0.18),
                line={"width": 0},
                legendgroup=str(provider),
                showlegend=False,
                hoverinfo="skip",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=months,
                y=mean,
                mode="lines+markers",
                name=name,
                legendgroup=str(provider),
                line={"color": colour, "width": 3, "dash": DASHES[i % len(DASHES)]},
                marker={"size": 7},
                customdata=np.stack([low, high], axis=-1),
                hovertemplate=f"{name}: %{{y{number}}} {unit} "
                f"(95% CI %{{customdata[0]{number}}} to %{{customdata[1]{number}}})<extra></extra>",
            )
        )
    figure.update_layout(hovermode="x unified")
    figure.update_xaxes(tickformat="%b\n%Y", dtick="M1", hoverformat="%B %Y")
    return figure
