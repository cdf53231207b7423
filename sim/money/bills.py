"""Bill checks: a provider's monthly bill held up against what the model says is plausible.

What belongs here: reading a bill file (CSV, one line per provider per month) into
`BillLine`s with every problem reported at once, checking each line against the
replications, and a one-line summary. It also writes bills in the same layout, which is
how the bundled example and the test bills are made from one replication.

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

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.engine.calendar import Calendar
from sim.engine.record import RunRecord
from sim.money.contracts import monthly_paid
from sim.money.tariff import monthly_cost
from sim.scenario.model import (
    ActivityContract,
    BlockContract,
    MarginalRateContract,
    Provider,
    Scenario,
)
from sim.scenario.problems import Problem, closest, show

COLUMNS = ("provider", "month", "activity", "amount_gbp")
"""The columns a bill file must have (in any order; `write_bills` writes them in this one)."""
OPTIONAL_COLUMNS = ("note",)
"""Columns a bill file may also have; kept with the line, not checked."""

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

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_GROUPED = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
"""Digits, optionally in correctly placed thousands groups: 2910 or 2,910, not 29,10."""
_ACTIVITY = re.compile(rf"^{_GROUPED}(?:\.\d+)?$")
_POUNDS = re.compile(rf"^£?{_GROUPED}(?:\.\d{{1,2}})?$")
_MINUS = ("-", "\u2212")


@dataclass(frozen=True)
class BillLine:
    """One line of a bill: what a provider says it did in a month and what it charges."""

    provider: str
    month: str
    """YYYY-MM."""
    activity: float
    amount_gbp: float
    line: int = 0
    """Line of the bill file it was read from (1 is the header); 0 when not from a file."""
    note: str = ""


class BillsError(Exception):
    """A bill file that cannot be checked, with every problem found in it, one line each."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


# --- reading --------------------------------------------------------------------------------


def read_bills(
    path: str | Path, scenario: Scenario, months: Sequence[str] | None = None
) -> list[BillLine]:
    """Read and validate a bill file for `scenario`, or raise `BillsError` listing every
    problem as `FILE:LINE field: what is wrong`.

    `months` are the measured months a line may bill (YYYY-MM); by default the run's,
    worked out from the scenario, so a bill can be checked before anything is simulated.
    """
    file = str(path)
    if months is None:
        months = Calendar.for_run(scenario.run).labels
    text = _text(Path(path), file)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    header: list[str] | None = None
    header_line = line = 0
    rows: list[tuple[int, list[str]]] = []
    try:
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in row):
                continue  # blank lines, such as a trailing one, carry nothing
            if header is None:
                header, header_line = [cell.strip() for cell in row], line
            else:
                rows.append((line, [cell.strip() for cell in row]))
    except csv.Error as error:
        # The reader cannot tell where the next line starts after this, so stop here.
        problems.append(Problem(file, line, "", f"not valid CSV: {_csv_error(error)}"))
    if header is None:
        if not problems:
            problems.append(Problem(file, None, "", f"is empty: {_layout()}"))
        raise BillsError(str(problem) for problem in problems)

    columns, header_problems = _columns(header, header_line, file)
    problems[:0] = header_problems
    if columns is not None and not rows and not problems:
        problems.append(Problem(file, header_line, "", "no bill lines after the header"))
    lines: list[BillLine] = []
    if columns is not None:
        reader_problems, lines = _lines(rows, header, columns, file, scenario, tuple(months))
        problems.extend(reader_problems)
    if problems:
        problems.sort(key=lambda problem: problem.line or 0)
        raise BillsError(str(problem) for problem in problems)
    return lines


def _layout() -> str:
    return (
        f"the first line must be the header {','.join(COLUMNS)} "
        f"(and optionally {', '.join(OPTIONAL_COLUMNS)}), then one line per provider per month"
    )


