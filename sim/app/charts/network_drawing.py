"""The local system drawn as a graph: where patients come in, where they go, and how
full each provider is, before a run (from the scenario's own rates) and after it.

Drawing the network before anything is simulated lets a commissioner see at once what an
edited capacity implies; after a run the same drawing shows what was measured.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.app.charts.layout import layer_columns, layer_rows
from sim.app.charts.style import (
    BLACK,
    GREY,
    LIGHT_GREY,
    ORANGE,
    SKY_BLUE,
    UTILISATION_SCALE,
    UTILISATION_TICKS,
    by_provider,
    house_style,
    period_words,
    place_names,
    shorten,
)
from sim.compare.words import duration
from sim.network.graph import build_graph
from sim.network.load_by_month import monthly_load
from sim.network.traffic import arrival_rates, offered_load
from sim.scenario.model import DAYS_PER_YEAR, UNNAMED_EXIT, Provider, Scenario


def network(
    scenario: Scenario,
    providers: pd.DataFrame | None = None,
    flows: pd.DataFrame | None = None,
) -> go.Figure:
    """The local system as a left-to-right graph, demand on the left and exits on the right.

    After a run (`providers` and `flows` given), circle size is patients seen, line width
    patients moving and colour utilisation. Before any run the same drawing shows what the
    scenario's own rates imply (the traffic equations: expected patients a year and offered
    load), so editing a capacity shows its effect at once; overflow routes, which depend on
    queues, are drawn dashed until a run measures them.
    """
    graph = build_graph(scenario)
    positions = _layered_positions(graph, scenario)
    names = place_names([scenario])
    ran = providers is not None and flows is not None
    period = period_words(scenario) if ran else "a year"
    measured = _edge_patients(graph, flows) if ran else _expected_edge_patients(graph, scenario)
    node_values, loads, waits = _node_figures(scenario, providers if ran else None)

    figure = go.Figure()
    widest = max((v for v in measured.values() if v is not None), default=0.0)
    for (origin, destination), patients in sorted(
        measured.items(), key=lambda item: item[1] if item[1] is not None else -1.0
    ):
        if origin == destination:
            continue
        figure.add_trace(
            _edge_trace(graph, positions, names, origin, destination, patients, widest, period, ran)
        )

    figure.add_traces(
        _node_traces(graph, positions, names, scenario, node_values, loads, waits, measured, ran)
    )
    if ran:
        title = f"Patients moving and utilisation (%) {period}: {scenario.name}"
        subtitle = (
            f"Circle size: patients seen {period}. Line width: patients moving {period}. "
            "Colour: utilisation (% of capacity in use)."
        )
    else:
        title = f"Expected patients a year and load (%), before a run: {scenario.name}"
        subtitle = (
            "Before any run: expected from the scenario's rates (traffic equations). "
            "Circle size: patients a year. Colour: offered load (demand / capacity) in each "
            "provider's busiest month."
        )
    house_style(figure, title, subtitle=subtitle, height=640)
    hidden = {"visible": False, "range": [-0.06, 1.16]}
    figure.update_xaxes(**hidden)
    figure.update_yaxes(**{**hidden, "range": [-0.12, 1.12]})
    figure.update_layout(
        legend={"orientation": "h", "y": -0.02, "x": 0.0, "yanchor": "top"},
        hovermode="closest",
    )
    return figure


def _layered_positions(graph: nx.DiGraph, scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Each node's (x, y) in [0, 1]: columns from `layer_columns`, rows from `layer_rows`."""
    nodes = list(graph.nodes)
    edges = [(str(u), str(v)) for u, v in graph.edges]
    demand = {stream.id for stream in scenario.demand}
    exits = {*scenario.exits, UNNAMED_EXIT}
    column = layer_columns(nodes, edges, demand, exits)
    row = layer_rows(nodes, edges, column)
    widest = max(Counter(column.values()).values(), default=1)
    columns = max(column.values(), default=0) or 1
    return {node: (column[node] / columns, 0.5 - row[node] / widest) for node in nodes}


def _edge_patients(
    graph: nx.DiGraph, flows: pd.DataFrame | None
) -> dict[tuple[str, str], float | None]:
    """Patients measured on every edge of the graph (and on any route the run found)."""
    moved: dict[tuple[str, str], float | None] = {edge: 0.0 for edge in graph.edges}
    if flows is not None:
        for origin, destination, patients in flows[["from", "to", "patients"]].itertuples(
            index=False
        ):
            moved[(str(origin), str(destination))] = float(patients)
    return {edge: value for edge, value in moved.items() if edge[0] in graph and edge[1] in graph}


