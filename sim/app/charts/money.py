"""Money: spend through the year against the budget, where a variant moves the money,
and whether each provider can stand on what this commissioner pays it.

These are the figures a finance lead reads: the fan of simulated years shows the year-end
risk a single forecast hides, the waterfall adds up exactly to the change in the total, and
viability is written in words so that it does not rest on colour.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.app.charts.style import (
    BLACK,
    BLUE,
    FONT_SIZE,
    GREY,
    ORANGE,
    SPEND_DOWN,
    SPEND_UP,
    VERMILLION,
    first_label,
    house_style,
    month_start,
    period_words,
    place_names,
    rgba,
    shorten,
)
from sim.compare.words import pounds, signed_pounds
from sim.scenario.model import Scenario


def spend_fan(
    budget: pd.DataFrame,
    monthly: pd.DataFrame | None = None,
    *,
    scenario: Scenario | None = None,
) -> go.Figure:
    """Cumulative spend through the financial year against the cumulative budget (top), and
    how far over or under budget it is to date (bottom), in £m.

    The bands hold the middle 50%, 80% and 90% of simulated years (`budget.csv`'s spend
    fan). Against a £200m budget a fan a few £m wide is invisible on the cumulative
    scale, so the bottom panel draws the same fan relative to the plan: how far its March
    end sits from zero is the year-end risk. Each month's hover gives the forecast
    outturn and chance of overspend a finance lead would have had at that month-end, and,
    with `monthly`, the month's largest payments. Without a budget, only the top panel."""
    months = [month_start(m) for m in budget["month"]]
    plan = budget["cumulative_plan_gbp"].astype(float)
    has_plan = bool(np.isfinite(plan).all())
    if has_plan:
        figure = make_subplots(
            rows=2,
            cols=1,
            shared_xaxes=True,
            vertical_spacing=0.08,
            row_heights=[0.45, 0.55],
        )
    else:
        figure = make_subplots(rows=1, cols=1)
        plan = pd.Series(np.zeros(len(budget)), index=budget.index)
    details = [
        f"Forecast outturn at month-end {pounds(outturn)}"
        + (f"; chance of overspend {chance:.0%}" if np.isfinite(chance) else "")
        for outturn, chance in zip(
            budget["forecast_outturn_gbp"], budget["chance_of_overspend"], strict=True
        )
    ]
    if monthly is not None:
        details = [
            text + _largest_payments(monthly, month)
            for text, month in zip(details, budget["month"], strict=True)
        ]
    panels = [(1, pd.Series(np.zeros(len(budget)), index=budget.index))]
    if has_plan:
        panels.append((2, plan))
    for panel, less in panels:
        shown = panel == len(panels)
        for band, alpha in ((90, 0.15), (80, 0.25), (50, 0.4)):
            low, high = (100 - band) / 2, 100 - (100 - band) / 2
            upper = (budget[f"cumulative_spend_p{high:g}_gbp"] - less) / 1e6
            lower = (budget[f"cumulative_spend_p{low:g}_gbp"] - less) / 1e6
            figure.add_trace(
                go.Scatter(
                    x=months,
                    y=upper,
                    mode="lines",
                    line={"width": 0},
                    legendgroup=f"band{band}",
                    showlegend=False,
                    hoverinfo="skip",
                ),
                row=panel,
                col=1,
            )
            figure.add_trace(
                go.Scatter(
                    x=months,
                    y=lower,
                    mode="lines",
                    line={"width": 0},
                    fill="tonexty",
                    fillcolor=rgba(BLUE, alpha),
                    legendgroup=f"band{band}",
                    name=f"Middle {band}% of simulated years",
                    showlegend=shown,
                    customdata=upper,
                    hovertemplate=f"{band}% of years: £%{{y:,.1f}}m to £%{{customdata:,.1f}}m"
                    "<extra></extra>",
                ),
                row=panel,
                col=1,
            )
        figure.add_trace(
            go.Scatter(
                x=months,
                y=(budget["cumulative_spend_median_gbp"] - less) / 1e6,
                mode="lines+markers",
                line={"width": 4, "color": BLUE},
                marker={"size": 8},
                name="Median simulated year",
                legendgroup="median",
                showlegend=shown,
                customdata=details,
                hovertemplate=(
                    "Median spend to date £%{y:,.1f}m<br>%{customdata}<extra></extra>"
                    if panel == 1
                    else "Median: £%{y:+,.2f}m against budget to date<extra></extra>"
                ),
            ),
            row=panel,
            col=1,
        )
    if has_plan:
        figure.add_trace(
            go.Scatter(
                x=months,
                y=plan / 1e6,
                mode="lines",
                line={"width": 3, "color": BLACK, "dash": "dash"},
                name="Budget (cumulative plan)",
                legendgroup="budget",
                hovertemplate="Budget to date £%{y:,.1f}m<extra></extra>",
            ),
            row=1,
            col=1,
        )
        figure.add_trace(
            go.Scatter(
                x=months,
                y=np.zeros(len(months)),
                mode="lines",
                line={"width": 3, "color": BLACK, "dash": "dash"},
                name="On budget",
                legendgroup="budget",
                showlegend=False,
                hoverinfo="skip",
            ),
            row=2,
            col=1,
        )
        figure.add_annotation(
            x=months[-1],
            y=float(plan.iloc[-1]) / 1e6,
            text=f"Budget {pounds(float(plan.iloc[-1]))}",
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            yshift=8,
            font={"size": FONT_SIZE},
            row=1,
            col=1,
        )
        figure.update_yaxes(
            title={"text": "Over (+) or under (−)<br>budget to date (£m)"},
            tickprefix="£",
            ticksuffix="m",
            zeroline=True,
            row=2,
            col=1,
        )
        figure.update_xaxes(title={"text": "Month"}, row=2, col=1)
    else:
        figure.update_xaxes(title={"text": "Month"}, row=1, col=1)
    figure.update_yaxes(
        title={"text": "Cumulative spend (£m)"},
        tickprefix="£",
        ticksuffix="m",
        rangemode="tozero",
        row=1,
        col=1,
    )
    name = f": {scenario.name}" if scenario is not None else ""
    house_style(
        figure,
        "Cumulative spend "
        + ("against budget" if has_plan else "through the year (no budget set)")
        + f" (£m){name}",
        subtitle=(
            "Top: spend to date and the budget. Bottom: over or under budget to date. "
            "Shaded: the range of simulated years."
            if has_plan
            else "Shaded: the range of simulated years."
        ),
        height=720 if has_plan else 520,
    )
    figure.update_layout(hovermode="x unified")
    figure.update_xaxes(tickformat="%b\n%Y", dtick="M1", hoverformat="%B %Y")
    return figure


