"""The classic shift-covering problem: the cheapest integer staff per shift that covers requirements.

``min sum_s cost_s x_s  s.t.  sum_s coverage[s][p] x_s >= requirements[p]  for every period p``,
``x_s`` a non-negative integer: Dantzig's (1954) set-covering formulation of shift scheduling.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pulp

from simsvc.errors import InfeasibleError
from simsvc.staffing.solver import SolverName, solve

__all__ = ["cover_shifts"]


def _matrix(requirements: Sequence[float], coverage: Sequence[Sequence[float]], costs: Sequence[float]):
    need = np.asarray(requirements, dtype=float)
    cover = np.asarray(coverage, dtype=float)
    cost = np.asarray(costs, dtype=float)
    if need.ndim != 1:
        raise ValueError(f"requirements must be one number per period (got shape {need.shape})")
    if cover.ndim != 2 or cover.shape[1] != len(need):
        raise ValueError(f"coverage must be one row of {len(need)} periods per shift (got shape {cover.shape})")
    if cost.shape != (cover.shape[0],):
        raise ValueError(f"costs must be one number per shift ({cover.shape[0]}), got {cost.shape}")
    for name, arr in (("requirements", need), ("coverage", cover), ("costs", cost)):
        if not np.isfinite(arr).all() or (arr < 0).any():
            raise ValueError(f"{name} must be finite and non-negative")
    return need, cover, cost


def cover_shifts(
    requirements: Sequence[float],
    coverage: Sequence[Sequence[float]],
    costs: Sequence[float],
    *,
    solver: SolverName = "highs",
    time_limit: float = 60.0,
) -> list[int]:
    """The cheapest integer number of staff per shift meeting every period's requirement.

    Args:
        requirements: staff needed in each period ``p``.
        coverage: ``coverage[s][p]`` is 1 when shift ``s`` works in period ``p`` (a fraction
            for a shift that works part of the period), else 0.
        costs: cost of one person working shift ``s``.
        solver: ``"highs"`` or ``"cbc"``.
        time_limit: seconds before the solver stops with its best solution.

    Returns:
        Staff per shift, in the order of ``coverage``.

    Raises:
        simsvc.InfeasibleError: if a period with a positive requirement is covered by no shift.
        ValueError: if the inputs have inconsistent shapes or negative values.
    """
    need, cover, cost = _matrix(requirements, coverage, costs)
    uncovered = [p for p in range(len(need)) if need[p] > 0 and not cover[:, p].any()]
    if uncovered:
        raise InfeasibleError(
            f"no shift covers period(s) {uncovered}, which need staff", target="requirements", periods=uncovered
        )
    problem = pulp.LpProblem("shift_covering", pulp.LpMinimize)
    x = [problem.add_variable(f"staff_{s}", lowBound=0, cat="Integer") for s in range(len(cost))]
    problem += pulp.lpSum(float(c) * v for c, v in zip(cost, x, strict=True)), "total_cost"
    for p in np.flatnonzero(need > 0):
        shifts = np.flatnonzero(cover[:, p])
        problem += pulp.lpSum(float(cover[s, p]) * x[s] for s in shifts) >= float(need[p]), f"cover_period_{p}"
    solve(problem, solver=solver, time_limit=time_limit)
    return [round(v.value() or 0.0) for v in x]
