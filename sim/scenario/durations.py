"""How long things take: the distributions of a length of stay or a pathway delay,
each set by the figures a planner has (a mean, and a spread or bounds where the shape
needs them) and each knowing its own mean for the traffic equations.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.fields import Frozen, NonNegativeDays, PositiveDays, Source


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
