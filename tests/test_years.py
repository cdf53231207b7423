"""Runs of several years: demand grows by (1 + g)^k in year k, and money is settled by
financial year (budget, block, cost-and-volume and marginal-rate contracts, forecasts and
the chance of overspending). Each test states its hand-checked answer in its docstring.

The runs start on 1 April 2026 and last 1,096 days: three financial years, April 2026 to
March 2029, of 365, 366 (February 2028) and 365 days, each twelve whole months.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import simulate
from sim.engine.calendar import Calendar
from sim.money.budget import monthly_plan
from sim.money.contracts import money_years, monthly_paid
from sim.money.tariff import monthly_cost
from sim.results import run_scenario
from sim.scenario.model import Run
from tests.conftest import scenario_from
from tests.test_engine_invariants import assert_every_patient_is_counted_once

THREE_YEARS = 1096
YEAR_DAYS = (365, 366, 365)
YEARS = (slice(0, 12), slice(12, 24), slice(24, 36))


def test_years_run_from_anniversary_to_anniversary_of_the_start() -> None:
    """From 1 April 2026 with 10 warm-up days: year 1 starts on 1 April 2027 (day
    10 + 365 = 375) and year 2 on 1 April 2028 (375 + 366 = 741); the warm-up is year 0.
    The months of a 36-month run fall in financial years 0, 1, 2, twelve each."""
    calendar = Calendar.for_run(Run(days=THREE_YEARS, warm_up_days=10))
    assert calendar.year_starts() == [0.0, 375.0, 741.0]
    assert money_years(calendar.labels).tolist() == [0] * 12 + [1] * 12 + [2] * 12


@pytest.mark.slow
def test_demand_grows_by_one_plus_g_to_the_power_of_the_year() -> None:
    """100 a day growing 10% a year, and a cohort's 50 a day growing 20% a year.

    Per day, year 2 against year 0 is 1.1^2 = 1.21 for the first stream and 1.2^2 = 1.44
    for the cohort. Year 0 has about 36,500 and 18,250 patients, year 2 about 44,165 and
    26,280, so the ratios are within 4 x ratio x sqrt(1/n0 + 1/n2): 0.034 and 0.056."""
    scenario = scenario_from(
        """
        cohorts: [{id: older, growth_per_year: 0.2}]
        demand:
          - {id: need, enters: clinic, per_day: 100, growth_per_year: 0.1}
          - {id: older_need, enters: clinic, per_day: 50, cohort: older}
        providers:
          - {id: clinic}
        """,
        days=THREE_YEARS,
        seed=1,
    )
    record = simulate(scenario)
    need, older = 0, 1  # cohorts `none` (the stream without one) and `older`
    arrivals = record.cohort_arrivals[0]  # month x cohort
    per_day = [
        arrivals[year].sum(axis=0) / days for year, days in zip(YEARS, YEAR_DAYS, strict=True)
    ]
    for cohort, growth, tolerance in ((need, 0.1, 0.034), (older, 0.2, 0.056)):
        assert per_day[0][cohort] == pytest.approx((100, 50)[cohort], rel=0.03)
        assert per_day[2][cohort] / per_day[0][cohort] == pytest.approx(
            (1 + growth) ** 2, abs=tolerance
        )
        assert per_day[1][cohort] / per_day[0][cohort] == pytest.approx(1 + growth, abs=tolerance)
    assert_every_patient_is_counted_once(record, scenario)


MONEY = """
budget: {annual_gbp: 200_000, growth_per_year: 0.1}
demand:
  - {id: need, enters: clinic, per_day: 3, growth_per_year: 0.6}
  - {id: urgent_need, enters: urgent, per_day: 4}
providers:
  - id: clinic
    price: {per_attendance_gbp: 100}
    contract: {type: cost_and_volume, annual_gbp: 120_000, volume: 1200, marginal_rate: 0.5}
  - id: hub
    price: {per_attendance_gbp: 10}
    contract: {type: block, annual_gbp: 60_000}
  - id: urgent
    price: {per_attendance_gbp: 50}
    contract: {type: marginal_rate, baseline_volume: 1200, rate: 0.5}
  - id: advice
    price: {per_attendance_gbp: 20}
    contract: {type: activity}
