"""Drawing each replication's values of a scenario's uncertain inputs.

A replication's inputs come from a named stream per input, keyed like every other
stream by (seed, replication, name): a baseline and a variant with the same range draw
the same value in the same replication, so uncertainty in a shared input cancels out of
their paired difference instead of drowning it.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import ValidationError

from sim.engine.streams import stream_generator
from sim.scenario import paths
from sim.scenario.model import Scenario
from sim.scenario.problems import Problem, ScenarioError


def drawn_inputs(scenario: Scenario, replication: int, seed: int) -> dict[str, float]:
    """The value each uncertain input takes in this replication (whole numbers stay whole)."""
    data = scenario.model_dump(mode="json", by_alias=True)
    values: dict[str, float] = {}
    for item in scenario.uncertain:
        value = item.draw(stream_generator(seed, replication, f"uncertain {item.input}"))
        if isinstance(paths.get(data, item.input), int):
            value = round(value)
        values[item.input] = value
    return values


@lru_cache(maxsize=1024)
def realise(scenario: Scenario, replication: int, seed: int) -> Scenario:
    """The scenario as replication `replication` meets it: every uncertain input drawn."""
    if not scenario.uncertain:
        return scenario
    data = scenario.model_dump(mode="json", by_alias=True, exclude={"uncertain"})
    values = drawn_inputs(scenario, replication, seed)
    for path, value in values.items():
        data = paths.put(data, path, value)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        reason = "; ".join(str(e["msg"]) for e in error.errors())
        shown = ", ".join(f"{path} = {value:g}" for path, value in values.items())
        raise ScenarioError(
            [
                Problem(
                    scenario.name,
                    None,
                    "uncertain",
                    f"replication {replication} drew {shown}, which together are not valid "
                    f"({reason}); narrow the ranges",
                )
            ]
        ) from None
