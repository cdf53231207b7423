"""Money, checked by hand: prices, the four contracts, the budget ledger and viability.

Hand-written ledgers (twelve months of activity and cost) pin each contract to a
spreadsheet's answer; engine runs with unlimited capacity and fixed stays pin the pricing
of real activity to the penny."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import simulate
from sim.money.budget import budget_table, forecast_outturn, monthly_plan
from sim.money.contracts import cost_and_volume_paid, marginal_rate_paid, monthly_paid
from sim.money.tariff import monthly_cost, practice_cost
from sim.money.viability import viability_table
from sim.results import run_scenario
from sim.results.metrics import replication_metrics
from sim.scenario.model import CostAndVolumeContract, MarginalRateContract
from tests.conftest import scenario_from

WHOLE_YEAR = np.ones(12)
ACTIVITY = np.array([100, 110, 90, 100, 120, 130, 100, 100, 100, 90, 80, 80], dtype=float)
UNIT = 50.0
COST = ACTIVITY * UNIT  # 1,200 units in the year, £60,000


def test_cost_and_volume_pays_instalments_plus_marginal_rate_above_the_phased_volume() -> None:
    contract = CostAndVolumeContract(
        type="cost_and_volume", annual_gbp=48_000, volume=1_080, marginal_rate=0.5
    )
    paid = cost_and_volume_paid(contract, COST, ACTIVITY, WHOLE_YEAR)
    # By hand: 90 units a month agreed; cumulative over-volume after each month
    done = np.cumsum(ACTIVITY)
    over = np.maximum(done - 90 * np.arange(1, 13), 0)
    assert over.tolist() == [10, 30, 30, 40, 70, 110, 120, 130, 140, 140, 130, 120]
    adjustment = 0.5 * UNIT * over
    expected = 4_000 + np.diff(adjustment, prepend=0)
    assert paid == pytest.approx(expected, abs=0.005)
    # The year: £48,000 for 1,080 units plus 120 units at half price.
    assert paid.sum() == pytest.approx(48_000 + 120 * 25, abs=0.005)


def test_cost_and_volume_refunds_shortfall_down_to_the_floor() -> None:
    contract = CostAndVolumeContract(
        type="cost_and_volume",
        annual_gbp=72_000,
        volume=1_440,
        marginal_rate=1.0,
        floor_volume=1_320,
    )
    paid = cost_and_volume_paid(contract, COST, ACTIVITY, WHOLE_YEAR)
    # 1,200 delivered: 240 short, but refunds stop at the floor: 120 units refunded at £50.
    assert paid.sum() == pytest.approx(72_000 - 120 * 50, abs=0.005)


def test_marginal_rate_pays_full_price_to_the_baseline_and_the_rate_above_it() -> None:
    contract = MarginalRateContract(type="marginal_rate", baseline_volume=1_000, rate=0.3)
    paid = marginal_rate_paid(contract, COST, ACTIVITY, WHOLE_YEAR)
    assert paid.sum() == pytest.approx(1_000 * 50 + 200 * 50 * 0.3, abs=0.005)
    # Month one: 100 done against 83.33 phased: 16.67 units at 30% of £50.
    assert paid[0] == pytest.approx(5_000 - (100 - 1_000 / 12) * 50 * 0.7, abs=0.005)


def test_forecast_outturn_on_a_made_up_ledger() -> None:
    plan = np.full(12, 100.0)
    spend = np.array([120.0, 120.0, 90.0] + [100.0] * 9)
    forecast = forecast_outturn(spend, plan)
    # After month one, spend runs at 120% of plan: 120 + 1,100 x 1.2.
    assert forecast[0] == pytest.approx(120 + 1_100 * 1.2)
    # After month three: 330 spent of 300 planned: 330 + 900 x 1.1.
    assert forecast[2] == pytest.approx(330 + 900 * 1.1)
    assert forecast[-1] == pytest.approx(spend.sum())


PRICED = """
budget: {annual_gbp: 2_000_000, phasing: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.1]}
practices:
  - {id: a, list_size: 6000}
  - {id: b, list_size: 4000, referral_multiplier: 1.5}
