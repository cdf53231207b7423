"""Practices on funnel plots: spend, or one provider's activity, per 1,000 registered
patients against list size, inside control limits around the consortium rate.

A funnel keeps small practices from looking like outliers by chance alone; the outliers
it does show are drawn in another shape and size, and named, not only coloured.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.app.charts.style import (
    BLACK,
    BLUE,
    GREY,
    ORANGE,
    SKY_BLUE,
    VERMILLION,
    house_style,
    place_names,
)
from sim.compare.words import pounds, signed_pounds
from sim.money.practices import ABOVE_95, ABOVE_998, BELOW_95, BELOW_998, WITHIN, funnel_limits
from sim.scenario.model import Scenario

FLAG_STYLE = {
    WITHIN: ("circle", GREY, 12),
    ABOVE_95: ("diamond", ORANGE, 16),
    ABOVE_998: ("star", VERMILLION, 22),
    BELOW_95: ("diamond", SKY_BLUE, 16),
    BELOW_998: ("star", BLUE, 22),
}
"""Marker shape, colour and size per funnel flag: shape and size carry it as well as colour."""


def practice_funnel(practices: pd.DataFrame, *, scenario: Scenario | None = None) -> go.Figure:
    """Each practice's spend per 1,000 registered patients a year against its list size,
    inside the 95% and 99.8% control limits around the consortium rate. Practices outside
    the limits are drawn larger, in another shape, and named.

    The spend limits are normal (`sim.money.practices.spend_limits`): their half-width
    shrinks as 1 / sqrt(list size), so the curves are drawn from the table's own limits."""
    sizes = practices["list_size"].astype(float).to_numpy()
    target = float(practices["expected_spend_per_1000_per_year_gbp"].iloc[0])
    grid = _list_size_grid(sizes)
    curves = {}
    for coverage in ("95", "998"):
        half = (
            practices[f"spend_limit_{coverage}_high"].astype(float).to_numpy() - target
        ) * np.sqrt(sizes)
        width = float(np.median(half)) / np.sqrt(grid)
        curves[coverage] = (np.maximum(target - width, 0.0), target + width)
    hover = [
        f"<b>{name}</b><br>List size {size:,.0f}<br>Spend per 1,000 a year {pounds(rate)}"
        f"<br>95% limits {pounds(lo)} to {pounds(hi)}<br>{flag}"
        f"<br>Spend beyond the consortium rate: {signed_pounds(excess)}"
        for name, size, rate, lo, hi, flag, excess in zip(
            practices["name"],
            practices["list_size"],
            practices["spend_per_1000_per_year_gbp"],
            practices["spend_limit_95_low"],
            practices["spend_limit_95_high"],
            practices["flag"],
            practices["excess_spend_gbp"],
            strict=True,
        )
    ]
    figure = _funnel(
        practices,
        rates=practices["spend_per_1000_per_year_gbp"].astype(float) / 1e3,
        hover=hover,
        grid=grid,
        target=target / 1e3,
        curves={k: (lo / 1e3, hi / 1e3) for k, (lo, hi) in curves.items()},
    )
    name = f": {scenario.name}" if scenario is not None else ""
    house_style(
        figure,
        f"Practice spend per 1,000 patients a year (£k){name}",
        x_title="Registered list size (patients)",
        y_title="Spend per 1,000 patients a year (£k)",
        subtitle="Funnel: 95% (dashed) and 99.8% (dotted) limits around the consortium rate. "
        "Practices outside them are named.",
        legend_below=True,
    )
    figure.update_yaxes(tickprefix="£", ticksuffix="k")
    return figure


