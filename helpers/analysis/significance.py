"""Is a difference between two groups of seeds real? Welch's t-test, and Holm's correction over many claims."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

__all__ = ["ALPHA"]

ALPHA = 0.05  # the family-wise error rate over all the claims of one report


def welch_test(first: Sequence[float], second: Sequence[float]) -> dict:
    """Difference of means (second - first), Welch's t, its Welch-Satterthwaite df and the two-sided p-value."""
    first, second = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    difference = float(second.mean() - first.mean()) if len(first) and len(second) else math.nan
    if len(first) < 2 or len(second) < 2:
        return {"difference": difference, "t": math.nan, "df": math.nan, "p": math.nan}
    result = stats.ttest_ind(second, first, equal_var=False)
    return {"difference": difference, "t": float(result.statistic), "df": float(result.df), "p": float(result.pvalue)}


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the given order; a NaN (no test) stays NaN and is not counted."""
    tested = sorted((p, index) for index, p in enumerate(p_values) if not math.isnan(p))
    adjusted = [math.nan] * len(p_values)
    running = 0.0
    for rank, (p, index) in enumerate(tested):
        running = max(running, min(1.0, (len(tested) - rank) * p))  # adjusted p-values never decrease
        adjusted[index] = running
    return adjusted


def verdict(adjusted_p: float, seeds: Sequence[int]) -> str:
    """'beyond seed noise' only when the Holm-adjusted p is below ALPHA; else how many seeds per group cannot decide."""
    if math.isnan(adjusted_p):
        return "too few seeds to tell"
    if adjusted_p < ALPHA:
        return "beyond seed noise"
    counts = sorted(set(seeds))
    return f"{' and '.join(map(str, counts))} seeds cannot decide"
