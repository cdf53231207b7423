"""Samplers for lengths of stay and pathway delays, each set by its mean in days.

Every sampler returns non-negative values: the parameterisations below cannot produce a
negative duration, so nothing is silently clipped.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.streams import Sampler
from sim.scenario import durations as kind
from sim.scenario.durations import Duration


def sampler(duration: Duration) -> Sampler:
    """A function (generator, n) -> n durations in days."""
    match duration:
        case kind.Exponential(mean_days=mean):
            return lambda rng, n: rng.exponential(mean, n)
        case kind.LogNormal(mean_days=mean, sd_days=sd):
            # Moments of the lognormal solved for the underlying normal's mu and sigma.
            sigma2 = math.log1p((sd / mean) ** 2)
            mu = math.log(mean) - sigma2 / 2
            sigma = math.sqrt(sigma2)
            return lambda rng, n: rng.lognormal(mu, sigma, n)
        case kind.Gamma(mean_days=mean, sd_days=sd):
            shape = (mean / sd) ** 2
            scale = sd**2 / mean
            return lambda rng, n: rng.gamma(shape, scale, n)
        case kind.Uniform(min_days=low, max_days=high):
            return lambda rng, n: rng.uniform(low, high, n)
        case kind.Triangular(min_days=low, max_days=high):
            mode = duration.mode
            return lambda rng, n: rng.triangular(low, mode, high, n)
        case kind.Fixed(mean_days=days):
            return lambda rng, n: np.full(n, float(days))
    raise TypeError(f"no sampler for {duration!r}")


def uniform_sampler(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n)


def choice_sampler(probabilities: np.ndarray) -> Sampler:
    """Indices drawn with the given probabilities (routing outcomes)."""
    cumulative = np.cumsum(probabilities)
    cumulative[-1] = 1.0

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        return cumulative.searchsorted(rng.random(n), side="right")

    return draw
