"""Knock-on: a whole-system simulator of patient flows and money for NHS commissioners.

The public API, in the order data flows through it:

    loaded = load_scenario("scenarios/northshire_2026.yaml")   # validate a file
    result = run_scenario(loaded.scenario, replications=5)      # simulate, tabulate
    result.providers, result.flows, result.monthly               # pandas tables
    result.write("results/northshire")                           # the CLI's output files
    comparison = compare_scenarios(base, [variant])              # paired differences
"""

from sim.compare import Comparison, compare_scenarios
from sim.engine import RunRecord, simulate
from sim.results import RunResult, run_scenario
from sim.scenario import (
    LoadedScenario,
    Problem,
    ScenarioError,
    load_scenario,
    parse_scenario,
)
from sim.scenario.model import Scenario

__all__ = [
    "Comparison",
    "LoadedScenario",
    "Problem",
    "RunRecord",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "compare_scenarios",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
    "simulate",
]