def practice_activity_funnel(
    practice_providers: pd.DataFrame, provider: str, *, scenario: Scenario | None = None
) -> go.Figure:
    """One provider's activity per 1,000 registered patients a year by practice, inside
    exact Poisson limits (widened by the replications' dispersion): which service an
    outlier practice drives, from `practice_providers.csv`."""
    table = practice_providers[practice_providers["provider"] == provider]
    if table.empty:
        known = ", ".join(sorted(set(practice_providers["provider"])))
        raise ValueError(f"no practice activity for provider '{provider}' (known: {known})")
    sizes = table["list_size"].astype(float).to_numpy()
    per_1000 = table["activity_per_1000_per_year"].astype(float).to_numpy()
    counts = table["activity"].astype(float).to_numpy()
    target_per_1000 = float(table["expected_activity_per_1000_per_year"].iloc[0])
    grid = _list_size_grid(sizes)
    seen = counts > 0
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if seen.any() and target_per_1000 > 0:
        # Rates per 1,000 a year are counts over the period x this scale; the limits are exact
        # for counts, so the period's count is recovered before drawing them.
        scale = float(np.median(per_1000[seen] * sizes[seen] / counts[seen]))
        spread = float(table["dispersion"].iloc[0])
        for coverage, name in ((0.95, "95"), (0.998, "998")):
            low, high = funnel_limits(target_per_1000 / scale, grid, coverage, spread)
            curves[name] = (low * scale, high * scale)
    names = place_names([scenario] if scenario is not None else [])
    practice_names = [names.get(p, p) for p in table["practice"]]
    hover = [
        f"<b>{name}</b><br>List size {size:,.0f}<br>{rate:,.1f} per 1,000 a year "
        f"(consortium {target_per_1000:,.1f})<br>{flag}<br>Beyond the consortium rate: "
        f"{excess:+,.0f}"
        for name, size, rate, flag, excess in zip(
            practice_names,
            table["list_size"],
            table["activity_per_1000_per_year"],
            table["flag"],
            table["excess_activity"],
            strict=True,
        )
    ]
    figure = _funnel(
        table.assign(name=practice_names),
        rates=table["activity_per_1000_per_year"].astype(float),
        hover=hover,
        grid=grid,
        target=target_per_1000,
        curves=curves,
    )
    house_style(
        figure,
        f"{names.get(provider, provider)}: patients seen per 1,000 registered patients a year, "
        "by practice",
        x_title="Registered list size (patients)",
        y_title="Patients seen per 1,000 a year",
        subtitle="Funnel: exact Poisson 95% (dashed) and 99.8% (dotted) limits around the "
        "consortium rate.",
        legend_below=True,
    )
    return figure


def _list_size_grid(sizes: np.ndarray) -> np.ndarray:
    return np.linspace(max(float(sizes.min()) * 0.6, 1.0), float(sizes.max()) * 1.15, 120)


def _funnel(
    table: pd.DataFrame,
    rates: pd.Series,
    hover: list[str],
    grid: np.ndarray,
    target: float,
    curves: dict[str, tuple[np.ndarray, np.ndarray]],
) -> go.Figure:
    """The shared drawing: limits, consortium rate, then one trace per flag."""
    figure = go.Figure()
    for coverage, dash, words in (("95", "dash", "95% limits"), ("998", "dot", "99.8% limits")):
        if coverage not in curves:
            continue
        low, high = curves[coverage]
        for i, edge in enumerate((high, low)):
            figure.add_trace(
                go.Scatter(
                    x=grid,
                    y=edge,
                    mode="lines",
                    line={"color": BLACK, "dash": dash, "width": 2},
                    name=words,
                    legendgroup=words,
                    showlegend=i == 0,
                    hoverinfo="skip",
                )
            )
    figure.add_trace(
        go.Scatter(
            x=[grid[0], grid[-1]],
            y=[target, target],
            mode="lines",
            line={"color": GREY, "width": 2},
            name="Consortium rate",
            hoverinfo="skip",
        )
    )
    flags = table["flag"].astype(str).to_numpy()
    for flag, (symbol, colour, size) in FLAG_STYLE.items():
        chosen = flags == flag
        if not chosen.any():
            continue
        figure.add_trace(
            go.Scatter(
                x=table["list_size"][chosen],
                y=rates[chosen],
                mode="markers+text" if flag != WITHIN else "markers",
                name=flag[0].upper() + flag[1:],
                marker={
                    "symbol": symbol,
                    "size": size,
                    "color": colour,
                    "line": {"width": 1, "color": BLACK},
                },
                text=table["name"][chosen] if flag != WITHIN else None,
                textposition="bottom center" if flag in (BELOW_95, BELOW_998) else "top center",
                customdata=table["practice"][chosen],
                hovertext=[h for h, keep in zip(hover, chosen, strict=True) if keep],
                hoverinfo="text",
            )
        )
    figure.update_xaxes(tickformat=",")
    return figure
