"""The dashboard's figures show what the tables say, in words and units a commissioner reads.

Every figure is built from the real tables of a small scenario (four practices, one an
outlier referrer; an A&E, wards, a clinic that cannot cover its fixed cost, a block-paid
community service; a loop between wards and clinic), run once for the module.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import plotly.graph_objects as go
import pytest

from sim import compare_scenarios, run_scenario
from sim.app import charts
from sim.compare.sensitivity import Input, tornado
from sim.compare.words import duration, pounds
from tests.conftest import scenario_from

SMALLSHIRE = """
name: Smallshire
run: {days: 60, warm_up_days: 0, replications: 3, seed: 11, start_date: 2026-04-01}
budget: {annual_gbp: 24_000_000}
practices:
  - {id: north, name: North Surgery, list_size: 20_000}
  - {id: south, name: South Surgery, list_size: 22_000}
  - {id: east, name: East Surgery, list_size: 18_000}
  - {id: outlier, name: Outlier Practice, list_size: 10_000, referral_multiplier: 2.5}
demand:
  - {id: walk_in, name: A&E walk-ins, enters: ae, per_1000_per_year: 300, uses_referral_multiplier: false}
  - {id: referrals, name: GP referrals, enters: clinic, per_1000_per_year: 250}
providers:
  - {id: ae, name: Town A&E, kind: acute, capacity: {servers: 8}, length_of_stay: {distribution: exponential, mean_days: 0.1}, price: {per_attendance_gbp: 250}}
  - {id: ward, name: Town wards, kind: acute, capacity: {servers: 70}, length_of_stay: {distribution: exponential, mean_days: 5}, price: {per_spell_gbp: 3000, fixed_annual_gbp: 8_000_000, marginal_cost_share: 0.4}}
  - {id: clinic, name: Outpatient clinic, kind: acute, capacity: {slots_per_day: 120}, waiting: {max_days: 2, then: ae, share: 0.5}, price: {per_attendance_gbp: 150, fixed_annual_gbp: 50_000_000}}
  - {id: community, name: Community nursing, kind: community, price: {per_attendance_gbp: 50}, contract: {type: block, annual_gbp: 1_000_000}}
exits: [home, died]
pathways:
  - {from: ae, to: ward, share: 0.2}
  - {from: ae, to: home, share: 0.8}
  - {from: ward, to: community, share: 0.3}
  - {from: ward, to: died, share: 0.05}
  - {from: ward, to: clinic, share: 0.1}
  - {from: ward, to: home, share: 0.55}
  - {from: clinic, to: clinic, share: 0.3}
  - {from: clinic, to: ward, share: 0.02}
  - {from: clinic, to: home, share: 0.68}
