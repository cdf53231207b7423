"""How a table on the Scenario page edits the scenario document.

The document in `st.session_state["document"]` is the truth. Every table is rebuilt from it
on each run and an edit is written into it at once, cell by cell, so nothing typed is lost
and no table holds a copy that could drift from the file.

A table's row index carries a generation number that changes whenever the document does
(`table_generation`). Streamlit ties an editor's pending edits to its identity, which for a
keyed editor with fixed rows ignores cell values; a new generation gives every editor a new
identity, so an edit already written into the document is never applied a second time, and
a newly opened file never receives the edits made to the one before.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from sim.app import state
from sim.app.glossary import HELP

FileData = dict[str, Any]
"""A scenario file's plain data, as the page's tables read and edit it."""

TABLE_KEYS = (
    "providers_table",
    "prices_table",
    "contracts_table",
    "demand_table",
    "pathways_table",
    "phasing_table",
)
# Room in the row index for each generation of a table (tables have tens of rows).
ROWS_PER_GENERATION = 1_000_000


def file_value(value: Any) -> Any:
    """A table cell as the scenario file holds it: None when empty, whole numbers as int."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        return value.strip() or None
    return value


def part_of(item: dict[str, Any], part: str) -> dict[str, Any]:
    holder = item.get(part)
    return holder if isinstance(holder, dict) else {}


def set_cell(item: dict[str, Any], part: str | None, key: str, value: Any) -> None:
    """Write one cell into an item (or one of its parts); an emptied cell removes the key.

    A part left with nothing but its `source` goes altogether: a capacity without servers or
    slots is unlimited, a price without figures is no price."""
    if part is None:
        holder = item
    elif isinstance(item.get(part), dict):
        holder = item[part]
    elif value is None:
        return
    else:
        holder = item[part] = {}
    if value is None:
        holder.pop(key, None)
    else:
        holder[key] = value
    if part is not None and not set(holder) - {"source"}:
        item.pop(part, None)


def retag(
    item: dict[str, Any],
    part: str,
    tag: str,
    members: dict[str, tuple[str, ...]],
    shown: Sequence[str],
    row: dict[str, Any],
    changed: set[str],
) -> None:
    """Rewrite a part chosen by a tag (a contract by its type, a stay by its distribution)
    from its row: the tag, the parameters the chosen member has, and any parameter just typed
    even if that member has no such field, so that the loader says so rather than the value
    vanishing. Nothing is filled in: a missing parameter is the loader's to report. The
    part's `source` stays while the tag does; it described the other contract or
    distribution once the tag changes."""
    old = part_of(item, part)
    chosen = row[tag]
    wanted = members.get(chosen, ()) if chosen is not None else ()
    new: dict[str, Any] = {} if chosen is None else {tag: chosen}
    for key in shown:
        if row[key] is not None and (key in wanted or key in changed):
            new[key] = row[key]
    for key, value in old.items():
        kept = key in wanted or (key == "source" and old.get(tag) == chosen)
        if key not in shown and key != tag and kept:
            new[key] = value
    if set(new) - {"source"}:
        item[part] = new
    else:
        item.pop(part, None)


# An edited row: the position of the row it was (None if added), its cells, what changed.
Edit = tuple[int | None, dict[str, Any], set[str]]


def edited_rows(original: pd.DataFrame, edited: pd.DataFrame, columns: Sequence[str]) -> list[Edit]:
    """The rows of an edited table, each matched to the row it was by the row index."""
    index = original.index
    start = index.start if isinstance(index, pd.RangeIndex) else 0
    rows: list[Edit] = []
    for label, values in zip(edited.index, edited.to_dict("records"), strict=True):
        row = {column: file_value(values.get(column)) for column in columns}
        position = int(label) - start if isinstance(label, int | np.integer) else -1
        if 0 <= position < len(original):
            before = original.iloc[position]
            changed = {column for column in columns if row[column] != file_value(before[column])}
            rows.append((position, row, changed))
        else:
            rows.append((None, row, {column for column in columns if row[column] is not None}))
    return rows


def table_generation(document: state.Document) -> int:
    """A number that changes whenever the document does, by whatever means."""
    content = json.dumps([document.origin, document.data], sort_keys=True, default=str)
    fingerprint = hashlib.sha256(content.encode("utf-8")).hexdigest()
    seen = st.session_state.get("scenario_tables_seen")
    if seen is None:
        generation = 0
    elif seen[0] == fingerprint:
        generation = int(seen[1])
    else:
        generation = int(seen[1]) + 1
    st.session_state["scenario_tables_seen"] = (fingerprint, generation)
    return generation


def forget_edits(keys: Iterable[str] = (*TABLE_KEYS, "phasing_kept")) -> None:
    """Drop editors' pending edits once the document holds them, and, when another file is
    opened, the monthly phasing kept for switching back from even."""
    for key in keys:
        if key in st.session_state:
            del st.session_state[key]


def change_document(change: Callable[[dict[str, Any]], None]) -> None:
    """Apply one change to the document (for widgets' callbacks, which run before the page)."""
    document = state.current()
    data = copy.deepcopy(document.data)
    change(data)
    if data != document.data:
        state.replace(state.Document(data=data, origin=document.origin))


def table_editor(
    key: str,
    rows: list[dict[str, Any]],
    columns: dict[str, Any],
    *,
    numbers: Sequence[str],
    generation: int,
    disabled: Sequence[str] = (),
    num_rows: Any = "fixed",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A table built from the document, and the same table with the user's edits."""
    frame = pd.DataFrame(rows, columns=list(columns))
    for column in numbers:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    start = generation * ROWS_PER_GENERATION
    frame.index = pd.RangeIndex(start, start + len(frame))
    edited = st.data_editor(
        frame.copy(),
        key=key,
        num_rows=num_rows,
        disabled=[*disabled, "check"],
        hide_index=True,
        width="stretch",
        column_config=columns,
    )
    return frame, edited


def number_column(label: str, help_key: str, **options: Any) -> Any:
    return st.column_config.NumberColumn(label, help=HELP[help_key], **options)


# Formats only: the loader, not the table, says what values are allowed.
MONEY = {"format": "localized"}
VOLUME = {"format": "localized"}
WHOLE = {"format": "%g"}
DAYS = {"format": "%g"}
SHARE = {"format": "%g"}
CHECK = st.column_config.TextColumn("check", help=HELP["check"], width="large")
