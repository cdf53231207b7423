"""Scenario page: open, edit, check and save the local system, without reading YAML."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import streamlit as st
import yaml

from sim.app import state
from sim.app.glossary import HELP
from sim.scenario.variants import minimal_variant

st.title("Scenario")
st.caption(
    "The local system: who provides care, how much, at what price and under which contract, "
    "and where patients go next. Change anything below; the checks run as you type."
)

# --- open ------------------------------------------------------------------------------------

left, right = st.columns(2)
with left:
    files = state.bundled_files()
    chosen = st.selectbox(
        "Open a bundled scenario",
        [path.name for path in files],
        help=HELP["bundled scenario"],
        key="bundled_choice",
    )
    if st.button("Open", key="open_bundled"):
        path = next(p for p in files if p.name == chosen)
        state.replace(state.read_file(path))
        st.session_state["baseline_file"] = path.name
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
            st.rerun()
        except state.ScenarioError as error:
            for problem in error.problems:
                st.error(str(problem))

document = state.current()
st.subheader(document.data.get("name", "unnamed scenario"))
loaded, problems = state.validate(document)


def _messages(section: str) -> None:
    """The loader's own messages about one part of the scenario, next to its table."""
    for problem in problems:
        if problem.field.startswith(section):
            show = st.warning if problem.severity == "warning" else st.error
            show(str(problem))


# --- edit ------------------------------------------------------------------------------------

data: dict[str, Any] = copy.deepcopy(document.data)
tabs = st.tabs(["Providers", "Demand", "Pathways", "Budget and run"])

PROVIDER_COLUMNS = {
    "servers": ("capacity", "servers"),
    "slots_per_day": ("capacity", "slots_per_day"),
    "mean_stay_days": ("length_of_stay", "mean_days"),
    "per_attendance_gbp": ("price", "per_attendance_gbp"),
    "per_spell_gbp": ("price", "per_spell_gbp"),
    "per_day_gbp": ("price", "per_day_gbp"),
}


def _provider_rows(providers: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for item in providers:
        row: dict[str, Any] = {"id": item["id"], "name": item.get("name", "")}
        for column, (part, key) in PROVIDER_COLUMNS.items():
            row[column] = (item.get(part) or {}).get(key)
        row["contract"] = (item.get("contract") or {}).get("type", "activity")
        rows.append(row)
    return pd.DataFrame(rows)


def _number(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


with tabs[0]:
    edited = st.data_editor(
        _provider_rows(data["providers"]),
        key="providers_table",
        disabled=["id", "contract"],
        hide_index=True,
        width="stretch",
        column_config={
            "servers": st.column_config.NumberColumn("places (servers)", help=HELP["servers"]),
            "slots_per_day": st.column_config.NumberColumn(
                "appointments a day", help=HELP["slots_per_day"]
            ),
            "mean_stay_days": st.column_config.NumberColumn(
                "mean stay (days)", help=HELP["length_of_stay"]
            ),
            "per_attendance_gbp": st.column_config.NumberColumn(
                "£ per attendance", help=HELP["price"]
            ),
            "per_spell_gbp": st.column_config.NumberColumn("£ per spell", help=HELP["price"]),
            "per_day_gbp": st.column_config.NumberColumn("£ per day", help=HELP["price"]),
            "contract": st.column_config.TextColumn("contract", help=HELP["contract"]),
        },
    )
    for row in edited.to_dict("records"):
        item = next(p for p in data["providers"] if p["id"] == row["id"])
        if row.get("name"):
            item["name"] = row["name"]
        for column, (part, key) in PROVIDER_COLUMNS.items():
            value = _number(row[column])
            holder = item.get(part)
            if value is None:
                if isinstance(holder, dict):
                    holder.pop(key, None)
            else:
                item.setdefault(part, {})[key] = value
    _messages("providers")

with tabs[1]:
    demand = pd.DataFrame(
        [
            {
                "id": d["id"],
                "enters": d["enters"],
                "per_1000_per_year": d.get("per_1000_per_year"),
                "per_day": d.get("per_day"),
            }
            for d in data["demand"]
        ]
    )
    edited_demand = st.data_editor(
        demand,
        key="demand_table",
        disabled=["id"],
        hide_index=True,
        width="stretch",
        column_config={
            "per_1000_per_year": st.column_config.NumberColumn(
                "per 1,000 people a year", help=HELP["demand"]
            ),
            "per_day": st.column_config.NumberColumn("per day", help=HELP["demand"]),
        },
    )
    for row in edited_demand.to_dict("records"):
        item = next(d for d in data["demand"] if d["id"] == row["id"])
        item["enters"] = row["enters"]
        for key in ("per_1000_per_year", "per_day"):
            value = _number(row[key])
            if value is None:
                item.pop(key, None)
            else:
                item[key] = value
    _messages("demand")

with tabs[2]:
    pathways = pd.DataFrame(
        [{"from": p["from"], "to": p["to"], "share": p["share"]} for p in data["pathways"]]
    )
    edited_pathways = st.data_editor(
        pathways,
        key="pathways_table",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={"share": st.column_config.NumberColumn("share", help=HELP["share"])},
    )
    kept = {(p["from"], p["to"]): p for p in data["pathways"]}
    data["pathways"] = []
    for row in edited_pathways.to_dict("records"):
        if not row.get("from") or not row.get("to"):
            continue
        item = dict(kept.get((row["from"], row["to"]), {"from": row["from"], "to": row["to"]}))
        item["share"] = _number(row["share"])
        data["pathways"].append(item)
    _messages("pathways")

with tabs[3]:
    budget = data.get("budget") or {}
    annual = st.number_input(
        "Annual budget (£)",
        min_value=0.0,
        value=float(budget.get("annual_gbp", 0.0)),
        step=1_000_000.0,
        format="%.0f",
        help=HELP["budget"],
        key="budget_input",
    )
    if annual > 0:
        data["budget"] = {**budget, "annual_gbp": annual}
    _messages("budget")

if data != document.data:
    state.replace(state.Document(data=data, origin=document.origin))
    st.rerun()

# --- check and draw --------------------------------------------------------------------------

errors = [p for p in problems if p.is_error]
st.session_state["scenario_errors"] = [str(p) for p in errors]
if errors:
    st.error(f"{len(errors)} problem(s) to fix before this scenario can run:")
    for problem in errors:
        st.text(str(problem))
else:
    st.success("The scenario is valid: go to Run.")
    assert loaded is not None
    from sim.app import charts

    result = state.last_result()
    if result is not None and result.scenario == loaded.scenario:
        figure = charts.network(loaded.scenario, result.providers, result.flows)
    else:
        figure = charts.network(loaded.scenario)
    st.plotly_chart(figure, width="stretch")

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
