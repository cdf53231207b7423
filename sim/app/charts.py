"""The figures of the app and the HTML report, drawn with plotly from the public API's tables.

What belongs here: turning the tables that `run_scenario`, `compare_scenarios` and
`tornado` return into figures a commissioner can read from the back of a training room:
titles in their words with units, labelled axes, large fonts, hover text with the
numbers, and colours that colour-blind readers can tell apart (the Okabe-Ito palette and
the cividis scale; where colour carries meaning, a sign, symbol or word carries it too).
Nothing here simulates or validates: every number comes from a table or a scenario passed
in, so the app, the report and a notebook draw the same figures. No streamlit import, so
the report can build these figures without a running app.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from typing import Any, NamedTuple

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.compare.words import WHOLE_YEAR, duration, pounds, signed_pounds
from sim.metric_names import in_words
from sim.money.practices import ABOVE_95, ABOVE_998, BELOW_95, BELOW_998, WITHIN, funnel_limits
from sim.network.graph import build_graph
from sim.network.load_by_month import monthly_load
from sim.network.traffic import arrival_rates, offered_load
from sim.results.run import RunResult
from sim.scenario.model import DAYS_PER_YEAR, UNNAMED_EXIT, Provider, Scenario

# Okabe and Ito's palette, distinguishable with every common colour-vision deficiency.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#8C8C8C"
LIGHT_GREY = "#C8C8C8"
SERIES = (BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE, SKY_BLUE, BLACK)
"""Line colours in order; each line also gets its own dash, for black-and-white copies."""
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

MORE = BLUISH_GREEN
"""More patients on a route than in the baseline."""
FEWER = VERMILLION
"""Fewer patients on a route than in the baseline."""
SPEND_UP = VERMILLION
SPEND_DOWN = BLUE
UTILISATION_SCALE = (
    (0.0, "#ffffcc"),
    (0.5, "#ffeda0"),
    (0.65, "#fed976"),
    (0.75, "#feb24c"),
    (0.82, "#fd8d3c"),
    (0.88, "#fc4e2a"),
    (0.93, "#e31a1c"),
    (0.97, "#bd0026"),
    (1.0, "#800026"),
)
"""ColorBrewer's YlOrRd, pale (idle) to dark red (full): ordered by lightness, so it reads
in any colour vision and in greyscale. Most of its range is spent above 75%, where
services differ and where the pressure is."""
UTILISATION_TICKS = (0.0, 0.25, 0.5, 0.75, 0.85, 1.0)

FONT_SIZE = 16
TITLE_SIZE = 22
FONT_FAMILY = "Arial, Helvetica, sans-serif"
TITLE_WIDTH = 56
SUBTITLE_WIDTH = 80
"""Characters a line before titles wrap: about half a projected screen at these sizes."""

WAIT_METRICS = frozenset({"mean_wait_days", "p95_wait_days", "mean_stay_days"})
"""Metrics in days that are a time per patient (shown in minutes, hours or days)."""


class Card(NamedTuple):
    """One headline number of the dashboard: a label, the value, and a line of context."""

    label: str
    value: str
    detail: str


ProviderChoice = pd.DataFrame | Sequence[str] | None
"""Which providers a through-time chart shows: ids, or `providers.csv` (those with limited
capacity), or None for every provider with something to show."""


def figure_config() -> dict[str, Any]:
    """plotly's display options for these figures: no logo, sharp downloads for slides."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "scale": 2},
    }


# --- the provider network --------------------------------------------------------------------


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
    names = _names([scenario])
    ran = providers is not None and flows is not None
    period = _period(scenario) if ran else "a year"
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
    _style(figure, title, subtitle=subtitle, height=640)
    hidden = {"visible": False, "range": [-0.06, 1.16]}
    figure.update_xaxes(**hidden)
    figure.update_yaxes(**{**hidden, "range": [-0.12, 1.12]})
    figure.update_layout(
        legend={"orientation": "h", "y": -0.02, "x": 0.0, "yanchor": "top"},
        hovermode="closest",
    )
    return figure


