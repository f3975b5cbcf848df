"""Confidence intervals over replications, for tests that compare simulation with theory.

The level is 99 %: a correct simulator fails a given check with probability about 1 %,
and the seeds being fixed, the outcome is reproducible.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

LEVEL = 0.99


def t_interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """Mean and Student-t half-width of the mean of independent replications."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    assert n >= 2 and np.isfinite(values).all()
    half = stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / math.sqrt(n)
    return float(values.mean()), float(half)


def assert_exact_in_ci(
    label: str,
    values: np.ndarray,
    exact: float,
    *,
    max_rel_half: float,
    scale: float | None = None,
    allowance: float = 0.0,
    level: float = LEVEL,
) -> None:
    """The exact value lies in the t confidence interval, and the interval is narrow.

    ``max_rel_half`` bounds the half-width relative to ``scale`` (default ``exact``): the
    test's power. ``allowance`` (absolute) widens the interval for a documented bias only.
    """
    scale = abs(exact) if scale is None else scale
    assert scale > 0
    mean, half = t_interval(values, level)
    print(
        f"{label}: exact {exact:.6g}; simulated {mean:.6g}, {level:.0%} CI "
        f"[{mean - half:.6g}, {mean + half:.6g}] (half-width {half / scale:.2%} of {scale:.4g}, "
        f"n={len(values)})"
    )
    assert half <= max_rel_half * scale, (
        f"{label}: CI half-width {half:.4g} is more than {max_rel_half:.0%} of {scale:.4g}; "
        "the check would be too vague"
    )
    assert abs(mean - exact) <= half + allowance, (
        f"{label}: exact {exact:.6g} outside the CI [{mean - half:.6g}, {mean + half:.6g}]"
    )
