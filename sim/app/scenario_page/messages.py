"""The loader's own messages, placed beside the row they are about.

A commissioner editing a table should see what is wrong where they typed it, in the
loader's words (the page repeats no validation of its own): each message is placed in its
table and row by its field path, and listed in full under the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from sim.scenario import Problem

_ITEM = re.compile(r"^(?P<section>providers|demand|pathways)\[(?P<name>[^\]]*)\]\.?(?P<rest>.*)$")
_PHASE = re.compile(r"^budget\.phasing\[(?P<name>\d+)\]\.?(?P<rest>.*)$")
PROVIDER_PARTS = {"price": "prices", "contract": "contracts"}
TAB_NAMES = {
    "providers": "Providers",
    "prices": "Prices",
    "contracts": "Contracts",
    "demand": "Demand",
    "pathways": "Pathways",
    "budget": "Budget",
    "phasing": "Budget",
}


def place_problem(problem: Problem) -> tuple[str | None, str | None, str]:
    """Where a problem shows: its table, the row it names (None: the table as a whole), and
    the rest of its field path after the row."""
    field = problem.field
    phase = _PHASE.match(field)
    if phase:
        return "phasing", phase["name"], phase["rest"]
    item = _ITEM.match(field)
    if item:
        section, rest = item["section"], item["rest"]
        table = section
        if section == "providers":
            table = PROVIDER_PARTS.get(re.split(r"[.\[]", rest, maxsplit=1)[0], "providers")
        return table, item["name"], rest
    for section in ("providers", "demand", "pathways", "budget"):
        if field == section or field.startswith((f"{section}.", f"{section}[")):
            return section, None, field
    return None, None, field


def _said(problem: Problem, rest: str) -> str:
    """The loader's message for a row, after the part of the field the row itself names."""
    prefix = "warning: " if problem.severity == "warning" else ""
    text = f"{rest}: {prefix}{problem.message}" if rest else f"{prefix}{problem.message}"
    return text.replace("\n", "\\n")


# Each problem with its table, row and the rest of its field (see `place_problem`).
Placed = list[tuple[Problem, str | None, str | None, str]]


def row_checks(placed: Placed, table: str) -> Callable[..., str]:
    """For a table, the text of its check column for a row going by the given names."""

    def check(*names: str) -> str:
        said = [
            _said(problem, rest)
            for problem, where, row, rest in placed
            if where == table and row is not None and row in names
        ]
        return "; ".join(said)

    return check


def show_messages(placed: Placed, *tables: str) -> None:
    """The loader's full messages about a table, under it."""
    for problem, where, _row, _rest in placed:
        if where in tables:
            show = st.warning if problem.severity == "warning" else st.error
            show(str(problem))
