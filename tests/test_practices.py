"""Practice profiles: funnel limits against their published formulae, a practice that
refers twice as often stands out and nobody else does, and every pound of the run is
traced to a practice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from sim.money.practices import (
    ABOVE_95,
    ABOVE_998,
    BELOW_95,
    BELOW_998,
    FLAGS,
    WITHIN,
    _poisson_cdf,
    _poisson_pmf,
    _poisson_quantile,
    dispersion,
    funnel_flag,
    funnel_limits,
    normal_limits,
    practice_providers_table,
    practices_table,
    spend_limits,
    two_sided_z,
)
from sim.results import RunResult, run_scenario
from sim.scenario import load_scenario, parse_scenario
from sim.scenario.model import Scenario

DEFAULT_SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "northshire_2026.yaml"
LIST_SIZES = (5_000, 8_000, 10_000, 12_000, 15_000, 6_000)


def referral_scenario(
    multipliers: dict[str, float] | None = None,
    follow_up_share: float | None = None,
    days: int = 365,
) -> Scenario:
    """Six practices referring into an unlimited, priced outpatient clinic, plus same-day
    GP need that no practice's referral behaviour touches."""
    multipliers = multipliers or {}
    data: dict[str, Any] = {
        "format": 1,
        "name": "six practices",
        "run": {"days": days, "seed": 7},
        "practices": [
            {
                "id": f"practice_{i}",
                "list_size": size,
                "referral_multiplier": multipliers.get(f"practice_{i}", 1.0),
            }
            for i, size in enumerate(LIST_SIZES)
        ],
        "demand": [
            {"id": "referrals", "enters": "clinic", "per_1000_per_year": 300},
            {
                "id": "same_day",
                "enters": "gp",
                "per_1000_per_year": 1_000,
                "uses_referral_multiplier": False,
            },
        ],
        "providers": [
            {"id": "clinic", "price": {"per_attendance_gbp": 150}},
            {"id": "gp", "price": {"per_attendance_gbp": 40}},
        ],
        "pathways": (
            [{"from": "clinic", "to": "clinic", "share": follow_up_share}]
            if follow_up_share is not None
            else []
        ),
    }
    return parse_scenario(data).scenario


def run(scenario: Scenario, replications: int) -> RunResult:
    return run_scenario(scenario, replications=replications)


# --- the funnel limits, against their formulae ------------------------------------------------


def test_z_for_the_two_funnels() -> None:
    assert two_sided_z(0.95) == pytest.approx(1.95996, abs=1e-5)
    assert two_sided_z(0.998) == pytest.approx(3.09023, abs=1e-5)


def test_exact_poisson_limits_by_hand_for_target_one_in_ten_and_a_thousand_people() -> None:
    """lambda = 100. The 97.5% quantile is r = 120: P(Y <= 120) = 0.977331 and
    P(Y = 120) = 0.005561, so alpha = (0.977331 - 0.975) / 0.005561 = 0.419 and the high
    limit is 119.581 / 1,000. The 2.5% quantile is r = 81: alpha = (0.029066 - 0.025) /
    0.006417 = 0.634, low limit 80.366 / 1,000."""
    low, high = funnel_limits(0.1, 1_000, 0.95)
    assert (low, high) == pytest.approx((0.080366, 0.119581), abs=1e-6)
    low, high = funnel_limits(0.1, 1_000, 0.998)
    assert (low, high) == pytest.approx((0.070065, 0.131805), abs=1e-6)


@pytest.mark.parametrize("coverage", [0.95, 0.998])
@pytest.mark.parametrize(("target", "population"), [(0.1, 1_000), (0.3, 7_300), (0.02, 250)])
def test_exact_limits_interpolate_the_poisson_quantiles_from_the_chi_square_identity(
    coverage: float, target: float, population: int
) -> None:
    """Spiegelhalter (2005), appendix A.1: r_p the smallest count with P(Y <= r_p) >= p,
    limit (r_p - alpha) / n; P(Y <= r) = chi2.sf(2 lambda, 2r + 2)."""
    expected = target * population

    def cdf(count: int) -> float:
        return float(stats.chi2.sf(2 * expected, 2 * count + 2)) if count >= 0 else 0.0

    by_hand = []
    for p in ((1 - coverage) / 2, (1 + coverage) / 2):
        count = 0
        while cdf(count) < p:
            count += 1
        alpha = (cdf(count) - p) / (cdf(count) - cdf(count - 1))
        by_hand.append(max((count - alpha) / population, 0.0))
        assert count == stats.poisson.ppf(p, expected)
    assert funnel_limits(target, population, coverage) == pytest.approx(by_hand, rel=1e-9)


