"""The Scenario page's tables of providers, prices, contracts, demand and pathways.

Each table shows the document's items as rows a commissioner can edit without reading
YAML, with the model's own field names and the glossary's help, and writes every edit
straight back into the document (`editing`). Parts chosen by a tag (a contract by its
type, a stay by its distribution) are rewritten whole from their row.
"""

from __future__ import annotations

import copy
from typing import Any, get_args

import streamlit as st

from sim.app.glossary import HELP
from sim.app.scenario_page.editing import (
    CHECK,
    DAYS,
    MONEY,
    SHARE,
    VOLUME,
    WHOLE,
    FileData,
    edited_rows,
    number_column,
    part_of,
    retag,
    set_cell,
    table_editor,
)
from sim.app.scenario_page.messages import Placed, row_checks, show_messages
from sim.scenario import model
from sim.scenario.model import pathway_name


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


def _provider_label(item: dict[str, Any]) -> str:
    return str(item.get("name") or item.get("id") or "")


def _cohort_ids(data: dict[str, Any], pathways: list[dict[str, Any]]) -> list[str]:
    """The scenario's cohorts, then any other a pathway names, so that a cohort the loader
    does not know still shows in its row (with the loader's message) rather than blank."""
    cohorts = data.get("cohorts") or []
    ids = [str(item.get("id")) for item in cohorts if isinstance(item, dict) and item.get("id")]
    named = [str(item["cohort"]) for item in pathways if item.get("cohort") is not None]
    return list(dict.fromkeys([*ids, *named]))


def providers_table(data: FileData, placed: Placed, generation: int, absorbed: list[str]) -> None:
    """Places or appointments, and stays, of each provider."""
    providers: list[dict[str, Any]] = data.get("providers") or []
    st.caption(
        "What each provider can do at once, and how long patients hold a place. Give places "
        "or appointments a day; leave both empty for a service nobody waits for."
    )
    check = row_checks(placed, "providers")
    rows = []
    for number, item in enumerate(providers):
        capacity, stay = part_of(item, "capacity"), part_of(item, "length_of_stay")
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
        "servers": number_column("places (servers)", "servers", **WHOLE),
        "slots_per_day": number_column("appointments a day", "slots_per_day", **WHOLE),
        "distribution": st.column_config.SelectboxColumn(
            "stay distribution", options=list(STAYS), help=HELP["stay distribution"]
        ),
        "mean_days": number_column("mean stay (days)", "length_of_stay", **DAYS),
        "sd_days": number_column("spread of stay, sd (days)", "sd_days", **DAYS),
        "min_days": number_column("shortest stay (days)", "min_days", **DAYS),
        "max_days": number_column("longest stay (days)", "max_days", **DAYS),
        "check": CHECK,
    }
    numbers = ["servers", "slots_per_day", *STAY_FIELDS]
    original, edited = table_editor(
        "providers_table",
        rows,
        columns,
        numbers=numbers,
        generation=generation,
        disabled=["id"],
    )
    shown = ["distribution", *STAY_FIELDS]
    for position, row, changed in edited_rows(original, edited, [*columns][1:-1]):
        if position is None or not changed:
            continue
        item = providers[position]
        for column in changed & {"name", "kind"}:
            set_cell(item, None, column, row[column])
        for column in changed & {"servers", "slots_per_day"}:
            set_cell(item, "capacity", column, row[column])
        if changed & set(shown):
            retag(item, "length_of_stay", "distribution", STAYS, shown, row, changed)
        absorbed.append("providers_table")
    show_messages(placed, "providers")


def prices_table(data: FileData, placed: Placed, generation: int, absorbed: list[str]) -> None:
    """Prices, and the providers' own costs."""
    providers: list[dict[str, Any]] = data.get("providers") or []
    st.caption(
        "What a unit of each provider's activity costs the commissioner, in pounds, and the "
        "provider's own costs for the viability check."
    )
    check = row_checks(placed, "prices")
    rows = [
        {
            "provider": _provider_label(item),
            **{name: part_of(item, "price").get(name) for name in PRICE_FIELDS},
            "check": check(str(item.get("id")), str(number)),
        }
        for number, item in enumerate(providers)
    ]
    columns = {
        "provider": st.column_config.TextColumn("provider", help=HELP["provider"], pinned=True),
        "per_attendance_gbp": number_column("£ per attendance", "price", **MONEY),
        "per_spell_gbp": number_column("£ per spell", "price", **MONEY),
        "per_excess_day_gbp": number_column("£ per excess day", "excess day", **MONEY),
        "trim_days": number_column("trim point (days)", "trim point", **DAYS),
        "per_day_gbp": number_column("£ per day", "price", **MONEY),
        "fixed_annual_gbp": number_column("fixed cost (£ a year)", "fixed annual cost", **MONEY),
        "marginal_cost_share": number_column(
            "marginal cost share (0 to 1)", "marginal cost share", **SHARE
        ),
        "marginal_cost_per_day_gbp": number_column(
            "variable cost (£ per day held)", "marginal cost per day", **MONEY
        ),
        "price_year": st.column_config.TextColumn("price year", help=HELP["price year"]),
        "check": CHECK,
    }
    original, edited = table_editor(
        "prices_table",
        rows,
        columns,
        numbers=PRICE_FIELDS[:-1],
        generation=generation,
        disabled=["provider"],
    )
    for position, row, changed in edited_rows(original, edited, PRICE_FIELDS):
        if position is None or not changed:
            continue
        for column in changed:
            set_cell(providers[position], "price", column, row[column])
        absorbed.append("prices_table")
    show_messages(placed, "prices")


