"""Things that change with the date: capacity changes, providers that open part-way (with a
ramp-up), and demand shocks. Each test states its hand-checked answer in its docstring.

Runs start on 1 April 2026 unless said otherwise, so the months are April (30 days), May
(31), June (30), July (31): day 30 is 1 May, day 61 is 1 June, day 91 is 1 July.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine import simulate
from sim.engine.world import World
from sim.results import run_scenario
from sim.results.tables import provider_metrics
from sim.scenario import parse_scenario
from sim.scenario.model import Scenario
from tests.conftest import scenario_from
from tests.test_engine_invariants import assert_every_patient_is_counted_once

APRIL, MAY, JUNE, JULY = range(4)


# --- capacity changes -------------------------------------------------------------------------

DOUBLING = """
demand:
  - {id: need, enters: beds, per_day: 10}
providers:
  - id: beds
    capacity:
      servers: 5
      changes: [{from: 2026-05-01, servers: 20}]
    length_of_stay: {distribution: fixed, mean_days: 1}
"""


def test_more_servers_from_a_date_clear_the_queue_that_built_up_before_it() -> None:
    """5 beds, each patient 1 day, 10 arrivals a day: 5 too many a day, so the queue grows
    by about 5 a day, to 5 x 30 = 150 by 1 May (the mean queue in April is about 150 / 2 =
    75). From 1 May there are 20 beds, 10 more than the arrivals need, so the 150 clear in
    about 150 / 10 = 15 days (May's mean queue about 150 x 15 / 2 / 31 = 36), and June's
    queue is that of 20 beds at load 10 / 20 = 0.5 with fixed stays: almost nobody waits.

    Place-days offered are exact: 5 x 30 = 150 in April, 20 x 31 = 620 in May and
    20 x 30 = 600 in June. In April all 5 beds are held from the arrival of the fifth
    patient (about half a day in, at 10 a day) to the end: between 145 and 150 place-days."""
    scenario = scenario_from(DOUBLING, days=91, seed=1)
    record = simulate(scenario)
    queue = record.queue_days[0] / record.month_days
    assert record.server_days[0].tolist() == [150.0, 620.0, 600.0]
    assert 145.0 < record.occupancy_days[0, APRIL] <= 150.0
    assert queue[APRIL] == pytest.approx(75, abs=25), queue
    assert queue[MAY] == pytest.approx(36, abs=15), queue
    assert queue[JUNE] < 0.5, queue
    assert record.waiting_end[0] <= 3
    assert_every_patient_is_counted_once(record, scenario)


def test_fewer_servers_let_patients_in_service_finish_and_start_nobody_until_below() -> None:
    """20 beds, 1-day stays, 10 arrivals a day, then 5 beds from 1 May. The patients in
    service on 1 May (about 10) finish within the day, and nobody new starts until fewer than
    5 are held; from then on exactly 5 beds are held all the time, because the queue (about
    5 more a day) never empties. So June's place-days held are exactly 5 x 30 = 150, and so
    are June's place-days offered. In May the places still held on its first day count as
    offered until their patients leave: 5 x 31 = 155 plus at most 15 x 1 day = 170, and
    utilisation never passes 1. At the end (1 July, 61 days after the change) about
    (10 - 5) x 61 = 305 wait, give or take 4 x sqrt(10 x 61) = 99."""
    text = DOUBLING.replace("servers: 5", "servers: 20", 1).replace("servers: 20}]", "servers: 5}]")
    scenario = scenario_from(text, days=91, seed=2)
    record = simulate(scenario)
    assert record.server_days[0, JUNE] == 150.0
    assert record.occupancy_days[0, JUNE] == pytest.approx(150.0, abs=1e-6)
    assert 155.0 < record.server_days[0, MAY] <= 170.0
    assert record.occupancy_days[0, MAY] <= record.server_days[0, MAY] + 1e-9
    assert record.waiting_end[0] == pytest.approx(305, abs=99)
    assert provider_metrics(record, scenario)["utilisation"][0] <= 1.0
    assert_every_patient_is_counted_once(record, scenario)


def test_a_full_appointment_book_starts_exactly_the_changed_number_each_day() -> None:
    """A book of 20 slots a day with 40 arrivals a day is always full. Its first clinic (day
    0) meets an empty list, so April starts 29 x 20 = 580 patients. From 1 May it has 30
    slots a day: May starts 31 x 30 = 930 and offers 930; from 1 June (the change's `to`)
    it is back to 20: June starts 30 x 20 = 600."""
    scenario = scenario_from(
        """
        demand:
          - {id: need, enters: book, per_day: 40}
        providers:
          - id: book
            capacity:
              slots_per_day: 20
              changes: [{from: 2026-05-01, to: 2026-06-01, slots_per_day: 30}]
        """,
        days=91,
        seed=3,
    )
    record = simulate(scenario)
    assert record.starts[0].tolist() == [580.0, 930.0, 600.0]
    assert record.slots_offered[0].tolist() == [600.0, 930.0, 600.0]
    assert record.slots_used[0].tolist() == [580.0, 930.0, 600.0]
    assert_every_patient_is_counted_once(record, scenario)


def test_a_change_for_the_whole_run_is_the_same_run_as_that_capacity() -> None:
    """A change from the first day to the end gives the same places all along, so the same
    record as writing that capacity: the same draws, in the same order."""
    changed = scenario_from(DOUBLING.replace("2026-05-01", "2026-04-01"), days=61, seed=4)
    plain = scenario_from(DOUBLING.replace("servers: 5", "servers: 20", 1), days=61, seed=4)
    first, second = simulate(changed), simulate(plain)
    for field in ("arrivals", "starts", "wait_days", "occupancy_days", "queue_days", "flows"):
        assert np.array_equal(getattr(first, field), getattr(second, field)), field


# --- a provider that opens part-way -----------------------------------------------------------

OPENING = """
demand:
  - {id: need, enters: gp, per_day: 100}
providers:
  - {id: gp}
  - {id: new, opens: 2026-06-01, ramp_up_days: 30}
  - {id: other}
exits: [home]
pathways:
  - {from: gp, to: new, share: 0.4}
  - {from: gp, to: other, share: 0.2}
"""
GP, NEW, OTHER = 0, 1, 2


def _share_interval(share: float, patients: float) -> float:
    """Four binomial standard errors of a share among `patients`."""
    return 4 * float(np.sqrt(share * (1 - share) / patients))


@pytest.mark.slow
def test_a_new_provider_takes_nobody_before_it_opens_half_at_mid_ramp_and_all_after() -> None:
    """gp sends 0.4 of its patients to `new`, 0.2 to `other`, and the remaining 0.4 leave.

    - Before 1 June `new` takes nobody, and its 0.4 take the other ways in proportion to
      their shares (0.2 : 0.4): `other` gets 0.2 + 0.4 x 0.2 / 0.6 = 1/3 of gp's patients.
    - Over the 30-day ramp-up in June the share it takes rises in a straight line from 0 to
      0.4: halfway (and on average over June) it takes 0.4 / 2 = 0.2.
    - From 1 July it takes its full 0.4, and `other` its own 0.2.
    Shares are checked within four binomial standard errors of gp's patients that month."""
    record = simulate(scenario_from(OPENING, days=122, seed=5))
    seen = record.completions[GP]
    assert record.arrivals[NEW, APRIL] == record.arrivals[NEW, MAY] == 0
    for month, new_share, other_share in (
        (APRIL, 0.0, 1 / 3),
        (MAY, 0.0, 1 / 3),
        (JUNE, 0.2, 0.2 + 0.2 * 0.2 / 0.6),
        (JULY, 0.4, 0.2),
    ):
        patients = seen[month]
        got_new, got_other = record.arrivals[[NEW, OTHER], month] / patients
        assert got_new == pytest.approx(new_share, abs=_share_interval(new_share, patients))
        assert got_other == pytest.approx(other_share, abs=_share_interval(other_share, patients))
    # Mid-ramp: the middle ten days of June (15 to 24 days into the ramp: shares 0.2 +- 0.067).
    daily = simulate(scenario_from(OPENING, days=91, seed=5), calendar=_daily(OPENING, 91, 5))
    middle = slice(61 + 10, 61 + 20)
    taken = daily.arrivals[NEW, middle].sum() / daily.completions[GP, middle].sum()
    assert taken == pytest.approx(
        0.2, abs=_share_interval(0.2, daily.completions[GP, middle].sum())
    )


def _daily(text: str, days: int, seed: int):
    from sim.engine.calendar import Calendar

    return Calendar.daily(scenario_from(text, days=days, seed=seed).run)


def test_displaced_patients_take_the_other_routes_and_flows_add_up() -> None:
    """Before opening the displaced 0.4 go 1 : 2 to `other` and the unnamed exit (their
    shares 0.2 and 0.4), so over April and May `other` gets 1/3 and the exit 2/3 of gp's
    patients; nobody reaches `new`. Conservation holds throughout."""
    scenario = scenario_from(OPENING, days=61, seed=6)
    record = simulate(scenario)
    nodes = list(record.nodes)
    flows = record.flows
    patients = record.completions[GP].sum()
    assert flows[nodes.index("gp"), nodes.index("new")] == 0
    assert flows[nodes.index("gp"), nodes.index("other")] / patients == pytest.approx(
        1 / 3, abs=_share_interval(1 / 3, patients)
    )
    assert flows[nodes.index("gp"), nodes.index("exit")] / patients == pytest.approx(
        2 / 3, abs=_share_interval(2 / 3, patients)
    )
    assert_every_patient_is_counted_once(record, scenario)


def test_opening_draws_from_streams_of_its_own_so_nothing_else_moves() -> None:
    """Common random numbers: the same scenario with and without `opens` has the same gp
    arrivals every month (its demand draws are untouched), and once `new` has fully opened
    (July) the same patients go to `new` and to `other`: the routing draws are the same,
    only the accept and redirect draws (streams of their own) were added."""
    opening = simulate(scenario_from(OPENING, days=122, seed=7))
    always = simulate(
        scenario_from(OPENING.replace("opens: 2026-06-01, ramp_up_days: 30", ""), days=122, seed=7)
    )
    assert np.array_equal(opening.arrivals[GP], always.arrivals[GP])
    assert opening.arrivals[NEW, JULY] == always.arrivals[NEW, JULY]
    assert opening.arrivals[OTHER, JULY] == always.arrivals[OTHER, JULY]
    assert opening.arrivals[NEW, APRIL] == 0 < always.arrivals[NEW, APRIL]


def test_demand_into_a_new_provider_is_off_before_it_opens_and_ramps_up_after() -> None:
    """50 walk-ins a day into a provider opening on 1 May with a 31-day ramp-up: none in
    April; in May the share taken rises from 0 to 1, on average 1/2 over the month (25 a
    day: 775, Poisson sd about 28); in June all 50 a day (1,500, sd about 39). Its servers
    offer no place-days before it opens: April's are 0, May's 4 x 31 = 124."""
    scenario = scenario_from(
        """
        demand:
          - {id: walk_in, enters: centre, per_day: 50}
        providers:
          - id: centre
            opens: 2026-05-01
            ramp_up_days: 31
            capacity: {servers: 4}
            length_of_stay: {distribution: exponential, mean_days: 0.02}
        """,
        days=91,
        seed=8,
    )
    record = simulate(scenario)
    assert record.arrivals[0, APRIL] == 0
    assert record.arrivals[0, MAY] == pytest.approx(775, abs=4 * 28)
    assert record.arrivals[0, JUNE] == pytest.approx(1500, abs=4 * 39)
    assert record.server_days[0].tolist() == [0.0, 124.0, 120.0]
    assert_every_patient_is_counted_once(record, scenario)


# --- demand shocks ----------------------------------------------------------------------------


def test_a_shock_multiplies_the_rate_between_its_dates() -> None:
    """100 a day with a 1.5 shock through June (1 June to 1 July, exclusive): June expects
    1.5 x 100 x 30 = 4,500 (Poisson sd 67), July 100 x 31 = 3,100 (sd 56), May 3,100."""
    scenario = scenario_from(
        """
        demand:
          - id: need
            enters: clinic
            per_day: 100
            shocks: [{from: 2026-06-01, to: 2026-07-01, multiplier: 1.5, source: flu}]
        providers:
          - {id: clinic}
        """,
        days=122,
        seed=9,
    )
    arrivals = simulate(scenario).arrivals[0]
    assert arrivals[MAY] == pytest.approx(3100, abs=4 * 56)
    assert arrivals[JUNE] == pytest.approx(4500, abs=4 * 67)
    assert arrivals[JULY] == pytest.approx(3100, abs=4 * 56)


def test_a_shock_before_its_dates_leaves_the_draws_untouched() -> None:
    """Days before a shock draw exactly as without it (common random numbers)."""
    text = """
        demand:
          - {id: need, enters: clinic, per_day: 100 %s}
        providers:
          - {id: clinic}
        """
    shocked = simulate(
        scenario_from(text % ", shocks: [{from: 2026-06-01, multiplier: 2}]", days=91)
    )
    plain = simulate(scenario_from(text % "", days=91))
    assert np.array_equal(shocked.arrivals[0, :JUNE], plain.arrivals[0, :JUNE])
    assert shocked.arrivals[0, JUNE] > plain.arrivals[0, JUNE]


# --- files without the new fields run exactly as before ---------------------------------------

GOLDEN = """
format: 1
name: golden
run: {days: 365, warm_up_days: 20, replications: 2, seed: 11}
budget: {annual_gbp: 9_000_000, phasing: even}
practices:
  - {id: north, list_size: 4000}
  - {id: south, list_size: 3000, referral_multiplier: 1.3}
demand:
  - {id: need, enters: gp, per_1000_per_year: 3000, seasonality: [1, 1, 1, 1, 1, 1, 1.1, 1.2, 1.1, 1, 0.8, 0.7]}
  - {id: walk_in, enters: ae, per_day: 6}
  - {id: transfers, enters: ward, per_day: 0.5, uses_referral_multiplier: false}
providers:
  - id: gp
    capacity: {slots_per_day: 24}
    waiting: {max_days: 2, then: ae, share: 0.3}
    price: {per_attendance_gbp: 40}
    contract: {type: block, annual_gbp: 300_000}
  - id: ae
    capacity: {servers: 3}
    length_of_stay: {distribution: lognormal, mean_days: 0.15, sd_days: 0.1}
    price: {per_attendance_gbp: 250}
    contract: {type: marginal_rate, baseline_volume: 3000, rate: 0.7}
  - id: ward
    capacity: {servers: 12}
    length_of_stay: {distribution: gamma, mean_days: 4, sd_days: 3}
    price: {per_spell_gbp: 2500, per_excess_day_gbp: 300, trim_days: 8}
    contract: {type: cost_and_volume, annual_gbp: 2_000_000, volume: 800, marginal_rate: 0.5, floor_volume: 700}
  - id: care
    capacity: {servers: 3}
    waiting: {in_place: true}
    length_of_stay: {distribution: exponential, mean_days: 12}
    price: {per_day_gbp: 150}
  - id: advice
    length_of_stay: {distribution: uniform, min_days: 0.1, max_days: 0.3}
exits: [home]
pathways:
  - {from: gp, to: ae, share: 0.05}
  - {from: gp, to: advice, share: 0.1}
  - {from: ae, to: ward, share: 0.3}
  - {from: ward, to: care, share: 0.1, delay: {distribution: exponential, mean_days: 1}}
  - {from: ward, to: home, share: 0.85}
"""
BEFORE_ISSUE_6 = {
    "budget.csv": "ae0b98f6328ad6bd4b28a10b4c143f287d2bf9c5f23e24bab5539ae26608e630",
    "flows.csv": "465b6fc01e3216133a74844d2413ac3633a4077bb516927c55d09d3f0011b5b9",
    "monthly.csv": "01086cf2a000fe8fdab8c2fd4e14b5088e5ff1304c99f3d22ea450710f7b8b07",
    "practice_providers.csv": "0c3c947ddf14543ec1ed990deb937ebe47c8ee27479f67fdc17d9b804a9afc90",
    "practices.csv": "5432d5c9cd2b29bb13304a4dd16361dc7dda2b73e6600ba987858aa570868834",
    "providers.csv": "b161a32b0a5ea089a3da92c332e4280f4890ca642889588ad5b167163c068945",
    "viability.csv": "c379b94d1b5ae77999c922d7da9f632fd7375a2b255910226d35053f065b2387",
}
"""SHA-256 of each output file of GOLDEN as the engine wrote them before capacity changes,
openings, shocks, elasticity, cohorts and growth were added (commit e26cd0a): every kind
of provider, waiting, contract and money table, with a warm-up. The engine still writes
them when every provider with servers is run as a ServerPool."""

WITH_LINDLEY_POOLS = {
    "budget.csv": "17ca69f98b975e6b63ebdce981ab1991814504f36d6d00130be73771c1dd48bf",
    "flows.csv": "3badffe6c20ee429c801ea9d3131b230730030c30996a0b19edd0e519da9262c",
    "monthly.csv": "bce48c4c222f6ae634a63bcc5f7a9f48928d67c794095dfaef29db308fff4b18",
    "practice_providers.csv": "3a383185016e58434f37cd16d974815ebf823a53c81d0687902c8ce55a6733ec",
    "practices.csv": "0fb45845348fbe9e521ad11dfa03932a71dd078f0a822d36a750dfdb6f2b46ec",
    "providers.csv": "8b4c584aeb62e30d6f5a0c60a529e55cb815ee19346c0ba88fcd97df2deea03c",
    "viability.csv": "f2d7febeffde62da923a5a89becf2f3e34234a1d0246a5cabcf29e67bd27c981",
}
"""The same files since issue 12, when GOLDEN's A&E (servers, not in_place, no overflow,
no way on to an in_place provider) became a LindleyPool, which draws each patient's way
on at the start of its stay rather than at its end (sim.engine.lindley): that is the only
change, as the test shows by running it as a ServerPool again."""


def _golden_digests() -> dict[str, str]:
    scenario = parse_scenario(yaml.safe_load(GOLDEN)).scenario
    files = run_scenario(scenario, workers=1).files()
    assert "cohorts.csv" not in files
    # Every file a run wrote before these features, byte for byte (files added since, such
    # as pooling.csv, have no "before").
    assert set(BEFORE_ISSUE_6) <= set(files)
    return {name: hashlib.sha256(files[name].encode()).hexdigest() for name in BEFORE_ISSUE_6}


@pytest.mark.slow
def test_a_file_without_the_new_fields_gives_byte_identical_outputs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _golden_digests() == WITH_LINDLEY_POOLS
    monkeypatch.setattr(World, "_settles_on_arrival", lambda self, provider: False)
    assert _golden_digests() == BEFORE_ISSUE_6


# --- conservation whatever changes when ---------------------------------------------------------


@st.composite
def changing_networks(draw: st.DrawFn) -> Scenario:
    """Small random networks where capacity changes, providers open, demand surges and
    answers to waits, and a cohort has its own pathways."""
    providers = []
    ids = ["p0", "p1", "p2"]
    for index, provider_id in enumerate(ids):
        kind = draw(st.sampled_from(["servers", "book", "open"]))
        provider: dict = {"id": provider_id}
        if kind == "servers":
            level = draw(st.integers(1, 5))
            provider["capacity"] = {"servers": level}
            provider["length_of_stay"] = {"distribution": "exponential", "mean_days": 0.8}
            key = "servers"
        elif kind == "book":
            level = draw(st.integers(1, 10))
            provider["capacity"] = {"slots_per_day": level}
            key = "slots_per_day"
        if kind != "open" and draw(st.booleans()):
            start = draw(st.integers(5, 30))
            provider["capacity"]["changes"] = [
                {
                    "from": f"2026-04-{start:02d}",
                    "to": f"2026-05-{draw(st.integers(1, 20)):02d}",
                    key: draw(st.integers(0, 2 * level)),
                }
            ]
        if index > 0 and draw(st.booleans()):
            provider["opens"] = "2026-04-20"
            provider["ramp_up_days"] = draw(st.sampled_from([0, 10]))
            changes = provider.get("capacity", {}).get("changes", [])
            for change in changes:
                change["from"] = "2026-04-25"
        if draw(st.booleans()):
            provider["waiting"] = {"in_place": True}
        providers.append(provider)
    pathways = [
        {"from": "p0", "to": "p1", "share": draw(st.sampled_from([0.2, 0.5]))},
        {"from": "p1", "to": "p2", "share": 0.3},
        {"from": "p0", "to": "p2", "share": 0.6, "cohort": "frail"},
        {"from": "p2", "to": "p0", "share": 0.1},
    ]
    if draw(st.booleans()):
        pathways.append({"from": "p1", "to": "home", "share": 0.5, "cohort": "frail"})
    demand = [
        {
            "id": "need",
            "enters": "p0",
            "per_1000_per_year": 2000,
            "shocks": [{"from": "2026-04-10", "to": "2026-04-30", "multiplier": 1.5}],
        },
        {"id": "frail_need", "enters": "p0", "per_day": 2, "cohort": "frail"},
    ]
    if draw(st.booleans()):
        demand[0]["elasticity"] = {"elasticity": 0.3, "reference_wait_days": 0.5}
    return parse_scenario(
        {
            "format": 1,
            "name": "changing network",
            "run": {"days": 60, "warm_up_days": draw(st.sampled_from([0, 5])), "seed": 3},
            "practices": [{"id": "a", "list_size": 2000}, {"id": "b", "list_size": 1000}],
            "cohorts": [{"id": "frail", "growth_per_year": 0.1}],
            "demand": demand,
            "providers": providers,
            "exits": ["home"],
            "pathways": pathways,
        }
    ).scenario


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changing_networks())
def test_every_patient_is_counted_once_whatever_changes_when(scenario: Scenario) -> None:
    assert_every_patient_is_counted_once(simulate(scenario), scenario)


def test_the_input_diff_says_what_changes_when_in_words() -> None:
    """A comparison lists capacity changes, openings and shocks as a commissioner reads
    them, one line each."""
    from sim.compare.inputs import input_changes

    base = scenario_from(DOUBLING.replace("      changes: [{from: 2026-05-01, servers: 20}]\n", ""))
    variant = scenario_from(
        DOUBLING.replace(
            "per_day: 10}", "per_day: 10, shocks: [{from: 2026-06-01, multiplier: 1.2}]}"
        )
        + "  - {id: unit, opens: 2026-05-01, ramp_up_days: 10}\n"
    )
    assert [change.description for change in input_changes(base, variant)] == [
        "demand need: shocks none -> x1.2 from 2026-06-01",
        "beds: capacity changes none -> 20 servers from 2026-05-01",
        "new provider unit: unlimited capacity, opens 2026-05-01, ramping up over 10 days",
    ]
