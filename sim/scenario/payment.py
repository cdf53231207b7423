"""Money in the format: the budget the commissioner plans against and how it is
phased through the year, the price of each unit of activity (and the provider's own
costs, for viability), and the contracts that turn activity at price into payment.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from sim.scenario.fields import Frozen, Growth, Money, NonNegativeDays, Share, Source

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
