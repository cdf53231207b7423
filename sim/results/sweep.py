"""Sweeps: one scenario run at a grid of input values, summarised in one tidy table.

Inputs are named by the paths of `sim.scenario.paths` (`providers[ward].capacity.servers`,
`practices[*].referral_multiplier`, where `*` stands for every item that has the value).
Each point of the sweep is a new scenario built from the plain data of the base and
validated by the loader, so a value the scenario cannot take is reported as the loader
would report it, naming the point. Every point runs the same replications on the same
seed (common random numbers), all submitted together, so the differences between points
come from the inputs rather than from the luck of the draw.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import pandas as pd

from sim.metric_names import SYSTEM, metric_names, unknown_metric_message
from sim.results.metrics import replication_metrics, summarise
from sim.results.replicate import Progress, replicate_many
from sim.scenario import paths
from sim.scenario.loader import parse_scenario
from sim.scenario.model import Scenario
from sim.scenario.problems import Problem, ScenarioError

Value = int | float | str
"""One value an input takes: numbers mostly, a word for a choice such as a distribution."""

Design = Literal["grid", "one_at_a_time"]
DESIGNS: tuple[Design, ...] = ("grid", "one_at_a_time")

MAX_VALUES = 1_000
"""Values one range may give: more is almost always a mistyped step."""

MAX_POINTS = 10_000
"""Points one sweep may have, each run `replications` times."""

SUMMARY_COLUMNS = ("provider", "metric", "mean", "ci_low", "ci_high", "p10", "p90", "replications")


class SweepError(ValueError):
    """A sweep that cannot be set up: a bad path, range, design or metric name."""


@dataclass(frozen=True)
class SweepInput:
    """One input a sweep varies, by its path, and the values it takes."""

    path: str
    values: tuple[Value, ...]


def parse_values(text: str) -> tuple[Value, ...]:
    """`500,550,600` or `500..700:50` (both ends included) as values.

    Ranges use exact decimal steps, so `0.8..1.2:0.1` gives 0.8, 0.9, 1.0, 1.1, 1.2 and
    not 0.9000000000000001.
    """
    text = text.strip()
    if ".." in text:
        return _parse_range(text)
    tokens = [token.strip() for token in text.split(",")]
    if not text or any(not token for token in tokens):
        raise SweepError(f"{text!r}: give values as 500,550,600 or a range as 500..700:50")
    return tuple(_number_or_word(token) for token in tokens)


def _parse_range(text: str) -> tuple[Value, ...]:
    bounds, colon, step_text = text.partition(":")
    ends = bounds.split("..")
    if not colon or len(ends) != 2:
        raise SweepError(f"{text!r}: write a range as START..END:STEP, for example 500..700:50")
    try:
        start, end, step = (Decimal(part.strip()) for part in (*ends, step_text))
    except InvalidOperation:
        raise SweepError(
            f"{text!r}: START, END and STEP of a range must be numbers (as in 500..700:50)"
        ) from None
    if not all(number.is_finite() for number in (start, end, step)):
        raise SweepError(f"{text!r}: START, END and STEP of a range must be finite numbers")
    if step <= 0:
        raise SweepError(f"{text!r}: the step must be greater than 0")
    if end < start:
        raise SweepError(f"{text!r}: the end must not be below the start")
    steps = (end - start) / step
    if steps != steps.to_integral_value():
        raise SweepError(
            f"{text!r}: {end} is not a whole number of steps of {step} from {start}; "
            "choose an end on the grid"
        )
    count = int(steps) + 1
    if count > MAX_VALUES:
        raise SweepError(f"{text!r}: gives {count:,} values; at most {MAX_VALUES:,} per input")
    whole = all(number == number.to_integral_value() for number in (start, step))
    values = (start + step * index for index in range(count))
    return tuple(int(value) if whole else float(value) for value in values)


def _number_or_word(token: str) -> Value:
    try:
        return int(token)
    except ValueError:
        pass
    try:
        return float(token)
    except ValueError:
        return token


def parse_vary(text: str) -> tuple[str, tuple[Value, ...]]:
    """`PATH=VALUES`, as typed after `--vary`, as (path, values)."""
    path, equals, values = text.rpartition("=")
    if not equals or not path.strip():
        raise SweepError(
            f"{text!r}: write PATH=VALUES, for example providers[ward].capacity.servers=500..700:50"
        )
    return path.strip(), parse_values(values)


def expand_inputs(
    scenario: Scenario, vary: Mapping[str, Sequence[Value] | str]
) -> list[SweepInput]:
    """The inputs a sweep varies, `*` selectors expanded into one input per item.

    A `*` stands for every item of the list that has a value at the rest of the path, so
    `providers[*].capacity.servers` skips providers without servers (appointment books,
    unlimited providers).
    """
    data = _plain(scenario)
    inputs: list[SweepInput] = []
    for pattern, given in vary.items():
        values = parse_values(given) if isinstance(given, str) else tuple(given)
        if not values:
            raise SweepError(f"{pattern}: give at least one value")
        try:
            found = _expand(data, pattern)
        except paths.PathError as error:
            raise SweepError(str(error)) from None
        if not found:
            raise SweepError(f"{pattern!r}: no item has a value there")
        inputs.extend(SweepInput(path, values) for path in found)
    named = [item.path for item in inputs]
    repeated = sorted({path for path in named if named.count(path) > 1})
    if repeated:
        raise SweepError(f"{', '.join(repeated)}: varied more than once; vary each input once")
    return inputs


def _expand(data: Mapping[str, Any], pattern: str, within_star: bool = False) -> list[str]:
    """Concrete paths a pattern names; the first `[*]` is expanded, then the rest."""
    head, star, tail = pattern.partition("[*]")
    if not star:
        value = paths.get(data, pattern)
        return [] if within_star and value is None else [pattern]
    items = paths.get(data, head)
    if not isinstance(items, list):
        raise paths.PathError(f"{pattern!r}: {head} is not a list, so [*] means nothing there")
    keyed = head in paths.KEYED
    found: list[str] = []
    for index, item in enumerate(items):
        name = paths.item_name(head, item) if keyed else str(index)
        try:
            found.extend(_expand(data, f"{head}[{name}]{tail}", within_star=True))
        except paths.PathError:
            continue  # this item has no value there; `*` means the items that do
    return found


def sweep_points(
    inputs: Sequence[SweepInput], base: Mapping[str, Value], design: Design = "grid"
) -> list[dict[str, Value]]:
    """Every point of the design: input values by path, in a stable order.

    `grid` is every combination (the first input varies slowest); `one_at_a_time` varies
    each input alone while the others keep their `base` values.
    """
    if design == "grid":
        combinations = itertools.product(*(item.values for item in inputs))
        return [
            dict(zip((item.path for item in inputs), combo, strict=True)) for combo in combinations
        ]
    if design == "one_at_a_time":
        at_base = {item.path: base[item.path] for item in inputs}
        return [{**at_base, item.path: value} for item in inputs for value in item.values]
    raise SweepError(f"design {design!r}: choose one of {', '.join(DESIGNS)}")


def point_count(inputs: Sequence[SweepInput], design: Design = "grid") -> int:
    if design == "one_at_a_time":
        return sum(len(item.values) for item in inputs)
    count = 1
    for item in inputs:
        count *= len(item.values)
    return count


def build_points(
    scenario: Scenario,
    inputs: Sequence[SweepInput],
    design: Design = "grid",
    origin: str = "sweep",
) -> list[tuple[dict[str, Value], Scenario]]:
    """Each point's values and its validated scenario; every bad point reported at once."""
    count = point_count(inputs, design)
    if count > MAX_POINTS:
        raise SweepError(
            f"the sweep has {count:,} points; at most {MAX_POINTS:,} (vary fewer inputs, use "
            "fewer values, or use one at a time)"
        )
    data = _plain(scenario)
    base = {item.path: paths.get(data, item.path) for item in inputs}
    built: list[tuple[dict[str, Value], Scenario]] = []
    problems: list[Problem] = []
    for number, point in enumerate(sweep_points(inputs, base, design)):
        point = {path: _like(base[path], value) for path, value in point.items()}
        changed = data
        for path, value in point.items():
            changed = paths.put(changed, path, value)
        label = f"{origin} point {number} ({_changes(point, base)})"
        try:
            built.append((point, parse_scenario(changed, origin=label).scenario))
        except ScenarioError as error:
            problems.extend(error.problems)
    if problems:
        raise ScenarioError(problems)
    return built