def _text(path: Path, file: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BillsError([f"{file}: no such file"]) from None
    except IsADirectoryError:
        raise BillsError([f"{file}: is a folder, not a bill file"]) from None
    except OSError as error:
        raise BillsError([f"{file}: cannot be read ({error.strerror})"]) from None
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts the file with a byte-order mark.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise BillsError(
            [
                f"{file}:{line}: is not UTF-8 text (a '£' saved by Excel's plain 'CSV' is "
                "Windows-1252): save the file as 'CSV UTF-8'"
            ]
        ) from None


def _csv_error(error: csv.Error) -> str:
    """The csv module's complaint in plain words, for the cases people meet."""
    text = str(error)
    if "unexpected end of data" in text:
        return 'a value opened with a quote (") is never closed'
    if "expected after" in text:
        return "a quoted value must be followed by a comma or the end of the line"
    if "NUL" in text:
        return "it contains a NUL byte (is it a spreadsheet saved in another format?)"
    return text


def _columns(
    header: list[str], line: int, file: str
) -> tuple[dict[str, int] | None, list[Problem]]:
    """Where each known column is, and what is wrong with the header."""
    known = (*COLUMNS, *OPTIONAL_COLUMNS)
    if not any(name in known or closest(name, known) for name in header):
        got = ",".join(header)
        return None, [Problem(file, line, "", f"{_layout()} (got {show(got)})")]
    problems: list[Problem] = []
    columns: dict[str, int] = {}
    suggested: set[str] = set()
    for position, name in enumerate(header):
        if name in columns:
            problems.append(Problem(file, line, name, "column given twice"))
        elif name in known:
            columns[name] = position
        elif not name:
            problems.append(Problem(file, line, "", f"column {position + 1} has no name"))
        else:
            suggestion = closest(name, known)
            hint = f"did you mean '{suggestion}'?" if suggestion else f"use {', '.join(known)}"
            problems.append(Problem(file, line, name, f"unknown column ({hint})"))
            suggested.add(suggestion or "")
    for name in COLUMNS:
        # A misspelt column is reported once, as unknown with its suggestion.
        if name not in columns and name not in suggested:
            problems.append(
                Problem(file, line, name, f"missing column: the header is {','.join(COLUMNS)}")
            )
    return columns, problems


def _lines(
    rows: list[tuple[int, list[str]]],
    header: list[str],
    columns: dict[str, int],
    file: str,
    scenario: Scenario,
    months: tuple[str, ...],
) -> tuple[list[Problem], list[BillLine]]:
    providers = tuple(provider.id for provider in scenario.providers)
    problems: list[Problem] = []
    lines: list[BillLine] = []
    first_seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        if len(row) > len(header):
            problems.append(Problem(file, line, "", _count_message(len(row), len(header))))
            continue
        # Cells missing from the end of a short line are empty: a note may be left off.
        row = row + [""] * (len(header) - len(row))
        found: list[Problem] = []
        cells = {name: row[position] for name, position in columns.items()}
        provider = _provider(cells.get("provider"), providers, file, line, found)
        month = _month(cells.get("month"), months, file, line, found)
        activity = _number(cells.get("activity"), "activity", file, line, found)
        amount = _number(cells.get("amount_gbp"), "amount_gbp", file, line, found)
        note = cells.get("note", "")
        if _ACTIVITY.match(note.lstrip("£")):
            # What an unquoted "£1,234" leaves in the last column: the amount is wrong too.
            found.append(Problem(file, line, "note", f"is a bare number ({show(note)}), {_SPLIT}"))
        if provider is not None and month is not None:
            earlier = first_seen.setdefault((provider, month), line)
            if earlier != line:
                found.append(
                    Problem(
                        file,
                        line,
                        "month",
                        f"{provider} {month} is billed already on line {earlier}",
                    )
                )
        problems.extend(found)
        if not found and provider and month and activity is not None and amount is not None:
            lines.append(BillLine(provider, month, activity, amount, line, note))
    return problems, lines


_QUOTE_COMMAS = 'a number with thousands commas must be in quotes, like "£1,234.50"'
_SPLIT = f"as left by a number split at its thousands comma: {_QUOTE_COMMAS}"


def _count_message(values: int, columns: int) -> str:
    # The commonest cause: £1,234.50 written without quotes splits at the comma.
    return f"has {values} values, the header has {columns} columns ({_QUOTE_COMMAS})"


def _provider(
    text: str | None, providers: tuple[str, ...], file: str, line: int, found: list[Problem]
) -> str | None:
    if text is None:
        return None
    if not text:
        found.append(Problem(file, line, "provider", "required, but missing"))
        return None
    if text not in providers:
        suggestion = closest(text, providers)
        hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
        found.append(
            Problem(
                file,
                line,
                "provider",
                f"unknown provider {show(text)}{hint}: use one of {', '.join(providers)}",
            )
        )
        return None
    return text


def _month(
    text: str | None, months: tuple[str, ...], file: str, line: int, found: list[Problem]
) -> str | None:
    if text is None:
        return None
    if not text:
        found.append(Problem(file, line, "month", "required, but missing"))
        return None
    written = _MONTH.match(text)
    if written is None or not 1 <= int(written.group(2)) <= 12:
        found.append(
            Problem(file, line, "month", f"must be a month like 2026-04 (got {show(text)})")
        )
        return None
    if text not in months:
        span = f"{months[0]} to {months[-1]}" if months else "none"
        found.append(Problem(file, line, "month", f"{text} is not a month of the run: use {span}"))
        return None
    return text


def _number(
    text: str | None, field: str, file: str, line: int, found: list[Problem]
) -> float | None:
    """A non-negative number; pounds may have a leading £ and thousands commas, and pence."""
    if text is None:
        return None
    if not text:
        found.append(Problem(file, line, field, "required, but missing"))
        return None
    pattern, shape = (
        (_POUNDS, "pounds and pence like 7654321.09 or £7,654,321.09")
        if field == "amount_gbp"
        else (_ACTIVITY, "a number of units like 2910 or 2,910")
    )
    if pattern.match(text):
        return float(text.lstrip("£").replace(",", ""))
    unsigned = text.replace("£", "", 1)
    if unsigned.startswith(_MINUS) and pattern.match(unsigned[1:]):
        message = f"must not be negative (got {show(text)}): credits are not bill lines"
    else:
        message = f"must be {shape} (got {show(text)})"
    found.append(Problem(file, line, field, message))
    return None


# --- checking -------------------------------------------------------------------------------


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


# --- numbers in the words a finance lead uses ----------------------------------------------


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


# --- writing --------------------------------------------------------------------------------


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


def write_bills(bills: Sequence[BillLine], path: str | Path) -> Path:
    """Write bill lines as a bill file (with the `note` column only if a line has a note)."""
    with_notes = any(line.note for line in bills)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, *OPTIONAL_COLUMNS] if with_notes else COLUMNS)
    for line in bills:
        activity = f"{line.activity:.0f}" if line.activity.is_integer() else repr(line.activity)
        cells = [line.provider, line.month, activity, f"{line.amount_gbp:.2f}"]
        writer.writerow([*cells, line.note] if with_notes else cells)
    target = Path(path)
    target.write_text(out.getvalue())
    return target
