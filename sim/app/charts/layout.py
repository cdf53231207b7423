"""Where places sit in a left-to-right drawing of the system, shared by the network
drawing and the Sankeys so that a provider keeps its column and its order in both.

Demand is on the left and the exits on the right; providers stand in columns by how far
patients have come, and in rows that keep the lines between them from crossing.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np


def layer_columns(
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


def layer_rows(
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
