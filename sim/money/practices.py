"""Practice profiles: each registered practice's activity and spend per 1,000 patients, set
against funnel-plot control limits so that outlier practices stand out.

What belongs here: the funnel-plot statistics (exact Poisson limits for counts, normal
limits for spend as a compound Poisson sum, the dispersion the replications show) and the
two tables a consortium board reads: one row per practice (`practices_table`) and one row
per practice and provider (`practice_providers_table`), which shows *which* service an
outlier practice drives.

Conventions every function here shares:

- A *rate* is per registered person over the measured period. The tables show rates per
  1,000 patients per year (x 1,000 x 365 / days measured), so they read the same whatever
  the run length; counts and pounds (`activity`, `spend_gbp`, `excess_spend_gbp`) are over
  the measured period.
- The *target* is the consortium's overall rate (all practices' activity or spend over all
  their patients), as in NHS and PHE practice. A large outlier pulls it towards itself, so
  ordinary practices can then sit below it.
- Limits are for ONE measured period: what a board would draw around one year's data. A
  practice is flagged when its expected rate (the mean over replications) lies beyond
  them: it would be flagged in about half of such years or more
  (`replications_outside_95_share` counts the simulated years outside the 95% limits).
- Spend is the activity's value at each provider's price (`sim.money.tariff`), not what
  the contracts pay: under a block contract, activity above the consortium rate uses the
  provider's capacity, not the commissioner's cash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from sim.engine.record import RunRecord
from sim.money.tariff import practice_cost
from sim.scenario.model import DAYS_PER_YEAR, Scenario

COVERAGES = (0.95, 0.998)
"""The two funnels drawn: about 2 and 3 standard errors either side of the target."""

ABOVE_998 = "above 99.8% limit"
ABOVE_95 = "above 95% limit"
WITHIN = "within limits"
BELOW_95 = "below 95% limit"
BELOW_998 = "below 99.8% limit"
FLAGS = (ABOVE_998, ABOVE_95, WITHIN, BELOW_95, BELOW_998)


# --- funnel-plot statistics -------------------------------------------------------------


def two_sided_z(coverage: float) -> float:
    """The standard normal quantile leaving (1 - coverage) / 2 in each tail: 1.960 for
    0.95, 3.090 for 0.998."""
    if not 0.0 < coverage < 1.0:
        raise ValueError(f"coverage must be between 0 and 1, got {coverage}")
    return float(special.ndtri(0.5 + coverage / 2))


# The Poisson quantile, distribution and mass functions as scipy.stats.poisson computes them
# (ppf, cdf, pmf for whole counts and means >= 0), written on the scipy.special functions
# it calls so that the run path does not import scipy.stats (most of a second); a test
# checks they agree with scipy.stats to the bit.


def _poisson_quantile(p: float, mean: np.ndarray) -> np.ndarray:
    """The smallest whole count r with P(Y <= r) >= p, for 0 < p < 1."""
    count = np.ceil(special.pdtrik(p, mean))
    below = np.maximum(count - 1, 0)
    return np.where(special.pdtr(below, mean) >= p, below, count)


def _poisson_cdf(count: np.ndarray, mean: np.ndarray) -> np.ndarray:
    return np.clip(special.pdtr(np.floor(count), mean), 0.0, 1.0)


def _poisson_pmf(count: np.ndarray, mean: np.ndarray) -> np.ndarray:
    log_mass = special.xlogy(count, mean) - special.gammaln(count + 1) - mean
    return np.clip(np.exp(log_mass), 0.0, 1.0)


def funnel_limits(
    target_rate: float,
    population: np.ndarray | float,
    coverage: float,
    dispersion: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson control limits (low, high) for a rate per person at each population.

    The count in a population of n is taken as Poisson with mean lambda = target_rate x n.
    Each limit is that Poisson's p-quantile, p = (1 - coverage) / 2 for the low limit and
    (1 + coverage) / 2 for the high one, interpolated between whole counts so that the
    funnel is a smooth curve (Spiegelhalter, "Funnel plots for comparing institutional
    performance", Statistics in Medicine 24:1185-1202, 2005, appendix A.1):

        r_p   = the smallest count r with P(Y <= r) >= p
        alpha = (P(Y <= r_p) - p) / P(Y = r_p)
        limit = (r_p - alpha) / n

    P(Y <= r) is the chi-square survival function chi2.sf(2 lambda, 2r + 2), the identity
    behind the exact Poisson methods of the PHE Fingertips technical guidance; scipy's
    Poisson distribution computes the same incomplete gamma function. In counts, the limits
    sit close to lambda +/- z sqrt(lambda) + (z^2 - 1) / 6 - 1/2 (the Cornish-Fisher
    correction for the Poisson's skew, less the half count the interpolation puts between
    whole counts): once lambda is a few dozen they are within a count of the normal limits
    of `normal_limits` for z up to 3.09, and they approach them as lambda grows.

    `dispersion` > 1 is for counts whose variance is that many times their mean (a patient
    who comes back for follow-ups adds several attendances at once): they are treated as
    Poisson counts on population / dispersion people (quasi-Poisson), which keeps the rate
    and multiplies its variance by `dispersion`. Low limits stop at zero.
    """
    if target_rate < 0:
        raise ValueError(f"target_rate must not be negative, got {target_rate}")
    if dispersion <= 0:
        raise ValueError(f"dispersion must be positive, got {dispersion}")
    people = np.asarray(population, dtype=float) / dispersion
    if np.any(people <= 0):
        raise ValueError("population must be positive")
    expected = target_rate * people
    tail = (1.0 - coverage) / 2
    if not 0.0 < tail < 0.5:
        raise ValueError(f"coverage must be between 0 and 1, got {coverage}")
    limits = []
    for p in (tail, 1.0 - tail):
        count = _poisson_quantile(p, expected)
        # Clipped because ppf's tolerance can leave P(Y <= r_p) a rounding error below p.
        alpha = np.clip(
            (_poisson_cdf(count, expected) - p) / _poisson_pmf(count, expected),
            0.0,
            1.0,
        )
        limits.append(np.maximum((count - alpha) / people, 0.0))
    return limits[0], limits[1]


