"""Knock-on: a whole-system simulator of patient flows and money for NHS commissioners.

The public API, in the order data flows through it:

    loaded = load_scenario("scenarios/northshire_2026.yaml")   # validate a file
    result = run_scenario(loaded.scenario, replications=5)      # simulate, tabulate
    result.providers, result.flows, result.monthly               # pandas tables
    result.write("results/northshire")                           # the CLI's output files
    comparison = compare_scenarios(base, [variant])              # paired differences

Each name is imported from its layer when it is first used, not when `sim` is: importing
`sim` (as `python -m sim` and every `sim.x` module does) then costs nothing, and a command
that only validates a file never loads pandas, SciPy or the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "Comparison": "sim.compare",
    "compare_scenarios": "sim.compare",
    "RunRecord": "sim.engine",
    "simulate": "sim.engine",
    "RunResult": "sim.results",
    "run_scenario": "sim.results",
    "LoadedScenario": "sim.scenario",
    "Problem": "sim.scenario",
    "ScenarioError": "sim.scenario",
    "load_scenario": "sim.scenario",
    "parse_scenario": "sim.scenario",
    "Scenario": "sim.scenario.model",
}
"""The module each public name comes from."""

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


def __getattr__(name: str) -> Any:
    """`sim.load_scenario` and the rest, imported from their layer on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
