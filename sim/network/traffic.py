"""Traffic equations: the mean arrival rate and offered load at every provider.

Arrivals at a provider are its outside demand plus the shares its upstream providers send
on: lambda = lambda0 + P^T lambda, with P the pathway shares between providers (solved
for each cohort on its own routes and added up). Overflow from a waiting list is left
out: how many patients wait too long depends on the queue, which is what the simulation
is for. So are the things that vary in time (capacity changes, openings, shocks, demand
elasticity and growth): the figures are for the first year's demand and each provider's
own capacity; `sim.network.load_by_month` follows those through the run month by month.
These figures are for checking a scenario before it runs (and for checking the engine
against theory), not a substitute for running it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.model import DAYS_PER_YEAR, DemandStream, Provider, Scenario

MONTHS = 12


@dataclass(frozen=True)
class OfferedLoad:
    """How busy a provider would be on average: arrivals times service time over capacity.

    `load` is for the annual mean; `peak_month` (0..11 from the run's start month, as in
    `arrival_rates`) is the month with the highest load, or the most arrivals when the
    provider is unlimited, in which case `load` and `peak_load` are None.
    """

    provider: str
    arrivals_per_day: float
    load: float | None
    peak_month: int
    peak_load: float | None


def seasonal_multiplier(stream: DemandStream, month_of_year: int | None) -> float:
    """The stream's multiplier in month 0..11, or the mean of its twelve for None."""
    if stream.seasonality is None:
        return 1.0
    if month_of_year is None:
        return sum(stream.seasonality) / MONTHS
    return stream.month_multiplier(month_of_year)


def demand_rate_per_day(
    scenario: Scenario, stream: DemandStream, month_of_year: int | None = None
) -> float:
    """Mean patients per day from one demand stream, in one month or over the year."""
    if stream.per_day is not None:
        base = stream.per_day
    else:
        assert stream.per_1000_per_year is not None
        weighted_population = sum(
            practice.list_size
            * (practice.referral_multiplier if stream.uses_referral_multiplier else 1.0)
            for practice in scenario.registered_practices
        )
        base = stream.per_1000_per_year * weighted_population / 1000 / DAYS_PER_YEAR
    return base * seasonal_multiplier(stream, month_of_year)


def arrival_rates(scenario: Scenario, month_of_year: int | None = None) -> dict[str, float]:
    """Mean arrivals per day at each provider, solving the traffic equations.

    Raises ValueError when a demand stream or pathway names an unknown provider, or when
    the equations have no solution (patients going round a loop they can never leave).
    """
    index = {provider.id: i for i, provider in enumerate(scenario.providers)}
    for stream in scenario.demand:
        if stream.enters not in index:
            raise ValueError(f"demand {stream.id} enters '{stream.enters}', not a provider")
    for pathway in scenario.pathways:
        if pathway.from_ not in index:
            raise ValueError(f"pathway {pathway.name} starts at no provider")
    rates = np.zeros(len(index))
    for cohort in scenario.patient_cohorts:
        rates = rates + _cohort_rates(scenario, index, cohort, month_of_year)
    # Round-off can leave a provider nobody reaches a hair below zero.
    return {provider_id: max(float(rates[i]), 0.0) for provider_id, i in index.items()}


def _cohort_rates(
    scenario: Scenario, index: dict[str, int], cohort: str | None, month_of_year: int | None
) -> np.ndarray:
    """Arrivals per day at each provider of the patients of one cohort (None: no cohort)."""
    outside = np.zeros(len(index))
    for stream in scenario.demand:
        if stream.cohort == cohort:
            outside[index[stream.enters]] += demand_rate_per_day(scenario, stream, month_of_year)
    routing = np.zeros((len(index), len(index)))
    for provider_id in index:
        for pathway in scenario.pathways_from(provider_id, cohort):
            if pathway.to in index:
                routing[index[pathway.from_], index[pathway.to]] += pathway.share
    try:
        return np.linalg.solve(np.eye(len(index)) - routing.T, outside)
    except np.linalg.LinAlgError:
        raise ValueError(
            "the traffic equations have no solution: some patients can never leave the system"
        ) from None


def service_days(scenario: Scenario, provider: Provider) -> float:
    """Mean days a patient holds a place: length of stay plus any transition delay after it
    (for patients without a cohort's own pathways)."""
    stay = provider.length_of_stay.mean if provider.length_of_stay is not None else 0.0
    delays = sum(
        pathway.share * pathway.delay.mean
        for pathway in scenario.pathways_from(provider.id)
        if pathway.delay is not None
    )
    return stay + delays


def offered_load(scenario: Scenario) -> dict[str, OfferedLoad]:
    """The offered load of every provider over the year and in its busiest month."""
    annual = arrival_rates(scenario)
    monthly = [arrival_rates(scenario, month) for month in range(MONTHS)]
    loads: dict[str, OfferedLoad] = {}
    for provider in scenario.providers:
        per_month = [rates[provider.id] for rates in monthly]
        load = _load(scenario, provider, annual[provider.id])
        month_loads = [_load(scenario, provider, rate) for rate in per_month]
        ranking = [
            value if value is not None else rate
            for value, rate in zip(month_loads, per_month, strict=True)
        ]
        peak_month = max(range(MONTHS), key=lambda month: ranking[month])
        loads[provider.id] = OfferedLoad(
            provider=provider.id,
            arrivals_per_day=annual[provider.id],
            load=load,
            peak_month=peak_month,
            peak_load=month_loads[peak_month],
        )
    return loads


def _load(scenario: Scenario, provider: Provider, arrivals_per_day: float) -> float | None:
    capacity = provider.capacity
    if capacity is None:
        return None
    if capacity.slots_per_day is not None:
        return arrivals_per_day / capacity.slots_per_day
    assert capacity.servers is not None
    return arrivals_per_day * service_days(scenario, provider) / capacity.servers
