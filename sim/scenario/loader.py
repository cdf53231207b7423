"""Loading a scenario: read the file (and any it extends), merge, validate, check.

The one way in for every face (CLI, app, API, tests): `load_scenario` for a file,
`parse_scenario` for data already in memory. Both return a complete, validated `Scenario`
with its warnings, or raise `ScenarioError` listing every problem found. Also here: the
canonical forms of a scenario, for hashing into results and for writing back out.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from sim.scenario.checks import check_scenario
from sim.scenario.model import (
    DemandStream,
    Id,
    Pathway,
    Practice,
    Provider,
    Run,
    Scenario,
)
from sim.scenario.problems import Find, Problem, ScenarioError, show, validation_problems
from sim.scenario.source import Locator, from_data, plain
from sim.scenario.uncertain import check_uncertain, lift_inline
from sim.scenario.variants import Document, chain_from, merge_chain, read_chain

FORMAT = 1


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario, where it came from, and what is worth knowing about it."""

    scenario: Scenario
    path: Path | None
    files: tuple[Path, ...]
    warnings: tuple[Problem, ...]
    exercise_bills: Path | None = None
    """The exercise's bill file (`exercise.bills`), found beside the file that names it."""


def load_scenario(path: str | Path) -> LoadedScenario:
    """Load, merge, validate and check a scenario file; raises ScenarioError for bad input."""
    given = Path(path)
    documents = read_chain(given, str(path))
    return _finish(documents, given)