demand:
  - {id: referrals, enters: clinic, per_1000_per_year: 600}
  - {id: admissions, enters: ward, per_day: 2}
providers:
  - id: clinic
    price: {per_attendance_gbp: 232.17}
    contract: {type: activity}
  - id: ward
    length_of_stay: {distribution: fixed, mean_days: STAY}
    price: {per_spell_gbp: 2595.5, per_excess_day_gbp: 901, trim_days: 12, per_day_gbp: 10.25}
    contract: {type: block, annual_gbp: 1_200_000}
"""


def _priced(stay: float):
    return scenario_from(PRICED.replace("STAY", str(stay)), days=365, warm_up_days=20)


def test_costs_are_activity_times_price_to_the_penny() -> None:
    record = simulate(_priced(15))
    cost = monthly_cost(record, _priced(15))
    clinic, ward = 0, 1
    assert cost[clinic] == pytest.approx(record.completions[clinic] * 232.17, abs=0.005)
    # Fixed 15-day stays: every spell has exactly 3 excess days beyond the 12-day trim.
    assert record.excess_days[ward] == pytest.approx(3 * record.completions[ward], abs=1e-6)
    expected_ward = (
        record.completions[ward] * 2595.5
        + 3 * record.completions[ward] * 901
        + record.occupancy_days[ward] * 10.25
    )
    assert cost[ward] == pytest.approx(expected_ward, abs=0.005)
    # Unlimited beds at 2 a day for 15 days: 30 beds held; April's bed days are 30 x 30.
    assert record.occupancy_days[ward, 0] == pytest.approx(30 * 30, rel=0.1)


def test_no_excess_days_for_stays_at_the_trim_point() -> None:
    record = simulate(_priced(12))
    assert record.excess_days.sum() == 0


def test_block_pays_twelve_equal_instalments_and_activity_pays_the_cost() -> None:
    scenario = _priced(15)
    record = simulate(scenario)
    cost = monthly_cost(record, scenario)
    paid = monthly_paid(record, scenario, cost)
    assert paid[1] == pytest.approx(np.full(12, 100_000.0), abs=0.005)
    assert paid[0] == pytest.approx(cost[0], abs=0.005)


def test_costs_by_provider_month_and_practice_add_up_to_the_same_total() -> None:
    scenario = _priced(15)
    record = simulate(scenario)
    by_practice = practice_cost(record, scenario)
    total = monthly_cost(record, scenario).sum()
    assert by_practice.sum(axis=(0, 1)).sum() == pytest.approx(total, abs=0.01)
    assert by_practice.sum(axis=(1, 2)).sum() == pytest.approx(total, abs=0.01)
    assert by_practice.sum(axis=(0, 2)).sum() == pytest.approx(total, abs=0.01)
    # Practice b refers 1.5 times as often per head as practice a.
    clinic = by_practice[0].sum(axis=0)
    assert clinic[1] / 4000 / (clinic[0] / 6000) == pytest.approx(1.5, rel=0.1)


def test_budget_plan_follows_the_phasing_and_the_ledger_adds_up() -> None:
    scenario = _priced(15)
    result = run_scenario(scenario, replications=3)
    plan = monthly_plan(result.records[0], scenario)
    assert plan[:2] == pytest.approx([200_000, 200_000])
    assert plan[6] == pytest.approx(100_000)
    assert plan.sum() == pytest.approx(2_000_000)
    ledger = budget_table(result.records, scenario)
    assert ledger.cumulative_spend_gbp.iloc[-1] == pytest.approx(ledger.spend_gbp.sum())
    assert ledger.forecast_outturn_gbp.iloc[-1] == pytest.approx(
        ledger.cumulative_spend_gbp.iloc[-1]
    )
    fan = ledger.iloc[-1]
    assert (
        fan.cumulative_spend_p5_gbp
        <= fan.cumulative_spend_p25_gbp
        <= fan.cumulative_spend_median_gbp
    )
    assert (
        fan.cumulative_spend_median_gbp
        <= fan.cumulative_spend_p75_gbp
        <= fan.cumulative_spend_p95_gbp
    )


def test_overspend_is_likely_when_the_budget_is_below_expected_spend() -> None:
    tight = scenario_from(
        PRICED.replace("STAY", "15").replace("annual_gbp: 2_000_000", "annual_gbp: 1_500_000"),
        days=365,
        warm_up_days=20,
    )
    result = run_scenario(tight, replications=4)
    assert result.summary["totals"]["chance_of_overspend"] == 1.0
    assert result.budget.chance_of_overspend.iloc[-1] == 1.0


def test_changing_a_contract_changes_payments_not_activity_and_moves_the_risk() -> None:
    """Paired seeds: the ward on a block vs on activity. Activity is identical draw for
    draw; under the block the commissioner pays the same whatever happens (the provider
    carries the risk), under activity payment follows activity (the commissioner does)."""
    block = _priced(15)
    activity = scenario_from(
        PRICED.replace("STAY", "15").replace(
            "{type: block, annual_gbp: 1_200_000}", "{type: activity}"
        ),
        days=365,
        warm_up_days=20,
    )
    on_block = run_scenario(block, replications=4)
    on_activity = run_scenario(activity, replications=4)
    for a, b in zip(on_block.records, on_activity.records, strict=True):
        assert np.array_equal(a.completions, b.completions)
    ward_block = np.array(
        [monthly_paid(r, block, monthly_cost(r, block))[1].sum() for r in on_block.records]
    )
    ward_activity = np.array(
        [monthly_paid(r, activity, monthly_cost(r, activity))[1].sum() for r in on_activity.records]
    )
    assert np.ptp(ward_block) == 0 and np.ptp(ward_activity) > 0


def test_a_provider_whose_income_falls_below_its_fixed_cost_is_flagged() -> None:
    text = PRICED.replace("STAY", "15").replace(
        "per_day_gbp: 10.25}",
        "per_day_gbp: 10.25, fixed_annual_gbp: FIXED, marginal_cost_share: 0.1}",
    )
    viable = scenario_from(text.replace("FIXED", "700_000"), days=365)
    failing = scenario_from(text.replace("FIXED", "1_300_000"), days=365)

    def ward(scenario):
        records = run_scenario(scenario, replications=2).records
        return viability_table(records, scenario).set_index("provider").loc["ward"]

    # Income £1.2m (the block); variable cost 10% of about £4m of activity.
    assert ward(viable).flag == "viable"
    row = ward(failing)
    assert row.flag == "income below fixed cost: not viable"
    assert row.chance_below_fixed_cost == 1.0
    assert row.income_gbp == pytest.approx(1_200_000)


def test_the_four_contracts_on_the_same_activity() -> None:
    """One replication's activity, paid four ways: the contract moves the money only."""
    base = _priced(15)
    record = simulate(base)
    ward = record.completions[1]
    contracts = {
        "{type: activity}": None,
        "{type: block, annual_gbp: 1_200_000}": 1_200_000,
        "{type: cost_and_volume, annual_gbp: 1_000_000, volume: 600, marginal_rate: 0.5}": None,
        "{type: marginal_rate, baseline_volume: 600, rate: 0.3}": None,
    }
    paid = {}
    for contract in contracts:
        scenario = scenario_from(
            PRICED.replace("STAY", "15").replace("{type: block, annual_gbp: 1_200_000}", contract),
            days=365,
            warm_up_days=20,
        )
        assert np.array_equal(simulate(scenario).completions, record.completions)
        cost = monthly_cost(record, scenario)
        paid[contract.split(",")[0].split(": ")[1].rstrip("}")] = monthly_paid(
            record, scenario, cost
        )[1]
    cost = monthly_cost(record, base)[1]
    unit = cost.sum() / ward.sum()
    assert paid["activity"] == pytest.approx(cost, abs=0.005)
    assert paid["block"] == pytest.approx(np.full(12, 100_000.0), abs=0.005)
    over = ward.sum() - 600
    assert over > 0  # about 730 spells a year against an agreed 600
    assert paid["cost_and_volume"].sum() == pytest.approx(1_000_000 + 0.5 * unit * over, abs=0.01)
    assert paid["marginal_rate"].sum() == pytest.approx(cost.sum() - 0.7 * unit * over, abs=0.01)


