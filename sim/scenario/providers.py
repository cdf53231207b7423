"""The services and the routes between them: a provider's capacity (places or an
appointment book, changing over the run), how its queue behaves, how long patients stay,
what it charges and how it is paid, and the pathways patients take when they leave it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.durations import Duration
from sim.scenario.fields import Frozen, Id, NonNegativeDays, PositiveDays, Share, Source, check_span
from sim.scenario.payment import Contract, Price


def _servers_or_slots(servers: int | None, slots_per_day: int | None) -> int:
    """The one of the two a capacity gives; giving both or neither is an error."""
    if servers is not None and slots_per_day is None:
        return servers
    if servers is None and slots_per_day is not None:
        return slots_per_day
    raise ValueError("give exactly one of servers or slots_per_day")


class CapacityChange(Frozen):
    """Capacity in [from, to) replacing the provider's own: winter escalation beds, a
    closed ward, extra clinics."""

    from_: dt.date = Field(alias="from")
    to: dt.date | None = Field(
        default=None, description="First day back at the usual capacity; none: the run's end."
    )
    servers: Annotated[int, Field(ge=0)] | None = None
    slots_per_day: Annotated[int, Field(ge=0)] | None = None
    source: Source = None

    @model_validator(mode="after")
    def _one_kind_and_in_order(self) -> CapacityChange:
        _servers_or_slots(self.servers, self.slots_per_day)
        check_span(self.from_, self.to)
        return self

    @property
    def level(self) -> int:
        return _servers_or_slots(self.servers, self.slots_per_day)


class Capacity(Frozen):
    servers: Annotated[int, Field(gt=0)] | None = Field(
        default=None, description="Patients served in parallel (beds, cubicles, clinicians)."
    )
    slots_per_day: Annotated[int, Field(gt=0)] | None = Field(
        default=None, description="Appointment book: at most this many start each day."
    )
    changes: tuple[CapacityChange, ...] = ()
    source: Source = None

    @model_validator(mode="after")
    def _one_kind(self) -> Capacity:
        _servers_or_slots(self.servers, self.slots_per_day)
        return self

    @property
    def level(self) -> int:
        """Servers or slots a day, whichever the provider has."""
        return _servers_or_slots(self.servers, self.slots_per_day)


class Waiting(Frozen):
    max_days: PositiveDays | None = None
    then: Id | None = None
    share: Share = 1.0
    in_place: bool = False

    @model_validator(mode="after")
    def _overflow_complete(self) -> Waiting:
        if (self.max_days is None) != (self.then is None):
            raise ValueError("max_days and then go together: after max_days, patients go to then")
        return self


ProviderKind = Literal[
    "primary_care",
    "urgent_care",
    "ambulance",
    "acute",
    "community",
    "mental_health",
    "social_care",
    "other",
]


class Provider(Frozen):
    id: Id
    name: str | None = None
    kind: ProviderKind = "other"
    capacity: Capacity | None = None
    waiting: Waiting | None = None
    length_of_stay: Duration | None = None
    price: Price | None = None
    contract: Contract | None = None
    opens: dt.date | None = Field(
        default=None, description="The day it opens; before it, it takes no patients."
    )
    ramp_up_days: NonNegativeDays | None = Field(
        default=None,
        description="Days after opening over which its share of patients rises from 0 to full.",
    )
    source: Source = None

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def is_unlimited(self) -> bool:
        return self.capacity is None

    @property
    def is_appointment_book(self) -> bool:
        return self.capacity is not None and self.capacity.slots_per_day is not None


class Pathway(Frozen):
    from_: Id = Field(alias="from")
    to: Id
    share: Share
    delay: Duration | None = None
    cohort: Id | None = Field(
        default=None,
        description="Only this cohort's patients take it; a cohort with pathways from a "
        "provider takes only those.",
    )
    source: Source = None

    @property
    def name(self) -> str:
        return pathway_name(self.from_, self.to, self.cohort)


def pathway_name(start: object, end: object, cohort: object = None) -> str:
    """How a pathway is named in messages and paths: `ward->home`, `ward->home@frail`."""
    return f"{start}->{end}" if cohort is None else f"{start}->{end}@{cohort}"
