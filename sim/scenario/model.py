"""The scenario, format 1: frozen, closed, typed objects that every later layer reads.

Only shape and single-field rules live here (types, ranges, which fields go together).
Rules that need the whole scenario (ids exist, shares add up, every provider reaches an
exit) live in `sim.scenario.checks`, because they need the provider graph.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

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


# --- durations (length of stay, pathway delays) ------------------------------------------


class Exponential(Frozen):
    distribution: Literal["exponential"]
    mean_days: PositiveDays
    source: Source = None

    @property
    def mean(self) -> float:
        return self.mean_days


class LogNormal(Frozen):
    distribution: Literal["lognormal"]
    mean_days: PositiveDays
    sd_days: PositiveDays
    source: Source = None

    @property
    def mean(self) -> float:
        return self.mean_days


class Gamma(Frozen):
    distribution: Literal["gamma"]
    mean_days: PositiveDays
    sd_days: PositiveDays
    source: Source = None

    @property
    def mean(self) -> float:
        return self.mean_days


class Uniform(Frozen):
    """Uniform between bounds; its mean is their midpoint."""

    distribution: Literal["uniform"]
    min_days: NonNegativeDays
    max_days: PositiveDays
    source: Source = None

    @model_validator(mode="after")
    def _bounds_in_order(self) -> Uniform:
        if self.max_days <= self.min_days:
            raise ValueError("max_days must be greater than min_days")
        return self

    @property
    def mean(self) -> float:
        return (self.min_days + self.max_days) / 2


class Triangular(Frozen):
    """Triangular between bounds, set by its mean (the usual planning figure) or its mode."""

    distribution: Literal["triangular"]
    min_days: NonNegativeDays
    max_days: PositiveDays
    mean_days: PositiveDays | None = None
    mode_days: NonNegativeDays | None = None
    source: Source = None

    @model_validator(mode="after")
    def _mode_within_bounds(self) -> Triangular:
        if self.max_days <= self.min_days:
            raise ValueError("max_days must be greater than min_days")
        if (self.mean_days is None) == (self.mode_days is None):
            raise ValueError("give exactly one of mean_days or mode_days")
        if not self.min_days <= self.mode <= self.max_days:
            raise ValueError(
                f"mean_days {self.mean_days} puts the mode at {self.mode:g}, outside "
                f"[{self.min_days:g}, {self.max_days:g}]: the mean of a triangular "
                "distribution must lie within the middle third of its bounds"
            )
        return self

    @property
    def mode(self) -> float:
        if self.mode_days is not None:
            return self.mode_days
        assert self.mean_days is not None
        return 3 * self.mean_days - self.min_days - self.max_days

    @property
    def mean(self) -> float:
        return (self.min_days + self.mode + self.max_days) / 3


class Fixed(Frozen):
    distribution: Literal["fixed"]
    mean_days: NonNegativeDays
    source: Source = None

    @property
    def mean(self) -> float:
        return self.mean_days


Duration = Annotated[
    Exponential | LogNormal | Gamma | Uniform | Triangular | Fixed,
    Field(discriminator="distribution"),
]
DISTRIBUTIONS = ("exponential", "lognormal", "gamma", "uniform", "triangular", "fixed")


# --- run, budget, population ---------------------------------------------------------------


class Run(Frozen):
    days: Annotated[int, Field(gt=0, le=366 * 100)] = 365
    warm_up_days: Annotated[int, Field(ge=0, le=366 * 5)] = 0
    replications: Annotated[int, Field(gt=0, le=10_000)] = 20
    seed: Annotated[int, Field(ge=0)] = 2026
    start_date: dt.date = dt.date(2026, 4, 1)


Growth = Annotated[
    float,
    Field(ge=-0.5, le=1.0, description="Change a year, as a fraction: 0.02 is 2% a year."),
]

ContractGrowth = Annotated[
    Growth | None,
    Field(
        description="In a run of several years the contract grows by this fraction each "
        "financial year: year k's sum and volumes are (1 + growth)^k times year 0's."
    ),
]


def _twelve_fractions_summing_to_one(
    phasing: Literal["even"] | tuple[float, ...],
) -> Literal["even"] | tuple[float, ...]:
    if isinstance(phasing, tuple):
        if len(phasing) != 12:
            raise ValueError(f"needs 12 monthly fractions, got {len(phasing)}")
        if abs(sum(phasing) - 1.0) > 1e-6:
            raise ValueError(f"monthly fractions must sum to 1, they sum to {sum(phasing):g}")
    return phasing


Phasing = Annotated[
    Literal["even"] | tuple[Annotated[float, Field(ge=0.0)], ...],
    AfterValidator(_twelve_fractions_summing_to_one),
    Field(
        description="How a year's money falls across its months: 'even' (a twelfth a month) "
        "or twelve fractions summing to 1, counted from the run's start month."
    ),
]


def monthly_fractions(phasing: Literal["even"] | tuple[float, ...] | None) -> tuple[float, ...]:
    """The twelve monthly fractions of a phasing (None is even)."""
    return (1 / 12,) * 12 if phasing in (None, "even") else tuple(phasing)  # type: ignore[arg-type]


class Budget(Frozen):
    annual_gbp: Money
    phasing: Phasing = "even"
    growth_per_year: Growth | None = Field(
        default=None,
        description="The plan grows by this fraction each year of the run: year k plans "
        "annual_gbp x (1 + growth)^k.",
    )
    source: Source = None

    def monthly_fractions(self) -> tuple[float, ...]:
        return monthly_fractions(self.phasing)


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
        _check_span(self.from_, self.to)
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


def _check_span(start: dt.date, end: dt.date | None) -> None:
    if end is not None and end <= start:
        raise ValueError(f"to ({end.isoformat()}) must be after from ({start.isoformat()})")


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


# --- providers ------------------------------------------------------------------------------


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
        if (self.servers is None) == (self.slots_per_day is None):
            raise ValueError("give exactly one of servers or slots_per_day")
        _check_span(self.from_, self.to)
        return self

    @property
    def level(self) -> int:
        level = self.servers if self.servers is not None else self.slots_per_day
        assert level is not None
        return level


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
        if (self.servers is None) == (self.slots_per_day is None):
            raise ValueError("give exactly one of servers or slots_per_day")
        return self

    @property
    def level(self) -> int:
        """Servers or slots a day, whichever the provider has."""
        level = self.servers if self.servers is not None else self.slots_per_day
        assert level is not None
        return level


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


class Price(Frozen):
    per_attendance_gbp: Money | None = None
    per_spell_gbp: Money | None = None
    per_excess_day_gbp: Money | None = None
    trim_days: NonNegativeDays | None = None
    per_day_gbp: Money | None = None
    fixed_annual_gbp: Money | None = Field(
        default=None,
        description="The provider's fixed cost of running the service a year (for viability); "
        "not charged per patient.",
    )
    marginal_cost_share: Share | None = Field(
        default=None,
        description="Share of the price that is the provider's variable cost of the activity "
        "(for viability); none when not given.",
    )
    marginal_cost_per_day_gbp: Money | None = Field(
        default=None,
        description="The provider's variable cost of each day a place is held (a bed day), "
        "for viability: a patient waiting in a bed costs the ward whether or not the day "
        "is paid for. Added to any marginal_cost_share.",
    )
    price_year: str | None = Field(default=None, description="Base year of the price, e.g. 2023/24")
    source: Source = None

    @model_validator(mode="after")
    def _consistent(self) -> Price:
        if self.per_attendance_gbp is not None and self.per_spell_gbp is not None:
            raise ValueError("give per_attendance_gbp or per_spell_gbp, not both")
        if (self.per_excess_day_gbp is None) != (self.trim_days is None):
            raise ValueError("per_excess_day_gbp and trim_days go together")
        return self


class ActivityContract(Frozen):
    """Payment by results: the commissioner pays price x activity."""

    type: Literal["activity"]
    source: Source = None


class BlockContract(Frozen):
    """A fixed annual sum, whatever the activity: twelve equal instalments, or paid by
    `phasing` (money front-loaded into the first months, say)."""

    type: Literal["block"]
    annual_gbp: Money
    phasing: Phasing | None = None
    growth_per_year: ContractGrowth = None
    source: Source = None


class CostAndVolumeContract(Frozen):
    """A fixed sum for an agreed volume; activity above it paid at `marginal_rate` x price,
    and, with a `floor_volume`, activity short of it refunded at the same rate down to the
    floor."""

    type: Literal["cost_and_volume"]
    annual_gbp: Money
    volume: Annotated[float, Field(ge=0.0, description="Agreed activity a year.")]
    marginal_rate: Share = 1.0
    floor_volume: Annotated[float, Field(ge=0.0)] | None = None
    growth_per_year: ContractGrowth = None
    source: Source = None

    @model_validator(mode="after")
    def _floor_below_volume(self) -> CostAndVolumeContract:
        if self.floor_volume is not None and self.floor_volume > self.volume:
            raise ValueError(
                f"floor_volume {self.floor_volume:g} is above the agreed volume {self.volume:g}"
            )
        return self


class MarginalRateContract(Frozen):
    """Payment by results up to a baseline volume; above it, `rate` x price (the emergency
    marginal-rate rule)."""

    type: Literal["marginal_rate"]
    baseline_volume: Annotated[float, Field(ge=0.0, description="Activity a year at full price.")]
    rate: Share
    growth_per_year: ContractGrowth = None
    source: Source = None


Contract = Annotated[
    ActivityContract | BlockContract | CostAndVolumeContract | MarginalRateContract,
    Field(discriminator="type"),
]

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


class Expectation(Frozen):
    """One expected direction of an exercise's answer, checked on paired replications."""

    metric: str = Field(
        description="What to watch, as PROVIDER.METRIC in differences.csv: all.paid_gbp, "
        "ae.arrivals."
    )
    direction: Literal["up", "down"]

    @field_validator("metric")
    @classmethod
    def _provider_dot_metric(cls, metric: str) -> str:
        provider, _, name = metric.rpartition(".")
        if not provider or not name:
            raise ValueError(
                f"must be PROVIDER.METRIC, e.g. all.paid_gbp or ae.arrivals (got '{metric}')"
            )
        return metric