def parse_scenario(data: Mapping[str, Any], origin: str = "<memory>") -> LoadedScenario:
    """Validate and check scenario data held in memory; `extends` is relative to the cwd."""
    documents = chain_from(from_data(data, origin), origin, Path.cwd())
    return _finish(documents, None)


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: the same content always gives the same hash.

    A training `exercise` is left out: its text changes no number, so rewording a story
    keeps cached results and leaves a scenario without one hashing as it always has."""
    canonical = json.dumps(
        scenario.model_dump(mode="json", by_alias=True, exclude={"exercise"}),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def scenario_to_yaml(scenario: Scenario) -> str:
    """The scenario as a complete format-1 file, fields in model order, that loads back equal."""
    data = scenario.model_dump(mode="python", by_alias=True, exclude_none=True)
    return yaml.dump(data, Dumper=_CanonicalDumper, sort_keys=False, allow_unicode=True, width=100)


# --- the steps ------------------------------------------------------------------------------


def _finish(documents: list[Document], path: Path | None) -> LoadedScenario:
    problems = _format_problems(documents)
    merged = merge_chain(documents)
    data = plain(merged)
    # A missing format is reported once, above; checking the rest as format 1 finds the rest.
    data.setdefault("format", FORMAT)
    data, written = lift_inline(data)
    locator = Locator(merged)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        problems += validation_problems(error, data, locator.find)
        partial, positions = _validated_parts(data)
        problems += check_scenario(partial, data, locator.find, positions=positions)
        raise ScenarioError(_in_reading_order(problems, documents)) from None
    problems += check_scenario(scenario, data, locator.find)
    problems += check_uncertain(scenario, documents[-1].display, written, locator.find)
    bills, bill_problems = _exercise_bills(scenario, documents, locator.find)
    problems += bill_problems
    ordered = _in_reading_order(problems, documents)
    if any(problem.is_error for problem in ordered):
        raise ScenarioError(ordered)
    files = tuple(
        Path(document.display) for document in documents if not document.display.startswith("<")
    )
    return LoadedScenario(
        scenario=scenario, path=path, files=files, warnings=tuple(ordered), exercise_bills=bills
    )


def _exercise_bills(
    scenario: Scenario, documents: list[Document], find: Find
) -> tuple[Path | None, list[Problem]]:
    """An exercise's bill: a file beside the one that names it, that reads against the
    baseline (the file the variant extends, as the Learn page compares with).

    Without a baseline there is nothing to check it against, as there is nothing to compare
    the exercise with: a merged copy (the app's, an exported file) keeps the name unchecked.
    """
    exercise = scenario.exercise
    if exercise is None or exercise.bills is None or len(documents) < 2:
        return None, []
    from sim.money.bill_file import BillsError, read_bills  # the money layer sits above this one

    file, line = find(("exercise", "bills"))
    named_in = next((document for document in documents if document.display == file), None)
    folder = named_in.folder if named_in is not None else documents[-1].folder
    bills = Path(os.path.normpath(folder / exercise.bills))

    def problem(message: str) -> Problem:
        return Problem(file, line, "exercise.bills", message)

    if not bills.exists():
        return bills, [problem(f"cannot find the bill '{exercise.bills}' (looked for {bills})")]
    base = documents[-2].display
    try:
        baseline = _finish(documents[:-1], None).scenario
    except ScenarioError:
        message = f"the bill is read against the baseline {base}, which does not load: check it"
        return bills, [problem(message)]
    try:
        read_bills(bills, baseline)
    except BillsError as error:
        return bills, [problem(text) for text in error.problems]
    return bills, []


def _format_problems(documents: list[Document]) -> list[Problem]:
    """A format every file can be read as: the base must say it, a variant may inherit it."""
    problems: list[Problem] = []
    for index, document in enumerate(documents):
        node = document.root.get("format")
        if node is None:
            if index == 0:
                line = None if document.root.line is None else 1  # in-memory data has no lines
                message = f"missing: add `format: {FORMAT}`"
                problems.append(Problem(document.display, line, "format", message))
            continue
        value = node.value
        if isinstance(value, bool) or value != FORMAT or not isinstance(value, int):
            shown = value if isinstance(value, int) and not isinstance(value, bool) else show(value)
            message = f"format {shown} is not supported; this version reads format {FORMAT}"
            # Other rules of another format would only add noise, so stop here.
            raise ScenarioError([Problem(node.file, node.line, "format", message)])
    return problems


def _in_reading_order(problems: list[Problem], documents: list[Document]) -> list[Problem]:
    """Problems by file (base first) and line, as a reader would meet them."""
    order = {document.display: index for index, document in enumerate(documents)}
    return sorted(problems, key=lambda p: (order.get(p.file, len(order)), p.line or 0))


_ITEM_MODELS: dict[str, type[BaseModel]] = {
    "practices": Practice,
    "demand": DemandStream,
    "providers": Provider,
    "pathways": Pathway,
}


def _validated_parts(data: dict[str, Any]) -> tuple[Scenario, dict[str, list[int]]]:
    """The items that validate on their own, so that reference checks can still run.

    Returns a scenario built from those items (not itself validated) and the index in
    `data` of each kept item.
    """
    kept: dict[str, tuple[Any, ...]] = {}
    positions: dict[str, list[int]] = {}
    for key, model in _ITEM_MODELS.items():
        items, indices = [], []
        raw = data.get(key)
        for index, item in enumerate(raw if isinstance(raw, list) else []):
            try:
                items.append(model.model_validate(item))
                indices.append(index)
            except ValidationError:
                continue
        kept[key], positions[key] = tuple(items), indices
    exit_id = TypeAdapter(Id)
    exits, exit_indices = [], []
    raw_exits = data.get("exits")
    for index, name in enumerate(raw_exits if isinstance(raw_exits, list) else []):
        try:
            exits.append(exit_id.validate_python(name))
            exit_indices.append(index)
        except ValidationError:
            continue
    positions["exits"] = exit_indices
    try:
        run = Run.model_validate(data.get("run", {}))
    except ValidationError:
        run = Run()
    population = data.get("population")
    partial = Scenario.model_construct(
        format=1,
        name=str(data.get("name", "")),
        run=run,
        population=population if isinstance(population, int) and population > 0 else None,
        practices=kept["practices"],
        demand=kept["demand"],
        providers=kept["providers"],
        exits=tuple(exits),
        pathways=kept["pathways"],
    )
    return partial, positions


class _CanonicalDumper(yaml.SafeDumper):
    """Block style for structure, flow style for short rows, so the output reads like the docs."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write them.
        super().increase_indent(flow, False)


def _represent_list(dumper: yaml.SafeDumper, items: list[Any] | tuple[Any, ...]) -> yaml.Node:
    scalars = all(not isinstance(item, dict | list | tuple) for item in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=scalars)


def _represent_mapping(dumper: yaml.SafeDumper, mapping: dict[str, Any]) -> yaml.Node:
    row = len(mapping) <= 4 and all(
        not isinstance(v, dict | list | tuple) for v in mapping.values()
    )
    return dumper.represent_mapping("tag:yaml.org,2002:map", mapping, flow_style=row)


def _represent_float(dumper: yaml.SafeDumper, value: float) -> yaml.Node:
    # 400000000 reads better than 400000000.0, and loads back as the same float.
    if value.is_integer() and abs(value) < 1e15:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


_CanonicalDumper.add_representer(float, _represent_float)
_CanonicalDumper.add_representer(list, _represent_list)
_CanonicalDumper.add_representer(tuple, _represent_list)
_CanonicalDumper.add_representer(dict, _represent_mapping)
