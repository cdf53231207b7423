"""Comparing a baseline with variants on paired replications (common random numbers).

Every scenario runs replications 0..n-1 on the same seed tree, and each named random
stream draws the same numbers in every scenario. Replication r of the variant therefore
meets the same patients as replication r of the baseline wherever the variant changes
nothing, and the difference r by r carries only the effect of the change, not the noise
of two independent years. Upstream of a change the difference is exactly zero.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.compare.attribution import cost_waterfall, flow_differences
from sim.compare.inputs import changes_table, input_changes
from sim.compare.roi import ComparisonError
from sim.compare.words import summary_sentences
from sim.engine.record import RunRecord
from sim.intervals import mean_and_interval
from sim.results.metrics import replication_metrics, wide
from sim.results.replicate import Progress, replicate_many
from sim.results.run import deadlock_summary, describe_deadlock, versions
from sim.scenario.loader import scenario_hash
from sim.scenario.model import Scenario

EXTENSIVE = frozenset(
    {
        "arrivals",
        "completions",
        "mean_in_system",
        "cost_gbp",
        "paid_gbp",
        "overflows",
        "mean_queue",
        "mean_occupied",
        "delay_days",
        "delayed_transfer_days",
    }
)
"""Provider metrics that are zero where a provider does not exist (so a new or closed
provider's activity and money count in the difference); waits and ratios are undefined."""

COMPARISON_FILES = (
    "inputs.csv",
    "differences.csv",
    "flow_differences.csv",
    "cost_waterfall.csv",
    "summary.md",
    "comparison.json",
)


@dataclass(frozen=True)
class Comparison:
    base: Scenario
    variants: tuple[Scenario, ...]
    labels: tuple[str, ...]
    """A short name for each variant (its file name), used in the `scenario` columns."""
    replications: int
    seed: int
    inputs: pd.DataFrame = field(repr=False)
    differences: pd.DataFrame = field(repr=False)
    flows: pd.DataFrame = field(repr=False)
    waterfall: pd.DataFrame = field(repr=False)
    summary: dict[str, list[str]] = field(repr=False)
    """Plain-English sentences per variant label."""
    records: tuple[list[RunRecord], ...] = field(repr=False, default=())
    """The base's records, then each variant's."""

    def summary_markdown(self) -> str:
        lines = [f"# {self.base.name}: what the variants change", ""]
        lines += [
            f"Paired replications: {self.replications} (seed {self.seed}). Only differences "
            "whose 95% confidence interval excludes zero are stated.",
            "",
        ]
        for label, variant in zip(self.labels, self.variants, strict=True):
            lines += [f"## {label}: {variant.name}", ""]
            changed = self.inputs[self.inputs["scenario"] == label]["description"].tolist()
            if changed:
                lines += ["What changed in the inputs:", ""]
                lines += [f"- {text}" for text in changed] + [""]
            lines += ["What happened:", ""]
            lines += [f"- {sentence}" for sentence in self.summary[label]] + [""]
        return "\n".join(lines)

    def files(self) -> dict[str, str]:
        """Every output file's name and text: what `write` saves and the app downloads."""
        tables = {
            "inputs.csv": self.inputs,
            "differences.csv": self.differences,
            "flow_differences.csv": self.flows,
            "cost_waterfall.csv": self.waterfall,
        }
        texts = {name: table.to_csv(index=False) for name, table in tables.items()}
        texts["summary.md"] = self.summary_markdown()
        meta = {
            "base": {"name": self.base.name, "scenario_hash": scenario_hash(self.base)},
            "variants": [
                {"label": label, "name": v.name, "scenario_hash": scenario_hash(v)}
                for label, v in zip(self.labels, self.variants, strict=True)
            ],
            "replications": self.replications,
            "seed": self.seed,
            "summary": self.summary,
            "versions": versions(),
        }
        texts["comparison.json"] = json.dumps(meta, indent=2) + "\n"
        return texts

    def write(self, directory: str | Path) -> list[Path]:
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in self.files().items():
            (out / name).write_text(text)
            written.append(out / name)
        return written


def _check_comparable(base: Scenario, variants: Sequence[Scenario]) -> None:
    if not variants:
        raise ComparisonError("give at least one variant to compare with the baseline")
    for variant in variants:
        if (base.run.start_date, base.run.days) != (variant.run.start_date, variant.run.days):
            raise ComparisonError(
                f"{variant.name!r} covers a different period from the baseline: give both the "
                "same run.start_date and run.days"
            )


def paired_differences(
    base: pd.DataFrame, variant: pd.DataFrame, label: str = "variant"
) -> pd.DataFrame:
    """Per provider and metric: both means, and the mean paired difference with its 95% CI.

    `base` and `variant` are `replication_metrics` tables of the same replications."""
    b, v = wide(base), wide(variant)
    if not b.index.equals(v.index):
        raise ComparisonError("baseline and variant were not run on the same replications")
    keys = list(b.columns) + [k for k in v.columns if k not in b.columns]
    rows = []
    for key in keys:
        provider, metric = key.rsplit(".", 1)
        fill = 0.0 if metric in EXTENSIVE else np.nan
        before = b[key].to_numpy(float) if key in b else np.full(len(b), fill)
        after = v[key].to_numpy(float) if key in v else np.full(len(v), fill)
        paired = after - before
        paired = paired[np.isfinite(paired)]
        if paired.size:
            mean, low, high = (float(x) for x in mean_and_interval(paired))
        else:
            mean = low = high = np.nan
        with np.errstate(invalid="ignore"):
            base_mean = float(np.nanmean(before)) if np.isfinite(before).any() else np.nan
            variant_mean = float(np.nanmean(after)) if np.isfinite(after).any() else np.nan
        rows.append(
            {
                "provider": provider,
                "metric": metric,
                "base": base_mean,
                "variant": variant_mean,
                "difference": mean,
                "ci_low": low,
                "ci_high": high,
                "significant": bool(low > 0 or high < 0),
                "scenario": label,
                "replications": int(paired.size),
            }
        )
    return pd.DataFrame(rows)


def compare_scenarios(
    base: Scenario,
    variants: Sequence[Scenario],
    labels: Sequence[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> Comparison:
    """Run the baseline and every variant on paired replications and say what moved where.

    `executor`, a pool the caller keeps, runs the replications instead of `workers`."""
    _check_comparable(base, variants)
    labels = tuple(labels) if labels else tuple(f"variant_{i + 1}" for i in range(len(variants)))
    if len(labels) != len(variants) or len(set(labels)) != len(labels):
        raise ComparisonError("give each variant its own label")
    replications = base.run.replications if replications is None else replications
    seed = base.run.seed if seed is None else seed
    records = replicate_many(
        [base, *variants],
        replications,
        seed,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        executor=executor,
    )
    base_metrics = replication_metrics(records[0], base)
    differences, flows, waterfalls, inputs = [], [], [], []
    summary: dict[str, list[str]] = {}
    for label, variant, variant_records in zip(labels, variants, records[1:], strict=True):
        changes = changes_table(input_changes(base, variant))
        changes.insert(0, "scenario", label)
        inputs.append(changes)
        diff = paired_differences(
            base_metrics, replication_metrics(variant_records, variant), label
        )
        moved = flow_differences(records[0], variant_records, label)
        waterfall = cost_waterfall(diff, label)
        differences.append(diff)
        flows.append(moved)
        waterfalls.append(waterfall)
        summary[label] = summary_sentences(diff, moved, base, variant, replications=replications)
        for who, run in (("the variant", variant_records), ("the baseline", records[0])):
            deadlock = deadlock_summary(run)
            if deadlock is not None:
                warning = f"In {who}: {describe_deadlock(deadlock, replications)}"
                summary[label].insert(0, warning)
    return Comparison(
        base=base,
        variants=tuple(variants),
        labels=labels,
        replications=replications,
        seed=seed,
        inputs=pd.concat(inputs, ignore_index=True),
        differences=pd.concat(differences, ignore_index=True),
        flows=pd.concat(flows, ignore_index=True),
        waterfall=pd.concat(waterfalls, ignore_index=True),
        summary=summary,
        records=tuple(records),
    )


def labels_for(paths: Sequence[Path]) -> list[str]:
    """Short, distinct labels for variant files: their stems, numbered if two collide."""
    stems = [path.stem for path in paths]
    return [stem if stems.count(stem) == 1 else f"{stem}_{i + 1}" for i, stem in enumerate(stems)]
