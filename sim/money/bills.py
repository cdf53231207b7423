"""Bill checks: a provider's monthly bill held up against what the model says is plausible.

What belongs here: checking each line of a bill (read by `sim.money.bill_file`) against
the replications, a one-line summary, and the bill one replication says the providers
would send. The bill file's names are importable from here too.

The check, line by line, for the provider and month billed:

- **activity**: the billed activity against the modelled completions;
- **amount**: the billed amount against what the commissioner would pay under the
  provider's contract (`monthly_paid`); under a block contract the only right amount is
  the instalment;
- **unit price**: for contracts that pay per unit (activity, marginal rate), the billed
  amount per unit against the modelled payment per unit. A line is flagged only when it
  is both more than `UNIT_PRICE_TOLERANCE` off the modelled unit price and outside its
  range, so a trust's price differing slightly from the scenario's does not flag every
  line, while an amount that does not follow from the billed activity does.

The ranges are 95% *prediction* intervals for one new month's value, not confidence
intervals for the mean: a bill is one draw of the month, not an average of many. With n
replications giving mean m and standard deviation s, the range is
m ± t(0.975, n-1) · s · sqrt(1 + 1/n), floored at 0. It is exact for normal values, and
monthly counts of hundreds or thousands of patients (and the money that follows them)
are close to normal. Empirical 2.5% and 97.5% percentiles would need hundreds of
replications: with the usual 20 they are little more than the lowest and highest values,
and a new value falls between the lowest and highest of n with chance (n-1)/(n+1), about
90% for 20, so an honest bill would be flagged twice as often as the stated 5%. The
t-interval uses every replication and widens honestly when there are few.

A consequence to keep in mind: at 95%, about one line in twenty of an honest bill falls
outside its range by chance. A flag is a question to put to the provider, not proof.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.engine.record import RunRecord
from sim.money.bill_file import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    BillLine,
    BillsError,
    read_bills,
    write_bills,
)
from sim.money.contracts import monthly_paid
from sim.money.tariff import monthly_cost
from sim.scenario.model import (
    ActivityContract,
    BlockContract,
    MarginalRateContract,
    Provider,
    Scenario,
)

__all__ = [
    "CHECK_COLUMNS",
    "COLUMNS",
    "LEVEL",
    "OPTIONAL_COLUMNS",
    "PENNY",
    "UNIT_PRICE_TOLERANCE",
    "BillLine",
    "BillsError",
    "bill_from_record",
    "check_bills",
    "prediction_range",
    "read_bills",
    "summarise",
    "write_bills",
]

LEVEL = 0.95
"""Coverage of the modelled ranges: the chance an honest line falls inside its range."""
UNIT_PRICE_TOLERANCE = 0.05
"""How far the billed amount per unit may differ from the modelled one before it counts."""
PENNY = 0.01

CHECK_COLUMNS = (
    "line",
    "provider",
    "month",
    "billed_activity",
    "expected_activity",
    "activity_low",
    "activity_high",
    "billed_gbp",
    "expected_gbp",
    "gbp_low",
    "gbp_high",
    "billed_unit_gbp",
    "expected_unit_gbp",
    "unit_low_gbp",
    "unit_high_gbp",
    "flagged",
    "reason",
)


def prediction_range(
    values: np.ndarray, axis: int = 0, level: float = LEVEL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and the `level` prediction interval for one new value, floored at 0 (NaN-aware).

    NaN where fewer than two values are known.
    """
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.sum(~np.isnan(values), axis=axis)
        known = n > 0
        mean = np.where(known, np.nansum(values, axis=axis) / np.maximum(n, 1), np.nan)
        squares = np.nansum((values - np.expand_dims(mean, axis)) ** 2, axis=axis)
        sd = np.where(n > 1, np.sqrt(squares / np.maximum(n - 1, 1)), np.nan)
        t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
        half = t * sd * np.sqrt(1 + 1 / np.maximum(n, 1))
    return mean, np.maximum(mean - half, 0.0), mean + half


def _pays_per_unit(provider: Provider) -> bool:
    """Whether the payment follows activity unit by unit, so amount / activity is a price."""
    contract = provider.contract
    return contract is None or isinstance(contract, ActivityContract | MarginalRateContract)