def normal_limits(
    target: np.ndarray | float,
    variance_per_person: float,
    population: np.ndarray | float,
    coverage: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Normal control limits (low, high): target +/- z sqrt(variance_per_person / n).

    A rate over n people whose single-person variance is v has standard error sqrt(v / n)
    (Spiegelhalter 2005, section 2). With variance_per_person = target this is the normal
    approximation to the Poisson funnel of `funnel_limits`. Low limits stop at zero,
    because neither a rate nor a spend can be negative.
    """
    people = np.asarray(population, dtype=float)
    if np.any(people <= 0):
        raise ValueError("population must be positive")
    if variance_per_person < 0:
        raise ValueError(f"variance must not be negative, got {variance_per_person}")
    half_width = two_sided_z(coverage) * np.sqrt(variance_per_person / people)
    centre = np.asarray(target, dtype=float)
    return np.maximum(centre - half_width, 0.0), centre + half_width


def compound_poisson_variance(activity_per_person: np.ndarray, unit_cost_gbp: np.ndarray) -> float:
    """Variance of one person's spend, in pounds squared: sum over providers of
    (mean unit cost)^2 x expected activity per person.

    If a population's activity at each provider is Poisson with mean r_j per person and
    every unit there costs mu_j, its spend is a compound Poisson sum with variance
    n x sum_j r_j mu_j^2 (Var = lambda E[X^2] for a Poisson number of costs X). This
    assumes every unit of activity is an independent event at the mean unit cost; repeat
    attendances of one patient, unit costs that vary (excess bed days) and one patient's
    cost at several providers all add variance it leaves out (see `dispersion`).
    """
    rates = np.asarray(activity_per_person, dtype=float)
    costs = np.asarray(unit_cost_gbp, dtype=float)
    return float(np.sum(rates * costs**2))


def spend_limits(
    target_gbp_per_person: np.ndarray | float,
    activity_per_person: np.ndarray,
    unit_cost_gbp: np.ndarray,
    population: np.ndarray | float,
    coverage: float,
    dispersion: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Normal control limits (low, high) for spend per person around the target:

        target +/- z sqrt(dispersion x sum_j r_j mu_j^2 / n)

    with r_j the target activity per person at provider j and mu_j its mean unit cost
    (`compound_poisson_variance`). Spend is not a Poisson count: a practice's spend is a
    Poisson number of units, each at its provider's cost, and this is the normal
    approximation to that compound Poisson sum (good when every practice has many units
    of activity, as a year of a practice list does).
    """
    variance = dispersion * compound_poisson_variance(activity_per_person, unit_cost_gbp)
    return normal_limits(target_gbp_per_person, variance, population, coverage)


def dispersion(values: np.ndarray, model_variance: np.ndarray) -> float:
    """How many times more the practices' totals vary between replications than the
    model says: the mean over practices of (sample variance / model variance), and at
    least 1.

    `values` is replications x practices; `model_variance` is each practice's variance
    under the model (its mean, for a Poisson count). Each replication is an independent
    year of the same practices, so the spread between replications is the chance
    variation of one year's figure, follow-ups, varying unit costs and all. This is the
    within-practice variation the funnel must allow for, not Spiegelhalter's
    between-institution over-dispersion, which is what the funnel is there to find. It is
    never below 1, so the limits are never narrower than the model's; with fewer than two
    replications it is 1.
    """
    values = np.asarray(values, dtype=float)
    model = np.asarray(model_variance, dtype=float)
    if values.shape[0] < 2 or not np.any(model > 0):
        return 1.0
    varying = model > 0
    ratios = values[:, varying].var(axis=0, ddof=1) / model[varying]
    return max(1.0, float(ratios.mean()))


def funnel_flag(
    rate: np.ndarray,
    limits_95: tuple[np.ndarray, np.ndarray],
    limits_998: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """One of `FLAGS` for each rate, the wider funnel first."""
    return np.select(
        [rate > limits_998[1], rate > limits_95[1], rate < limits_998[0], rate < limits_95[0]],
        [ABOVE_998, ABOVE_95, BELOW_998, BELOW_95],
        default=WITHIN,
    )


# --- the tables -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _PracticeTotals:
    """Each replication's activity and cost by provider and practice, over the period."""

    activity: np.ndarray
    """replications x providers x practices: completions."""
    cost: np.ndarray
    """replications x providers x practices: pounds at price."""
    list_sizes: np.ndarray
    per_1000_per_year: float
    """Turns a rate per person over the measured period into one per 1,000 per year."""

    @classmethod
    def of(cls, records: Sequence[RunRecord], scenario: Scenario) -> _PracticeTotals:
        if not records:
            raise ValueError("no replications to profile")
        practices = scenario.registered_practices
        if records[0].practices != tuple(p.id for p in practices):
            raise ValueError("the records are not of this scenario's practices")
        return cls(
            activity=np.stack([r.practice_activity.sum(axis=1) for r in records]),
            cost=np.stack([practice_cost(r, scenario).sum(axis=1) for r in records]),
            list_sizes=np.asarray([p.list_size for p in practices], dtype=float),
            per_1000_per_year=1000.0 * DAYS_PER_YEAR / records[0].period_days,
        )

    @property
    def population(self) -> float:
        return float(self.list_sizes.sum())

    def unit_cost_gbp(self) -> np.ndarray:
        """Mean cost of a unit of activity at each provider, over every replication.

        A provider with cost but no completions in the period (day-priced stays still
        running) gets none: its cost counts in the target but not in the variance."""
        activity = self.activity.sum(axis=(0, 2))
        cost = self.cost.sum(axis=(0, 2))
        return np.divide(cost, activity, out=np.zeros_like(cost), where=activity > 0)


def practices_table(records: Sequence[RunRecord], scenario: Scenario) -> pd.DataFrame:
    """One row per registered practice: activity and spend, their rates per 1,000 patients
    per year, the spend funnel's limits and where the practice falls against them.

    Columns: `practice, name, list_size, referral_multiplier`; `activity` (completions at
    every provider) and `spend_gbp` (at price), both means over replications for the
    measured period, with `activity_per_1000_per_year` and `spend_per_1000_per_year_gbp`;
    `expected_spend_per_1000_per_year_gbp`, the consortium rate (every practice's spend
    over every registered patient); `spend_limit_95_low, spend_limit_95_high,
    spend_limit_998_low, spend_limit_998_high`, per 1,000 per year in pounds, from
    `spend_limits` for the practice's list size; `flag`, one of `FLAGS`;
    `excess_spend_gbp`, what the practice spends beyond the consortium rate for its list
    size over the period, (spend per 1,000 - expected) x list size / 1,000, which sums to
    zero over the practices; `replications_outside_95_share`, the share of replications
    (simulated years) in which the practice's own spend lay outside that year's 95%
    limits; and `dispersion`, the factor the compound Poisson variance was widened by
    (see `dispersion`).
    """
    totals = _PracticeTotals.of(records, scenario)
    sizes, scale = totals.list_sizes, totals.per_1000_per_year
    spend = totals.cost.sum(axis=1)  # replications x practices
    activity = totals.activity.sum(axis=1)
    mean_activity = totals.activity.mean(axis=0)  # providers x practices
    unit_cost = totals.unit_cost_gbp()
    target_activity = mean_activity.sum(axis=1) / totals.population
    target = float(spend.mean(axis=0).sum()) / totals.population
    # Calibrated on each practice's own activity, so an outlier's larger volume is allowed for.
    own_variance = (unit_cost[:, None] ** 2 * mean_activity).sum(axis=0)
    widen = dispersion(spend, own_variance)
    limits = {
        coverage: spend_limits(target, target_activity, unit_cost, sizes, coverage, widen)
        for coverage in COVERAGES
    }
    rate = spend.mean(axis=0) / sizes
    # Each simulated year judged as a board would judge it: against that year's consortium rate.
    yearly_low, yearly_high = spend_limits(
        (spend.sum(axis=1) / totals.population)[:, None],
        target_activity,
        unit_cost,
        sizes,
        0.95,
        widen,
    )
    yearly_rate = spend / sizes
    outside = ((yearly_rate < yearly_low) | (yearly_rate > yearly_high)).mean(axis=0)
    practices = scenario.registered_practices
    return pd.DataFrame(
        {
            "practice": [p.id for p in practices],
            "name": [p.name or p.id for p in practices],
            "list_size": [p.list_size for p in practices],
            "referral_multiplier": [p.referral_multiplier for p in practices],
            "activity": activity.mean(axis=0),
            "activity_per_1000_per_year": activity.mean(axis=0) / sizes * scale,
            "spend_gbp": spend.mean(axis=0),
            "spend_per_1000_per_year_gbp": rate * scale,
            "expected_spend_per_1000_per_year_gbp": np.full(sizes.size, target * scale),
            "spend_limit_95_low": limits[0.95][0] * scale,
            "spend_limit_95_high": limits[0.95][1] * scale,
            "spend_limit_998_low": limits[0.998][0] * scale,
            "spend_limit_998_high": limits[0.998][1] * scale,
            "flag": funnel_flag(rate, limits[0.95], limits[0.998]),
            "excess_spend_gbp": (rate - target) * sizes,
            "replications_outside_95_share": outside,
            "dispersion": np.full(sizes.size, widen),
        }
    )


def practice_providers_table(records: Sequence[RunRecord], scenario: Scenario) -> pd.DataFrame:
    """One row per practice and provider (each practice's providers together): which
    services a practice uses more or less than the consortium, against the activity
    funnel for that provider.

    Columns: `practice, provider, list_size`; `activity` (completions, mean over
    replications for the period) and `activity_per_1000_per_year`;
    `expected_activity_per_1000_per_year`, the consortium rate at that provider;
    `activity_limit_95_low, activity_limit_95_high, activity_limit_998_low,
    activity_limit_998_high` per 1,000 per year, exact Poisson limits from
    `funnel_limits` widened by the provider's `dispersion` (follow-up loops make
    attendances come in clusters); `flag`, one of `FLAGS`; `excess_activity`, activity
    beyond the consortium rate for the list size over the period; `spend_gbp`,
    `spend_per_1000_per_year_gbp` and `excess_spend_gbp` at that provider (a practice's
    excess spend over its providers adds up to its `excess_spend_gbp` in
    `practices_table`).
    """
    totals = _PracticeTotals.of(records, scenario)
    sizes, scale, population = totals.list_sizes, totals.per_1000_per_year, totals.population
    practice_ids = [p.id for p in scenario.registered_practices]
    frames = []
    for j, provider in enumerate(scenario.providers):
        counts = totals.activity[:, j, :]  # replications x practices
        spend = totals.cost[:, j, :].mean(axis=0)
        mean_count = counts.mean(axis=0)
        target = float(mean_count.sum()) / population
        widen = dispersion(counts, mean_count)
        limits = {coverage: funnel_limits(target, sizes, coverage, widen) for coverage in COVERAGES}
        rate = mean_count / sizes
        frames.append(
            pd.DataFrame(
                {
                    "practice": practice_ids,
                    "provider": provider.id,
                    "list_size": sizes.astype(int),
                    "activity": mean_count,
                    "activity_per_1000_per_year": rate * scale,
                    "expected_activity_per_1000_per_year": np.full(sizes.size, target * scale),
                    "activity_limit_95_low": limits[0.95][0] * scale,
                    "activity_limit_95_high": limits[0.95][1] * scale,
                    "activity_limit_998_low": limits[0.998][0] * scale,
                    "activity_limit_998_high": limits[0.998][1] * scale,
                    "dispersion": np.full(sizes.size, widen),
                    "flag": funnel_flag(rate, limits[0.95], limits[0.998]),
                    "excess_activity": mean_count - target * sizes,
                    "spend_gbp": spend,
                    "spend_per_1000_per_year_gbp": spend / sizes * scale,
                    "excess_spend_gbp": spend - float(spend.sum()) / population * sizes,
                    "_order": np.arange(sizes.size) * len(scenario.providers) + j,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True).sort_values("_order", kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)
