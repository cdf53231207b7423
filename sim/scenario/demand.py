"""Who needs care and when: the practices patients are registered with, cohorts that
grow at their own rate, and the demand streams that bring patients into the system, with
their seasons, shocks and response to waiting.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from sim.scenario.fields import Frozen, Growth, Id, PositiveDays, Source, check_span


class Practice(Frozen):
    id: Id
    name: str | None = None
    list_size: Annotated[int, Field(gt=0)]
    referral_multiplier: Annotated[float, Field(gt=0.0)] = 1.0
    budget_holder: Id | None = Field(
        default=None,
        description="Who holds this practice's share of the budget: practices with the same "
        "holder share one budget and one year-end variance; none: the practice itself.",
    )
    source: Source = None

    @property
    def holder(self) -> str:
        """The id of the budget holder this practice's list-size share of the budget goes
        to (`sim.money.pooling`): `budget_holder`, or the practice's own id."""
        return self.budget_holder if self.budget_holder is not None else self.id


class Cohort(Frozen):
    """A group of patients with their own demand growth and, optionally, their own pathways
    (frail older people, children): patients keep their cohort through the system."""

    id: Id
    name: str | None = None
    growth_per_year: Growth = 0.0
    source: Source = None


class Shock(Frozen):
    """A surge (or dip) in one demand stream: its rate times `multiplier` in [from, to)."""

    from_: dt.date = Field(alias="from")
    to: dt.date | None = Field(
        default=None, description="First day after the shock (exclusive); none: the run's end."
    )
    multiplier: Annotated[float, Field(ge=0.0, le=100.0)]
    source: Source = None

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Shock:
        check_span(self.from_, self.to)
        return self


DEFAULT_FLOOR_WAIT_DAYS = 0.5
"""Elasticity's default floor: half a day, an uncongested appointment book's mean wait."""


class Elasticity(Frozen):
    """Demand that answers to access: the day's rate times (max(W, floor) / W0)^-elasticity,
    W the mean wait of the patients who started at the entry provider in the last
    `window_days`."""

    elasticity: Annotated[float, Field(ge=0.0, le=5.0)]
    reference_wait_days: PositiveDays
    window_days: Annotated[int, Field(gt=0, le=366)] = 28
    floor_wait_days: PositiveDays | None = Field(
        default=None,
        description="Waits shorter than this find no more demand; default half a day, or "
        "reference_wait_days if that is shorter.",
    )
    source: Source = None

    @model_validator(mode="after")
    def _floor_below_reference(self) -> Elasticity:
        if self.floor_wait_days is not None and self.floor_wait_days > self.reference_wait_days:
            raise ValueError(
                f"floor_wait_days {self.floor_wait_days:g} is above reference_wait_days "
                f"{self.reference_wait_days:g}: the floor is a wait shorter than the reference"
            )
        return self

    @property
    def floor(self) -> float:
        if self.floor_wait_days is not None:
            return self.floor_wait_days
        return min(DEFAULT_FLOOR_WAIT_DAYS, self.reference_wait_days)

    def multiplier(self, mean_wait_days: float) -> float:
        """The rate's multiplier at a mean wait; 1 at the reference wait."""
        return float(
            (max(mean_wait_days, self.floor) / self.reference_wait_days) ** -self.elasticity
        )


class DemandStream(Frozen):
    """Patients arriving from outside the modelled system, as a Poisson stream."""

    id: Id
    name: str | None = None
    enters: Id
    per_1000_per_year: Annotated[float, Field(gt=0.0)] | None = None
    per_day: Annotated[float, Field(gt=0.0)] | None = None
    seasonality: tuple[Annotated[float, Field(gt=0.0)], ...] | None = None
    uses_referral_multiplier: bool = True
    cohort: Id | None = Field(default=None, description="The cohort these patients belong to.")
    growth_per_year: Growth | None = Field(
        default=None,
        description="Growth of a stream without a cohort (a cohort's streams grow with it).",
    )
    shocks: tuple[Shock, ...] = ()
    elasticity: Elasticity | None = None
    source: Source = None

    @field_validator("seasonality")
    @classmethod
    def _twelve_months(cls, seasonality: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if seasonality is not None and len(seasonality) != 12:
            raise ValueError(f"needs 12 monthly multipliers, got {len(seasonality)}")
        return seasonality

    @model_validator(mode="after")
    def _one_rate(self) -> DemandStream:
        if (self.per_1000_per_year is None) == (self.per_day is None):
            raise ValueError("give exactly one of per_1000_per_year or per_day")
        return self

    def month_multiplier(self, month_of_year: int) -> float:
        """Seasonal multiplier for month 0..11 counted from the run's start month."""
        return 1.0 if self.seasonality is None else self.seasonality[month_of_year]