@pytest.mark.parametrize("coverage", [0.95, 0.998])
def test_exact_limits_are_the_normal_limits_corrected_for_skew(coverage: float) -> None:
    """In counts, lambda +/- z sqrt(lambda) (the normal approximation) plus the
    Cornish-Fisher skew term (z^2 - 1) / 6 less the interpolation's half count."""
    target, population = 0.1, 1_000
    z = two_sided_z(coverage)
    exact = np.array(funnel_limits(target, population, coverage)) * population
    normal = np.array(normal_limits(target, target, population, coverage)) * population
    assert normal == pytest.approx([100 - z * 10, 100 + z * 10], abs=1e-9)
    assert np.abs(exact - normal).max() < 1.0
    assert exact == pytest.approx(normal + (z**2 - 1) / 6 - 0.5, abs=0.1)


def test_normal_limits_by_hand() -> None:
    """0.1 per person in 1,000 people: standard error sqrt(0.1 / 1,000) = 0.01."""
    assert normal_limits(0.1, 0.1, 1_000, 0.95) == pytest.approx((0.0804, 0.1196), abs=1e-5)
    assert normal_limits(0.1, 0.1, 1_000, 0.998) == pytest.approx((0.06910, 0.13090), abs=1e-5)


def test_spend_limits_by_hand_for_two_providers() -> None:
    """0.2 visits a person at £100 and 0.01 stays at £3,000: £50 a person, variance a
    person 0.2 x 100^2 + 0.01 x 3,000^2 = 92,000, so over 10,000 people the standard error
    is sqrt(9.2) = £3.0332 and the 95% limits are £50 +/- 1.96 x 3.0332 = £50 +/- 5.9449."""
    rates, costs = np.array([0.2, 0.01]), np.array([100.0, 3_000.0])
    assert spend_limits(50.0, rates, costs, 10_000, 0.95) == pytest.approx(
        (44.0551, 55.9449), abs=1e-4
    )
    assert spend_limits(50.0, rates, costs, 10_000, 0.998) == pytest.approx(
        (40.6269, 59.3731), abs=1e-4
    )
    # Twice the variance: the standard error grows by sqrt(2).
    _, high = spend_limits(50.0, rates, costs, 10_000, 0.95, dispersion=2.0)
    assert high - 50.0 == pytest.approx(5.9449 * np.sqrt(2), abs=1e-4)


def test_spend_at_one_pound_a_unit_has_the_poisson_normal_limits() -> None:
    assert spend_limits(0.1, np.array([0.1]), np.array([1.0]), 1_000, 0.95) == pytest.approx(
        normal_limits(0.1, 0.1, 1_000, 0.95)
    )


def test_limits_narrow_as_population_grows_and_the_wider_funnel_holds_the_narrower() -> None:
    populations = np.array([200, 1_000, 5_000, 20_000, 100_000, 1_000_000])
    rates, costs = np.array([0.3, 0.1]), np.array([150.0, 40.0])
    for limits in (
        lambda coverage: funnel_limits(0.1, populations, coverage),
        lambda coverage: normal_limits(0.1, 0.1, populations, coverage),
        lambda coverage: spend_limits(49.0, rates, costs, populations, coverage),
    ):
        low_95, high_95 = limits(0.95)
        low_998, high_998 = limits(0.998)
        assert np.all(np.diff(high_95 - low_95) < 0)
        assert np.all(np.diff(high_998 - low_998) < 0)
        assert np.all((low_998 <= low_95) & (high_95 <= high_998))


def test_dispersion_treats_counts_as_poisson_on_fewer_people() -> None:
    """Variance four times the mean: the limits of a quarter of the population."""
    assert funnel_limits(0.1, 8_000, 0.998, dispersion=4.0) == pytest.approx(
        funnel_limits(0.1, 2_000, 0.998)
    )


def test_a_target_of_zero_has_limits_of_zero() -> None:
    assert funnel_limits(0.0, 1_000, 0.95) == pytest.approx((0.0, 0.0))


def test_dispersion_by_hand_and_never_below_one() -> None:
    """Two replications of two practices: variances 50 and 200 against model variances 5
    and 10, ratios 10 and 20."""
    assert dispersion(np.array([[0.0, 0.0], [10.0, 20.0]]), np.array([5.0, 10.0])) == 15.0
    # Less spread than Poisson (a full appointment book shares out its slots): stays at 1.
    assert dispersion(np.array([[10.0, 20.0], [14.0, 26.0]]), np.array([12.0, 23.0])) == 1.0
    # One replication shows no spread at all.
    assert dispersion(np.array([[10.0, 20.0]]), np.array([10.0, 20.0])) == 1.0


