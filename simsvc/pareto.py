"""Pareto frontier of design points: the non-dominated trade-offs, such as cost against satisfaction.

Shared by the experiment analysis (which tabulates the frontier) and the figures (which draw it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["pareto_mask", "pareto_front"]


def pareto_mask(frame: pd.DataFrame, minimize: Sequence[str] = (), maximize: Sequence[str] = ()) -> np.ndarray:
    """Which rows no other row dominates.

    A row dominates another when it is at least as good on every objective and strictly
    better on one. Rows with a missing objective are never on the frontier; exact duplicates
    of a frontier point all stay on it.

    Args:
        frame: one row per design point.
        minimize: columns where smaller is better (cost, mean wait).
        maximize: columns where larger is better (satisfaction, service level).

    Returns:
        A boolean array, True for rows on the frontier.
    """
    columns = [*minimize, *maximize]
    if not columns:
        raise ValueError("pareto_mask needs at least one objective in minimize or maximize")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"pareto_mask: no column(s) {missing} in the frame (has {list(frame.columns)})")
    # Turn every objective into "smaller is better".
    values = np.column_stack(
        [frame[c].to_numpy(float) for c in minimize] + [-frame[c].to_numpy(float) for c in maximize]
    )
    valid = ~np.isnan(values).any(axis=1)
    mask = np.zeros(len(frame), dtype=bool)
    points = values[valid]
    keep = np.ones(len(points), dtype=bool)
    for i, point in enumerate(points):
        no_worse = (points <= point).all(axis=1)
        better = (points < point).any(axis=1)
        if (no_worse & better).any():
            keep[i] = False
    mask[np.flatnonzero(valid)[keep]] = True
    return mask


def pareto_front(frame: pd.DataFrame, minimize: Sequence[str] = (), maximize: Sequence[str] = ()) -> pd.DataFrame:
    """The rows of `frame` on the Pareto frontier, sorted by the first objective."""
    front = frame[pareto_mask(frame, minimize, maximize)]
    return front.sort_values([*minimize, *maximize][0], kind="stable")
