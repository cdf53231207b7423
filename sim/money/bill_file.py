"""The bill file: a provider's monthly bill as a CSV, one line per provider per month,
read into `BillLine`s with every problem in the file reported at once, and written in the
same layout (how the bundled example and the test bills are made).

A finance team exports these from a spreadsheet, so reading forgives what spreadsheets do
(a byte-order mark, thousands commas in quotes, a pound sign) and explains in one line
each what it cannot read (an unquoted "£1,234" split into two columns, text that is not
UTF-8), as `FILE:LINE field: what is wrong`, like the scenario loader.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.engine.calendar import Calendar
from sim.scenario.model import Scenario
from sim.scenario.problems import Problem, closest, show

COLUMNS = ("provider", "month", "activity", "amount_gbp")
"""The columns a bill file must have (in any order; `write_bills` writes them in this one)."""
OPTIONAL_COLUMNS = ("note",)
"""Columns a bill file may also have; kept with the line, not checked."""


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