def test_poisson_counts_have_dispersion_near_one_and_tripled_events_near_three() -> None:
    rng = np.random.default_rng(2026)
    means = np.array([300.0, 800.0, 1_200.0, 2_000.0])
    counts = rng.poisson(means, size=(200, 4)).astype(float)
    assert dispersion(counts, counts.mean(axis=0)) == pytest.approx(1.0, abs=0.12)
    # Every event counted three times: variance 9 lambda against mean 3 lambda.
    assert dispersion(3 * counts, 3 * counts.mean(axis=0)) == pytest.approx(3.0, abs=0.35)


def test_flags_take_the_wider_funnel_first() -> None:
    limits_95 = (np.full(5, 90.0), np.full(5, 110.0))
    limits_998 = (np.full(5, 80.0), np.full(5, 120.0))
    rates = np.array([125.0, 115.0, 100.0, 85.0, 75.0])
    assert funnel_flag(rates, limits_95, limits_998).tolist() == list(FLAGS)
    assert FLAGS == (ABOVE_998, ABOVE_95, WITHIN, BELOW_95, BELOW_998)


# --- the practice tables, from simulated runs --------------------------------------------------


@pytest.fixture(scope="module")
def outlier_run() -> RunResult:
    """practice_3 (12,000 patients) refers twice as often as the other five."""
    return run(referral_scenario({"practice_3": 2.0}), replications=5)


def test_a_practice_referring_twice_as_often_is_above_the_998_limit_and_nobody_else(
    outlier_run: RunResult,
) -> None:
    table = practices_table(outlier_run.records, outlier_run.scenario).set_index("practice")
    flags = table["flag"].to_dict()
    assert flags["practice_3"] == ABOVE_998, table.round(1).to_string()
    assert [p for p, flag in flags.items() if flag == ABOVE_998] == ["practice_3"], flags
    assert set(flags.values()) <= set(FLAGS)
    # Its excess is the extra referrals at £150: 300 more per 1,000 a year, less its share
    # of the consortium rate it pulls up.
    rate = table["spend_per_1000_per_year_gbp"]
    assert rate["practice_3"] - rate.drop("practice_3").mean() == pytest.approx(300 * 150, rel=0.05)
    assert table.loc["practice_3", "excess_spend_gbp"] == pytest.approx(
        (rate["practice_3"] - table.loc["practice_3", "expected_spend_per_1000_per_year_gbp"])
        * 12_000
        / 1_000
    )
    assert table.loc["practice_3", "replications_outside_95_share"] == 1.0


def test_the_service_table_shows_which_service_the_outlier_drives(outlier_run: RunResult) -> None:
    services = practice_providers_table(outlier_run.records, outlier_run.scenario)
    outlier = services[services["practice"] == "practice_3"].set_index("provider")
    assert outlier.loc["clinic", "flag"] == ABOVE_998
    assert outlier.loc["gp", "flag"] in (WITHIN, ABOVE_95, BELOW_95), outlier.to_string()
    assert outlier["excess_spend_gbp"].idxmax() == "clinic"
    above = services[services["flag"] == ABOVE_998]
    assert list(zip(above["practice"], above["provider"], strict=True)) == [
        ("practice_3", "clinic")
    ]
    # Each practice's providers are listed together, in the scenario's order.
    assert services["provider"].tolist()[:2] == ["clinic", "gp"]
    assert services["practice"].tolist()[:2] == ["practice_0", "practice_0"]


def test_spend_per_practice_adds_up_to_the_cost_of_the_run(outlier_run: RunResult) -> None:
    scenario, records = outlier_run.scenario, outlier_run.records
    table = practices_table(records, scenario)
    services = practice_providers_table(records, scenario)
    total = outlier_run.summary["totals"]["cost_gbp"]
    assert table["spend_gbp"].sum() == pytest.approx(total, rel=1e-12)
    assert table["spend_gbp"].sum() == pytest.approx(outlier_run.providers["cost_gbp"].sum())
    assert services["spend_gbp"].sum() == pytest.approx(total, rel=1e-12)
    # Excess over the consortium rate is zero over all practices, and a practice's excess
    # is its providers' excesses added up.
    assert table["excess_spend_gbp"].sum() == pytest.approx(0.0, abs=1e-6 * total)
    by_practice = services.groupby("practice", sort=False)["excess_spend_gbp"].sum()
    assert by_practice.to_numpy() == pytest.approx(table["excess_spend_gbp"].to_numpy())
    activity = services.groupby("practice", sort=False)["activity"].sum()
    assert activity.to_numpy() == pytest.approx(table["activity"].to_numpy())