def _layered_positions(graph: nx.DiGraph, scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Each node's (x, y) in [0, 1]: columns from `_columns`, rows from `_rows`."""
    nodes = list(graph.nodes)
    edges = [(str(u), str(v)) for u, v in graph.edges]
    demand = {stream.id for stream in scenario.demand}
    exits = {*scenario.exits, UNNAMED_EXIT}
    column = _columns(nodes, edges, demand, exits)
    row = _rows(nodes, edges, column)
    widest = max(Counter(column.values()).values(), default=1)
    columns = max(column.values(), default=0) or 1
    return {node: (column[node] / columns, 0.5 - row[node] / widest) for node in nodes}


def _columns(
    nodes: Sequence[str], edges: Sequence[tuple[str, str]], demand: set[str], exits: set[str]
) -> dict[str, int]:
    """Left-to-right columns: providers by the longest route from where patients enter
    (loops broken where a depth-first walk from the entry points closes them), each demand
    stream one column left of the provider it enters, the exits in the last column."""
    routes = nx.DiGraph()
    routes.add_nodes_from(n for n in nodes if n not in demand and n not in exits)
    routes.add_edges_from((u, v) for u, v in edges if u in routes and v in routes and u != v)
    entries = [v for u, v in edges if u in demand and v in routes]
    starts = list(dict.fromkeys([*entries, *routes.nodes]))
    while True:
        try:
            cycle = nx.find_cycle(routes, source=starts)
        except nx.NetworkXNoCycle:
            break
        routes.remove_edge(*cycle[-1][:2])
    column: dict[str, int] = {}
    for depth, generation in enumerate(nx.topological_generations(routes)):
        for node in generation:
            column[node] = depth + 1
    for node in nodes:
        if node in demand:
            targets = [column[v] for u, v in edges if u == node and v in column]
            column[node] = min(targets, default=1) - 1
    last = max(column.values(), default=0) + 1
    column.update({node: last for node in nodes if node in exits})
    shift = min(column.values(), default=0)
    return {node: c - shift for node, c in column.items()}


def _rows(
    nodes: Sequence[str], edges: Sequence[tuple[str, str]], column: dict[str, int]
) -> dict[str, float]:
    """Rows within each column, centred on 0, ordered by the mean row of each node's
    neighbours (a few sweeps of the barycentre heuristic), so that lines cross less."""
    neighbours: dict[str, list[str]] = {node: [] for node in nodes}
    for u, v in edges:
        if u != v and u in neighbours and v in neighbours:
            neighbours[u].append(v)
            neighbours[v].append(u)
    first = {node: i for i, node in enumerate(nodes)}
    row = {node: float(i) for i, node in enumerate(nodes)}
    for _ in range(4):
        for node in nodes:
            if neighbours[node]:
                row[node] = float(np.mean([row[n] for n in neighbours[node]]))
        for c in set(column.values()):
            members = sorted((n for n in nodes if column[n] == c), key=lambda n: (row[n], first[n]))
            middle = (len(members) - 1) / 2
            for i, node in enumerate(members):
                row[node] = i - middle
    return row


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
        rows = _by_provider(providers)
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
    period = _period(scenario) if ran else "a year"
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
            text=[_short(i, 18) for i in demand],
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
            text=[_short(i, 18) for i in exits],
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
            text=[_short(p.id, 18) for p in limited],
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
            text=[_short(p.id, 18) for p in unlimited],
            textposition="bottom center",
            hovertext=[hover(p) for p in unlimited],
            hoverinfo="text",
        )
    )
    return traces


# --- patient flows ---------------------------------------------------------------------------