def test_a_run_shorter_than_a_year_is_judged_against_the_plan_for_its_own_months() -> None:
    scenario = scenario_from(
        PRICED.replace("STAY", "15").replace(
            "annual_gbp: 2_000_000, phasing: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.1]",
            "annual_gbp: 1_200_000",
        ),
        days=40,
        start_date="2026-04-15",
    )
    totals = run_scenario(scenario, replications=2).summary["totals"]
    # 16 days of April (of 30) and 24 of May (of 31), a twelfth of £1.2m a month.
    assert totals["budget_gbp"] == pytest.approx(100_000 * (16 / 30 + 24 / 31))
    assert totals["annual_budget_gbp"] == 1_200_000
    assert totals["year_end_variance_gbp"] == pytest.approx(
        totals["paid_gbp"] - totals["budget_gbp"]
    )


FRONT_LOADED = "[0.15, 0.15, 0.15, 0.15, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.0, 0.0]"


def test_a_phased_block_pays_by_its_phasing_and_the_same_over_the_year() -> None:
    scenario = _priced(15)
    front = scenario_from(
        PRICED.replace("STAY", "15").replace(
            "annual_gbp: 1_200_000}", f"annual_gbp: 1_200_000, phasing: {FRONT_LOADED}}}"
        ),
        days=365,
        warm_up_days=20,
    )
    record = simulate(front)
    paid = monthly_paid(record, front, monthly_cost(record, front))
    # By hand: £180,000 a month April to July, £120,000 in August and September, £60,000
    # October to January, none in February and March.
    expected = [180_000.0] * 4 + [120_000.0] * 2 + [60_000.0] * 4 + [0.0] * 2
    assert paid[1] == pytest.approx(expected, abs=0.005)
    assert paid[1].sum() == pytest.approx(1_200_000, abs=0.005)
    # The same patients either way: phasing moves money in time, not care.
    assert np.array_equal(record.completions, simulate(scenario).completions)