def _expected_edge_patients(
    graph: nx.DiGraph, scenario: Scenario
) -> dict[tuple[str, str], float | None]:
    """Expected patients a year on every edge, from the traffic equations; None where the
    number depends on queues (overflow from a waiting list)."""
    try:
        rates = arrival_rates(scenario)
    except ValueError:
        return {edge: None for edge in graph.edges}
    expected: dict[tuple[str, str], float | None] = {}
    for origin, destination, data in graph.edges(data=True):
        if data["kind"] == "demand":
            expected[(origin, destination)] = data["rate_per_day"] * DAYS_PER_YEAR
        elif data["kind"] == "overflow":
            expected[(origin, destination)] = None
        else:
            expected[(origin, destination)] = rates[origin] * data["share"] * DAYS_PER_YEAR
    return expected


def _node_figures(
    scenario: Scenario, providers: pd.DataFrame | None
) -> tuple[dict[str, float], dict[str, float | None], dict[str, float | None]]:
    """Per provider: patients (seen, or expected a year), utilisation (or, before a run,
    the offered load of its busiest month, as `knockon validate` judges it, through the
    run's capacity changes, openings and shocks) and mean wait (None before a run)."""
    if providers is not None:
        rows = by_provider(providers)
        values = {p: float(row["completions"]) for p, row in rows.items()}
        loads = {p: _finite(row["utilisation"]) for p, row in rows.items()}
        waits = {p: _finite(row["mean_wait_days"]) for p, row in rows.items()}
        return values, loads, waits
    try:
        expected = offered_load(scenario)
    except ValueError:
        return {p.id: 0.0 for p in scenario.providers}, {}, {}
    values = {p: load.arrivals_per_day * DAYS_PER_YEAR for p, load in expected.items()}
    offered: dict[str, float | None] = {p: load.load for p, load in expected.items()}
    for provider, through in monthly_load(scenario).items():
        if through.busiest is not None:
            offered[provider] = through.busiest.load
    return values, offered, {}


def _edge_trace(
    graph: nx.DiGraph,
    positions: dict[str, tuple[float, float]],
    names: dict[str, str],
    origin: str,
    destination: str,
    patients: float | None,
    widest: float,
    period: str,
    ran: bool,
) -> go.Scatter:
    """One route as a gently curved line with an arrow at its middle; hover anywhere on
    it for the patients. Curving to the left of travel keeps A->B and B->A apart."""
    kind = graph.edges[origin, destination]["kind"] if graph.has_edge(origin, destination) else ""
    width = 1.0 + 13.0 * math.sqrt(patients / widest) if patients and widest > 0 else 1.0
    (x0, y0), (x2, y2) = positions[origin], positions[destination]
    dx, dy = x2 - x0, y2 - y0
    bend = 0.0 if kind == "demand" else 0.12
    cx, cy = (x0 + x2) / 2 - dy * bend, (y0 + y2) / 2 + dx * bend
    t = np.linspace(0.0, 1.0, 21)
    xs = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x2
    ys = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y2
    colour = {"demand": SKY_BLUE, "overflow": ORANGE}.get(kind, GREY)
    if destination in graph and graph.nodes[destination]["kind"] == "exit":
        colour = LIGHT_GREY
    sizes = np.zeros(t.size)
    sizes[t.size // 2] = 9 + 1.2 * width
    route = f"{names.get(origin, origin)} → {names.get(destination, destination)}"
    if patients is None:
        amount = "depends on the queue: run the scenario to see"
    else:
        amount = f"{patients:,.0f} patients {period}" + ("" if ran else " (expected)")
    note = "<br>patients who waited too long" if kind == "overflow" else ""
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines+markers",
        line={"width": width, "color": colour, "dash": "dash" if patients is None else "solid"},
        marker={"symbol": "arrow", "angleref": "previous", "size": sizes, "color": colour},
        opacity=0.75,
        name=f"{origin} → {destination}",
        meta={"from": origin, "to": destination, "patients": patients},
        hovertext=f"<b>{route}</b><br>{amount}{note}",
        hoverinfo="text",
        showlegend=False,
    )


