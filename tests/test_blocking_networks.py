"""Chains of units that wait in place for each other, checked against Ciw and against
Little's law, and a deadlock that is reported, not hidden.

The networks are small stroke-service shapes: an acute unit feeding rehabilitation and
early supported discharge; a loop back through a unit with a queue; a chain in which every
downstream unit is often full, so a patient waits in place for a bed that is itself held
by a patient waiting in place; and two acute units competing for one rehabilitation unit.
Each is run through Knock-on and through its Ciw twin (`tests/ciw_twin.py`), and every unit
must agree on arrivals, beds held (including blocked), blocked bed days and the mean wait.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.engine import simulate
from sim.results import run_scenario
from tests.ciw_twin import Network, Route, Unit, disagreements, knockon_metrics
from tests.conftest import scenario_from

DAYS, WARM_UP = 2000, 200

NETWORKS = {
    "stroke chain": Network(
        units=(
            Unit(
                "acute",
                30,
                5.0,
                sd_days=4.0,
                arrivals_per_day=3.6,
                routes=(Route("rehab", 0.3, 1.0), Route("esd", 0.2, 2.0), Route("home", 0.4, 0.5)),
            ),
            Unit(
                "rehab",
                18,
                12.0,
                in_place=True,
                routes=(Route("esd", 0.5, 2.0), Route("care_home", 0.2, 5.0)),
            ),
            Unit("esd", 12, 8.0, sd_days=5.0, in_place=True),
        ),
        days=DAYS,
        warm_up_days=WARM_UP,
        exits=("home", "care_home"),
    ),
    "loops and exits": Network(
        units=(
            Unit("a", 12, 2.0, arrivals_per_day=3.6, routes=(Route("b", 0.7),)),
            Unit("b", 8, 2.0, in_place=True, routes=(Route("c", 0.4, 0.5), Route("d", 0.25))),
            Unit("c", 4, 1.5, in_place=True, routes=(Route("a", 0.15), Route("gone", 0.5))),
            Unit("d", 4, 3.0, routes=(Route("b", 0.3, 0.2),)),
        ),
        days=DAYS,
        warm_up_days=WARM_UP,
        exits=("gone",),
    ),
    "every downstream unit often full": Network(
        units=(
            Unit("a", 30, 1.0, arrivals_per_day=3.6, routes=(Route("b", 0.9),)),
            Unit("b", 10, 2.0, in_place=True, routes=(Route("c", 0.7, 0.3),)),
            Unit("c", 6, 1.8, in_place=True, routes=(Route("d", 0.6),)),
            Unit("d", 3, 1.6, in_place=True),
        ),
        days=DAYS,
        warm_up_days=WARM_UP,
    ),
    "two acute units, one rehabilitation unit": Network(
        units=(
            Unit("west", 14, 3.0, arrivals_per_day=2.2, routes=(Route("rehab", 0.4),)),
            Unit("east", 12, 3.0, arrivals_per_day=1.8, routes=(Route("rehab", 0.5, 1.0),)),
            Unit("rehab", 14, 6.0, in_place=True, routes=(Route("community", 0.6),)),
            Unit("community", 7, 5.0, in_place=True),
        ),
        days=DAYS,
        warm_up_days=WARM_UP,
    ),
    "a transfer delay that holds the bed, and one that does not": Network(
        units=(
            Unit(
                "ward",
                20,
                4.0,
                arrivals_per_day=3.0,
                routes=(Route("transport", 0.4), Route("care", 0.1, 1.0)),
            ),
            # No capacity limit: the ward bed is given up for the journey, and the patient
            # waits in the ambulance, not on the ward, if no care place is free.
            Unit("transport", None, 1.0, routes=(Route("care", 1.0),)),
            Unit("care", 12, 6.0, in_place=True),
        ),
        days=DAYS,
        warm_up_days=WARM_UP,
    ),
}
REPLICATIONS = 16


@pytest.mark.slow
@pytest.mark.parametrize("name", list(NETWORKS))
def test_every_unit_agrees_with_ciw(name: str) -> None:
    network = NETWORKS[name]
    found = disagreements(network, REPLICATIONS, seed=11)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", list(NETWORKS))
def test_blocking_is_real_on_every_network(name: str) -> None:
    """The cross-check means something only if patients really wait in place."""
    metrics = knockon_metrics(NETWORKS[name], replications=2, seed=3).mean(axis=0)
    blocked_bed_days = metrics[:, 2]
    assert blocked_bed_days.sum() > 0.5, blocked_bed_days


@pytest.mark.parametrize("name", list(NETWORKS))
def test_every_patient_is_counted_once_unit_by_unit(name: str) -> None:
    """At each unit, those there at the start plus those who arrived equal those who left
    plus those there at the end (a patient waiting in place is at the unit it holds and
    in the queue of the unit it waits for); across the system, blocked patients once."""
    network = NETWORKS[name]
    record = simulate(network.scenario(replications=1, seed=5), 0, 5)
    units = len(network.units)
    at_start = record.waiting_start + record.occupying_start
    at_end = record.waiting_end + record.occupying_end
    arrived = record.arrivals[:units].sum(axis=1)
    left = record.completions[:units].sum(axis=1) + record.overflows[:units].sum(axis=1)
    np.testing.assert_array_equal(at_start + arrived, left + at_end)
    assert record.in_system_start() + record.entered() == record.left() + record.in_system_end()
    assert (record.blocked_end <= record.occupying_end).all()


@pytest.mark.parametrize("name", list(NETWORKS))
def test_littles_law_holds_at_every_unit(name: str) -> None:
    """Beds held = throughput x time holding a bed (stay, transfer delay and blocked time);
    patients waiting = starts x mean wait, the wait of a referral in place included."""
    network = NETWORKS[name]
    result = run_scenario(network.scenario(replications=4, seed=7))
    for record in result.records:
        days = record.period_days
        units = len(network.units)
        held = record.occupancy_days[:units].sum(axis=1) / days
        throughput = record.completions[:units].sum(axis=1) / days
        stay = record.stay_days[:units].sum(axis=1) / record.completions[:units].sum(axis=1)
        np.testing.assert_allclose(held, throughput * stay, rtol=0.03, atol=0.05)
        waiting = record.queue_days[:units].sum(axis=1) / days
        starts = record.starts[:units].sum(axis=1)
        wait = record.wait_days[:units].sum(axis=1) / starts
        np.testing.assert_allclose(waiting, starts / days * wait, rtol=0.05, atol=0.02)


DEADLOCK = """
    name: Ward and reablement waiting for each other
    demand: [{id: admissions, enters: ward, per_day: 3}]
    providers:
      - {id: ward, capacity: {servers: 4}, waiting: {in_place: true}, length_of_stay: {distribution: exponential, mean_days: 2}}
      - {id: reablement, capacity: {servers: 3}, waiting: {in_place: true}, length_of_stay: {distribution: exponential, mean_days: 2}}
    pathways:
      - {from: ward, to: reablement, share: 0.6}
      - {from: reablement, to: ward, share: 0.6}
