"""The JSON Schema of scenario files, for editors and for `knockon schema`."""

from __future__ import annotations

from typing import Any

from sim.scenario.model import Scenario


def scenario_json_schema() -> dict[str, Any]:
    """Schema of a complete scenario file, plus `extends` for variants.

    A variant names its base in `extends` and may omit anything the base gives; the
    loader merges it and validates the result against the complete schema.
    """
    schema = Scenario.model_json_schema(by_alias=True)
    schema["title"] = "Knock-on scenario file, format 1"
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "Path of the base scenario this variant changes, relative to this file.",
    }
    return schema
