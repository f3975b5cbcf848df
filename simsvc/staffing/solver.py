"""Solving a PuLP model with a named MILP solver, and refusing answers that are not solutions.

HiGHS (through ``highspy``, the version PuLP's ``highs`` extra pins) is the default: an
actively developed open-source MILP solver that installs from a wheel on every platform; on
day-scope staffing models it reaches a 1 % gap in seconds where CBC found no integer solution
in minutes (``benchmarks/optimizer.py``). CBC stays available by name (``solver: cbc``)
as a cross-check, from PuLP's ``cbc`` extra (``cbcbox``) through ``COIN_CMD``: PuLP 3.3
deprecates its bundled ``PULP_CBC_CMD``.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
import time
from dataclasses import dataclass
from typing import Literal

import pulp

from simsvc.errors import InfeasibleError, SolverError

__all__ = ["SolveInfo", "SolverName", "check_solver", "solve"]

SolverName = Literal["highs", "cbc"]

STOPPED = "Stopped at the time limit"
"""Status of a solve that has an integer solution but stopped before proving it optimal."""

_PACKAGES = {"highs": ("highspy", "pulp[highs]"), "cbc": ("cbcbox", "pulp[cbc]")}
"""Per solver name: the Python package it runs from and what to install for it."""


def check_solver(name: str) -> None:
    """Refuse a solver name that is unknown or whose package is not installed, naming the ones available.

    Raises:
        ValueError: naming the solver, what to install, and the solvers available here.
    """
    if name not in _PACKAGES:
        raise ValueError(f"solver(={name!r}) must be one of {sorted(_PACKAGES)}")
    module, extra = _PACKAGES[name]
    if importlib.util.find_spec(module) is None:
        ours = [n for n, (m, _) in _PACKAGES.items() if importlib.util.find_spec(m) is not None]
        raise ValueError(
            f"solver {name!r} is not available: its package {module!r} is not installed (pip install '{extra}'); "
            f"available here: {ours or 'none'} (PuLP lists {pulp.listSolvers(onlyAvailable=True)})"
        )


@dataclass(frozen=True)
class SolveInfo:
    """How a solve went: the solver, its status, objective, relative gap and wall time."""

    solver: str
    status: str
    objective: float
    gap: float | None  # relative MIP gap at the end (None when the solver does not say)
    seconds: float
    optimal: bool  # proven optimal within the requested gap (not stopped by the time limit)
    bound: float | None = None  # best lower bound on the objective (None when the solver does not say)


@functools.cache
def _silence_highs_banner() -> None:
    """Make the process's first HiGHS model with stdout pointed elsewhere.

    HiGHS prints a copyright banner on stdout from C++ the first time a model is made in a
    process, whatever its ``output_flag``; ``simsvc optimize --format json`` must print only JSON.
    """
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


HIGHS_HEURISTIC_EFFORT = 0.3
"""Share of HiGHS's MIP effort on primal heuristics (default 0.05). Our covering models have
tight bounds but many near-equal shifts; finding a solution within 1 % of the bound is the
hard part, and more heuristic effort finds it sooner (a week of half-hours: about 1.5x)."""


def _make(
    name: SolverName, time_limit: float, gap: float, threads: int | None, mip: bool, cutoff: float | None = None
) -> pulp.LpSolver:
    check_solver(name)
    if name == "highs":
        _silence_highs_banner()
        extra = {} if cutoff is None else {"objective_bound": cutoff}
        return pulp.HiGHS(
            mip=mip, msg=False, timeLimit=time_limit, gapRel=gap, threads=threads,
            mip_heuristic_effort=HIGHS_HEURISTIC_EFFORT, **extra,
        )  # fmt: skip
    import cbcbox

    return pulp.COIN_CMD(
        path=cbcbox.cbc_bin_path(), mip=mip, msg=False, timeLimit=time_limit, gapRel=gap, threads=threads
    )


def _highs_gap_and_bound(problem: pulp.LpProblem, objective: float) -> tuple[float | None, float | None]:
    model = getattr(problem, "solverModel", None)
    if model is None:
        return None, None
    info = model.getInfo()
    gap, bound = float(info.mip_gap), float(info.mip_dual_bound)
    if not problem.isMIP():
        return 0.0, objective
    return (gap if gap < 1e30 else None), (bound if abs(bound) < 1e30 else None)


def _stopped(problem: pulp.LpProblem, solver: SolverName) -> bool:
    """Whether the solver ended on a limit (time, iterations, interrupt) rather than an answer."""
    model = getattr(problem, "solverModel", None)
    if solver == "highs" and model is not None:
        import highspy

        limits = ("kTimeLimit", "kIterationLimit", "kInterrupt", "kSolutionLimit")
        return model.getModelStatus() in {
            getattr(highspy.HighsModelStatus, n) for n in limits if hasattr(highspy.HighsModelStatus, n)
        }
    return problem.status == pulp.LpStatusNotSolved  # CBC: "Not Solved" is a stop on a limit


def solve(
    problem: pulp.LpProblem,
    solver: SolverName = "highs",
    time_limit: float = 60.0,
    gap: float = 1e-4,
    threads: int | None = None,
    relax: bool = False,
    cutoff: float | None = None,
) -> SolveInfo:
    """Solve ``problem`` in place; raise :class:`~simsvc.InfeasibleError` when it has no solution.

    A solve stopped by the time limit before it found any solution (or, ``relax``, before it
    solved the relaxation) raises :class:`~simsvc.errors.SolverError` instead: nothing is
    known about the model then.

    A solve stopped by the time limit with an integer solution in hand is accepted and
    reported as not optimal, with its gap. ``relax`` solves the linear relaxation (a lower bound).
    ``cutoff`` (HiGHS only; a MIP): only solutions cheaper than it are of use, so branch and
    bound prunes every node whose bound reaches it, and a model with none is infeasible.
    """
    start = time.perf_counter()
    problem.solve(_make(solver, time_limit, gap, threads, mip=not relax, cutoff=cutoff))
    seconds = time.perf_counter() - start
    status = pulp.LpStatus[problem.status]
    has_solution = problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    if problem.status != pulp.LpStatusInfeasible and _stopped(problem, solver) and (relax or not has_solution):
        # Not "no plan within the bounds": the solver gave up before it knew. (HiGHS even
        # calls an unfinished relaxation "Optimal", with a meaningless objective.)
        what = "solving the relaxation of" if relax else "finding any solution of"
        raise SolverError(
            f"{solver} stopped at its time limit ({time_limit:g} s) before {what} the {problem.name} model",
            status=pulp.LpStatus[pulp.LpStatusNotSolved],
            gap=None,
        )
    if problem.status == pulp.LpStatusInfeasible or not has_solution:
        raise InfeasibleError(f"the {problem.name} model is {status.lower()} ({solver}, {seconds:.1f} s)")
    objective = float(pulp.value(problem.objective) or 0.0)
    if relax:
        return SolveInfo(solver, status, objective, 0.0, seconds, True, objective)
    found_gap, bound = _highs_gap_and_bound(problem, objective) if solver == "highs" else (None, None)
    optimal = problem.sol_status == pulp.LpSolutionOptimal
    if not optimal:  # PuLP says "Optimal" for any integer solution found; this one is not proven
        status = STOPPED
    return SolveInfo(solver, status, objective, found_gap, seconds, optimal, bound)
