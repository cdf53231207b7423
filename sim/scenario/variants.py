"""Variants: a scenario file that `extends` another and says only what changes.

This module follows `extends` chains (base first) and merges each file over its base:

- mappings are merged key by key; scalars and plain lists (seasonality, phasing) replace;
- a key set to null is removed, so `capacity: {servers: null, slots_per_day: 50}` switches
  a provider from beds to an appointment book;
- `practices`, `cohorts`, `demand` and `providers` are merged by `id`, `pathways` by
  (`from`, `to`, `cohort`): a known item is merged into, a new one appended,
  `{id: x, remove: true}` removes one;
- `exits` is the union of both lists.

Merged values keep the file and line they came from, so errors point into the right file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario.model import pathway_name
from sim.scenario.problems import ID_KEYED_LISTS, Problem, ScenarioError
from sim.scenario.source import Node, read_document

EXTENDS = "extends"


@dataclass(frozen=True)
class Document:
    """One file of a chain: the name the user would recognise, its folder and its data."""

    display: str
    folder: Path
    root: Node


def read_chain(path: Path, display: str) -> list[Document]:
    """The file at `path` and every file it extends, base first."""
    document = Document(display, path.parent, read_document(path, display))
    return _chain_below(document, [(path.resolve(), display)])


def chain_from(root: Node, origin: str, folder: Path) -> list[Document]:
    """The chain for in-memory data, whose `extends` is relative to `folder`."""
    return _chain_below(Document(origin, folder, root), [])


def _chain_below(document: Document, seen: list[tuple[Path, str]]) -> list[Document]:
    target = document.root.get(EXTENDS)
    if target is None:
        return [document]
    if not isinstance(target.value, str) or not target.value.strip():
        raise ScenarioError(
            [_problem(target, EXTENDS, "must name the base scenario file, e.g. baseline.yaml")]
        )
    base_path = document.folder / target.value
    if Path(target.value).is_absolute() or document.display.startswith("<"):
        base_display = target.value
    else:
        base_display = os.path.normpath(Path(document.display).parent / target.value)
    resolved = base_path.resolve()
    if any(resolved == path for path, _ in seen):
        loop = " -> ".join([*(display for _, display in seen), base_display])
        raise ScenarioError([_problem(target, EXTENDS, f"extends loop: {loop}")])
    if not base_path.is_file():
        message = f"cannot find the base scenario '{target.value}' (looked for {base_display})"
        raise ScenarioError([_problem(target, EXTENDS, message)])
    base = Document(base_display, base_path.parent, read_document(base_path, base_display))
    return [*_chain_below(base, [*seen, (resolved, base_display)]), document]


def _problem(node: Node, field: str, message: str) -> Problem:
    return Problem(node.file, node.line, field, message)


# --- merging --------------------------------------------------------------------------------


def merge_chain(documents: list[Document]) -> Node:
    """The chain merged into one located mapping, without `extends`; raises ScenarioError."""
    problems: list[Problem] = []
    merged = _without_extends(documents[0].root)
    for document in documents[1:]:
        merged = merge(merged, _without_extends(document.root), problems)
    if problems:
        raise ScenarioError(problems)
    return merged


def merge(base: Node, variant: Node, problems: list[Problem]) -> Node:
    """A variant's top level merged over its base's, collecting every problem."""
    merged = dict(base.value)
    for key, change in variant.value.items():
        if change.value is None:
            merged.pop(key, None)
        elif key in merged and key in ID_KEYED_LISTS:
            merged[key] = _merge_items(key, merged[key], change, _id_of, problems)
        elif key in merged and key == "pathways":
            merged[key] = _merge_items(key, merged[key], change, _ends_of, problems)
        elif key in merged and key == "exits":
            merged[key] = _union(merged[key], change)
        elif key in merged:
            merged[key] = _deep_merge(merged[key], change)
        else:
            merged[key] = change
    return Node(merged, variant.file, variant.line)


def _without_extends(root: Node) -> Node:
    return Node({k: v for k, v in root.value.items() if k != EXTENDS}, root.file, root.line)


def _deep_merge(base: Node, change: Node) -> Node:
    if not (base.is_mapping and change.is_mapping):
        return change
    merged = dict(base.value)
    for key, value in change.value.items():
        if value.value is None:
            merged.pop(key, None)
        elif key in merged:
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return Node(merged, change.file, change.line)


def _union(base: Node, change: Node) -> Node:
    if not (base.is_list and change.is_list):
        return change
    known = [item.value for item in base.value]
    added = [item for item in change.value if item.value not in known]
    return Node([*base.value, *added], change.file, change.line)


Key = Callable[[Node], Any]


def _id_of(item: Node) -> Any:
    value = item.scalar("id")
    return value if isinstance(value, str) else None


def _ends_of(item: Node) -> Any:
    """A pathway's key: its two ends and the cohort it is for (None: everyone else)."""
    start, end, cohort = item.scalar("from"), item.scalar("to"), item.scalar("cohort")
    if not (isinstance(start, str) and isinstance(end, str)):
        return None
    return (start, end, cohort if isinstance(cohort, str) else None)