def _node_traces(
    graph: nx.DiGraph,
    positions: dict[str, tuple[float, float]],
    names: dict[str, str],
    scenario: Scenario,
    values: dict[str, float],
    loads: dict[str, float | None],
    waits: dict[str, float | None],
    moved: dict[tuple[str, str], float | None],
    ran: bool,
) -> list[go.Scatter]:
    """Demand streams, exits, providers with a capacity (coloured) and without (white)."""
    period = period_words(scenario) if ran else "a year"
    largest = max(values.values(), default=0.0)

    def size(provider_id: str) -> float:
        value = values.get(provider_id, 0.0)
        return 22.0 + 42.0 * math.sqrt(value / largest) if largest > 0 else 30.0

    def hover(provider: Provider) -> str:
        seen = values.get(provider.id, 0.0)
        lines = [f"<b>{provider.label}</b> ({provider.id}, {provider.kind.replace('_', ' ')})"]
        lines.append(
            f"Patients seen {period}: {seen:,.0f}"
            if ran
            else f"Expected patients a year: {seen:,.0f}"
        )
        load = loads.get(provider.id)
        if provider.capacity is None:
            lines.append("No capacity limit: nobody waits")
        elif load is not None:
            word = "Utilisation" if ran else "Offered load in the busiest month"
            lines.append(f"{word}: {load:.0%}" + (" - more than it can serve" if load > 1 else ""))
        wait = waits.get(provider.id)
        if wait is not None:
            lines.append(f"Mean wait: {duration(wait)}")
        returning = moved.get((provider.id, provider.id))
        if returning:
            lines.append(f"Coming back here (follow-ups): {returning:,.0f}")
        return "<br>".join(lines)

    def placed(ids: list[str]) -> tuple[list[float], list[float]]:
        return [positions[i][0] for i in ids], [positions[i][1] for i in ids]

    traces = []
    demand = [s.id for s in scenario.demand]
    x, y = placed(demand)
    traces.append(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+text",
            name="Demand from outside",
            marker={"symbol": "triangle-right", "size": 20, "color": SKY_BLUE},
            text=[shorten(i, 18) for i in demand],
            textposition="top center",
            hovertext=[
                f"<b>{names[s.id]}</b><br>enters {names.get(s.enters, s.enters)}"
                + (
                    f"<br>{v:,.0f} patients {period}"
                    if (v := moved.get((s.id, s.enters))) is not None
                    else ""
                )
                for s in scenario.demand
            ],
            hoverinfo="text",
        )
    )
    exits = [*scenario.exits, UNNAMED_EXIT]
    x, y = placed(exits)
    traces.append(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+text",
            name="Ways out",
            marker={"symbol": "square", "size": 18, "color": GREY},
            text=[shorten(i, 18) for i in exits],
            textposition="middle right",
            hovertext=[
                f"<b>{names[e]}</b><br>"
                + f"{sum(v or 0.0 for (o, d), v in moved.items() if d == e and o != e):,.0f}"
                + f" patients {period}"
                for e in exits
            ],
            hoverinfo="text",
        )
    )
    limited = [p for p in scenario.providers if loads.get(p.id) is not None]
    unlimited = [p for p in scenario.providers if loads.get(p.id) is None]
    x, y = placed([p.id for p in limited])
    colour_word = "Utilisation" if ran else "Offered load"
    traces.append(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+text",
            name="Providers with limited capacity (colour: " + colour_word.lower() + ")",
            marker={
                "size": [size(p.id) for p in limited],
                "color": [min(float(loads[p.id] or 0.0), 1.0) for p in limited],
                "colorscale": [list(stop) for stop in UTILISATION_SCALE],
                "cmin": 0.0,
                "cmax": 1.0,
                "line": {"width": 2, "color": BLACK},
                "colorbar": {
                    "title": {"text": f"{colour_word} (%)"},
                    "tickformat": ".0%",
                    "tickvals": list(UTILISATION_TICKS),
                    "len": 0.75,
                },
            },
            text=[shorten(p.id, 18) for p in limited],
            textposition="bottom center",
            hovertext=[hover(p) for p in limited],
            hoverinfo="text",
        )
    )
    x, y = placed([p.id for p in unlimited])
    traces.append(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+text",
            name="Providers without a capacity limit",
            marker={
                "size": [size(p.id) for p in unlimited],
                "color": "white",
                "line": {"width": 2, "color": BLACK},
            },
            text=[shorten(p.id, 18) for p in unlimited],
            textposition="bottom center",
            hovertext=[hover(p) for p in unlimited],
            hoverinfo="text",
        )
    )
    return traces


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None
