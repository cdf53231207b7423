"""Where patients go, as Sankeys: the flows of one run, and how a variant changes them.

A Sankey shows volume along routes better than any table, and, coloured by the sign of a
change, which routes a new service takes patients from. Only changes beyond chance are
drawn by default, so that a board is not shown movements noise alone could make.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from sim.app.charts.layout import layer_columns, layer_rows
from sim.app.charts.style import (
    BLACK,
    BLUE,
    FEWER,
    FONT_SIZE,
    GREY,
    MORE,
    SKY_BLUE,
    first_label,
    house_style,
    period_words,
    place_names,
    rgba,
    shorten,
)
from sim.scenario.model import UNNAMED_EXIT, Scenario


def patient_sankey(flows: pd.DataFrame, *, scenario: Scenario | None = None) -> go.Figure:
    """Where patients go: demand on the left, through providers, to the exits on the right.

    Link width is patients over the measured period (`flows.csv`). A Sankey cannot draw a
    return to the same place, so follow-ups (a provider to itself) are left out of the
    links and given in that provider's hover instead."""
    names = place_names([scenario] if scenario is not None else [])
    period = period_words(scenario)
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
                "label": [shorten(names.get(n, n), 26) for n in nodes],
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
                "color": [rgba(colour[kind[a]], 0.35) for a, _ in edges],
                "customdata": link_hover,
                "hovertemplate": "%{customdata}<extra></extra>",
            },
        )
    )
    house_style(
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
    label = scenario_label or first_label(flow_differences)
    table = (
        flow_differences[flow_differences["scenario"] == label]
        if "scenario" in flow_differences
        else flow_differences
    )
    changed = table[(table["difference"] != 0) & (table["from"] != table["to"])]
    if significant_only:
        changed = changed[changed["significant"].astype(bool)]
    names = place_names(scenarios)
    period = period_words(scenarios[0] if scenarios else None)
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
                "label": [shorten(names.get(n, n), 26) for n in nodes],
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
                "color": [rgba(MORE if d > 0 else FEWER, 0.6) for d in changed["difference"]],
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
    house_style(
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
    column = layer_columns(nodes, edges, demand, exits)
    row = layer_rows(nodes, edges, column)
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