def check_bills(
    records: Sequence[RunRecord],
    scenario: Scenario,
    bills: Sequence[BillLine],
    level: float = LEVEL,
) -> pd.DataFrame:
    """Each bill line against the replications: expected values, prediction ranges (95%
    unless `level` says otherwise), whether it is flagged and why, one row per line in the
    bill's order."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level:g}")
    if len(records) < 2:
        raise ValueError(
            f"checking bills needs at least 2 replications to measure spread, got {len(records)}"
        )
    first = records[0]
    activity = np.stack([record.completions for record in records]).astype(float)
    paid = np.stack(
        [monthly_paid(record, scenario, monthly_cost(record, scenario)) for record in records]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.where(activity > 0, paid / np.where(activity > 0, activity, 1.0), np.nan)
    activity_range = prediction_range(activity, level=level)
    paid_range = prediction_range(paid, level=level)
    unit_range = prediction_range(unit, level=level)
    unknown = sorted(
        {f"{line.provider} {line.month}" for line in bills}
        - {f"{p} {m}" for p in first.providers for m in first.months}
    )
    if unknown:
        raise ValueError(f"bill lines outside the run's providers and months: {', '.join(unknown)}")

    rows = []
    for line in bills:
        i, m = first.providers.index(line.provider), first.months.index(line.month)
        provider = scenario.provider(line.provider)
        expected_activity, activity_low, activity_high = (r[i, m] for r in activity_range)
        expected_gbp, gbp_low, gbp_high = (r[i, m] for r in paid_range)
        _, unit_low, unit_high = (r[i, m] for r in unit_range)
        expected_unit = expected_gbp / expected_activity if expected_activity > 0 else math.nan
        billed_unit = line.amount_gbp / line.activity if line.activity > 0 else math.nan
        reasons = [
            _outside(
                "activity",
                line.activity,
                expected_activity,
                activity_low,
                activity_high,
                _count,
                _tenths,
            )
        ]
        if isinstance(provider.contract, BlockContract):
            if abs(line.amount_gbp - expected_gbp) > PENNY:
                reasons.append(
                    f"block contract: instalment is {_pence(expected_gbp)}, "
                    f"not {_pence(line.amount_gbp)}"
                )
        else:
            reasons.append(
                _outside(
                    "amount", line.amount_gbp, expected_gbp, gbp_low, gbp_high, _pounds, _pence
                )
            )
        if (
            _pays_per_unit(provider)
            and expected_unit > 0
            and not math.isnan(billed_unit)
            and abs(billed_unit / expected_unit - 1) > UNIT_PRICE_TOLERANCE
            and not unit_low <= billed_unit <= unit_high
        ):
            reasons.append(
                f"charged {_unit(billed_unit)} a unit against a modelled {_unit(expected_unit)} "
                f"({billed_unit / expected_unit - 1:+.1%})"
            )
        reason = "; ".join(reason for reason in reasons if reason)
        rows.append(
            {
                "line": line.line,
                "provider": line.provider,
                "month": line.month,
                "billed_activity": line.activity,
                "expected_activity": expected_activity,
                "activity_low": activity_low,
                "activity_high": activity_high,
                "billed_gbp": line.amount_gbp,
                "expected_gbp": expected_gbp,
                "gbp_low": gbp_low,
                "gbp_high": gbp_high,
                "billed_unit_gbp": billed_unit,
                "expected_unit_gbp": expected_unit,
                "unit_low_gbp": unit_low,
                "unit_high_gbp": unit_high,
                "flagged": bool(reason),
                "reason": reason,
            }
        )
    table = pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
    return table.astype({"flagged": bool, "line": int})


def _outside(
    what: str,
    billed: float,
    expected: float,
    low: float,
    high: float,
    shown: Callable[[float], str],
    exact: Callable[[float], str],
) -> str:
    if low <= billed <= high or math.isnan(expected):
        return ""
    side, bound = ("above", high) if billed > high else ("below", low)
    if shown(billed) == shown(bound):
        shown = exact  # "£3.93m is above £3.75m-£3.93m" would read as a mistake
    change = f" ({billed / expected - 1:+.0%} on expected)" if expected > 0 else ""
    return f"{what} {shown(billed)} is {side} the modelled range {shown(low)}-{shown(high)}{change}"


def summarise(checked: pd.DataFrame) -> str:
    """One line for the top of a report: lines checked and flagged, money billed and expected."""
    lines, flagged = len(checked), int(checked["flagged"].sum())
    billed, expected = float(checked["billed_gbp"].sum()), float(checked["expected_gbp"].sum())
    return (
        f"{lines} bill line{'s' if lines != 1 else ''} checked, {flagged} flagged; "
        f"billed {_pounds(billed)} against {_pounds(expected)} expected"
    )


def _count(value: float) -> str:
    return f"{value:,.0f}" if abs(value - round(value)) < 0.05 or value >= 100 else f"{value:,.1f}"


def _tenths(value: float) -> str:
    return f"{value:,.1f}"


def _pounds(value: float) -> str:
    """£9.52m, £862,410: millions to two decimals, smaller sums to the pound."""
    return f"£{value / 1e6:,.2f}m" if value >= 1e6 else f"£{value:,.0f}"


def _pence(value: float) -> str:
    return f"£{value:,.2f}"


def _unit(value: float) -> str:
    return f"£{value:,.0f}" if value >= 100 else f"£{value:,.2f}"


def bill_from_record(
    record: RunRecord, scenario: Scenario, providers: Sequence[str] | None = None
) -> list[BillLine]:
    """The bill one replication says the providers would send: its completions as the
    activity and the payment under each contract as the amount, rounded to whole units
    and pence, for every measured month. Used for the bundled example and test bills."""
    paid = monthly_paid(record, scenario, monthly_cost(record, scenario))
    wanted = record.providers if providers is None else tuple(providers)
    return [
        BillLine(
            provider=provider,
            month=month,
            activity=float(round(record.completions[i, m])),
            amount_gbp=round(float(paid[i, m]), 2),
        )
        for provider in wanted
        for i in [record.providers.index(provider)]
        for m, month in enumerate(record.months)
    ]