def patient_sankey(flows: pd.DataFrame, *, scenario: Scenario | None = None) -> go.Figure:
    """Where patients go: demand on the left, through providers, to the exits on the right.

    Link width is patients over the measured period (`flows.csv`). A Sankey cannot draw a
    return to the same place, so follow-ups (a provider to itself) are left out of the
    links and given in that provider's hover instead."""
    names = _names([scenario] if scenario is not None else [])
    period = _period(scenario)
    returning = flows[flows["from"] == flows["to"]]
    links = flows[flows["from"] != flows["to"]]
    edges = list(zip(links["from"].astype(str), links["to"].astype(str), strict=True))
    values = links["patients"].astype(float).tolist()
    nodes, kind = _sankey_nodes(edges, *([scenario] if scenario is not None else []))
    x, y = _sankey_positions(nodes, edges, values, kind)
    index = {n: i for i, n in enumerate(nodes)}
    colour = {"demand": SKY_BLUE, "provider": BLUE, "exit": GREY}
    follow_ups = dict(zip(returning["from"], returning["patients"], strict=True))
    node_hover = []
    for node in nodes:
        text = f"<b>{names.get(node, node)}</b><br>%{{value:,.0f}} patients {period}"
        if node in follow_ups:
            text += f"<br>plus {follow_ups[node]:,.0f} follow-ups coming back here"
        node_hover.append(text + "<extra></extra>")
    has_ci = {"patients_ci_low", "patients_ci_high"} <= set(links.columns)
    link_hover = [
        f"{names.get(a, a)} → {names.get(b, b)}<br>{value:,.0f} patients {period}"
        + (f"<br>95% CI {low:,.0f} to {high:,.0f}" if has_ci else "")
        for (a, b), value, low, high in zip(
            edges,
            values,
            links["patients_ci_low"] if has_ci else values,
            links["patients_ci_high"] if has_ci else values,
            strict=True,
        )
    ]
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",.0f",
            node={
                "label": [_short(names.get(n, n), 26) for n in nodes],
                "color": [colour[kind[n]] for n in nodes],
                "x": x,
                "y": y,
                "pad": 14,
                "thickness": 20,
                "line": {"width": 0.5, "color": BLACK},
                "hovertemplate": node_hover,
            },
            link={
                "source": [index[a] for a, _ in edges],
                "target": [index[b] for _, b in edges],
                "value": values,
                "color": [_rgba(colour[kind[a]], 0.35) for a, _ in edges],
                "customdata": link_hover,
                "hovertemplate": "%{customdata}<extra></extra>",
            },
        )
    )
    _style(
        figure,
        f"Where patients go {period} (patients)",
        subtitle="From where they come in (left), through the services, to where they leave "
        "(right). Width: patients. Hover for the numbers; drag a box to move it.",
        height=660,
    )
    return figure


