"""Invariants that hold for any network: every patient is counted once, and no
utilisation leaves [0, 1]. Networks are drawn at random by hypothesis, mixing every kind
of provider, loops, overflows, pathway delays and waiting in place."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine import RunRecord, simulate
from sim.results.tables import provider_metrics
from sim.scenario.model import Scenario

DURATIONS = st.sampled_from(
    [
        {"distribution": "exponential", "mean_days": 1.5},
        {"distribution": "lognormal", "mean_days": 0.5, "sd_days": 0.4},
        {"distribution": "gamma", "mean_days": 3.0, "sd_days": 2.0},
        {"distribution": "uniform", "min_days": 0.2, "max_days": 2.0},
        {"distribution": "triangular", "min_days": 0.0, "max_days": 3.0, "mean_days": 1.2},
        {"distribution": "fixed", "mean_days": 0.7},
    ]
)


@st.composite
def networks(draw: st.DrawFn) -> Scenario:
    count = draw(st.integers(1, 4))
    ids = [f"p{i}" for i in range(count)]
    providers = []
    for pid in ids:
        kind = draw(st.sampled_from(["servers", "book", "open", "open_stay"]))
        provider: dict = {"id": pid}
        if kind == "servers":
            provider["capacity"] = {"servers": draw(st.integers(1, 6))}
            provider["length_of_stay"] = draw(DURATIONS)
        elif kind == "book":
            provider["capacity"] = {"slots_per_day": draw(st.integers(1, 12))}
            if draw(st.booleans()):
                provider["length_of_stay"] = draw(DURATIONS)
        elif kind == "open_stay":
            provider["length_of_stay"] = draw(DURATIONS)
        waiting: dict = {}
        if kind in ("servers", "book") and draw(st.booleans()):
            others = [o for o in ids if o != pid]
            if others:
                waiting.update(
                    max_days=draw(st.sampled_from([0.5, 1.0, 3.0])),
                    then=draw(st.sampled_from(others)),
                    share=draw(st.sampled_from([0.3, 1.0])),
                )
        if draw(st.booleans()):
            waiting["in_place"] = True
        if waiting:
            provider["waiting"] = waiting
        providers.append(provider)
    pathways = []
    for pid in ids:
        targets = draw(st.lists(st.sampled_from([*ids, "home"]), unique=True, max_size=3))
        left = 0.9
        for target in targets:
            share = draw(st.floats(0.0, left))
            left -= share
            pathway: dict = {"from": pid, "to": target, "share": round(share, 3)}
            if draw(st.booleans()):
                pathway["delay"] = draw(DURATIONS)
            pathways.append(pathway)
    demand = [
        {
            "id": "need",
            "enters": draw(st.sampled_from(ids)),
            "per_1000_per_year": draw(st.sampled_from([500, 3000])),
        },
        {
            "id": "transfers",
            "enters": draw(st.sampled_from(ids)),
            "per_day": draw(st.sampled_from([0.5, 4.0])),
        },
    ]
    return Scenario.model_validate(
        {
            "format": 1,
            "name": "random network",
            "run": {
                "days": 75,
                "warm_up_days": draw(st.sampled_from([0, 10])),
                "seed": draw(st.integers(0, 99)),
            },
            "practices": [
                {"id": "a", "list_size": 2000},
                {"id": "b", "list_size": 1500, "referral_multiplier": 1.5},
            ],
            "demand": demand,
            "providers": providers,
            "exits": ["home"],
            "pathways": pathways,
        }
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_every_patient_is_counted_once_and_utilisation_stays_in_range(scenario: Scenario) -> None:
    record = simulate(scenario)
    assert_every_patient_is_counted_once(record, scenario)
    assert record.flows.shape == (len(record.providers) + 2 + 2,) * 2


def assert_every_patient_is_counted_once(record: RunRecord, scenario: Scenario) -> None:
    """Conservation, for the whole system and each provider, and utilisation in [0, 1]."""
    # The whole system: in at the start + entered = left + in at the end.
    assert record.in_system_start() + record.entered() == record.left() + record.in_system_end()
    for i, provider in enumerate(record.providers):
        came = record.waiting_start[i] + record.occupying_start[i] + record.arrivals[i].sum()
        went = record.completions[i].sum() + record.overflows[i].sum()
        assert came == went + record.waiting_end[i] + record.occupying_end[i], provider
        # Flows agree with the provider's own counts.
        assert record.flows[:, i].sum() == record.arrivals[i].sum(), provider
        # A referral to an in_place provider is a flow when made, a completion when the
        # place is given up: the two differ by the patients blocked at either end.
        blocked_change = record.blocked_end[i] - record.blocked_start[i]
        assert record.flows[i, :].sum() == went + blocked_change, provider
        assert record.practice_activity[i].sum() == record.completions[i].sum(), provider
    if record.cohorts:
        # Every patient belongs to one cohort (`none` for no cohort), month by month.
        assert (record.cohort_arrivals.sum(axis=2) == record.arrivals).all()
        assert (record.cohort_activity.sum(axis=2) == record.completions).all()
    metrics = provider_metrics(record, scenario)
    utilisation = metrics["utilisation"][~np.isnan(metrics["utilisation"])]
    assert ((utilisation >= 0) & (utilisation <= 1 + 1e-9)).all()
    assert (record.occupancy_days >= -1e-9).all() and (record.queue_days >= -1e-9).all()
    assert (record.blocked_days <= record.occupancy_days + 1e-9).all()
