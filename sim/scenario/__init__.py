"""The scenario layer: format-1 files read, merged, validated and checked into a `Scenario`."""

from sim.scenario.loader import (
    LoadedScenario,
    load_scenario,
    parse_scenario,
    scenario_hash,
    scenario_to_yaml,
)
from sim.scenario.model import Scenario
from sim.scenario.problems import Problem, ScenarioError

__all__ = [
    "LoadedScenario",
    "Problem",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "parse_scenario",
    "scenario_hash",
    "scenario_to_yaml",
]