def difference_sankey(
    flow_differences: pd.DataFrame,
    scenario_label: str | None = None,
    *,
    significant_only: bool = True,
    scenarios: Sequence[Scenario] = (),
) -> go.Figure:
    """The change in patients on each route, variant minus baseline, as a Sankey: green
    links carry more patients than before, vermillion fewer (and the hover says which, in
    words). By default only changes whose 95% interval excludes zero are drawn: a board
    should not see a route move that chance alone could have moved. `scenarios` (the
    baseline, then the variants) give the places their names."""
    label = scenario_label or _first_label(flow_differences)
    table = (
        flow_differences[flow_differences["scenario"] == label]
        if "scenario" in flow_differences
        else flow_differences
    )
    changed = table[(table["difference"] != 0) & (table["from"] != table["to"])]
    if significant_only:
        changed = changed[changed["significant"].astype(bool)]
    names = _names(scenarios)
    period = _period(scenarios[0] if scenarios else None)
    edges = list(zip(changed["from"].astype(str), changed["to"].astype(str), strict=True))
    sizes = changed["difference"].abs().astype(float).tolist()
    nodes, kind = _sankey_nodes(edges, *scenarios)
    x, y = _sankey_positions(nodes, edges, sizes, kind)
    index = {n: i for i, n in enumerate(nodes)}
    hover = [
        f"<b>{names.get(a, a)} → {names.get(b, b)}</b><br>"
        f"{abs(d):,.0f} {'more' if d > 0 else 'fewer'} patients {period}<br>"
        f"{base:,.0f} → {variant:,.0f} (95% CI of the change {low:+,.0f} to {high:+,.0f})"
        for (a, b), d, base, variant, low, high in zip(
            edges,
            changed["difference"],
            changed["base"],
            changed["variant"],
            changed["ci_low"],
            changed["ci_high"],
            strict=True,
        )
    ]
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",.0f",
            node={
                "label": [_short(names.get(n, n), 26) for n in nodes],
                "color": GREY,
                "x": x,
                "y": y,
                "pad": 14,
                "thickness": 20,
                "line": {"width": 0.5, "color": BLACK},
                "hovertemplate": "%{label}<extra></extra>",
            },
            link={
                "source": [index[a] for a, _ in edges],
                "target": [index[b] for _, b in edges],
                "value": sizes,
                "color": [_rgba(MORE if d > 0 else FEWER, 0.6) for d in changed["difference"]],
                "customdata": hover,
                "hovertemplate": "%{customdata}<extra></extra>",
            },
        )
    )
    which = (
        "only changes whose 95% interval excludes zero"
        if significant_only
        else "every change, including those chance could explain"
    )
    _style(
        figure,
        f"How patient flows change {period}: {label} against the baseline (patients)",
        subtitle=f"Green: more patients on that route. Vermillion: fewer. Width: size of the "
        f"change. Showing {which}.",
        height=600,
    )
    if changed.empty:
        figure.add_annotation(
            text="No route's flow changed beyond what chance could explain",
            showarrow=False,
            font={"size": FONT_SIZE + 2},
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
        )
    return figure


def _sankey_nodes(
    edges: Sequence[tuple[str, str]], *scenarios: Scenario
) -> tuple[list[str], dict[str, str]]:
    """The places the links join, demand first and exits last, with each one's kind: from
    the scenarios where given, else from the links (nothing comes in to demand; nothing
    leaves an exit)."""
    nodes = list(dict.fromkeys(place for edge in edges for place in edge))
    origins, destinations = {a for a, _ in edges}, {b for _, b in edges}
    demand = {s.id for scenario in scenarios for s in scenario.demand}
    exits = {e for scenario in scenarios for e in (*scenario.exits, UNNAMED_EXIT)}
    providers = {p.id for scenario in scenarios for p in scenario.providers}
    kind = {}
    for node in nodes:
        if node in demand or (node not in providers and node not in destinations):
            kind[node] = "demand"
        elif node in exits or (node not in providers and node not in origins):
            kind[node] = "exit"
        else:
            kind[node] = "provider"
    nodes.sort(key=lambda n: ("demand", "provider", "exit").index(kind[n]))
    return nodes, kind


def _sankey_positions(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str]],
    sizes: Sequence[float],
    kind: dict[str, str],
) -> tuple[list[float], list[float]]:
    """Node centres in [0, 1] for plotly: the columns and row order of the network
    drawing, each column stacked by the nodes' sizes, so that demand sits just left of
    where it enters and every exit is on the right."""
    demand = {n for n in nodes if kind[n] == "demand"}
    exits = {n for n in nodes if kind[n] == "exit"}
    column = _columns(nodes, edges, demand, exits)
    row = _rows(nodes, edges, column)
    inflow: defaultdict[str, float] = defaultdict(float)
    outflow: defaultdict[str, float] = defaultdict(float)
    for (a, b), size in zip(edges, sizes, strict=True):
        outflow[a] += size
        inflow[b] += size
    height = {n: max(inflow[n], outflow[n]) for n in nodes}
    gap = 0.04
    groups = {
        c: sorted((n for n in nodes if column[n] == c), key=lambda n: row[n])
        for c in set(column.values())
    }
    scale = min(
        (
            (0.94 - gap * (len(members) - 1)) / total
            for members in groups.values()
            if (total := sum(height[n] for n in members)) > 0
        ),
        default=1.0,
    )
    last = max(column.values(), default=0) or 1
    x: dict[str, float] = {}
    y: dict[str, float] = {}
    for c, members in groups.items():
        top = (1 - sum(height[n] * scale for n in members) - gap * (len(members) - 1)) / 2
        for node in members:
            x[node] = min(max(c / last, 0.001), 0.999)
            y[node] = min(max(top + height[node] * scale / 2, 0.001), 0.999)
            top += height[node] * scale + gap
    return [x[n] for n in nodes], [y[n] for n in nodes]


