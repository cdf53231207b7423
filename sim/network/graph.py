"""The provider graph: who sends patients to whom, as a networkx directed graph.

Nodes are named by id. Every node has a `kind`:

- `"provider"`, with the `Provider` under `provider`;
- `"demand"`, a stream of patients from outside, with the `DemandStream` under `demand`;
- `"exit"`, for each named exit and for the unnamed exit `model.UNNAMED_EXIT` ("exit").

Every edge has a `kind`:

- `"demand"` (demand -> provider), with `rate_per_day` at the annual mean seasonality;
- `"pathway"` (provider -> provider or named exit), with `share` and `delay` (a Duration
  or None); `share` is for patients without a pathway of their cohort's own from there
  (0 when only cohorts go that way), and `cohort_shares` maps each cohort with its own
  pathway this way to its share;
- `"remainder"` (provider -> "exit"), with `share` = 1 - the provider's pathway shares,
  present only when they sum below 1 (for patients without a cohort's own pathways);
- `"overflow"` (provider -> `waiting.then`), with `share` and `max_days`: patients who have
  waited too long. A DiGraph holds one edge per pair, so when a pathway already joins the
  same pair the edge stays a `"pathway"` and carries `overflow_share` and
  `overflow_max_days` as well.
"""

from __future__ import annotations

import networkx as nx

from sim.network.traffic import demand_rate_per_day
from sim.scenario.model import UNNAMED_EXIT, Scenario

SHARE_TOLERANCE = 1e-9
"""Shares are floats: 0.1 + 0.2 + 0.7 is not exactly 1."""


def build_graph(scenario: Scenario) -> nx.DiGraph:
    """The provider graph of a scenario whose ids are unique and whose references resolve."""
    graph = nx.DiGraph()
    for provider in scenario.providers:
        _add_node(graph, provider.id, kind="provider", provider=provider)
    for stream in scenario.demand:
        _add_node(graph, stream.id, kind="demand", demand=stream)
    for name in (*scenario.exits, UNNAMED_EXIT):
        _add_node(graph, name, kind="exit")

    for stream in scenario.demand:
        _require(graph, stream.enters, "provider", f"demand {stream.id} enters")
        graph.add_edge(
            stream.id,
            stream.enters,
            kind="demand",
            rate_per_day=demand_rate_per_day(scenario, stream),
        )
    shares: dict[str, float] = {provider.id: 0.0 for provider in scenario.providers}
    for pathway in scenario.pathways:
        if pathway.cohort is not None:
            continue
        _require(graph, pathway.from_, "provider", f"pathway {pathway.name} from")
        _require(graph, pathway.to, "provider or exit", f"pathway {pathway.name} to")
        if graph.has_edge(pathway.from_, pathway.to):
            raise ValueError(f"pathway {pathway.name} is given twice")
        graph.add_edge(
            pathway.from_, pathway.to, kind="pathway", share=pathway.share, delay=pathway.delay
        )
        shares[pathway.from_] += pathway.share
    for pathway in scenario.pathways:
        if pathway.cohort is None:
            continue
        _require(graph, pathway.from_, "provider", f"pathway {pathway.name} from")
        _require(graph, pathway.to, "provider or exit", f"pathway {pathway.name} to")
        if not graph.has_edge(pathway.from_, pathway.to):
            graph.add_edge(
                pathway.from_, pathway.to, kind="pathway", share=0.0, delay=pathway.delay
            )
        cohort_shares = graph.edges[pathway.from_, pathway.to].setdefault("cohort_shares", {})
        if pathway.cohort in cohort_shares:
            raise ValueError(f"pathway {pathway.name} is given twice")
        cohort_shares[pathway.cohort] = pathway.share
    for provider_id, total in shares.items():
        if total < 1 - SHARE_TOLERANCE:
            graph.add_edge(provider_id, UNNAMED_EXIT, kind="remainder", share=1 - total)
    for provider in scenario.providers:
        waiting = provider.waiting
        if waiting is None or waiting.then is None:
            continue
        _require(graph, waiting.then, "provider", f"provider {provider.id} waiting.then")
        if graph.has_edge(provider.id, waiting.then):
            graph.edges[provider.id, waiting.then].update(
                overflow_share=waiting.share, overflow_max_days=waiting.max_days
            )
        else:
            graph.add_edge(
                provider.id,
                waiting.then,
                kind="overflow",
                share=waiting.share,
                max_days=waiting.max_days,
            )
    return graph


def routes_taken(scenario: Scenario, cohort: str | None = None) -> nx.DiGraph:
    """The routes patients of one cohort (None: no cohort) take after service: pathways
    with a share above 0, and the unnamed exit where shares leave a remainder."""
    routes = nx.DiGraph()
    routes.add_nodes_from(provider.id for provider in scenario.providers)
    routes.add_nodes_from((*scenario.exits, UNNAMED_EXIT))
    for provider in scenario.providers:
        pathways = scenario.pathways_from(provider.id, cohort)
        routes.add_edges_from((p.from_, p.to) for p in pathways if p.share > 0)
        if sum(p.share for p in pathways) < 1 - SHARE_TOLERANCE:
            routes.add_edge(provider.id, UNNAMED_EXIT)
    return routes


def _add_node(graph: nx.DiGraph, node_id: str, **attributes: object) -> None:
    if node_id in graph:
        raise ValueError(f"id '{node_id}' is used twice among providers, demand and exits")
    graph.add_node(node_id, **attributes)


def _require(graph: nx.DiGraph, node_id: str, kinds: str, what: str) -> None:
    kind = graph.nodes[node_id]["kind"] if node_id in graph else None
    allowed = {"provider"} if kinds == "provider" else {"provider", "exit"}
    if kind not in allowed or (node_id == UNNAMED_EXIT and kinds != "provider"):
        raise ValueError(f"{what} '{node_id}', which is not a known {kinds}")