def _largest_payments(monthly: pd.DataFrame, month: str, shown: int = 3) -> str:
    rows = monthly[(monthly["month"] == month) & (monthly["provider"] != "all")]
    rows = rows.nlargest(shown, "paid_gbp")
    parts = [
        f"{p} {pounds(float(v))}" for p, v in zip(rows["provider"], rows["paid_gbp"], strict=True)
    ]
    return "<br>Largest payments this month: " + ", ".join(parts) if parts else ""


def cost_waterfall(
    waterfall: pd.DataFrame,
    scenario_label: str | None = None,
    *,
    scenarios: Sequence[Scenario] = (),
) -> go.Figure:
    """From the baseline's total paid to the variant's, one step per provider (largest
    first), in £m. The steps add up exactly to the change in the total. The axis starts
    near the totals rather than at zero, so that changes of a few £100k against a total
    of £200m can be seen (the subtitle says so)."""
    label = scenario_label or first_label(waterfall)
    table = waterfall[waterfall["scenario"] == label] if "scenario" in waterfall else waterfall
    names = place_names(scenarios)
    period = period_words(scenarios[0] if scenarios else None)
    base = table[table["step"] == "baseline total"].iloc[0]
    steps = table[table["step"] == "change"]
    final = table[table["step"] == "variant total"].iloc[0]
    x = ["Baseline", *[_wrap(names.get(p, p)) for p in steps["provider"]], _wrap(label)]
    y = [
        float(base["change_gbp"]) / 1e6,
        *(steps["change_gbp"].astype(float) / 1e6).tolist(),
        float(final["running_total_gbp"]) / 1e6,
    ]
    text = [
        pounds(float(base["change_gbp"])),
        *[signed_pounds(float(v)) for v in steps["change_gbp"]],
        f"{pounds(float(final['running_total_gbp']))} "
        f"({signed_pounds(float(final['change_gbp']))})",
    ]
    hover = [
        f"Baseline total paid {pounds(float(base['change_gbp']))} {period}",
        *[
            f"{names.get(p, p)}: {signed_pounds(float(v))} "
            f"(95% CI {signed_pounds(float(lo))} to {signed_pounds(float(hi))})"
            for p, v, lo, hi in zip(
                steps["provider"],
                steps["change_gbp"],
                steps["ci_low"],
                steps["ci_high"],
                strict=True,
            )
        ],
        f"{label} total paid {pounds(float(final['running_total_gbp']))}: change "
        f"{signed_pounds(float(final['change_gbp']))} (95% CI "
        f"{signed_pounds(float(final['ci_low']))} to {signed_pounds(float(final['ci_high']))})",
    ]
    figure = go.Figure(
        go.Waterfall(
            x=x,
            y=y,
            measure=["absolute", *["relative"] * len(steps), "total"],
            text=text,
            textposition="outside",
            textfont={"size": FONT_SIZE},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            increasing={"marker": {"color": SPEND_UP}},
            decreasing={"marker": {"color": SPEND_DOWN}},
            totals={"marker": {"color": GREY}},
            connector={"line": {"color": BLACK, "width": 1, "dash": "dot"}},
            showlegend=False,
        )
    )
    levels = [float(base["change_gbp"]), *table["running_total_gbp"].astype(float)]
    low, high = min(levels) / 1e6, max(levels) / 1e6
    pad = max((high - low) * 0.45, abs(high) * 0.002, 0.05)
    house_style(
        figure,
        f"Where the money moves {period}: baseline to {label} (£m)",
        x_title="Provider whose payments change (largest first)",
        y_title="Total paid (£m)",
        subtitle=f"Vermillion: payments rise; blue: they fall. The axis starts at "
        f"£{low - pad:,.1f}m, not zero, so that the steps show.",
    )
    figure.update_yaxes(range=[low - pad, high + pad], tickprefix="£", ticksuffix="m")
    figure.update_xaxes(tickangle=0)
    return figure