# --- money -----------------------------------------------------------------------------------


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
    months = [_month_start(m) for m in budget["month"]]
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
                    fillcolor=_rgba(BLUE, alpha),
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
    _style(
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
    label = scenario_label or _first_label(waterfall)
    table = waterfall[waterfall["scenario"] == label] if "scenario" in waterfall else waterfall
    names = _names(scenarios)
    period = _period(scenarios[0] if scenarios else None)
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
    _style(
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
    names = _names([scenario] if scenario is not None else [])
    period = _period(scenario)
    table = viability_table
    labels = [_short(names.get(p, p), 32) for p in table["provider"]]
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
    _style(
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


# --- practices -------------------------------------------------------------------------------

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
    _style(
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
    names = _names([scenario] if scenario is not None else [])
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
    _style(
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


# --- through the year ------------------------------------------------------------------------


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
    scale, unit = _wait_unit(longest)
    figure = _lines_with_bands(
        rows, "mean_wait_days", scale, unit, _names([scenario] if scenario else []), ":.1f"
    )
    _style(
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
    names = _names([scenario] if scenario else [])
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
    _style(
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
        months = [_month_start(m) for m in group["month"]]
        low = group[f"{metric}_ci_low"].astype(float).to_numpy() * scale
        high = group[f"{metric}_ci_high"].astype(float).to_numpy() * scale
        mean = group[metric].astype(float).to_numpy() * scale
        known = np.isfinite(low) & np.isfinite(high)
        band_x = [m for m, k in zip(months, known, strict=True) if k]
        name = _short(names.get(str(provider), str(provider)), 32)
        figure.add_trace(
            go.Scatter(
                x=band_x + band_x[::-1],
                y=np.concatenate([high[known], low[known][::-1]]),
                fill="toself",
                fillcolor=_rgba(colour, 0.18),
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


# --- sensitivity -----------------------------------------------------------------------------


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
    names = _names([scenario] if scenario else [])
    words = in_words(name)
    if provider in ("all", ""):
        words, place = f"total {words}", "across the whole system"
    else:
        place = f"at {_short(names.get(provider, provider), 36)}"
    _style(
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


# --- headline cards --------------------------------------------------------------------------

AE_IDS = frozenset({"ae", "a_and_e", "aande", "ed", "emergency_department"})
BED_IDS = frozenset({"ward", "wards", "beds", "inpatients", "acute_beds"})


def headline_cards(result: RunResult) -> list[Card]:
    """The dashboard's first row: what was paid against budget, the forecast and the risk
    of overspending, and the waits and occupancy at A&E and the beds.

    A&E and the beds are found by id (`ae`, `ward`, ...) or name, else among acute
    providers with servers: a stay under a day is A&E, the longest stay is the beds. A
    card whose provider is not in the scenario is left out."""
    scenario = result.scenario
    totals = result.summary["totals"]
    period = _period(scenario)
    paid = float(totals["paid_gbp"])
    budget = totals.get("budget_gbp")
    cards = []
    if budget is not None:
        variance = paid - float(budget)
        side = "over" if variance > 0 else "under"
        cards.append(
            Card(
                f"Total paid {period}",
                pounds(paid),
                f"{pounds(abs(variance))} {side} the budget of {pounds(float(budget))}",
            )
        )
        outturn = float(result.budget["forecast_outturn_gbp"].iloc[-1])
        cards.append(
            Card(
                "Forecast outturn",
                pounds(outturn),
                f"80% of simulated years between {pounds(float(totals['paid_gbp_p10']))} and "
                f"{pounds(float(totals['paid_gbp_p90']))}",
            )
        )
        chance = totals.get("chance_of_overspend")
        if chance is not None:
            replications = int(result.summary["replications"])
            over = round(float(chance) * replications)
            cards.append(
                Card(
                    "Chance of overspend",
                    f"{float(chance):.0%}",
                    f"{over} of {replications} simulated years end over budget",
                )
            )
    else:
        cards.append(Card(f"Total paid {period}", pounds(paid), "no budget set"))
    table = _by_provider(result.providers)
    emergency = _find_provider(scenario, AE_IDS, ("a&e", "emergency department"), shortest=True)
    if emergency is not None and emergency.id in table:
        row = table[emergency.id]
        cards.append(
            Card(
                "A&E mean wait",
                duration(float(row["mean_wait_days"])),
                f"{emergency.label}: 95th centile {duration(float(row['p95_wait_days']))}",
            )
        )
    beds = _find_provider(scenario, BED_IDS, ("ward", "bed"), shortest=False)
    if beds is not None and beds.id in table:
        row = table[beds.id]
        cards.append(
            Card(
                "Bed mean wait",
                duration(float(row["mean_wait_days"])),
                f"{beds.label}: 95% CI {duration(float(row['mean_wait_days_ci_low']))} to "
                f"{duration(float(row['mean_wait_days_ci_high']))}",
            )
        )
        servers = beds.capacity.servers if beds.capacity is not None else None
        if servers:
            cards.append(
                Card(
                    "Bed occupancy",
                    f"{float(row['utilisation']):.0%}",
                    f"{float(row['mean_occupied']):,.0f} of {servers:,} beds occupied on an "
                    "average day",
                )
            )
    return cards


def _find_provider(
    scenario: Scenario, ids: Iterable[str], words: Sequence[str], shortest: bool
) -> Provider | None:
    known = set(ids)
    for provider in scenario.providers:
        if provider.id.lower() in known:
            return provider
    for provider in scenario.providers:
        if provider.kind == "acute" and any(w in (provider.name or "").lower() for w in words):
            return provider
    acute = [
        p
        for p in scenario.providers
        if p.kind == "acute" and p.capacity is not None and p.capacity.servers is not None
    ]

    def stay(provider: Provider) -> float:
        return provider.length_of_stay.mean if provider.length_of_stay is not None else 0.0

    if shortest:
        short = [p for p in acute if stay(p) < 1.0]
        return min(short, key=stay) if short else None
    long = [p for p in acute if stay(p) >= 1.0]
    return max(long, key=stay) if long else None


# --- shared helpers --------------------------------------------------------------------------


def _style(
    figure: go.Figure,
    title: str,
    x_title: str | None = None,
    y_title: str | None = None,
    subtitle: str | None = None,
    height: int = 520,
    legend_below: bool = False,
) -> go.Figure:
    """The house style: white background, large type for a projector, title on the left.

    Titles and subtitles are wrapped, because plotly clips rather than wraps them and the
    app sets some charts side by side; `legend_below` frees the width a side legend takes."""
    heading = "<br>".join(textwrap.wrap(title, TITLE_WIDTH)) or title
    note = "<br>".join(textwrap.wrap(subtitle, SUBTITLE_WIDTH)) if subtitle else ""
    top = 40 + 30 * (heading.count("<br>") + 1) + (22 * (note.count("<br>") + 1) + 8 if note else 0)
    figure.update_layout(
        template="plotly_white",
        height=height,
        font={"size": FONT_SIZE, "family": FONT_FAMILY, "color": BLACK},
        title={
            "text": heading,
            "font": {"size": TITLE_SIZE},
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 1.0,
            "yanchor": "top",
            "pad": {"t": 20},
            **({"subtitle": {"text": note, "font": {"size": FONT_SIZE - 1}}} if note else {}),
        },
        hoverlabel={"font": {"size": FONT_SIZE, "family": FONT_FAMILY}},
        legend={"font": {"size": FONT_SIZE}},
        margin={"t": top, "l": 70, "r": 40, "b": 70},
    )
    if legend_below:
        figure.update_layout(
            legend={"orientation": "h", "x": 0.0, "xanchor": "left", "y": -0.24, "yanchor": "top"},
            margin={"b": 150},
            height=height + 80,
        )
    if x_title is not None:
        figure.update_xaxes(title={"text": x_title})
    if y_title is not None:
        figure.update_yaxes(title={"text": y_title})
    figure.update_xaxes(title_font_size=FONT_SIZE + 2, tickfont_size=FONT_SIZE)
    figure.update_yaxes(title_font_size=FONT_SIZE + 2, tickfont_size=FONT_SIZE)
    return figure


def _names(scenarios: Iterable[Scenario]) -> dict[str, str]:
    """Every place's name as a commissioner reads it: providers, demand streams, exits."""
    names = {UNNAMED_EXIT: "left the modelled system"}
    for scenario in scenarios:
        for provider in scenario.providers:
            names.setdefault(provider.id, provider.label)
        for stream in scenario.demand:
            names.setdefault(stream.id, stream.name or stream.id.replace("_", " "))
        for exit_name in scenario.exits:
            names.setdefault(exit_name, exit_name.replace("_", " "))
        for practice in scenario.registered_practices:
            names.setdefault(practice.id, practice.name or practice.id)
    return names


def _period(scenario: Scenario | None) -> str:
    """The measured period in words, as the tables count it."""
    if scenario is None:
        return "over the run"
    if scenario.run.days == WHOLE_YEAR:
        return "in the year"
    return f"over the {scenario.run.days}-day run"


def _month_start(month: str) -> dt.date:
    """'2026-04' as the first of the month, for a date axis that labels it 'Apr 2026'."""
    year, number = str(month).split("-")[:2]
    return dt.date(int(year), int(number), 1)


def _wait_unit(longest_days: float) -> tuple[float, str]:
    """Multiplier from days and the unit's name, for the longest wait on an axis."""
    if not np.isfinite(longest_days) or longest_days < 1 / 24:
        return 24 * 60, "minutes"
    if longest_days < 2:
        return 24.0, "hours"
    return 1.0, "days"


def _metric_unit(metric: str, largest: float) -> tuple[float, str, str, str]:
    """Scale, unit name, tick prefix and suffix for a metric of the results tables."""
    if metric.endswith("_gbp"):
        return 1e-6, "£m", "£", "m"
    if metric in WAIT_METRICS:
        scale, unit = _wait_unit(largest)
        return scale, unit, "", {"minutes": " min", "hours": " h", "days": " d"}[unit]
    if metric == "utilisation":
        return 100.0, "%", "", "%"
    if metric.endswith("_days"):
        return 1.0, "days", "", ""
    if metric in ("mean_occupied", "mean_queue", "mean_in_system"):
        return 1.0, "places", "", ""
    return 1.0, "patients", "", ""


def _first_label(table: pd.DataFrame) -> str:
    if "scenario" in table and len(table):
        return str(table["scenario"].iloc[0])
    return "variant"


def _wrap(text: str, width: int = 16, lines: int = 3) -> str:
    """A long name over a few short lines, for category axes that would otherwise tilt."""
    parts = textwrap.wrap(text, width) or [text]
    if len(parts) > lines:
        parts = [*parts[: lines - 1], _short(" ".join(parts[lines - 1 :]), width)]
    return "<br>".join(parts)


def _short(text: str, limit: int) -> str:
    """At most `limit` characters: a trailing "(...)" goes first, then the end of the text."""
    if len(text) <= limit:
        return text
    plain = text.split(" (")[0]
    if 0 < len(plain) <= limit:
        return plain
    return text[: limit - 1].rstrip() + "…"


def _by_provider(providers: pd.DataFrame) -> dict[str, dict[Hashable, Any]]:
    """`providers.csv` as one dict of figures per provider id."""
    return {str(row["provider"]): row for row in providers.to_dict("records")}


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"