"""

# Fewer admissions from A&E, and a new block-paid rapid response service taking some of them.
FEWER_ADMISSIONS = (
    SMALLSHIRE.replace("name: Smallshire", "name: Smallshire - rapid response")
    .replace("{from: ae, to: ward, share: 0.2}", "{from: ae, to: ward, share: 0.1}")
    .replace("{from: ae, to: home, share: 0.8}", "{from: ae, to: rapid, share: 0.1}")
    .replace(
        "exits: [home, died]",
        "  - {id: rapid, name: Rapid response, kind: community, capacity: {servers: 20}, "
        "length_of_stay: {distribution: exponential, mean_days: 0.5}, price: {per_attendance_gbp: 130}, "
        "contract: {type: block, annual_gbp: 400_000}}\nexits: [home, died]",
    )
    + "  - {from: ae, to: home, share: 0.7}\n  - {from: rapid, to: home, share: 1.0}\n"
)


@pytest.fixture(scope="module")
def base():
    return scenario_from(SMALLSHIRE)


@pytest.fixture(scope="module")
def result(base):
    return run_scenario(base)


@pytest.fixture(scope="module")
def comparison(base):
    return compare_scenarios(base, [scenario_from(FEWER_ADMISSIONS)], labels=["rapid_response"])


@pytest.fixture(scope="module")
def sensitivity(base):
    inputs = [
        Input("providers[ward].capacity.servers", 55, 90),
        Input("pathways[ae->ward].share", 0.15, 0.25),
    ]
    return tornado(base, inputs, ["all.paid_gbp", "ward.mean_wait_days"], replications=2, seed=1)


def _title(figure: go.Figure) -> str:
    """The title as read: plotly shows the <br> of a wrapped title as a line break."""
    return figure.layout.title.text.replace("<br>", " ")


def _subtitle(figure: go.Figure) -> str:
    return figure.layout.title.subtitle.text.replace("<br>", " ")


def _named(figure: go.Figure, name: str) -> go.BaseTraceType:
    return next(trace for trace in figure.data if trace.name == name)


# --- every figure ---------------------------------------------------------------------------


def test_every_figure_is_readable_when_projected(result, comparison, sensitivity) -> None:
    """Large type, a title with its unit, and each builds into a standalone HTML page."""
    scenarios = (comparison.base, *comparison.variants)
    figures = {
        "network": (charts.network(result.scenario, result.providers, result.flows), "%"),
        "network before a run": (charts.network(result.scenario), "a year"),
        "patient sankey": (charts.patient_sankey(result.flows), "patients"),
        "spend fan": (charts.spend_fan(result.budget, result.monthly), "£m"),
        "waits": (charts.waits_over_time(result.monthly), "hours"),
        "occupancy": (charts.occupancy_over_time(result.monthly, scenario=result.scenario), "%"),
        "funnel": (charts.practice_funnel(result.practices), "£k"),
        "viability": (charts.viability(result.viability), "£m"),
        "difference sankey": (charts.difference_sankey(comparison.flows), "patients"),
        "waterfall": (charts.cost_waterfall(comparison.waterfall, scenarios=scenarios), "£m"),
        "tornado": (charts.tornado(sensitivity, "all.paid_gbp"), "£m"),
    }
    for name, (figure, unit) in figures.items():
        assert isinstance(figure, go.Figure), name
        assert figure.layout.font.size >= 16, name
        assert unit in _title(figure), f"{name}: {_title(figure)!r}"
        assert "<div" in figure.to_html(include_plotlyjs=False, full_html=False), name


# --- the provider network -------------------------------------------------------------------


def test_network_has_a_node_per_provider_coloured_by_utilisation(result) -> None:
    figure = charts.network(result.scenario, result.providers, result.flows)
    limited = _named(figure, "Providers with limited capacity (colour: utilisation)")
    unlimited = _named(figure, "Providers without a capacity limit")
    assert sorted([*limited.text, *unlimited.text]) == sorted(result.providers["provider"])
    assert list(unlimited.text) == ["community"]
    utilisation = result.providers.set_index("provider")["utilisation"]
    assert list(limited.marker.color) == pytest.approx([utilisation[p] for p in limited.text])
    assert limited.marker.colorbar.title.text == "Utilisation (%)"
    ward = limited.hovertext[list(limited.text).index("ward")]
    assert "Town wards" in ward and f"{utilisation['ward']:.0%}" in ward and "Mean wait" in ward


def test_network_edge_widths_are_ordered_by_flow(result) -> None:
    figure = charts.network(result.scenario, result.providers, result.flows)
    edges = [trace for trace in figure.data if trace.meta]
    by_flow = sorted(edges, key=lambda trace: trace.meta["patients"])
    widths = [trace.line.width for trace in by_flow]
    assert widths == sorted(widths)
    flows = result.flows[result.flows["from"] != result.flows["to"]]
    busiest = flows.loc[flows["patients"].idxmax()]
    assert (by_flow[-1].meta["from"], by_flow[-1].meta["to"]) == (busiest["from"], busiest["to"])
    assert f"{busiest['patients']:,.0f} patients" in by_flow[-1].hovertext


def test_network_reads_left_to_right_from_demand_to_exits(result) -> None:
    figure = charts.network(result.scenario, result.providers, result.flows)
    x = {}
    for trace in figure.data:
        if not trace.meta:
            x.update(zip(trace.text, trace.x, strict=True))
    assert x["walk_in"] < x["ae"] < x["ward"]
    assert x["referrals"] < x["clinic"]
    assert min(x["home"], x["died"], x["exit"]) > max(x[p] for p in result.providers["provider"])


def test_network_before_a_run_shows_what_the_rates_imply(base) -> None:
    figure = charts.network(base)
    assert "Expected patients a year" in _title(figure)
    walk_in = next(t for t in figure.data if t.meta and t.meta["from"] == "walk_in")
    # 300 per 1,000 a year for 70,000 registered patients (the multiplier is not used).
    assert walk_in.meta["patients"] == pytest.approx(300 * 70)
    overflow = next(
        t for t in figure.data if t.meta and t.meta["from"] == "clinic" and t.meta["to"] == "ae"
    )
    assert overflow.meta["patients"] is None and overflow.line.dash == "dash"
    assert "run the scenario" in overflow.hovertext


def test_network_before_a_run_colours_by_the_busiest_month_as_validate_judges_it() -> None:
    # Ward beds cut from 70 to 40 for May. Admissions: 11.5 a day from A&E (300 per 1,000
    # of 70,000 a year, 1 in 5 admitted) and 1.7 from clinic (58.2 referrals a day, 83.2
    # attendances with the 30% follow-ups, 2% admitted): 13.2 a day staying 5 days need
    # 65.9 beds. At 70 beds the wards cope (load 0.94); in May, at 40, the load is 1.65,
    # which `knockon validate` warns of.
    closed = SMALLSHIRE.replace(
        "capacity: {servers: 70}",
        "capacity: {servers: 70, changes: [{from: 2026-05-01, to: 2026-06-01, servers: 40}]}",
    )
    figure = charts.network(scenario_from(closed))
    (limited,) = [t for t in figure.data if t.name and t.name.startswith("Providers with limited")]
    ward = list(limited.text).index("ward")
    assert limited.marker.color[ward] == 1.0
    assert "Offered load in the busiest month: 165%" in limited.hovertext[ward]
    assert "more than it can serve" in limited.hovertext[ward]


# --- patient flows --------------------------------------------------------------------------


def test_patient_sankey_links_add_up_to_the_flows_table(result) -> None:
    figure = charts.patient_sankey(result.flows, scenario=result.scenario)
    sankey = figure.data[0]
    moving = result.flows[result.flows["from"] != result.flows["to"]]
    assert sum(sankey.link.value) == pytest.approx(moving["patients"].sum())
    assert len(sankey.link.value) == len(moving)
    labels = list(sankey.node.label)
    assert "Town A&E" in labels and "A&E walk-ins" in labels
    x = dict(zip(labels, sankey.node.x, strict=True))
    assert x["A&E walk-ins"] < x["Town A&E"] < x["home"]
    follow_ups = result.flows[(result.flows["from"] == "clinic") & (result.flows["to"] == "clinic")]
    clinic = sankey.node.hovertemplate[labels.index("Outpatient clinic")]
    assert f"plus {follow_ups['patients'].iloc[0]:,.0f} follow-ups" in clinic


def test_difference_sankey_shows_significant_changes_in_colour_and_words(comparison) -> None:
    flows = comparison.flows
    scenarios = (comparison.base, *comparison.variants)
    figure = charts.difference_sankey(flows, "rapid_response", scenarios=scenarios)
    link = figure.data[0].link
    drawn = flows[
        flows["significant"] & (flows["difference"] != 0) & (flows["from"] != flows["to"])
    ]
    assert len(link.value) == len(drawn) > 0
    assert sum(link.value) == pytest.approx(drawn["difference"].abs().sum())
    for colour, text, change in zip(link.color, link.customdata, drawn["difference"], strict=True):
        assert colour.startswith(charts._rgba(charts.MORE if change > 0 else charts.FEWER, 0)[:-3])
        assert ("more patients" if change > 0 else "fewer patients") in text
    assert "Rapid response" in figure.data[0].node.label
    doubtful = flows.copy()
    doubtful.loc[drawn.index[0], "significant"] = False
    assert len(charts.difference_sankey(doubtful).data[0].link.value) == len(drawn) - 1
    everything = charts.difference_sankey(doubtful, significant_only=False)
    changed = flows[(flows["difference"] != 0) & (flows["from"] != flows["to"])]
    assert len(everything.data[0].link.value) == len(changed)
    assert "every change" in _subtitle(everything)


def test_difference_sankey_says_so_when_nothing_changed(comparison) -> None:
    unchanged = comparison.flows.assign(significant=False)
    figure = charts.difference_sankey(unchanged)
    assert len(figure.data[0].link.value) == 0
    assert "No route" in figure.layout.annotations[0].text


# --- money ----------------------------------------------------------------------------------


def test_spend_fan_budget_line_ends_at_the_plan(result) -> None:
    figure = charts.spend_fan(result.budget, result.monthly, scenario=result.scenario)
    plan = result.budget["cumulative_plan_gbp"]
    budget_line = _named(figure, "Budget (cumulative plan)")
    assert budget_line.y[-1] == pytest.approx(plan.iloc[-1] / 1e6)
    assert f"Budget {pounds(plan.iloc[-1])}" in [a.text for a in figure.layout.annotations]
    medians = [t for t in figure.data if t.name == "Median simulated year"]
    spend, against = medians
    median = result.budget["cumulative_spend_median_gbp"]
    assert list(spend.y) == pytest.approx(list(median / 1e6))
    assert list(against.y) == pytest.approx(list((median - plan) / 1e6))
    assert "£m" in figure.layout.yaxis.title.text and "£m" in figure.layout.yaxis2.title.text
    assert "chance of overspend" in spend.customdata[0]
    assert "Largest payments this month" in spend.customdata[0]
    bands = [t.name for t in figure.data if t.showlegend is not False and t.fill == "tonexty"]
    assert bands == [f"Middle {band}% of simulated years" for band in (90, 80, 50)]


def test_spend_fan_without_a_budget_draws_spend_alone(result) -> None:
    no_plan = result.budget.assign(cumulative_plan_gbp=np.nan, chance_of_overspend=np.nan)
    figure = charts.spend_fan(no_plan)
    assert "no budget set" in _title(figure)
    assert not [t for t in figure.data if t.name == "Budget (cumulative plan)"]
    assert "yaxis2" not in figure.layout.to_plotly_json()


def test_cost_waterfall_steps_add_up_to_the_total_change(comparison) -> None:
    scenarios = (comparison.base, *comparison.variants)
    figure = charts.cost_waterfall(comparison.waterfall, "rapid_response", scenarios=scenarios)
    waterfall = figure.data[0]
    table = comparison.waterfall
    base = table[table["step"] == "baseline total"].iloc[0]
    total = table[table["step"] == "variant total"].iloc[0]
    measures = list(waterfall.measure)
    assert measures[0] == "absolute" and measures[-1] == "total"
    steps = [y for y, m in zip(waterfall.y, measures, strict=True) if m == "relative"]
    assert len(steps) >= 2
    assert sum(steps) == pytest.approx(total["change_gbp"] / 1e6)
    assert waterfall.y[0] + sum(steps) == pytest.approx(total["running_total_gbp"] / 1e6)
    assert base["change_gbp"] / 1e6 == pytest.approx(waterfall.y[0])
    assert "Rapid response" in waterfall.x[1:-1]
    assert "Town wards" in waterfall.x[1:-1]
    low, high = figure.layout.yaxis.range
    assert low > 0 and low < min(base["change_gbp"], total["running_total_gbp"]) / 1e6 < high


def test_viability_flags_the_provider_that_cannot_stand(result) -> None:
    figure = charts.viability(result.viability, scenario=result.scenario)
    verdicts = {a.y: a.text for a in figure.layout.annotations}
    assert "NOT VIABLE" in verdicts["Outpatient clinic"]
    assert "NOT VIABLE" not in verdicts["Town wards"]
    assert "no fixed cost given" in verdicts["Town A&E"]
    income = _named(figure, "Income from this commissioner")
    assert list(income.x) == pytest.approx(list(result.viability["income_gbp"] / 1e6))
    fixed, variable = _named(figure, "Fixed cost"), _named(figure, "Variable cost")
    assert list(variable.base) == list(fixed.x)


# --- practices ------------------------------------------------------------------------------


def test_practice_funnel_marks_and_names_the_outlier(result) -> None:
    figure = charts.practice_funnel(result.practices, scenario=result.scenario)
    outliers = _named(figure, "Above 99.8% limit")
    assert list(outliers.text) == ["Outlier Practice"]
    assert "Outlier Practice" in outliers.hovertext[0]
    within = _named(figure, "Within limits")
    assert within.text is None and len(within.x) == 3
    # The drawn limits pass through the table's limits at each practice's list size.
    upper_95, upper_998 = _named(figure, "95% limits"), _named(figure, "99.8% limits")
    for _, practice in result.practices.iterrows():
        size = practice["list_size"]
        assert np.interp(size, upper_95.x, upper_95.y) == pytest.approx(
            practice["spend_limit_95_high"] / 1e3, rel=1e-3
        )
        assert np.interp(size, upper_998.x, upper_998.y) == pytest.approx(
            practice["spend_limit_998_high"] / 1e3, rel=1e-3
        )
    assert "£k" in figure.layout.yaxis.title.text


def test_activity_funnel_shows_which_service_the_outlier_drives(result) -> None:
    figure = charts.practice_activity_funnel(
        result.practice_providers, "clinic", scenario=result.scenario
    )
    assert "Outpatient clinic" in _title(figure)
    assert "Outlier Practice" in _named(figure, "Above 99.8% limit").text
    with pytest.raises(ValueError, match="no practice activity for provider 'theatre'"):
        charts.practice_activity_funnel(result.practice_providers, "theatre")


# --- through the year -----------------------------------------------------------------------


def test_waits_over_time_draws_a_line_with_a_band_per_provider(result) -> None:
    figure = charts.waits_over_time(result.monthly, ["clinic", "ae"], scenario=result.scenario)
    lines = [t for t in figure.data if t.mode == "lines+markers"]
    assert [t.name for t in lines] == ["Town A&E", "Outpatient clinic"]
    assert len([t for t in figure.data if t.fill == "toself"]) == 2
    clinic = result.monthly[result.monthly["provider"] == "clinic"]
    assert list(lines[1].y) == pytest.approx(list(clinic["mean_wait_days"] * 24))
    assert figure.layout.yaxis.title.text == "Mean wait (hours)"
    assert "95% CI" in lines[1].hovertemplate
    # Given providers.csv, it shows the providers with limited capacity.
    limited = charts.waits_over_time(result.monthly, result.providers)
    shown = {t.legendgroup for t in limited.data}
    assert shown == {"ae", "ward", "clinic"}


def test_occupancy_over_time_as_a_share_of_places(result) -> None:
    figure = charts.occupancy_over_time(result.monthly, scenario=result.scenario)
    lines = {t.legendgroup: t for t in figure.data if t.mode == "lines+markers"}
    assert set(lines) == {"ae", "ward"}
    ward = result.monthly[result.monthly["provider"] == "ward"]
    assert list(lines["ward"].y) == pytest.approx(list(ward["mean_occupied"] / 70 * 100))
    assert "% of places" in _title(figure)
    counts = charts.occupancy_over_time(result.monthly)
    assert "(places)" in _title(counts)


# --- sensitivity ----------------------------------------------------------------------------


def test_tornado_bars_run_from_the_nominal_value_to_each_end(sensitivity) -> None:
    figure = charts.tornado(sensitivity, "all.paid_gbp")
    rows = sensitivity[sensitivity["metric"] == "all.paid_gbp"]
    low, high = _named(figure, "Input at its low end"), _named(figure, "Input at its high end")
    nominal = rows["nominal"].iloc[0] / 1e6
    assert low.base == pytest.approx(nominal) and high.base == pytest.approx(nominal)
    assert list(np.asarray(low.x) + nominal) == pytest.approx(list(rows["at_low"] / 1e6))
    assert list(np.asarray(high.x) + nominal) == pytest.approx(list(rows["at_high"] / 1e6))
    # Largest swing first, drawn on top.
    assert low.y[0].startswith(rows["input"].iloc[0])
    assert figure.layout.yaxis.autorange == "reversed"
    assert "total paid by the commissioner" in _title(figure)


def test_tornado_shows_waits_in_time_units_and_refuses_an_unknown_metric(sensitivity) -> None:
    figure = charts.tornado(sensitivity, "ward.mean_wait_days")
    assert any(unit in _title(figure) for unit in ("minutes", "hours", "days"))
    with pytest.raises(ValueError, match=r"no tornado rows for metric 'ward\.utilisation'"):
        charts.tornado(sensitivity, "ward.utilisation")


# --- headline cards -------------------------------------------------------------------------


def test_headline_cards_give_money_risk_and_waits(result) -> None:
    cards = {card.label: card for card in charts.headline_cards(result)}
    totals = result.summary["totals"]
    assert list(cards) == [
        "Total paid over the 60-day run",
        "Forecast outturn",
        "Chance of overspend",
        "A&E mean wait",
        "Bed mean wait",
        "Bed occupancy",
    ]
    assert cards["Total paid over the 60-day run"].value == pounds(totals["paid_gbp"])
    assert pounds(totals["budget_gbp"]) in cards["Total paid over the 60-day run"].detail
    assert cards["Chance of overspend"].value == f"{totals['chance_of_overspend']:.0%}"
    providers = result.providers.set_index("provider")
    assert cards["A&E mean wait"].value == duration(providers.at["ae", "mean_wait_days"])
    assert "Town A&E" in cards["A&E mean wait"].detail
    assert cards["Bed occupancy"].value == f"{providers.at['ward', 'utilisation']:.0%}"
    assert "of 70 beds" in cards["Bed occupancy"].detail
    label, value, detail = cards["Bed mean wait"]
    assert (label, value) == ("Bed mean wait", duration(providers.at["ward", "mean_wait_days"]))
    assert detail.startswith("Town wards: 95% CI")


def test_headline_cards_find_a_and_e_and_beds_by_length_of_stay(result) -> None:
    """Ids and names that say nothing: the short acute stay is A&E, the long one the beds."""
    renamed = scenario_from(
        SMALLSHIRE.replace("name: Town A&E", "name: Front door")
        .replace("name: A&E walk-ins", "name: Walk-ins")
        .replace("id: ae,", "id: front,")
        .replace("enters: ae", "enters: front")
        .replace("then: ae", "then: front")
        .replace("from: ae,", "from: front,")
        .replace("to: ae,", "to: front,")
        .replace("name: Town wards", "name: General medicine")
        .replace("id: ward,", "id: medicine,")
        .replace("from: ward,", "from: medicine,")
        .replace("to: ward,", "to: medicine,")
    )
    providers = result.providers.replace({"provider": {"ae": "front", "ward": "medicine"}})
    cards = charts.headline_cards(
        dataclasses.replace(result, scenario=renamed, providers=providers)
    )
    details = {card.label: card.detail for card in cards}
    assert details["A&E mean wait"].startswith("Front door")
    assert details["Bed mean wait"].startswith("General medicine")