def _changes(point: Mapping[str, Any], base: Mapping[str, Any]) -> str:
    moved = [f"{path}={value}" for path, value in point.items() if value != base[path]]
    return ", ".join(moved) or "as the scenario"


def describe_points(scenario: Scenario, table: pd.DataFrame) -> dict[int, str]:
    """Per point of a sweep table, the inputs that differ from the scenario, as
    `path=value`: the short name of a point when a sweep varies many inputs."""
    data = _plain(scenario)
    columns = [str(column) for column in table.columns]
    inputs = columns[1 : columns.index("provider")]
    base = {path: paths.get(data, path) for path in inputs}
    firsts = table.drop_duplicates("point")
    return {
        int(row["point"]): _changes({path: row[path] for path in inputs}, base)
        for row in firsts.to_dict("records")
    }


def _plain(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(mode="json", by_alias=True)


def _like(original: Any, value: Value) -> Value:
    """`value` in the type of the value it replaces: 600.0 for servers is 600, 1 for a
    multiplier is 1.0, so the scenario and the table read as the user meant."""
    if isinstance(original, bool) or isinstance(value, bool | str):
        return value
    if isinstance(original, int) and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(original, float) and isinstance(value, int):
        return float(value)
    return value


def check_metrics(scenario: Scenario, metrics: Sequence[str]) -> None:
    """Raise SweepError naming any metric this scenario does not report, with likely ones."""
    known = metric_names(scenario)
    for name in metrics:
        if name not in known:
            raise SweepError(unknown_metric_message(name, known))


def headline_metrics(inputs: Sequence[SweepInput], metrics: Sequence[str] | None) -> list[str]:
    """The metrics worth a glance per point: those asked for, or else the mean wait at
    the providers the sweep changes (and the first one's utilisation) and the total paid."""
    if metrics:
        return list(metrics[:2])
    providers: list[str] = []
    for item in inputs:
        section, _, rest = item.path.partition("[")
        name = rest.partition("]")[0]
        if section == "pathways":
            name = name.partition("->")[2]
        if section in ("providers", "pathways") and name and name not in providers:
            providers.append(name)
    shown = [f"{provider}.mean_wait_days" for provider in providers[:2]]
    if providers:
        shown.insert(1, f"{providers[0]}.utilisation")
    return [*shown, f"{SYSTEM}.paid_gbp"]


def sweep(
    scenario: Scenario,
    vary: Mapping[str, Sequence[Value] | str],
    design: Design = "grid",
    metrics: Sequence[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    origin: str = "sweep",
) -> pd.DataFrame:
    """Run every point of a sweep and summarise it in one tidy table.

    `vary` maps paths to values (a sequence, or text as `parse_values` reads it). The table
    has one row per point, provider and metric: `point`, one column per varied input
    (named by its path), then provider, metric, mean, ci_low, ci_high, p10, p90,
    replications. `metrics` (names like `ward.mean_wait_days`) keeps only those.
    Raises SweepError for a bad set-up, ScenarioError for points the scenario cannot
    take, ScaleOutError when the Dask cluster cannot be used.
    """
    if design not in DESIGNS:
        raise SweepError(f"design {design!r}: choose one of {', '.join(DESIGNS)}")
    if metrics:
        check_metrics(scenario, metrics)
    inputs = expand_inputs(scenario, vary)
    points = build_points(scenario, inputs, design, origin)
    replications = scenario.run.replications if replications is None else replications
    seed = scenario.run.seed if seed is None else seed
    records = replicate_many(
        [variant for _, variant in points], replications, seed, workers, scheduler, progress
    )
    wanted = set(metrics) if metrics else None
    frames = []
    for number, ((values, variant), variant_records) in enumerate(
        zip(points, records, strict=True)
    ):
        long = replication_metrics(variant_records, variant)
        if wanted is not None:
            long = long[(long["provider"] + "." + long["metric"]).isin(wanted)]
        summary = summarise(long)
        for position, (path, value) in enumerate(values.items()):
            summary.insert(position, path, [value] * len(summary))
        summary.insert(0, "point", number)
        frames.append(summary)
    columns = ["point", *(item.path for item in inputs), *SUMMARY_COLUMNS]
    return pd.concat(frames, ignore_index=True)[columns]
