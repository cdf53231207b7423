"""How many replications: the automated procedure of Hoad, Robinson & Davies (2010).

Replications are added one at a time. After each, every chosen metric's cumulative mean
and 95% half-width give a relative half-width d_n = t(n-1, 0.975) s_n / (sqrt(n) |mean_n|).
When every metric is within the precision, n is a tentative answer N_sol; it is accepted
only if the precision still holds for the next kLimit replications (the look-ahead, which
guards against a sequence that crosses the line by chance), else the search goes on.

Zero means: a metric whose replications are all equal (for example no delayed transfers
at all) has half-width 0 and counts as precise; a metric whose mean is 0 with spread has
no relative precision (d_n is infinite) and blocks acceptance. Metrics that may be
negative (budget variance) are refused: their mean can sit near zero, where a relative
precision means nothing; their interval is as wide as the payments' (`all.paid_gbp`).

Reference: Hoad K, Robinson S, Davies R (2010). Automated selection of the number of
replications for a discrete-event simulation. J Oper Res Soc 61:1632-1644.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import pandas as pd
from scipy import special

from sim.intervals import LEVEL
from sim.metric_names import SYSTEM, metric_names, unknown_metric_message
from sim.results.metrics import SIGNED_METRICS, replication_metrics, wide
from sim.results.replicate import Progress, run_replication
from sim.scenario.model import Scenario

INITIAL_REPLICATIONS = 3
"""Replications run before the precision is first judged (the paper's n = 3)."""

K_LIMIT = 5
"""Look-ahead replications that must confirm a tentative answer up to 100 replications."""

TRACE_COLUMNS = ("n", "metric", "mean", "half_width", "relative_half_width")


class PrecisionError(ValueError):
    """A metric the procedure cannot judge; the message says which and why."""


@dataclass(frozen=True)
class ReplicationsAdvice:
    """The answer: how many replications, whether the precision was reached, and the trace."""

    replications: int | None
    """Recommended replications N_sol; None when the precision was not reached."""
    reached: bool
    precision: float
    metrics: tuple[str, ...]
    ran: int
    """Replications looked at, including the look-ahead."""
    trace: pd.DataFrame = field(repr=False)
    """One row per replication count n and metric: n, metric, mean, half_width,
    relative_half_width (cumulative over replications 1..n)."""
    message: str

    def final(self) -> pd.DataFrame:
        """The trace's rows at the recommended N (or the last n if not reached)."""
        n = self.replications if self.replications is not None else self.ran
        return self.trace[self.trace["n"] == n].reset_index(drop=True)


def look_ahead(n: int, k_limit: int = K_LIMIT) -> int:
    """Confirming replications for a tentative N_sol = n: kLimit, then in proportion to n."""
    return k_limit if n <= 100 else math.floor(k_limit * n / 100)


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g}%"


def _half_width(values: np.ndarray) -> float:
    n = values.size
    if n < 2:
        return math.nan
    t = float(special.stdtrit(n - 1, 0.5 + LEVEL / 2))  # scipy.stats.t.ppf, lighter to import
    return t * float(np.std(values, ddof=1)) / math.sqrt(n)


def _relative(half_width: float, mean: float) -> float:
    if math.isnan(half_width):
        return math.nan
    if half_width == 0.0:
        return 0.0
    return half_width / abs(mean) if mean != 0.0 else math.inf


def select_replications(
    values: Iterable[Mapping[str, float]],
    precision: float = 0.05,
    max_replications: int = 200,
    initial_replications: int = INITIAL_REPLICATIONS,
    k_limit: int = K_LIMIT,
) -> ReplicationsAdvice:
    """Run the procedure over a stream of per-replication values (metric -> value).

    Pure: it pulls values only until it decides, so the stream can run replications
    lazily. Every mapping must hold the same metrics, with finite values.
    """
    if not 0.0 < precision < 1.0:
        raise PrecisionError(f"precision must be a fraction between 0 and 1, got {precision}")
    if max_replications < initial_replications:
        raise PrecisionError(
            f"max_replications must be at least {initial_replications}, got {max_replications}"
        )
    metrics: tuple[str, ...] = ()
    seen: dict[str, list[float]] = {}
    rows: list[tuple[int, str, float, float, float]] = []
    tentative: int | None = None
    accepted: int | None = None
    n = 0
    for n, row in enumerate(values, start=1):
        if n == 1:
            metrics = tuple(row)
            if not metrics:
                raise PrecisionError("no metrics to judge")
            seen = {metric: [] for metric in metrics}
        elif tuple(row) != metrics:
            raise PrecisionError(f"replication {n} has metrics {tuple(row)}, not {metrics}")
        met = n >= initial_replications
        for metric in metrics:
            value = float(row[metric])
            if not math.isfinite(value):
                raise PrecisionError(
                    f"{metric} has no value in replication {n - 1} ({value}); choose a metric "
                    "every replication measures"
                )
            seen[metric].append(value)
            sample = np.asarray(seen[metric])
            mean = float(sample.mean())
            half_width = _half_width(sample)
            relative = _relative(half_width, mean)
            rows.append((n, metric, mean, half_width, relative))
            met = met and relative <= precision
        if tentative is None:
            tentative = n if met else None
        elif not met:
            tentative = None  # the look-ahead failed: carry on from here
        if tentative is not None and n - tentative >= look_ahead(tentative, k_limit):
            accepted = tentative
            break
        if n >= max_replications:
            break
    trace = pd.DataFrame(rows, columns=list(TRACE_COLUMNS))
    return ReplicationsAdvice(
        replications=accepted,
        reached=accepted is not None,
        precision=precision,
        metrics=metrics,
        ran=n,
        trace=trace,
        message=_message(trace, accepted, tentative, n, precision, k_limit),
    )


