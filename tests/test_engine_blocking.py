"""Delayed transfers and pathway delays.

Blocking (`waiting.in_place`) is cross-checked against Ciw, an independent queueing
simulator whose type-I blocking is the same mechanism: a patient who has finished on the
ward but cannot enter social care keeps the ward bed until a social care place frees up.
"""

from __future__ import annotations

import ciw
import numpy as np
import pytest

from sim.results import run_scenario
from tests.conftest import scenario_from

ARRIVALS, WARD_BEDS, WARD_DAYS = 3.0, 20, 5.0
CARE_SHARE, CARE_PLACES, CARE_DAYS = 0.1, 4, 10.0
DAYS, WARM_UP, REPLICATIONS = 2500, 250, 8


def _ciw_ward(seed: int) -> tuple[float, float]:
    """Ward mean occupied beds and mean blocked days per referral, from Ciw."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVALS), None],
        service_distributions=[
            ciw.dists.Exponential(rate=1 / WARD_DAYS),
            ciw.dists.Exponential(rate=1 / CARE_DAYS),
        ],
        routing=[[0.0, CARE_SHARE], [0.0, 0.0]],
        number_of_servers=[WARD_BEDS, CARE_PLACES],
        queue_capacities=[float("inf"), 0],
    )
    ciw.seed(seed)  # Ciw keeps global random state; this is a test of our engine, not of it
    simulation = ciw.Simulation(network)
    end = WARM_UP + DAYS
    # Run on past the window so every stay that overlaps it has finished and is recorded.
    simulation.simulate_until_max_time(end + 300)
    records = [r for r in simulation.get_all_records() if r.node == 1]
    occupied = sum(
        max(0.0, min(r.exit_date, end) - max(r.service_start_date, WARM_UP)) for r in records
    )
    blocked = [
        r.time_blocked for r in records if r.destination == 2 and WARM_UP <= r.exit_date < end
    ]
    return occupied / DAYS, float(np.mean(blocked))


@pytest.mark.slow
def test_delayed_transfers_match_ciw_on_ward_occupancy_and_blocked_time() -> None:
    scenario = scenario_from(
        f"""
        demand: [{{id: admissions, enters: ward, per_day: {ARRIVALS}}}]
        providers:
          - id: ward
            capacity: {{servers: {WARD_BEDS}}}
            length_of_stay: {{distribution: exponential, mean_days: {WARD_DAYS}}}
          - id: social_care
            capacity: {{servers: {CARE_PLACES}}}
            waiting: {{in_place: true}}
            length_of_stay: {{distribution: exponential, mean_days: {CARE_DAYS}}}
        pathways: [{{from: ward, to: social_care, share: {CARE_SHARE}}}]
        """,
        days=DAYS,
        warm_up_days=WARM_UP,
        replications=REPLICATIONS,
        seed=3,
    )
    result = run_scenario(scenario)
    ward = result.providers.set_index("provider").loc["ward"]
    ours_blocked = [r.blocked_days[0].sum() / r.flows[0, 1].sum() for r in result.records]
    theirs = np.array([_ciw_ward(seed) for seed in range(REPLICATIONS)])
    theirs_occupied, theirs_blocked = theirs[:, 0], theirs[:, 1]

    # Both engines' means, each with its own sampling error: compare within 4 standard errors.
    def agree(ours: np.ndarray, other: np.ndarray, what: str) -> None:
        error = np.sqrt(ours.var(ddof=1) / ours.size + other.var(ddof=1) / other.size)
        assert abs(ours.mean() - other.mean()) <= 4 * error, (
            f"{what}: Knock-on {ours.mean():.3f} vs Ciw {other.mean():.3f} (se {error:.3f})"
        )

    agree(
        np.array([r.occupancy_days[0].sum() / DAYS for r in result.records]),
        theirs_occupied,
        "ward occupied beds",
    )
    agree(np.array(ours_blocked), theirs_blocked, "blocked days per referral")
    # And blocking is real here: a patient referred on waits days in the ward bed.
    assert ward["delayed_transfer_days"] > 0
    assert np.mean(ours_blocked) > 1.0


def test_a_pathway_delay_adds_arrivals_x_share_x_mean_delay_to_occupancy() -> None:
    """Little's law: with ample beds, a transition delay on a pathway raises the ward's
    occupancy by arrival rate x share x mean delay, and counts as delay, not service."""
    text = """
        demand: [{id: admissions, enters: ward, per_day: 20}]
        providers:
          - {id: ward, capacity: {servers: 400}, length_of_stay: {distribution: exponential, mean_days: 4}}
        exits: [care_home]
        pathways:
          - {from: ward, to: care_home, share: 0.25 DELAY}
    """
    run = {"days": 1500, "warm_up_days": 100, "replications": 6, "seed": 9}
    without = run_scenario(scenario_from(text.replace(" DELAY", ""), **run))
    delayed = run_scenario(
        scenario_from(
            text.replace(" DELAY", ", delay: {distribution: gamma, mean_days: 6, sd_days: 4}"),
            **run,
        )
    )
    difference = (
        np.array(
            [
                d.occupancy_days.sum() - w.occupancy_days.sum()
                for d, w in zip(delayed.records, without.records, strict=True)
            ]
        )
        / run["days"]
    )
    expected = 20 * 0.25 * 6
    half_width = 4 * difference.std(ddof=1) / np.sqrt(difference.size)
    assert abs(difference.mean() - expected) <= max(half_width, 0.03 * expected), (
        f"occupancy rose by {difference.mean():.2f} beds, expected {expected}"
    )
    row = delayed.providers.iloc[0]
    assert row["delay_days"] == pytest.approx(20 * 0.25 * 6 * run["days"], rel=0.05)
    assert row["delayed_transfer_days"] == 0
