"""Means over replications with 95% confidence intervals (Student's t).

Student's t quantile comes from `scipy.special.stdtrit`, the function `scipy.stats.t.ppf`
itself calls, so the values are the same to the bit; importing `scipy.stats` would add
most of a second to the start of every command that makes a table.
"""

from __future__ import annotations

import numpy as np
from scipy import special

LEVEL = 0.95


def mean_and_interval(
    values: np.ndarray, axis: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over `axis` and its 95% interval; NaN-aware, NaN intervals with one replication."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.sum(~np.isnan(values), axis=axis)
        mean = np.nanmean(values, axis=axis) if values.size else values.sum(axis=axis)
        sd = (
            np.nanstd(values, axis=axis, ddof=1)
            if values.shape[axis] > 1
            else np.full_like(mean, np.nan)
        )
        t = special.stdtrit(np.maximum(n - 1, 1), 0.5 + LEVEL / 2)
        half = np.where(n > 1, t * sd / np.sqrt(np.maximum(n, 1)), np.nan)
        half = np.where(n > 1, np.nan_to_num(half, nan=0.0), np.nan)
    return mean, mean - half, mean + half