def _message(
    trace: pd.DataFrame,
    accepted: int | None,
    tentative: int | None,
    ran: int,
    precision: float,
    k_limit: int,
) -> str:
    wanted = _percent(precision)
    if accepted is not None:
        return (
            f"{accepted} replications give a 95% interval within ±{wanted} of the mean for "
            f"every metric, confirmed by {look_ahead(accepted, k_limit)} more."
        )
    if ran == 0:
        return "No replications were run, so the precision was not reached."
    last = trace[trace["n"] == ran]
    position = int(np.argmax(last["relative_half_width"].to_numpy(dtype=float)))
    relative = float(last["relative_half_width"].iloc[position])
    shown = "undefined (mean 0)" if math.isinf(relative) else f"±{relative:.1%}"
    text = (
        f"Precision NOT reached: after {ran} replications the widest interval is "
        f"{last['metric'].iloc[position]} at {shown}, wanted ±{wanted}."
    )
    if tentative is not None:
        text += (
            f" It was reached at {tentative} but the look-ahead of "
            f"{look_ahead(tentative, k_limit)} replications could not confirm it."
        )
    return text + " Allow more replications or ask for a looser precision."


def default_metrics(scenario: Scenario) -> tuple[str, ...]:
    """What the commissioner pays, and congestion at every provider with limited capacity.

    Congestion is `mean_in_system` (patients occupying or waiting for a place), not the
    mean wait: at a lightly loaded provider waits are near zero in most replications, and
    a relative precision on a near-zero mean would need thousands of replications.
    """
    congestion = (f"{p.id}.mean_in_system" for p in scenario.providers if p.capacity is not None)
    return (f"{SYSTEM}.paid_gbp", *congestion)


def check_metrics(scenario: Scenario, metrics: Sequence[str]) -> tuple[str, ...]:
    """The metrics, checked before any replication runs."""
    known = metric_names(scenario)
    for name in metrics:
        if name not in known:
            raise PrecisionError(unknown_metric_message(name, known))
        if name.split(".", 1)[1] in SIGNED_METRICS:
            raise PrecisionError(
                f"{name} can be zero or negative, so a relative precision means nothing; its "
                f"interval is as wide as that of {SYSTEM}.paid_gbp, use that"
            )
    if not metrics:
        raise PrecisionError("no metrics to judge")
    return tuple(dict.fromkeys(metrics))


def _values(
    scenario: Scenario,
    metrics: tuple[str, ...],
    seed: int,
    batch: int,
    limit: int,
    pool: Executor | None,
    progress: Progress | None,
) -> Generator[dict[str, float]]:
    """Replications 0, 1, 2, ... in batches of `batch`, yielded one at a time in order."""
    first = 0
    while first < limit:
        numbers = range(first, min(first + batch, limit))
        if pool is None:
            records = [run_replication(scenario, number, seed) for number in numbers]
        else:
            records = list(pool.map(run_replication, repeat(scenario), numbers, repeat(seed)))
        # wide() sorts by replication number, so row i is replication numbers[i].
        table = wide(replication_metrics(records, scenario))[list(metrics)].to_numpy(dtype=float)
        for number, row in zip(numbers, table, strict=True):
            if progress:
                progress(number + 1, limit)
            yield {metric: float(value) for metric, value in zip(metrics, row, strict=True)}
        first = numbers.stop


def replications_needed(
    scenario: Scenario,
    metrics: Sequence[str] | None = None,
    precision: float = 0.05,
    max_replications: int = 200,
    seed: int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> ReplicationsAdvice:
    """Run replications until the chosen metrics' 95% intervals are within `precision`.

    Replications are numbered 0, 1, 2, ... with the scenario's seed tree, exactly as
    `knockon run --replications N` runs them. With several workers they run in batches
    of `workers`; any run beyond the decision is ignored, so the answer does not depend on
    the number of workers.
    """
    chosen = check_metrics(scenario, default_metrics(scenario) if metrics is None else metrics)
    seed = scenario.run.seed if seed is None else seed
    batch = max(workers, 1)
    with ExitStack() as stack:
        pool = stack.enter_context(ProcessPoolExecutor(max_workers=batch)) if batch > 1 else None
        stream = stack.enter_context(
            closing(_values(scenario, chosen, seed, batch, max_replications, pool, progress))
        )
        return select_replications(stream, precision, max_replications)