_SINGULAR = {
    "practices": "practice",
    "cohorts": "cohort",
    "demand": "demand stream",
    "providers": "provider",
}


def _what(collection: str, key: Any) -> str:
    if isinstance(key, tuple):
        cohort = f" for cohort {key[2]}" if key[2] is not None else ""
        return f"pathway from {key[0]} to {key[1]}{cohort}"
    return f"{_SINGULAR.get(collection, collection)} '{key}'"


def _describe(key: Any) -> str:
    return pathway_name(*key) if isinstance(key, tuple) else str(key)


def _merge_items(
    collection: str, base: Node, change: Node, key_of: Key, problems: list[Problem]
) -> Node:
    """Merge a list of items by key; items without a usable key are appended for validation."""
    if not (base.is_list and change.is_list):
        return change
    merged: list[Node | None] = list(base.value)
    positions = {key_of(item): i for i, item in enumerate(base.value) if key_of(item) is not None}
    key_names = {"id"} if key_of is _id_of else {"from", "to", "cohort"}
    changed: set[Any] = set()
    for item in change.value:
        key = key_of(item) if item.is_mapping else None
        if key is None:
            merged.append(item)
            continue
        name = f"{collection}[{_describe(key)}]"
        if key in changed:
            problems.append(_problem(item, name, "appears twice in this variant"))
            continue
        changed.add(key)
        remove = item.get("remove")
        if remove is not None and remove.value is not False:
            if remove.value is not True:
                problems.append(_problem(remove, f"{name}.remove", "must be true or false"))
            elif key not in positions or merged[positions[key]] is None:
                problems.append(
                    _problem(
                        item, name, f"cannot remove it: the base has no {_what(collection, key)}"
                    )
                )
            elif set(item.value) - key_names - {"remove"}:
                problems.append(
                    _problem(item, name, "an item with remove: true takes nothing but its key")
                )
            else:
                merged[positions[key]] = None
            continue
        if remove is not None:
            item = Node(
                {k: v for k, v in item.value.items() if k != "remove"}, item.file, item.line
            )
        if key in positions and merged[positions[key]] is not None:
            base_item = merged[positions[key]]
            assert base_item is not None
            merged[positions[key]] = _deep_merge(base_item, item)
        else:
            positions[key] = len(merged)
            merged.append(item)
    return Node([item for item in merged if item is not None], change.file, change.line)


# --- writing a variant ----------------------------------------------------------------------


def minimal_variant(base: dict[str, Any], changed: dict[str, Any], extends: str) -> dict[str, Any]:
    """The smallest variant file that, merged over `base`, gives `changed`.

    The inverse of merging: only what differs is written, items of the keyed lists by
    their id (pathways by their ends) with only their changed fields, removed items as
    `remove: true` and removed keys as null. Both arguments are plain scenario data."""
    variant: dict[str, Any] = {"format": changed.get("format", 1), EXTENDS: extends}
    variant.update(_mapping_changes(base, changed, top=True))
    variant.pop("format", None)
    return {"format": changed.get("format", 1), **variant}


def _mapping_changes(
    base: dict[str, Any], changed: dict[str, Any], top: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changed.items():
        before = base.get(key)
        if key not in base:
            out[key] = value
        elif before == value:
            continue
        elif top and key in (*ID_KEYED_LISTS, "pathways") and isinstance(value, list):
            items = _list_changes(key, before if isinstance(before, list) else [], value)
            if items:
                out[key] = items
        elif top and key == "exits" and isinstance(value, list):
            out[key] = value  # exits merge as a union: removing one needs the full file
        elif isinstance(before, dict) and isinstance(value, dict):
            out[key] = _mapping_changes(before, value)
        else:
            out[key] = value
    for key in base:
        if key not in changed:
            out[key] = None
    return out


def _item_key(section: str, item: dict[str, Any]) -> tuple[Any, ...]:
    if section == "pathways":
        return (item.get("from"), item.get("to"), item.get("cohort"))
    return (item.get("id"),)


def _key_fields(section: str, key: tuple[Any, ...]) -> dict[str, Any]:
    """The fields that name an item: its id, or a pathway's ends (and cohort, if it has one)."""
    names = ("from", "to", "cohort") if section == "pathways" else ("id",)
    return {name: value for name, value in zip(names, key, strict=True) if value is not None}


def _list_changes(
    section: str, before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    old = {_item_key(section, item): item for item in before}
    new_keys = {_item_key(section, item) for item in after}
    items: list[dict[str, Any]] = []
    for item in after:
        key = _item_key(section, item)
        if key not in old:
            items.append(item)
        elif old[key] != item:
            diff = _mapping_changes(old[key], item)
            items.append({**_key_fields(section, key), **diff})
    for key in old:
        if key not in new_keys:
            items.append({**_key_fields(section, key), "remove": True})
    return items