pathways:
  - {from: clinic, to: hub, share: 0.5}
  - {from: urgent, to: advice, share: 0.5}
"""
CLINIC, HUB, URGENT, ADVICE = 0, 1, 2, 3


def test_contracts_settle_each_financial_year_on_its_own() -> None:
    """With A_k a provider's attendances in financial year k (its 12 months):

    - clinic, cost and volume (120,000 for 1,200 a year, extra paid at 0.5 x the £100
      unit cost): year k pays 120,000 + 50 x max(A_k - 1,200, 0). Its demand grows 60% a
      year: about 3 x 365 = 1,095 in year 0 (under the volume, no floor: 120,000 flat),
      4.8 x 366 = 1,757 in year 1, 7.68 x 365 = 2,803 in year 2. Settled over the whole
      run instead, year 0's shortfall would offset later years' excess.
    - hub, block of 60,000 a year: 5,000 every month of every year.
    - urgent, marginal rate (full £50 price up to 1,200 a year, then 0.5 x price): year k
      pays 50 x A_k - 25 x max(A_k - 1,200, 0), about 4 x 365 = 1,460 a year.
    - advice, activity (£20 an attendance): every month pays 20 x that month's A."""
    scenario = scenario_from(MONEY, days=THREE_YEARS, seed=2)
    record = simulate(scenario)
    paid = monthly_paid(record, scenario, monthly_cost(record, scenario))
    for year in YEARS:
        clinic = record.completions[CLINIC, year].sum()
        urgent = record.completions[URGENT, year].sum()
        assert paid[CLINIC, year].sum() == pytest.approx(120_000 + 50 * max(clinic - 1200, 0))
        assert paid[URGENT, year].sum() == pytest.approx(50 * urgent - 25 * max(urgent - 1200, 0))
        assert paid[HUB, year].tolist() == [5_000.0] * 12
        assert paid[ADVICE, year] == pytest.approx(20 * record.completions[ADVICE, year])
    assert (
        record.completions[CLINIC, YEARS[0]].sum()
        < 1200
        < record.completions[CLINIC, YEARS[1]].sum()
    )


def test_contracts_with_growth_grow_their_sums_and_volumes_each_year() -> None:
    """The same providers with `growth_per_year` on each contract, g = 0.2, 0.5 and 0.1:

    - hub, block of 60,000 growing 20%: 5,000, 6,000 and 7,200 a month in years 0, 1, 2.
    - clinic, cost and volume growing 50%: year k pays 120,000 x 1.5^k + 50 x
      max(A_k - 1,200 x 1.5^k, 0), the same £100 unit price for a volume that grows.
    - urgent, marginal rate with its baseline growing 10%: year k pays 50 x A_k - 25 x
      max(A_k - 1,200 x 1.1^k, 0)."""
    grown = (
        MONEY.replace("annual_gbp: 60_000}", "annual_gbp: 60_000, growth_per_year: 0.2}")
        .replace("marginal_rate: 0.5}", "marginal_rate: 0.5, growth_per_year: 0.5}")
        .replace("rate: 0.5}\n  - id: advice", "rate: 0.5, growth_per_year: 0.1}\n  - id: advice")
    )
    scenario = scenario_from(grown, days=THREE_YEARS, seed=2)
    record = simulate(scenario)
    paid = monthly_paid(record, scenario, monthly_cost(record, scenario))
    for k, year in enumerate(YEARS):
        clinic = record.completions[CLINIC, year].sum()
        urgent = record.completions[URGENT, year].sum()
        assert paid[HUB, year] == pytest.approx([5_000.0 * 1.2**k] * 12)
        volume = 1200 * 1.5**k
        assert paid[CLINIC, year].sum() == pytest.approx(
            120_000 * 1.5**k + 50 * max(clinic - volume, 0)
        )
        baseline = 1200 * 1.1**k
        assert paid[URGENT, year].sum() == pytest.approx(
            50 * urgent - 25 * max(urgent - baseline, 0)
        )
    # Year 2's clinic demand (about 2,800) is above even the grown volume of 2,700.
    assert record.completions[CLINIC, YEARS[2]].sum() > 1200 * 1.5**2


