"""`knockon schema`: the JSON Schema of scenario files, for editors that complete and
check YAML as it is typed."""

from __future__ import annotations

import json


def schema() -> None:
    """Print the JSON Schema of scenario files (format 1)."""
    from sim.scenario.schema import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