"""


def test_a_deadlock_ends_the_run_and_says_how_many_are_stuck() -> None:
    """Two full units whose patients each wait in place for the other can never move
    again: the run still ends, nobody is lost, and the record says who is stuck."""
    scenario = scenario_from(DEADLOCK, days=365, warm_up_days=0, replications=1, seed=1)
    record = simulate(scenario, 0, 1)
    assert record.in_system_start() + record.entered() == record.left() + record.in_system_end()
    # Every place is held by a patient waiting for the other unit ...
    np.testing.assert_array_equal(record.blocked_end, [4, 3])
    np.testing.assert_array_equal(record.occupying_end, [4, 3])
    # ... so everyone still in the system is stuck, counted once, where they queue.
    assert record.stuck_end.sum() == record.in_system_end() > 100
    assert record.deadlock_day is not None and 0 <= record.deadlock_day < 365


def test_knockon_run_reports_a_deadlock(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "deadlock.yaml"
    text = "format: 1\nrun: {days: 200, warm_up_days: 0, replications: 3, seed: 4}\n"
    path.write_text(text + "\n".join(line[4:] for line in DEADLOCK.splitlines()))
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "Deadlock in 3 of 3 replications" in printed
    assert "ward and reablement" in printed
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    deadlock = summary["deadlock"]
    assert deadlock["providers"] == ["ward", "reablement"]
    assert deadlock["patients_stuck_at_end"] == pytest.approx(
        summary["totals"]["patients_entered"] - summary["totals"]["patients_left"]
    )


def test_a_loop_through_a_queue_is_no_deadlock() -> None:
    """Units that wait in place round a loop with a queue in it always drain."""
    result = run_scenario(NETWORKS["loops and exits"].scenario(replications=3, seed=2))
    assert "deadlock" not in result.summary
    assert all(r.deadlock_day is None and r.stuck_end.sum() == 0 for r in result.records)


def test_a_blocked_chain_moves_up_at_once_when_its_last_bed_frees() -> None:
    """One bed each on a chain a -> b -> c, where b and c take referrals in place: when c's
    bed frees, b's patient moves into it and a's patient into b's, at that same moment."""
    scenario = scenario_from(
        """
        demand: [{id: arrivals, enters: a, per_day: 40}]
        providers:
          - {id: a, capacity: {servers: 1}, length_of_stay: {distribution: fixed, mean_days: 1}}
          - {id: b, capacity: {servers: 1}, waiting: {in_place: true}, length_of_stay: {distribution: fixed, mean_days: 1}}
          - {id: c, capacity: {servers: 1}, waiting: {in_place: true}, length_of_stay: {distribution: fixed, mean_days: 3}}
        pathways: [{from: a, to: b, share: 1}, {from: b, to: c, share: 1}]
        """,
        days=300,
        warm_up_days=30,
        replications=1,
        seed=1,
    )
    record = simulate(scenario, 0, 1)
    days = record.period_days
    # c is the bottleneck: one patient every 3 days passes through the whole chain ...
    completions = record.completions.sum(axis=1)
    assert completions[2] == pytest.approx(days / 3, abs=1)
    np.testing.assert_allclose(completions, completions[2], atol=1)
    # ... every bed is always held, and a's and b's patients spend 2 of every 3 days blocked.
    np.testing.assert_allclose(record.occupancy_days.sum(axis=1), days, rtol=1e-9)
    np.testing.assert_allclose(
        record.blocked_days.sum(axis=1), [2 * days / 3, 2 * days / 3, 0], atol=3
    )


def test_knockon_compare_says_when_a_variant_locks_up(tmp_path: Path, capsys) -> None:
    """Cutting reablement until the ward and reablement wait for each other is a deadlock,
    and the comparison says so first, not just that waits grew."""
    body = "\n".join(line[4:] for line in DEADLOCK.splitlines())
    base = tmp_path / "base.yaml"
    base.write_text(
        "format: 1\nrun: {days: 200, warm_up_days: 0, replications: 3, seed: 4}\n"
        + body.replace("per_day: 3", "per_day: 0.5").replace("servers: 3", "servers: 30")
    )
    (tmp_path / "cut.yaml").write_text(
        "extends: base.yaml\nname: Reablement cut\n"
        "providers:\n  - {id: reablement, capacity: {servers: 3}}\n"
        "demand:\n  - {id: admissions, per_day: 3}\n"
    )
    code = main(
        [
            "compare",
            str(base),
            str(tmp_path / "cut.yaml"),
            "--out",
            str(tmp_path / "out"),
            "--workers",
            "1",
        ]
    )
    assert code == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "In the variant: Deadlock in 3 of 3 replications" in printed
    assert "In the baseline" not in printed