def test_h1_metrics_count_the_first_six_months_against_the_phased_budget() -> None:
    """Two phased blocks, one even budget: H1 paid and H1 variance, by hand."""
    text = """
    budget: {annual_gbp: 2_400_000, phasing: even}
    practices: [{id: a, list_size: 1000}]
    demand: [{id: walk_in, enters: clinic, per_day: 1}]
    providers:
      - id: clinic
        price: {per_attendance_gbp: 100}
        contract: {type: block, annual_gbp: 1_200_000}
      - id: ward
        price: {per_spell_gbp: 100}
        contract: {type: block, annual_gbp: 1_200_000, phasing: PHASING}
    pathways: [{from: clinic, to: ward, share: 0.5}]
    """
    even = scenario_from(text.replace("PHASING", "even"), days=365, warm_up_days=0)
    front = scenario_from(text.replace("PHASING", FRONT_LOADED), days=365, warm_up_days=0)

    def system(scenario):
        metrics = replication_metrics(run_scenario(scenario, replications=1).records, scenario)
        rows = metrics[metrics["provider"] == "all"].set_index("metric")["value"]
        return rows

    on_plan, ahead = system(even), system(front)
    # Even: £600,000 + £600,000 paid in H1 against £1.2m planned.
    assert on_plan["paid_h1_gbp"] == pytest.approx(1_200_000, abs=0.01)
    assert on_plan["budget_variance_h1_gbp"] == pytest.approx(0, abs=0.01)
    # Front-loaded ward block: £960,000 in its first six months, so H1 runs £360,000 over.
    assert ahead["paid_h1_gbp"] == pytest.approx(1_560_000, abs=0.01)
    assert ahead["budget_variance_h1_gbp"] == pytest.approx(360_000, abs=0.01)
    assert ahead["paid_gbp"] == pytest.approx(on_plan["paid_gbp"], abs=0.01)