Text = Annotated[str, Field(min_length=1)]


class Exercise(Frozen):
    """A training exercise: a short story, a question for the board, and the reveal.

    Metadata only: it changes nothing that is simulated, and the scenario hash leaves it out.
    `bills` names a file, so the loader checks it (it must read against the baseline).
    """

    title: Text
    story: Text
    question: Text
    choices: tuple[Text, ...] = Field(
        default=(), description="The answers the board chooses between (2 to 5), if any."
    )
    expect: tuple[Expectation, ...] = Field(min_length=1)
    why: Text
    bills: Text | None = Field(
        default=None,
        description="A bill file (CSV) the board checks on the Learn page, relative to the "
        "scenario file that declares it; read against the baseline the variant extends.",
    )
    replications: Annotated[int, Field(ge=2, le=200)] | None = Field(
        default=None,
        description="Paired replications the answer needs to show beyond chance; the Learn "
        "page starts the reveal at this number (default: its own).",
    )

    @field_validator("choices")
    @classmethod
    def _two_to_five(cls, choices: tuple[str, ...]) -> tuple[str, ...]:
        if choices and not 2 <= len(choices) <= 5:
            raise ValueError(f"give 2 to 5 answers to choose between (got {len(choices)})")
        return choices

    @field_validator("expect")
    @classmethod
    def _each_metric_once(cls, expect: tuple[Expectation, ...]) -> tuple[Expectation, ...]:
        metrics = [expected.metric for expected in expect]
        twice = sorted({metric for metric in metrics if metrics.count(metric) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} expected more than once: give each metric once")
        return expect


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
