"""Shared helpers: scenarios written inline as YAML, read exactly as files are."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from sim.scenario.model import Scenario


def scenario_from(text: str, **run: object) -> Scenario:
    """A validated scenario from YAML text, with `run` fields overridden."""
    data = yaml.safe_load(textwrap.dedent(text))
    data.setdefault("format", 1)
    data.setdefault("name", "test")
    data["run"] = {**data.get("run", {}), **run}
    return Scenario.model_validate(data)


@pytest.fixture
def make_scenario():
    return scenario_from
