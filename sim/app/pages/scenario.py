"""Scenario page: open, edit, check and save the local system, without reading YAML.

The document in `st.session_state["document"]` is the truth. Every table is rebuilt from it
on each run, an edit is written into it at once, and the loader's own messages about a row
are shown in that row's "check" column and listed under the table.

A table's row index carries a generation number that changes whenever the document does
(`_generation`). Streamlit ties an editor's pending edits to its identity, which for a keyed
editor with fixed rows ignores cell values; a new generation gives every editor a new
identity, so an edit already written into the document is never applied a second time, and
a newly opened file never receives the edits made to the one before.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, get_args

import numpy as np
import pandas as pd
import streamlit as st
import yaml

from sim.app import state
from sim.app.glossary import HELP
from sim.scenario import Problem, model
from sim.scenario.model import pathway_name
from sim.scenario.variants import minimal_variant

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

EVEN, MONTHLY = "even", "month by month"


def _tag(member: type[model.Frozen], tag: str) -> str:
    return str(get_args(member.model_fields[tag].annotation)[0])


def _fields(member: type[model.Frozen], tag: str) -> tuple[str, ...]:
    return tuple(
        field.alias or name
        for name, field in member.model_fields.items()
        if name not in (tag, "source")
    )


# Contract type -> its parameters, by the model's own field names.
CONTRACTS = {
    _tag(member, "type"): _fields(member, "type")
    for member in (
        model.ActivityContract,
        model.BlockContract,
        model.CostAndVolumeContract,
        model.MarginalRateContract,
    )
}
# Contract fields that are twelve monthly values: edited in the file, kept by the table.
MONTHLY_LISTS = ("phasing",)
CONTRACT_FIELDS = tuple(
    dict.fromkeys(
        name for names in CONTRACTS.values() for name in names if name not in MONTHLY_LISTS
    )
)

# Stay distribution -> its parameters.
STAYS = {
    _tag(member, "distribution"): _fields(member, "distribution")
    for member in (
        model.Exponential,
        model.LogNormal,
        model.Gamma,
        model.Uniform,
        model.Triangular,
        model.Fixed,
    )
}
# The parameters the providers table shows; a triangular stay's `mode_days` is kept as is.
STAY_FIELDS = ("mean_days", "sd_days", "min_days", "max_days")

PRICE_FIELDS = (
    "per_attendance_gbp",
    "per_spell_gbp",
    "per_excess_day_gbp",
    "trim_days",
    "per_day_gbp",
    "fixed_annual_gbp",
    "marginal_cost_share",
    "marginal_cost_per_day_gbp",
    "price_year",
)
PROVIDER_KINDS = [str(kind) for kind in get_args(model.ProviderKind)]


# --- cells and rows --------------------------------------------------------------------------


def _plain(value: Any) -> Any:
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


def _part(item: dict[str, Any], part: str) -> dict[str, Any]:
    holder = item.get(part)
    return holder if isinstance(holder, dict) else {}


def _set(item: dict[str, Any], part: str | None, key: str, value: Any) -> None:
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


def _retag(
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
    old = _part(item, part)
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


def _edits(original: pd.DataFrame, edited: pd.DataFrame, columns: Sequence[str]) -> list[Edit]:
    """The rows of an edited table, each matched to the row it was by the row index."""
    index = original.index
    start = index.start if isinstance(index, pd.RangeIndex) else 0
    rows: list[Edit] = []
    for label, values in zip(edited.index, edited.to_dict("records"), strict=True):
        row = {column: _plain(values.get(column)) for column in columns}
        position = int(label) - start if isinstance(label, int | np.integer) else -1
        if 0 <= position < len(original):
            before = original.iloc[position]
            changed = {column for column in columns if row[column] != _plain(before[column])}
            rows.append((position, row, changed))
        else:
            rows.append((None, row, {column for column in columns if row[column] is not None}))
    return rows


def _generation(document: state.Document) -> int:
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


def _forget(keys: Iterable[str] = (*TABLE_KEYS, "phasing_kept")) -> None:
    """Drop editors' pending edits once the document holds them, and, when another file is
    opened, the monthly phasing kept for switching back from even."""
    for key in keys:
        if key in st.session_state:
            del st.session_state[key]


def _change_document(change: Callable[[dict[str, Any]], None]) -> None:
    """Apply one change to the document (for widgets' callbacks, which run before the page)."""
    document = state.current()
    data = copy.deepcopy(document.data)
    change(data)
    if data != document.data:
        state.replace(state.Document(data=data, origin=document.origin))


# --- the loader's messages, placed -----------------------------------------------------------

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


def _place(problem: Problem) -> tuple[str | None, str | None, str]:
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


# Each problem with its table, row and the rest of its field (see `_place`).
Placed = list[tuple[Problem, str | None, str | None, str]]


def _checks(placed: Placed, table: str) -> Callable[..., str]:
    """For a table, the text of its check column for a row going by the given names."""

    def check(*names: str) -> str:
        said = [
            _said(problem, rest)
            for problem, where, row, rest in placed
            if where == table and row is not None and row in names
        ]
        return "; ".join(said)

    return check


def _messages(placed: Placed, *tables: str) -> None:
    """The loader's full messages about a table, under it."""
    for problem, where, _row, _rest in placed:
        if where in tables:
            show = st.warning if problem.severity == "warning" else st.error
            show(str(problem))


# --- widgets ---------------------------------------------------------------------------------


def _editor(
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


def _number(label: str, help_key: str, **options: Any) -> Any:
    return st.column_config.NumberColumn(label, help=HELP[help_key], **options)


# Formats only: the loader, not the table, says what values are allowed.
MONEY = {"format": "localized"}
VOLUME = {"format": "localized"}
WHOLE = {"format": "%g"}
DAYS = {"format": "%g"}
SHARE = {"format": "%g"}
CHECK = st.column_config.TextColumn("check", help=HELP["check"], width="large")


def _provider_label(item: dict[str, Any]) -> str:
    return str(item.get("name") or item.get("id") or "")


def _cohort_ids(data: dict[str, Any], pathways: list[dict[str, Any]]) -> list[str]:
    """The scenario's cohorts, then any other a pathway names, so that a cohort the loader
    does not know still shows in its row (with the loader's message) rather than blank."""
    cohorts = data.get("cohorts") or []
    ids = [str(item.get("id")) for item in cohorts if isinstance(item, dict) and item.get("id")]
    named = [str(item["cohort"]) for item in pathways if item.get("cohort") is not None]
    return list(dict.fromkeys([*ids, *named]))


def _month_names(data: dict[str, Any]) -> list[str]:
    """'Apr 2026' and so on, from the run's first month."""
    run = _part(data, "run")
    try:
        start = dt.date.fromisoformat(str(run.get("start_date")))
    except ValueError:
        start = model.Run().start_date
    names = []
    for offset in range(12):
        month = (start.month - 1 + offset) % 12 + 1
        year = start.year + (start.month - 1 + offset) // 12
        names.append(f"{calendar.month_abbr[month]} {year}")
    return names


def _budget_on() -> None:
    def change(data: dict[str, Any]) -> None:
        if not st.session_state["budget_on"]:
            data.pop("budget", None)
        elif not isinstance(data.get("budget"), dict):
            data["budget"] = {"annual_gbp": _plain(st.session_state.get("budget_input")) or 0}

    _change_document(change)


def _budget_amount() -> None:
    amount = _plain(st.session_state["budget_input"])

    def change(data: dict[str, Any]) -> None:
        budget = data.get("budget")
        if isinstance(budget, dict):
            budget["annual_gbp"] = amount if amount is not None else 0
        elif amount:
            data["budget"] = {"annual_gbp": amount}

    _change_document(change)


def _phasing_choice() -> None:
    monthly = st.session_state["phasing_choice"] == MONTHLY

    def change(data: dict[str, Any]) -> None:
        budget = data.get("budget")
        if not isinstance(budget, dict):
            return
        phasing = budget.get("phasing", EVEN)
        if not monthly:
            if isinstance(phasing, list):
                st.session_state["phasing_kept"] = list(phasing)  # for switching back
            budget["phasing"] = EVEN
        elif not isinstance(phasing, list):
            # Even phasing, written out month by month; shares typed before are restored.
            kept = st.session_state.get("phasing_kept")
            budget["phasing"] = list(kept) if kept else [1 / 12] * 12

    _change_document(change)


def _budget_source() -> None:
    text = (st.session_state["budget_source"] or "").strip()

    def change(data: dict[str, Any]) -> None:
        budget = data.get("budget")
        if isinstance(budget, dict):
            _set(budget, None, "source", text or None)

    _change_document(change)


# --- the page --------------------------------------------------------------------------------

st.title("Scenario")
st.caption(
    "The local system: who provides care, how much, at what price and under which contract, "
    "and where patients go next. Change anything below: each change is checked at once, and "
    "the checker's messages appear in the row they are about."
)

left, right = st.columns(2)
with left:
    files = state.bundled_files()
    chosen = st.selectbox(
        "Open a bundled scenario",
        [path.name for path in files],
        help=HELP["bundled scenario"],
        key="bundled_choice",
    )
    if st.button("Open", key="open_bundled", help=HELP["bundled scenario"]):
        path = next(p for p in files if p.name == chosen)
        state.replace(state.read_file(path))
        st.session_state["baseline_file"] = path.name
        _forget()
        st.rerun()
with right:
    upload = st.file_uploader(
        "Or upload a scenario file", type=["yaml", "yml"], help=HELP["upload"], key="upload"
    )
    if upload is not None and st.session_state.get("uploaded_name") != upload.name:
        try:
            state.replace(state.read_upload(upload.name, upload.getvalue()))
            st.session_state["uploaded_name"] = upload.name
            st.session_state["baseline_file"] = None
            _forget()
            st.rerun()
        except state.ScenarioError as error:
            for problem in error.problems:
                st.error(str(problem))

document = state.current()
st.subheader(document.data.get("name", "unnamed scenario"))
loaded, problems = state.validate(document)
placed = [(problem, *_place(problem)) for problem in problems]
generation = _generation(document)
data: dict[str, Any] = copy.deepcopy(document.data)
providers: list[dict[str, Any]] = data.get("providers") or []
# Tables whose edits were written into the document on this run.
absorbed: list[str] = []

tabs = st.tabs(["Providers", "Prices", "Contracts", "Demand", "Pathways", "Budget"])

with tabs[0]:
    st.caption(
        "What each provider can do at once, and how long patients hold a place. Give places "
        "or appointments a day; leave both empty for a service nobody waits for."
    )
    check = _checks(placed, "providers")
    rows = []
    for number, item in enumerate(providers):
        capacity, stay = _part(item, "capacity"), _part(item, "length_of_stay")
        rows.append(
            {
                "id": item.get("id"),
                "name": item.get("name") or "",
                "kind": item.get("kind"),
                "servers": capacity.get("servers"),
                "slots_per_day": capacity.get("slots_per_day"),
                "distribution": stay.get("distribution"),
                **{name: stay.get(name) for name in STAY_FIELDS},
                "check": check(str(item.get("id")), str(number)),
            }
        )
    columns = {
        "id": st.column_config.TextColumn("provider", help=HELP["provider"], pinned=True),
        "name": st.column_config.TextColumn("name", help=HELP["name"]),
        "kind": st.column_config.SelectboxColumn(
            "kind", options=PROVIDER_KINDS, help=HELP["provider kind"]
        ),
        "servers": _number("places (servers)", "servers", **WHOLE),
        "slots_per_day": _number("appointments a day", "slots_per_day", **WHOLE),
        "distribution": st.column_config.SelectboxColumn(
            "stay distribution", options=list(STAYS), help=HELP["stay distribution"]
        ),
        "mean_days": _number("mean stay (days)", "length_of_stay", **DAYS),
        "sd_days": _number("spread of stay, sd (days)", "sd_days", **DAYS),
        "min_days": _number("shortest stay (days)", "min_days", **DAYS),
        "max_days": _number("longest stay (days)", "max_days", **DAYS),
        "check": CHECK,
    }
    numbers = ["servers", "slots_per_day", *STAY_FIELDS]
    original, edited = _editor(
        "providers_table",
        rows,
        columns,
        numbers=numbers,
        generation=generation,
        disabled=["id"],
    )
    shown = ["distribution", *STAY_FIELDS]
    for position, row, changed in _edits(original, edited, [*columns][1:-1]):
        if position is None or not changed:
            continue
        item = providers[position]
        for column in changed & {"name", "kind"}:
            _set(item, None, column, row[column])
        for column in changed & {"servers", "slots_per_day"}:
            _set(item, "capacity", column, row[column])
        if changed & set(shown):
            _retag(item, "length_of_stay", "distribution", STAYS, shown, row, changed)
        absorbed.append("providers_table")
    _messages(placed, "providers")

with tabs[1]:
    st.caption(
        "What a unit of each provider's activity costs the commissioner, in pounds, and the "
        "provider's own costs for the viability check."
    )
    check = _checks(placed, "prices")
    rows = [
        {
            "provider": _provider_label(item),
            **{name: _part(item, "price").get(name) for name in PRICE_FIELDS},
            "check": check(str(item.get("id")), str(number)),
        }
        for number, item in enumerate(providers)
    ]
    columns = {
        "provider": st.column_config.TextColumn("provider", help=HELP["provider"], pinned=True),
        "per_attendance_gbp": _number("£ per attendance", "price", **MONEY),
        "per_spell_gbp": _number("£ per spell", "price", **MONEY),
        "per_excess_day_gbp": _number("£ per excess day", "excess day", **MONEY),
        "trim_days": _number("trim point (days)", "trim point", **DAYS),
        "per_day_gbp": _number("£ per day", "price", **MONEY),
        "fixed_annual_gbp": _number("fixed cost (£ a year)", "fixed annual cost", **MONEY),
        "marginal_cost_share": _number(
            "marginal cost share (0 to 1)", "marginal cost share", **SHARE
        ),
        "marginal_cost_per_day_gbp": _number(
            "variable cost (£ per day held)", "marginal cost per day", **MONEY
        ),
        "price_year": st.column_config.TextColumn("price year", help=HELP["price year"]),
        "check": CHECK,
    }
    original, edited = _editor(
        "prices_table",
        rows,
        columns,
        numbers=PRICE_FIELDS[:-1],
        generation=generation,
        disabled=["provider"],
    )
    for position, row, changed in _edits(original, edited, PRICE_FIELDS):
        if position is None or not changed:
            continue
        for column in changed:
            _set(providers[position], "price", column, row[column])
        absorbed.append("prices_table")
    _messages(placed, "prices")

with tabs[2]:
    st.caption(
        "How the commissioner pays each provider. Choose the contract type, then fill in its "
        "figures: a block needs its annual sum; cost and volume an annual sum and a volume "
        "(a marginal rate and a floor if wanted); marginal rate a baseline volume and a rate."
    )
    check = _checks(placed, "contracts")
    rows = []
    for number, item in enumerate(providers):
        contract = _part(item, "contract")
        rows.append(
            {
                "provider": _provider_label(item),
                "type": contract.get("type") if "contract" in item else "activity",
                **{name: contract.get(name) for name in CONTRACT_FIELDS},
                "check": check(str(item.get("id")), str(number)),
            }
        )
    labels = {
        "annual_gbp": ("annual sum (£ a year)", "annual sum", MONEY),
        "volume": ("agreed volume (a year)", "volume", VOLUME),
        "marginal_rate": ("marginal rate (0 to 1)", "marginal rate", SHARE),
        "floor_volume": ("floor volume (a year)", "floor volume", VOLUME),
        "baseline_volume": ("baseline volume (a year)", "baseline volume", VOLUME),
        "rate": ("rate above baseline (0 to 1)", "marginal rate", SHARE),
        "growth_per_year": ("growth a year (several-year runs)", "contract growth", SHARE),
    }
    columns = {
        "provider": st.column_config.TextColumn("provider", help=HELP["provider"], pinned=True),
        "type": st.column_config.SelectboxColumn(
            "contract", options=list(CONTRACTS), help=HELP["contract"]
        ),
        **{
            name: _number(label, help_key, **options)
            for name, (label, help_key, options) in labels.items()
            if name in CONTRACT_FIELDS
        },
        **{name: _number(name, "contract") for name in CONTRACT_FIELDS if name not in labels},
        "check": CHECK,
    }
    original, edited = _editor(
        "contracts_table",
        rows,
        columns,
        numbers=CONTRACT_FIELDS,
        generation=generation,
        disabled=["provider"],
    )
    for position, row, changed in _edits(original, edited, ["type", *CONTRACT_FIELDS]):
        if position is None or not changed:
            continue
        _retag(providers[position], "contract", "type", CONTRACTS, CONTRACT_FIELDS, row, changed)
        absorbed.append("contracts_table")
    _messages(placed, "contracts")

with tabs[3]:
    st.caption(
        "Patients arriving from outside the modelled system: give a rate per 1,000 registered "
        "people a year or a number a day, not both."
    )
    check = _checks(placed, "demand")
    demand: list[dict[str, Any]] = data.get("demand") or []
    provider_ids = [str(item.get("id")) for item in providers]
    rows = [
        {
            "id": item.get("id"),
            "name": item.get("name") or "",
            "enters": item.get("enters"),
            "per_1000_per_year": item.get("per_1000_per_year"),
            "per_day": item.get("per_day"),
            "uses_referral_multiplier": bool(item.get("uses_referral_multiplier", True)),
            "check": check(str(item.get("id")), str(number)),
        }
        for number, item in enumerate(demand)
    ]
    columns = {
        "id": st.column_config.TextColumn("demand", help=HELP["demand"], pinned=True),
        "name": st.column_config.TextColumn("name", help=HELP["name"]),
        "enters": st.column_config.SelectboxColumn(
            "first provider", options=provider_ids, help=HELP["enters"]
        ),
        "per_1000_per_year": _number("per 1,000 people a year", "per_1000_per_year", format="%g"),
        "per_day": _number("patients a day", "per_day", format="%g"),
        "uses_referral_multiplier": st.column_config.CheckboxColumn(
            "practices' referral multipliers", help=HELP["uses_referral_multiplier"]
        ),
        "check": CHECK,
    }
    original, edited = _editor(
        "demand_table",
        rows,
        columns,
        numbers=["per_1000_per_year", "per_day"],
        generation=generation,
        disabled=["id"],
    )
    for position, row, changed in _edits(original, edited, [*columns][1:-1]):
        if position is None or not changed:
            continue
        for column in changed:
            _set(demand[position], None, column, row[column])
        absorbed.append("demand_table")
    _messages(placed, "demand")

with tabs[4]:
    st.caption(
        "Where patients go after each provider, and what share of them. Add a row for a new "
        "pathway, or select rows and delete them; whatever no pathway claims leaves the system."
    )
    check = _checks(placed, "pathways")
    pathways: list[dict[str, Any]] = data.get("pathways") or []
    exits = [str(name) for name in data.get("exits") or []]
    cohort_ids = _cohort_ids(data, pathways)
    rows = [
        {
            "from": item.get("from"),
            "to": item.get("to"),
            "cohort": item.get("cohort"),
            "share": item.get("share"),
            "check": check(
                pathway_name(item.get("from"), item.get("to"), item.get("cohort")), str(number)
            ),
        }
        for number, item in enumerate(pathways)
    ]
    columns = {
        "from": st.column_config.SelectboxColumn(
            "from", options=provider_ids, help=HELP["pathway from"]
        ),
        "to": st.column_config.SelectboxColumn(
            "to", options=[*provider_ids, *exits], help=HELP["pathway to"]
        ),
        # Without cohorts every pathway is for everyone: an empty column would only puzzle.
        **(
            {
                "cohort": st.column_config.SelectboxColumn(
                    "cohort", options=cohort_ids, help=HELP["pathway cohort"]
                )
            }
            if cohort_ids
            else {}
        ),
        "share": _number("share (0 to 1)", "share", **SHARE),
        "check": CHECK,
    }
    original, edited = _editor(
        "pathways_table",
        rows,
        columns,
        numbers=["share"],
        generation=generation,
        num_rows="dynamic",
    )
    edits = _edits(original, edited, [*columns][:-1])
    if len(edits) != len(pathways) or any(changed for _, _, changed in edits):
        kept = []
        for position, row, changed in edits:
            item = copy.deepcopy(pathways[position]) if position is not None else {}
            for column in changed:
                _set(item, None, column, row[column])
            kept.append(item)
        data["pathways"] = kept
        absorbed.append("pathways_table")
    _messages(placed, "pathways")

with tabs[5]:
    budget = data.get("budget") if isinstance(data.get("budget"), dict) else None
    # Inputs show the document, whatever they showed before (another file, another page).
    st.session_state["budget_on"] = budget is not None
    st.checkbox(
        "Plan against a budget", key="budget_on", on_change=_budget_on, help=HELP["budget on"]
    )
    amount = _plain((budget or {}).get("annual_gbp"))
    st.session_state["budget_input"] = (
        float(amount) if isinstance(amount, int | float) and amount >= 0 else 0.0
    )
    st.number_input(
        "Annual budget (£)",
        min_value=0.0,
        step=1_000_000.0,
        format="%.0f",
        help=HELP["budget"],
        key="budget_input",
        on_change=_budget_amount,
    )
    phasing = (budget or {}).get("phasing", EVEN)
    st.session_state["phasing_choice"] = MONTHLY if isinstance(phasing, list) else EVEN
    st.radio(
        "Phasing",
        [EVEN, MONTHLY],
        key="phasing_choice",
        on_change=_phasing_choice,
        horizontal=True,
        help=HELP["phasing"],
        disabled=budget is None,
    )
    if budget is not None and isinstance(phasing, list):
        check = _checks(placed, "phasing")
        months = _month_names(data)
        rows = [
            {
                "month": months[number] if number < len(months) else f"month {number + 1}",
                "share": share,
                "check": check(str(number)),
            }
            for number, share in enumerate(phasing)
        ]
        columns = {
            "month": st.column_config.TextColumn("month", help=HELP["phasing"]),
            "share": _number("share of the year (0 to 1)", "phasing", format="%.4f"),
            "check": CHECK,
        }
        original, edited = _editor(
            "phasing_table",
            rows,
            columns,
            numbers=["share"],
            generation=generation,
            disabled=["month"],
        )
        for position, row, changed in _edits(original, edited, ["share"]):
            if position is not None and changed:
                phasing[position] = row["share"]
                absorbed.append("phasing_table")
        shares = [share for share in phasing if isinstance(share, int | float)]
        st.caption(f"The {len(phasing)} shares add up to {sum(shares):.4f}.")
    st.session_state["budget_source"] = str((budget or {}).get("source") or "")
    st.text_input(
        "Where the budget comes from",
        key="budget_source",
        on_change=_budget_source,
        help=HELP["budget source"],
        disabled=budget is None,
    )
    _messages(placed, "budget", "phasing")

if data != document.data:
    state.replace(state.Document(data=data, origin=document.origin))
    _forget(absorbed)
    st.rerun()

# --- check and draw --------------------------------------------------------------------------

errors = [p for p in problems if p.is_error]
st.session_state["scenario_errors"] = [str(p) for p in errors]
if errors:
    st.error(f"{len(errors)} problem(s) to fix before this scenario can run:")
    where = [
        TAB_NAMES.get(table or "", "") for problem, table, _row, _rest in placed if problem.is_error
    ]
    counts = {tab: where.count(tab) for tab in dict.fromkeys(where) if tab}
    if counts:
        st.caption("In the tabs: " + ", ".join(f"{tab} ({count})" for tab, count in counts.items()))
    for problem in errors:
        st.text(str(problem))
else:
    st.success("The scenario is valid: go to Run.")
    assert loaded is not None
    result = state.last_result()
    ran = result if result is not None and result.scenario == loaded.scenario else None
    st.plotly_chart(state.network_figure(loaded.scenario, ran), width="stretch")

# --- save ------------------------------------------------------------------------------------

st.subheader("Save")
save, variant = st.columns(2)
with save:
    st.download_button(
        "Download this scenario (YAML)",
        state.as_yaml(document),
        file_name=f"{document.origin.rsplit('.', 1)[0]}_edited.yaml",
        mime="application/x-yaml",
        help=HELP["save"],
    )
baseline_name = st.session_state.get("baseline_file") or state.DEFAULT.name
with variant:
    base = state.read_file(state.SCENARIOS / baseline_name)
    changes = minimal_variant(base.data, document.data, extends=baseline_name)
    st.download_button(
        f"Download as a variant of {baseline_name} (only the changes)",
        yaml.safe_dump(changes, sort_keys=False, allow_unicode=True),
        file_name="variant.yaml",
        mime="application/x-yaml",
        help=HELP["variant"],
    )