def test_the_budget_repeats_its_phasing_and_grows_each_year() -> None:
    """200,000 growing 10% a year: 200,000, 220,000 and 242,000, a twelfth a month:
    16,666.67, 18,333.33 and 20,166.67."""
    scenario = scenario_from(MONEY, days=THREE_YEARS, seed=3)
    plan = monthly_plan(simulate(scenario), scenario)
    assert [plan[year].sum() for year in YEARS] == pytest.approx([200_000, 220_000, 242_000])
    assert plan[[0, 12, 24]] == pytest.approx([200_000 / 12, 220_000 / 12, 242_000 / 12])


@pytest.mark.slow
def test_budget_and_monthly_tables_run_by_financial_year() -> None:
    """Spend a year (clinic + hub + urgent + advice, from the contracts above, urgent
    paying 50 x 1,460 - 25 x 260 = 66,500 a year and advice 20 x 730 = 14,600): year 0
    about 120,000 + 60,000 + 66,500 + 14,600 = 261,100 against 200,000; year 1 about
    120,000 + 50 x 557 + 60,000 + 66,600 + 14,640 = 289,090 against 220,000; year 2 about
    120,000 + 50 x 1,603 + 60,000 + 66,500 + 14,600 = 341,250 against 242,000: every year
    overspends in every replication (the spread is a few thousand a year), so the chance
    of overspend at each year's end is 1. A year's forecast outturn at
    its last month is its spend exactly; cumulative figures start again each April: the
    cumulative plan at March 2027 is 200,000 and at April 2027 is 220,000 / 12. There is a
    row per month for all 36 months (4 providers and `all`: 180 rows in monthly.csv)."""
    result = run_scenario(scenario_from(MONEY, days=THREE_YEARS, replications=4, seed=4))
    budget = result.budget.set_index("month")
    assert len(budget) == 36 and len(result.monthly) == 36 * 5
    assert budget.loc["2027-03", "cumulative_plan_gbp"] == pytest.approx(200_000)
    assert budget.loc["2027-04", "cumulative_plan_gbp"] == pytest.approx(220_000 / 12)
    for last in ("2027-03", "2028-03", "2029-03"):
        row = budget.loc[last]
        assert row["forecast_outturn_gbp"] == pytest.approx(row["cumulative_spend_gbp"])
        assert row["chance_of_overspend"] == 1.0
    years = result.summary["financial_years"]
    assert [year["budget_gbp"] for year in years] == pytest.approx([200_000, 220_000, 242_000])
    assert [(year["first_month"], year["last_month"]) for year in years] == [
        ("2026-04", "2027-03"),
        ("2027-04", "2028-03"),
        ("2028-04", "2029-03"),
    ]
    assert [year["chance_of_overspend"] for year in years] == [1.0, 1.0, 1.0]
    spent = [budget["spend_gbp"].to_numpy()[year].sum() for year in YEARS]
    assert [year["paid_gbp"] for year in years] == pytest.approx(spent)
    monthly = result.monthly[result.monthly["provider"] == "hub"].set_index("month")
    assert monthly.loc["2027-03", "cumulative_paid_gbp"] == pytest.approx(60_000)
    assert monthly.loc["2027-04", "cumulative_paid_gbp"] == pytest.approx(5_000)
    assert np.isclose(result.summary["totals"]["budget_gbp"], 662_000)


def test_a_single_year_run_has_no_financial_years_in_its_summary() -> None:
    result = run_scenario(scenario_from(MONEY, days=365, replications=2, seed=5))
    assert "financial_years" not in result.summary
