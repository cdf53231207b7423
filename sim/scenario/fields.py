"""The footing every part of the scenario format stands on: the frozen, closed base
model, the constrained kinds of number (ids, shares, days, money, growth), and the names
every layer agrees on for a year, the unnamed exit and patients of no cohort.

A rule on a single field belongs to its type here, so that every part using the type
keeps it; rules across fields belong to the part, and across parts to `checks`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

Id = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$",
        max_length=64,
        description="A short identifier: letters, digits, '_', '-', '.'",
    ),
]
Source = Annotated[
    str | None,
    Field(default=None, description="Where the figure comes from: publication, table and year."),
]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveDays = Annotated[float, Field(gt=0.0)]
NonNegativeDays = Annotated[float, Field(ge=0.0)]
Money = Annotated[float, Field(ge=0.0)]

DAYS_PER_YEAR = 365.0
"""A year, for rates given per year (`per_1000_per_year`, `annual_gbp`): 365 days."""

UNNAMED_EXIT = "exit"
"""Where the remainder of a provider's patients goes when no pathway claims them."""

NO_COHORT = "none"
"""How results name the patients who belong to no cohort."""


LATER_FIELDS = frozenset(
    {
        "changes",
        "opens",
        "ramp_up_days",
        "shocks",
        "elasticity",
        "cohort",
        "cohorts",
        "growth_per_year",
        "bills",
        "budget_holder",
        "phasing",
        "marginal_cost_per_day_gbp",
        "replications",
    }
)
"""Fields added to format 1 after its first files were written (time-varying capacity,
openings, shocks, elasticity, cohorts, growth, budget holders, block contract phasing,
the variable cost of an occupied day, an exercise's replications).
While unset they are left out of a scenario's plain data, so an older file keeps its hash,
its cached results and its canonical YAML."""


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_serializer(mode="wrap")
    def _leave_out_unset_later_fields(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name in LATER_FIELDS.intersection(data):
                if data[name] is None or data[name] == () or data[name] == []:
                    del data[name]
        return data


Growth = Annotated[
    float,
    Field(ge=-0.5, le=1.0, description="Change a year, as a fraction: 0.02 is 2% a year."),
]


def check_span(start: dt.date, end: dt.date | None) -> None:
    if end is not None and end <= start:
        raise ValueError(f"to ({end.isoformat()}) must be after from ({start.isoformat()})")