def test_a_block_phasing_that_does_not_add_up_names_the_field() -> None:
    text = PRICED.replace("STAY", "15").replace(
        "annual_gbp: 1_200_000}", "annual_gbp: 1_200_000, phasing: [0.5, 0.5, 0.5]}"
    )
    with pytest.raises(ValueError, match="needs 12 monthly fractions, got 3"):
        scenario_from(text, days=365)


def test_each_replication_reports_the_surplus_of_providers_with_a_fixed_cost() -> None:
    text = PRICED.replace("STAY", "15").replace(
        "per_day_gbp: 10.25}",
        "per_day_gbp: 10.25, fixed_annual_gbp: 700_000, marginal_cost_share: 0.1}",
    )
    scenario = scenario_from(text, days=365)
    records = run_scenario(scenario, replications=3).records
    metrics = replication_metrics(records, scenario)
    surplus = metrics[metrics["metric"] == "surplus_gbp"]
    # Only the ward gives a fixed cost; the clinic cannot be judged.
    assert surplus["provider"].unique().tolist() == ["ward"]
    # Income £1.2m less £700,000 fixed less 10% of the activity's value, replication by
    # replication, and the viability table's surplus is their mean.
    for record, value in zip(records, surplus["value"], strict=True):
        activity_value = monthly_cost(record, scenario)[1].sum()
        assert value == pytest.approx(1_200_000 - 700_000 - 0.1 * activity_value, abs=0.01)
    table = viability_table(records, scenario).set_index("provider")
    assert table.loc["ward", "surplus_gbp"] == pytest.approx(surplus["value"].mean())


def test_a_day_cost_charges_the_provider_for_every_day_a_place_is_held() -> None:
    """A bed day costs the ward whether or not it is paid for: the day cost counts every
    place-day held in the measured year, on top of the share of the activity's value."""
    text = PRICED.replace("STAY", "15").replace(
        "per_day_gbp: 10.25}",
        "per_day_gbp: 10.25, fixed_annual_gbp: 700_000, marginal_cost_share: 0.1, "
        "marginal_cost_per_day_gbp: 40}",
    )
    scenario = scenario_from(text, days=365, warm_up_days=20)
    records = run_scenario(scenario, replications=2).records
    metrics = replication_metrics(records, scenario)
    surplus = metrics[(metrics["metric"] == "surplus_gbp")]["value"].to_numpy()
    for record, value in zip(records, surplus, strict=True):
        held = record.occupancy_days[1].sum()
        # Little's law: 2 admissions a day staying 15 days hold about 30 beds, 10,950 bed
        # days a year (the 20-day warm-up fills the wards before the year starts).
        assert held == pytest.approx(2 * 15 * 365, rel=0.05)
        activity_value = monthly_cost(record, scenario)[1].sum()
        expected = 1_200_000 - 700_000 - 0.1 * activity_value - 40 * held
        assert value == pytest.approx(expected, abs=0.01)
    table = viability_table(records, scenario).set_index("provider")
    assert table.loc["ward", "variable_cost_gbp"] == pytest.approx(
        np.mean(
            [
                0.1 * monthly_cost(r, scenario)[1].sum() + 40 * r.occupancy_days[1].sum()
                for r in records
            ]
        )
    )
