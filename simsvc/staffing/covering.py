"""The classic shift-covering problem: the cheapest integer staff per shift that covers requirements.

``min sum_s cost_s x_s  s.t.  sum_s coverage[s][p] x_s >= requirements[p]  for every period p``,
``x_s`` a non-negative integer: Dantzig's (1954) set-covering formulation of shift scheduling.

:func:`cover_shifts` returns staff per shift only when the solver proved them optimal (within
``gap``); a solve stopped at the time limit raises :class:`~simsvc.errors.SolverError` with the
status, the gap and the best solution found, so a non-optimal answer is never mistaken for the
optimum. :func:`solve_cover` returns the solution with its :class:`SolveInfo` whatever the status.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pulp

from simsvc.errors import InfeasibleError, SolverError
from simsvc.staffing.solver import SolveInfo, SolverName, check_solver, solve

__all__ = ["cover_shifts", "solve_cover"]


def _matrix(requirements: Sequence[float], coverage: Sequence[Sequence[float]], costs: Sequence[float]):
    need = np.asarray(requirements, dtype=float)
    cover = np.asarray(coverage, dtype=float)
    if cover.size == 0 and need.ndim == 1:  # no shift at all: zero rows of the right width
        cover = cover.reshape(0, len(need))
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


def solve_cover(
    requirements: Sequence[float],
    coverage: Sequence[Sequence[float]],
    costs: Sequence[float],
    *,
    solver: SolverName = "highs",
    time_limit: float = 60.0,
    gap: float = 1e-4,
) -> tuple[list[int], SolveInfo]:
    """Like :func:`cover_shifts`, but returns the best solution found with how the solve went.

    ``info.optimal`` is False when the solver stopped at ``time_limit`` before proving the
    solution within ``gap`` of the optimum; ``info.status`` and ``info.gap`` say how far it got.
    """
    check_solver(solver)
    need, cover, cost = _matrix(requirements, coverage, costs)
    uncovered = [p for p in range(len(need)) if need[p] > 0 and not cover[:, p].any()]
    if uncovered:
        what = "there are no shifts" if len(cost) == 0 else "no shift covers them"
        raise InfeasibleError(
            f"period(s) {uncovered} need staff, but {what}", target="requirements", periods=uncovered
        )
    if not (need > 0).any():
        return [0] * len(cost), SolveInfo(solver, "Optimal", 0.0, 0.0, 0.0, True, 0.0)
    problem = pulp.LpProblem("shift_covering", pulp.LpMinimize)
    x = [problem.add_variable(f"staff_{s}", lowBound=0, cat="Integer") for s in range(len(cost))]
    problem += pulp.lpSum(float(c) * v for c, v in zip(cost, x, strict=True)), "total_cost"
    for p in np.flatnonzero(need > 0):
        shifts = np.flatnonzero(cover[:, p])
        problem += pulp.lpSum(float(cover[s, p]) * x[s] for s in shifts) >= float(need[p]), f"cover_period_{p}"
    try:
        info = solve(problem, solver=solver, time_limit=time_limit, gap=gap)
    except InfeasibleError:
        # Every period with a requirement has a shift, and staff are unbounded: the model is
        # feasible, so no solution means the solver stopped (time limit) before finding one.
        status = pulp.LpStatus[problem.status]
        raise SolverError(
            f"{solver} stopped (time_limit={time_limit:g} s) with status {status!r} before finding any "
            "solution; raise time_limit",
            status=status,
            gap=None,
        ) from None
    return [round(v.value() or 0.0) for v in x], info


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
            for a shift that works part of the period), else 0. May be empty (no shifts).
        costs: cost of one person working shift ``s``.
        solver: ``"highs"`` or ``"cbc"``.
        time_limit: seconds before the solver stops with its best solution.

    Returns:
        Staff per shift, in the order of ``coverage``, proven optimal (relative gap 1e-4);
        all zeros (``[]`` with no shifts) when no period needs staff.

    Raises:
        simsvc.InfeasibleError: if a period with a positive requirement is covered by no shift
            (also when there are no shifts at all).
        simsvc.errors.SolverError: if the solver stopped at ``time_limit`` before proving its
            solution optimal; it carries ``status``, ``gap`` and the best ``solution`` found.
        ValueError: if the inputs have inconsistent shapes or negative values, or the solver is
            unknown or not installed (the message names it and the solvers available).
    """
    staff, info = solve_cover(requirements, coverage, costs, solver=solver, time_limit=time_limit)
    if not info.optimal:
        gap = "unknown" if info.gap is None else f"{100 * info.gap:.3g} %"
        raise SolverError(
            f"{info.solver} stopped after {info.seconds:.1f} s (time_limit={time_limit:g}) with status "
            f"{info.status!r} and gap {gap}: the best solution found (costing {info.objective:,.2f}) is not "
            "proven optimal; raise time_limit",
            status=info.status,
            gap=info.gap,
            solution=staff,
        )
    return staff
