"""The provider graph built from a scenario, and the traffic equations over it."""

from sim.network.graph import build_graph
from sim.network.load_by_month import LoadThroughRun, MonthLoad, monthly_load
from sim.network.traffic import OfferedLoad, arrival_rates, demand_rate_per_day, offered_load

__all__ = [
    "LoadThroughRun",
    "MonthLoad",
    "OfferedLoad",
    "arrival_rates",
    "build_graph",
    "demand_rate_per_day",
    "monthly_load",
    "offered_load",
]