def viability(viability_table: pd.DataFrame, *, scenario: Scenario | None = None) -> go.Figure:
    """Per provider: income from this commissioner beside its fixed and variable cost (£m),
    with the verdict written at the end of each row, so "not viable" does not rest on
    colour. Income carries its 95% interval."""
    names = place_names([scenario] if scenario is not None else [])
    period = period_words(scenario)
    table = viability_table
    labels = [shorten(names.get(p, p), 32) for p in table["provider"]]
    income = table["income_gbp"].astype(float) / 1e6
    fixed = table["fixed_cost_gbp"].astype(float).fillna(0.0) / 1e6
    variable = table["variable_cost_gbp"].astype(float).fillna(0.0) / 1e6
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            y=labels,
            x=income,
            orientation="h",
            name="Income from this commissioner",
            offsetgroup="income",
            marker={"color": BLUE},
            error_x={
                "type": "data",
                "array": table["income_gbp_ci_high"] / 1e6 - income,
                "arrayminus": income - table["income_gbp_ci_low"] / 1e6,
                "color": BLACK,
            },
            hovertemplate="%{y}<br>Income £%{x:,.2f}m<extra></extra>",
        )
    )
    figure.add_trace(
        go.Bar(
            y=labels,
            x=fixed,
            orientation="h",
            name="Fixed cost",
            offsetgroup="cost",
            marker={"color": VERMILLION},
            hovertemplate="%{y}<br>Fixed cost £%{x:,.2f}m<extra></extra>",
        )
    )
    figure.add_trace(
        go.Bar(
            y=labels,
            x=variable,
            base=fixed,
            orientation="h",
            name="Variable cost",
            offsetgroup="cost",
            marker={"color": ORANGE, "pattern": {"shape": "/"}},
            hovertemplate="%{y}<br>Variable cost £%{x:,.2f}m<extra></extra>",
        )
    )
    ends = np.maximum(
        (table["income_gbp_ci_high"].astype(float) / 1e6).to_numpy(), (fixed + variable).to_numpy()
    )
    reach = float(pd.Series(ends).max()) if len(ends) else 1.0
    reach = reach if math.isfinite(reach) and reach > 0 else 1.0
    for label, end, flag in zip(labels, ends, table["flag"], strict=True):
        bad = str(flag).startswith("income below")
        verdict = {
            "viable": "✓ viable",
            "income below fixed cost: not viable": "✗ NOT VIABLE: income below fixed cost",
            "covers fixed cost, not variable cost": "! covers fixed cost, not variable",
        }.get(str(flag), str(flag))
        figure.add_annotation(
            x=float(end),
            y=label,
            text=f"<b>{verdict}</b>" if bad else verdict,
            showarrow=False,
            xanchor="left",
            xshift=8,
            font={
                "size": FONT_SIZE - 1,
                "color": VERMILLION if bad else GREY if flag == "no fixed cost given" else BLACK,
            },
        )
    house_style(
        figure,
        "Can each provider stand? Income against costs (£m)",
        x_title=f"£m {period}",
        y_title="",
        subtitle=f"Income is what this commissioner pays {period}; a provider whose income "
        "is below its fixed cost is not viable.",
        height=max(420, 110 + 70 * len(labels)),
        legend_below=True,
    )
    figure.update_layout(barmode="group")
    figure.update_xaxes(range=[0, reach * 1.6], tickprefix="£", ticksuffix="m")
    figure.update_yaxes(autorange="reversed")
    return figure


def _wrap(text: str, width: int = 16, lines: int = 3) -> str:
    """A long name over a few short lines, for category axes that would otherwise tilt."""
    parts = textwrap.wrap(text, width) or [text]
    if len(parts) > lines:
        parts = [*parts[: lines - 1], shorten(" ".join(parts[lines - 1 :]), width)]
    return "<br>".join(parts)