def test_rates_are_per_1000_a_year_whatever_the_run_length() -> None:
    half_year = run(referral_scenario(days=182), replications=2)
    table = practices_table(half_year.records, half_year.scenario)
    # 1,300 contacts per 1,000 a year: 300 referrals and 1,000 same-day.
    assert table["activity_per_1000_per_year"].mean() == pytest.approx(1_300, rel=0.03)
    assert table["expected_spend_per_1000_per_year_gbp"].iloc[0] == pytest.approx(
        300 * 150 + 1_000 * 40, rel=0.03
    )
    assert table["spend_gbp"].sum() == pytest.approx(
        (300 * 150 + 1_000 * 40) * sum(LIST_SIZES) / 1_000 * 182 / 365, rel=0.03
    )


def test_a_follow_up_loop_widens_the_funnel_by_the_attendances_per_referral() -> None:
    """Half of attendances book a follow-up, so a referral brings N attendances, geometric
    with mean 2: the practice's count has variance E[N^2] / E[N] = 3 times its mean.
    Poisson limits would flag ordinary practices; the widened ones do not."""
    result = run(referral_scenario(follow_up_share=0.5), replications=20)
    services = practice_providers_table(result.records, result.scenario)
    clinic = services[services["provider"] == "clinic"]
    gp = services[services["provider"] == "gp"]
    assert clinic["dispersion"].iloc[0] == pytest.approx(3.0, abs=1.0)
    assert gp["dispersion"].iloc[0] == pytest.approx(1.0, abs=0.3)
    table = practices_table(result.records, result.scenario)
    assert table["dispersion"].iloc[0] > 1.5
    assert (table["flag"] == WITHIN).all(), table.round(1).to_string()
    assert (clinic["flag"] == WITHIN).all(), clinic.round(1).to_string()


def test_without_practices_everyone_is_one_practice_at_the_consortium_rate() -> None:
    scenario = parse_scenario(
        {
            "format": 1,
            "name": "one list",
            "run": {"days": 60},
            "population": 20_000,
            "demand": [{"id": "referrals", "enters": "clinic", "per_1000_per_year": 300}],
            "providers": [{"id": "clinic", "price": {"per_attendance_gbp": 150}}],
        }
    ).scenario
    result = run(scenario, replications=2)
    table = practices_table(result.records, scenario)
    assert table["practice"].tolist() == ["all"]
    assert table["flag"].tolist() == [WITHIN]
    assert table["excess_spend_gbp"].iloc[0] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.slow
def test_the_default_scenarios_outlier_referrer_is_flagged_for_its_outpatients() -> None:
    """Hilltop refers to outpatients 40% above the rest (referral_multiplier 1.4)."""
    scenario = load_scenario(DEFAULT_SCENARIO).scenario
    hilltop = next(p for p in scenario.practices if p.referral_multiplier == 1.4)
    result = run(scenario, replications=3)
    table = practices_table(result.records, scenario).set_index("practice")
    assert table.loc[hilltop.id, "flag"] in (ABOVE_998, ABOVE_95), table.round(0).to_string()
    assert table["excess_spend_gbp"].idxmax() == hilltop.id
    ordinary = table[table["referral_multiplier"] == 1.0]
    assert not ordinary["flag"].isin([ABOVE_998, BELOW_998]).any(), ordinary.round(0).to_string()
    services = practice_providers_table(result.records, scenario)
    mine = services[services["practice"] == hilltop.id].set_index("provider")
    assert mine.loc["outpatients", "flag"] == ABOVE_998
    assert mine["excess_spend_gbp"].idxmax() == "outpatients"


def test_the_poisson_functions_are_scipy_stats_to_the_bit() -> None:
    # practices computes the funnel's Poisson quantile, distribution and mass on
    # scipy.special (scipy.stats is slow to import); they must agree with scipy.stats exactly.
    rng = np.random.default_rng(3)
    means = np.concatenate(
        [[0.0, 1e-9, 0.5, 1.0, 2.0], rng.uniform(0, 50, 500), 10 ** rng.uniform(-5, 8, 2000)]
    )
    for p in (0.001, 0.025, 0.5, 0.975, 0.999):
        count = _poisson_quantile(p, means)
        assert np.array_equal(count, stats.poisson.ppf(p, means))
        assert np.array_equal(_poisson_cdf(count, means), stats.poisson.cdf(count, means))
        assert np.array_equal(_poisson_pmf(count, means), stats.poisson.pmf(count, means))
    for coverage in (0.5, 0.9, 0.95, 0.998):
        assert two_sided_z(coverage) == stats.norm.ppf(0.5 + coverage / 2)