def contracts_table(data: FileData, placed: Placed, generation: int, absorbed: list[str]) -> None:
    """How the commissioner pays each provider."""
    providers: list[dict[str, Any]] = data.get("providers") or []
    st.caption(
        "How the commissioner pays each provider. Choose the contract type, then fill in its "
        "figures: a block needs its annual sum; cost and volume an annual sum and a volume "
        "(a marginal rate and a floor if wanted); marginal rate a baseline volume and a rate."
    )
    check = row_checks(placed, "contracts")
    rows = []
    for number, item in enumerate(providers):
        contract = part_of(item, "contract")
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
            name: number_column(label, help_key, **options)
            for name, (label, help_key, options) in labels.items()
            if name in CONTRACT_FIELDS
        },
        **{name: number_column(name, "contract") for name in CONTRACT_FIELDS if name not in labels},
        "check": CHECK,
    }
    original, edited = table_editor(
        "contracts_table",
        rows,
        columns,
        numbers=CONTRACT_FIELDS,
        generation=generation,
        disabled=["provider"],
    )
    for position, row, changed in edited_rows(original, edited, ["type", *CONTRACT_FIELDS]):
        if position is None or not changed:
            continue
        retag(providers[position], "contract", "type", CONTRACTS, CONTRACT_FIELDS, row, changed)
        absorbed.append("contracts_table")
    show_messages(placed, "contracts")


def demand_table(data: FileData, placed: Placed, generation: int, absorbed: list[str]) -> None:
    """Patients arriving from outside the system."""
    st.caption(
        "Patients arriving from outside the modelled system: give a rate per 1,000 registered "
        "people a year or a number a day, not both."
    )
    check = row_checks(placed, "demand")
    demand: list[dict[str, Any]] = data.get("demand") or []
    provider_ids = [str(item.get("id")) for item in data.get("providers") or []]
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
        "per_1000_per_year": number_column(
            "per 1,000 people a year", "per_1000_per_year", format="%g"
        ),
        "per_day": number_column("patients a day", "per_day", format="%g"),
        "uses_referral_multiplier": st.column_config.CheckboxColumn(
            "practices' referral multipliers", help=HELP["uses_referral_multiplier"]
        ),
        "check": CHECK,
    }
    original, edited = table_editor(
        "demand_table",
        rows,
        columns,
        numbers=["per_1000_per_year", "per_day"],
        generation=generation,
        disabled=["id"],
    )
    for position, row, changed in edited_rows(original, edited, [*columns][1:-1]):
        if position is None or not changed:
            continue
        for column in changed:
            set_cell(demand[position], None, column, row[column])
        absorbed.append("demand_table")
    show_messages(placed, "demand")


def pathways_table(data: FileData, placed: Placed, generation: int, absorbed: list[str]) -> None:
    """Where patients go after each provider; rows can be added and deleted."""
    st.caption(
        "Where patients go after each provider, and what share of them. Add a row for a new "
        "pathway, or select rows and delete them; whatever no pathway claims leaves the system."
    )
    check = row_checks(placed, "pathways")
    pathways: list[dict[str, Any]] = data.get("pathways") or []
    exits = [str(name) for name in data.get("exits") or []]
    cohort_ids = _cohort_ids(data, pathways)
    provider_ids = [str(item.get("id")) for item in data.get("providers") or []]
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
        "share": number_column("share (0 to 1)", "share", **SHARE),
        "check": CHECK,
    }
    original, edited = table_editor(
        "pathways_table",
        rows,
        columns,
        numbers=["share"],
        generation=generation,
        num_rows="dynamic",
    )
    edits = edited_rows(original, edited, [*columns][:-1])
    if len(edits) != len(pathways) or any(changed for _, _, changed in edits):
        kept = []
        for position, row, changed in edits:
            item = copy.deepcopy(pathways[position]) if position is not None else {}
            for column in changed:
                set_cell(item, None, column, row[column])
            kept.append(item)
        data["pathways"] = kept
        absorbed.append("pathways_table")
    show_messages(placed, "pathways")
