"""The scenario, format 1: frozen, closed, typed objects that every later layer reads.

This module holds the scenario as a whole (`Scenario`, its run settings and its uncertain
inputs) and names every part of the format, so `from sim.scenario.model import Provider`
works wherever a layer reads one. The parts live by concept: `fields` (the base model and
the kinds of number), `durations`, `payment` (budget, prices, contracts), `demand`
(practices, cohorts, demand streams), `providers` (capacity, waiting, pathways) and
`training` (an exercise).

Only shape and single-field rules live in the model (types, ranges, which fields go
together). Rules that need the whole scenario (ids exist, shares add up, every provider
reaches an exit) live in `sim.scenario.checks`, because they need the provider graph.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from sim.scenario.demand import (
    DEFAULT_FLOOR_WAIT_DAYS,
    Cohort,
    DemandStream,
    Elasticity,
    Practice,
    Shock,
)
from sim.scenario.durations import (
    DISTRIBUTIONS,
    Duration,
    Exponential,
    Fixed,
    Gamma,
    LogNormal,
    Triangular,
    Uniform,
)
from sim.scenario.fields import (
    DAYS_PER_YEAR,
    LATER_FIELDS,
    NO_COHORT,
    UNNAMED_EXIT,
    Frozen,
    Growth,
    Id,
    Money,
    NonNegativeDays,
    PositiveDays,
    Share,
    Source,
)
from sim.scenario.payment import (
    ActivityContract,
    BlockContract,
    Budget,
    Contract,
    ContractGrowth,
    CostAndVolumeContract,
    MarginalRateContract,
    Phasing,
    Price,
    monthly_fractions,
)
from sim.scenario.providers import (
    Capacity,
    CapacityChange,
    Pathway,
    Provider,
    ProviderKind,
    Waiting,
    pathway_name,
)
from sim.scenario.training import Exercise, Expectation, Text

__all__ = [
    "DAYS_PER_YEAR",
    "DEFAULT_FLOOR_WAIT_DAYS",
    "DISTRIBUTIONS",
    "LATER_FIELDS",
    "NO_COHORT",
    "UNNAMED_EXIT",
    "ActivityContract",
    "BlockContract",
    "Budget",
    "Capacity",
    "CapacityChange",
    "Cohort",
    "Contract",
    "ContractGrowth",
    "CostAndVolumeContract",
    "DemandStream",
    "Duration",
    "Elasticity",
    "Exercise",
    "Expectation",
    "Exponential",
    "Fixed",
    "Frozen",
    "Gamma",
    "Growth",
    "Id",
    "LogNormal",
    "MarginalRateContract",
    "Money",
    "NonNegativeDays",
    "Pathway",
    "Phasing",
    "PositiveDays",
    "Practice",
    "Price",
    "Provider",
    "ProviderKind",
    "Run",
    "Scenario",
    "Share",
    "Shock",
    "Source",
    "Text",
    "Triangular",
    "UncertainInput",
    "Uniform",
    "Waiting",
    "monthly_fractions",
    "pathway_name",
]


class Run(Frozen):
    days: Annotated[int, Field(gt=0, le=366 * 100)] = 365
    warm_up_days: Annotated[int, Field(ge=0, le=366 * 5)] = 0
    replications: Annotated[int, Field(gt=0, le=10_000)] = 20
    seed: Annotated[int, Field(ge=0)] = 2026
    start_date: dt.date = dt.date(2026, 4, 1)


class UncertainInput(Frozen):
    """A number known only within a range: each replication draws its own value.

    Written inline where the number goes (`share: {low: 0.04, high: 0.08}`) or listed under
    `uncertain:` by path; the file's value (for inline ranges, the range's mean) is the
    nominal value used for checks and for one-way sensitivity.
    """

    input: str = Field(
        description="Path of the number, e.g. providers[ward].capacity.servers or "
        "pathways[gp->outpatients].share."
    )
    low: float
    high: float
    mode: float | None = Field(
        default=None, description="Most likely value: triangular if given, else uniform."
    )
    source: Source = None

    @model_validator(mode="after")
    def _range_in_order(self) -> UncertainInput:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode {self.mode:g} must lie between low and high")
        return self

    @property
    def mean(self) -> float:
        if self.mode is None:
            return (self.low + self.high) / 2
        return (self.low + self.mode + self.high) / 3

    def draw(self, rng: np.random.Generator) -> float:
        if self.mode is None:
            return float(rng.uniform(self.low, self.high))
        return float(rng.triangular(self.low, self.mode, self.high))


class Scenario(Frozen):
    """A complete, validated description of one local system and one run of it."""

    format: Literal[1]
    name: str
    description: str = ""
    run: Run = Run()
    budget: Budget | None = None
    population: Annotated[int, Field(gt=0)] | None = Field(
        default=None,
        description="Registered population when no practices are listed (one practice 'all').",
    )
    practices: tuple[Practice, ...] = ()
    cohorts: tuple[Cohort, ...] = ()
    demand: tuple[DemandStream, ...] = Field(min_length=1)
    providers: tuple[Provider, ...] = Field(min_length=1)
    exits: tuple[Id, ...] = ()
    pathways: tuple[Pathway, ...] = ()
    uncertain: tuple[UncertainInput, ...] = ()
    exercise: Exercise | None = None

    @model_validator(mode="after")
    def _population_from_one_place(self) -> Scenario:
        if self.population is not None and self.practices:
            raise ValueError(
                "give practices (population is the sum of their list sizes) or population, not both"
            )
        return self

    def provider(self, provider_id: str) -> Provider:
        for provider in self.providers:
            if provider.id == provider_id:
                return provider
        raise KeyError(provider_id)

    def pathways_from(self, provider_id: str, cohort: str | None = None) -> tuple[Pathway, ...]:
        """The pathways a patient of `cohort` (None: no cohort) takes from a provider: the
        cohort's own, when any pathway from there names it; otherwise those naming none."""
        if cohort is not None:
            own = tuple(p for p in self.pathways if p.from_ == provider_id and p.cohort == cohort)
            if own:
                return own
        return tuple(p for p in self.pathways if p.from_ == provider_id and p.cohort is None)

    @property
    def patient_cohorts(self) -> tuple[str | None, ...]:
        """Every cohort a patient can belong to: None (no cohort), then each cohort's id."""
        return (None, *(cohort.id for cohort in self.cohorts))

    @property
    def run_start(self) -> dt.date:
        """The first simulated day: `warm_up_days` before `start_date`."""
        return self.run.start_date - dt.timedelta(days=self.run.warm_up_days)

    @property
    def run_end(self) -> dt.date:
        """The day after the last simulated day."""
        return self.run.start_date + dt.timedelta(days=self.run.days)

    @property
    def registered_practices(self) -> tuple[Practice, ...]:
        """The practices patients are registered with; one practice 'all' if none are listed."""
        if self.practices:
            return self.practices
        return (Practice(id="all", name="All registered patients", list_size=self.population or 1),)

    @property
    def registered_population(self) -> int:
        return sum(practice.list_size for practice in self.registered_practices)
