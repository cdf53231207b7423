"""The provider graph and the traffic equations, against hand-worked answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from sim.network import arrival_rates, build_graph, demand_rate_per_day, offered_load
from sim.scenario import load_scenario
from sim.scenario.model import UNNAMED_EXIT, Exponential, Scenario

DESIGN_EXAMPLE = Path(__file__).parent / "data" / "design_example.yaml"


def scenario(**fields: Any) -> Scenario:
    return Scenario.model_validate({"format": 1, "name": "network test", **fields})


def feedback_network() -> Scenario:
    """A -> B -> C with returns to A from both; worked by hand below."""
    return scenario(
        demand=[{"id": "need", "enters": "a", "per_day": 10}],
        providers=[
            {
                "id": "a",
                "capacity": {"servers": 5},
                "length_of_stay": {"distribution": "exponential", "mean_days": 0.3},
            },
            {"id": "b", "capacity": {"slots_per_day": 10}},
            {"id": "c"},
        ],
        pathways=[
            {"from": "a", "to": "b", "share": 0.5},
            {"from": "b", "to": "a", "share": 0.4},
            {"from": "b", "to": "c", "share": 0.5},
            {
                "from": "c",
                "to": "a",
                "share": 0.2,
                "delay": {"distribution": "fixed", "mean_days": 1},
            },
        ],
    )


def test_traffic_equations_on_a_network_with_feedback() -> None:
    # a = 10 + 0.4 b + 0.2 c, b = 0.5 a, c = 0.5 b = 0.25 a
    # so a = 10 + 0.2 a + 0.05 a, a = 40/3, b = 20/3, c = 10/3.
    rates = arrival_rates(feedback_network())
    assert rates == pytest.approx({"a": 40 / 3, "b": 20 / 3, "c": 10 / 3})


def test_offered_load_by_kind_of_capacity() -> None:
    loads = offered_load(feedback_network())
    # servers: arrivals x mean stay / servers = 40/3 x 0.3 / 5
    assert loads["a"].load == pytest.approx(40 / 3 * 0.3 / 5)
    # appointment book: arrivals / slots a day
    assert loads["b"].load == pytest.approx(20 / 3 / 10)
    # unlimited: no load
    assert loads["c"].load is None and loads["c"].peak_load is None
    assert loads["c"].arrivals_per_day == pytest.approx(10 / 3)


def test_pathway_delays_count_as_occupancy_of_the_provider_they_leave() -> None:
    network = scenario(
        demand=[{"id": "need", "enters": "ward", "per_day": 4}],
        providers=[
            {
                "id": "ward",
                "capacity": {"servers": 40},
                "length_of_stay": {"distribution": "exponential", "mean_days": 5},
            }
        ],
        exits=["care_home"],
        pathways=[
            {
                "from": "ward",
                "to": "care_home",
                "share": 0.25,
                "delay": {"distribution": "exponential", "mean_days": 8},
            }
        ],
    )
    # 4 a day x (5 days + 0.25 x 8 days) / 40 beds
    assert offered_load(network)["ward"].load == pytest.approx(4 * 7 / 40)


def test_demand_scales_with_list_sizes_and_referral_multipliers() -> None:
    network = scenario(
        practices=[
            {"id": "riverside", "list_size": 10_000},
            {"id": "hilltop", "list_size": 5_000, "referral_multiplier": 1.2},
        ],
        demand=[
            {"id": "need", "enters": "gp", "per_1000_per_year": 3_650},
            {
                "id": "flat",
                "enters": "gp",
                "per_1000_per_year": 3_650,
                "uses_referral_multiplier": False,
                "seasonality": [1.0] * 8 + [1.6] + [0.8] * 3,
            },
        ],
        providers=[{"id": "gp"}],
    )
    need, flat = network.demand
    # 3,650 per 1,000 per year = 10 per 1,000 per day; (10,000 + 5,000 x 1.2) / 1,000 x 10
    assert demand_rate_per_day(network, need) == pytest.approx(160)
    # without multipliers: 15,000 people; the annual mean of the seasonality is 1.0
    assert demand_rate_per_day(network, flat) == pytest.approx(150)
    assert demand_rate_per_day(network, flat, month_of_year=8) == pytest.approx(240)
    assert arrival_rates(network, month_of_year=9)["gp"] == pytest.approx(160 + 120)


def test_the_peak_month_is_the_busiest_one() -> None:
    network = scenario(
        run={"start_date": "2026-04-01"},
        population=36_500,
        demand=[
            {
                "id": "need",
                "enters": "ward",
                "per_1000_per_year": 100,
                "seasonality": [1.0] * 9 + [1.5] + [0.75] * 2,
            }
        ],
        providers=[
            {
                "id": "ward",
                "capacity": {"servers": 10},
                "length_of_stay": {"distribution": "fixed", "mean_days": 1},
            }
        ],
    )
    load = offered_load(network)["ward"]
    assert load.load == pytest.approx(1.0)  # 10 a day, 1 day each, 10 beds
    assert load.peak_month == 9  # January, counted from April as month 0
    assert load.peak_load == pytest.approx(1.5)


def test_a_loop_nobody_can_leave_has_no_traffic_solution() -> None:
    network = scenario(
        demand=[{"id": "need", "enters": "a", "per_day": 1}],
        providers=[{"id": "a"}, {"id": "b"}],
        pathways=[
            {"from": "a", "to": "b", "share": 1},
            {"from": "b", "to": "a", "share": 1},
        ],
    )
    with pytest.raises(ValueError, match="no solution"):
        arrival_rates(network)


def test_the_graph_has_every_provider_stream_and_exit_as_a_node() -> None:
    loaded = load_scenario(DESIGN_EXAMPLE).scenario
    graph = build_graph(loaded)
    assert isinstance(graph, nx.DiGraph)
    kinds = dict(graph.nodes(data="kind"))
    assert kinds == {
        "gp": "provider",
        "ae": "provider",
        "ward": "provider",
        "social_care": "provider",
        "same_day_need": "demand",
        "ae_walk_in": "demand",
        "transfers_in": "demand",
        "home": "exit",
        "care_home": "exit",
        "died": "exit",
        UNNAMED_EXIT: "exit",
    }
    assert graph.nodes["ward"]["provider"] is loaded.provider("ward")
    assert graph.nodes["transfers_in"]["demand"] is loaded.demand[2]


def test_the_graph_has_demand_pathway_remainder_and_overflow_edges() -> None:
    loaded = load_scenario(DESIGN_EXAMPLE).scenario
    graph = build_graph(loaded)
    edges = {(start, end): data for start, end, data in graph.edges(data=True)}

    assert edges["transfers_in", "ward"] == {"kind": "demand", "rate_per_day": 4.5}
    assert edges["ward", "care_home"]["kind"] == "pathway"
    assert edges["ward", "care_home"]["share"] == 0.05
    assert edges["ward", "care_home"]["delay"] == Exponential(
        distribution="exponential", mean_days=6
    )
    assert edges["ae", "ward"]["delay"] is None
    # what no pathway claims leaves through the unnamed exit
    assert edges["ae", UNNAMED_EXIT] == {"kind": "remainder", "share": pytest.approx(0.78)}
    assert edges["social_care", UNNAMED_EXIT] == {"kind": "remainder", "share": 1.0}
    assert edges["ward", UNNAMED_EXIT]["share"] == pytest.approx(0.08)
    # gp -> ae is both a pathway and the overflow: one edge carries both
    assert edges["gp", "ae"]["kind"] == "pathway"
    assert (edges["gp", "ae"]["overflow_share"], edges["gp", "ae"]["overflow_max_days"]) == (0.2, 3)
    kinds = {kind for _, _, kind in graph.edges(data="kind")}
    assert kinds == {"demand", "pathway", "remainder"}


def test_an_overflow_without_a_pathway_is_its_own_edge() -> None:
    network = scenario(
        demand=[{"id": "need", "enters": "gp", "per_day": 1}],
        providers=[
            {
                "id": "gp",
                "capacity": {"slots_per_day": 1},
                "waiting": {"max_days": 2, "then": "ae"},
            },
            {"id": "ae"},
        ],
        exits=["home"],
        pathways=[{"from": "gp", "to": "home", "share": 1}],
    )
    graph = build_graph(network)
    assert graph.edges["gp", "ae"] == {"kind": "overflow", "share": 1.0, "max_days": 2}
    # shares summing to exactly 1 leave no remainder
    assert not graph.has_edge("gp", UNNAMED_EXIT)


def test_the_graph_refuses_references_that_do_not_resolve() -> None:
    network = scenario(
        demand=[{"id": "need", "enters": "nowhere", "per_day": 1}], providers=[{"id": "gp"}]
    )
    with pytest.raises(ValueError, match="nowhere"):
        build_graph(network)
