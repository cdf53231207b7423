"""What the app remembers between reruns, and the work it must not repeat.

A Streamlit script reruns top to bottom on every click, so everything a user built
lives in `st.session_state` (never in widgets alone), and every expensive result is
cached by the scenario's canonical content, seed and replications: re-running an
unchanged scenario is instant, and nothing typed is lost on a page switch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
import yaml

from sim.results import RunResult
from sim.scenario import LoadedScenario, Problem, ScenarioError, parse_scenario
from sim.scenario.loader import scenario_hash
from sim.scenario.model import Scenario
from sim.scenario.source import plain, read_document

ROOT = Path(__file__).parents[2]
SCENARIOS = ROOT / "scenarios"
DEFAULT = SCENARIOS / "northshire_2026.yaml"
MAX_UPLOAD_BYTES = 1_000_000
"""Scenario files are a few kilobytes; anything near a megabyte is not one."""

CACHED_RUNS = 8
"""Results kept in memory across sessions (least recently used go first)."""


@dataclass(frozen=True)
class Document:
    """A scenario as the user is editing it: its data, and where it came from."""

    data: dict[str, Any]
    origin: str
    """The file name shown in messages (a bundled file, an upload, or an edited copy)."""


def bundled_files() -> list[Path]:
    """Scenario files shipped with Knock-on, the default first."""
    others = sorted(p for p in SCENARIOS.glob("*.yaml") if p != DEFAULT)
    return [DEFAULT, *others]


def read_file(path: Path) -> Document:
    """A bundled file's data, with any `extends` base merged in (so the editor sees all)."""
    return _read_file(str(path), path.stat().st_mtime_ns)


@st.cache_data(max_entries=64, show_spinner=False)
def _read_file(path: str, modified_ns: int) -> Document:
    """Read once per version of the file; each caller gets its own copy to edit."""
    loaded = _load_path(Path(path))
    data = loaded.scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    return Document(data=data, origin=Path(path).name)


def _load_path(path: Path) -> LoadedScenario:
    from sim.scenario import load_scenario

    return load_scenario(path)


def read_upload(name: str, content: bytes) -> Document:
    """An uploaded file, read as safely as any file: size-limited, safe YAML, one-line errors.

    Raises ScenarioError with the loader's own problems."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ScenarioError(
            [
                Problem(
                    name,
                    None,
                    "",
                    f"is {len(content):,} bytes; a scenario file is at most {MAX_UPLOAD_BYTES:,}",
                )
            ]
        )
    folder = Path(st.session_state.setdefault("_upload_dir", _temporary_folder()))
    target = folder / Path(name).name
    target.write_bytes(content)
    node = read_document(target, name)  # safe YAML with lines; raises ScenarioError
    data = plain(node)
    if "extends" in data:
        raise ScenarioError(
            [
                Problem(
                    name,
                    None,
                    "extends",
                    "an uploaded variant cannot reach its base file: "
                    "upload a complete scenario, or save the variant with its base merged",
                )
            ]
        )
    loaded = parse_scenario(data, origin=name)
    return Document(
        data=loaded.scenario.model_dump(mode="json", by_alias=True, exclude_none=True),
        origin=name,
    )


def _temporary_folder() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="knockon-upload-")


def validate(document: Document) -> tuple[LoadedScenario | None, list[Problem]]:
    """The loader's verdict on the document: a scenario, or every problem with it."""
    try:
        loaded = parse_scenario(document.data, origin=document.origin)
    except ScenarioError as error:
        return None, list(error.problems)
    return loaded, list(loaded.warnings)


def current() -> Document:
    """The scenario being worked on (the default scenario on first visit)."""
    if "document" not in st.session_state:
        st.session_state["document"] = read_file(DEFAULT)
    document: Document = st.session_state["document"]
    return document


def replace(document: Document) -> None:
    st.session_state["document"] = document


def as_yaml(document: Document) -> str:
    return yaml.safe_dump(document.data, sort_keys=False, allow_unicode=True, width=100)


@st.cache_resource(show_spinner=False)
def _store() -> OrderedDict[Hashable, RunResult]:
    """One store for every session of this server: a scenario run by one board member is
    instant for the next."""
    return OrderedDict()


def run_key(scenario: Scenario, replications: int, seed: int) -> tuple[str, int, int]:
    return (scenario_hash(scenario), replications, seed)


def cached_result(scenario: Scenario, replications: int, seed: int) -> RunResult | None:
    """A finished run of exactly this scenario, seed and replications, if one is kept."""
    store = _store()
    key = run_key(scenario, replications, seed)
    if key in store:
        store.move_to_end(key)
        return store[key]
    return None


def remember(key: Hashable, result: RunResult) -> None:
    """Keep a finished run for everyone, and show it as this session's latest."""
    store = _store()
    store[key] = result
    store.move_to_end(key)
    while len(store) > CACHED_RUNS:
        store.popitem(last=False)
    st.session_state["last_run"] = key


def last_result() -> RunResult | None:
    key = st.session_state.get("last_run")
    return None if key is None else _store().get(key)


KEPT_INPUTS = (
    "replications",
    "seed",
    "bundled_choice",
    "compare_base",
    "compare_variants",
    "compare_replications",
    "spread",
    "sensitivity_inputs",
    "sensitivity_metric",
    "sensitivity_replications",
    "exercise_pick",
    "exercise_choice",
    "exercise_replications",
)
"""Inputs a user sets once and expects to find again after visiting another page."""


def keep_inputs() -> None:
    """Streamlit forgets a widget's value when a page without it is shown; writing the
    value back at the start of every run keeps it (the documented way to persist)."""
    for key in KEPT_INPUTS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


@st.cache_resource(max_entries=32, show_spinner=False)
def _network_figure(
    key: tuple[str, Hashable], _scenario: Scenario, _result: RunResult | None
) -> Any:
    from sim.app.charts.network_drawing import network

    if _result is None:
        return network(_scenario)
    return network(_scenario, _result.providers, _result.flows)


def network_figure(scenario: Scenario, result: RunResult | None) -> Any:
    """The provider network, drawn once per scenario (and run): plotly takes a noticeable
    fraction of a second to build it, on every rerun otherwise."""
    ran = (
        None
        if result is None
        else run_key(scenario, result.summary["replications"], result.summary["seed"])
    )
    return _network_figure((scenario_hash(scenario), ran), scenario, result)
