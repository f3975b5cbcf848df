"""The shift-covering solver against known optima and exhaustive search."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from simsvc import InfeasibleError
from simsvc.errors import SolverError
from simsvc.staffing import cover_shifts, solver
from simsvc.staffing.covering import solve_cover

# Winston, Operations Research (4th ed.), §9.2 "Post office problem" (after Dantzig): full-time
# employees work five consecutive days; requirements Monday..Sunday; the integer optimum
# employs 23 people (the LP relaxation 22⅓).
POST_OFFICE = [17, 13, 15, 19, 14, 16, 11]


def _five_days_from(start: int) -> list[int]:
    return [1 if (day - start) % 7 < 5 else 0 for day in range(7)]


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_textbook_post_office_optimum(solver):
    coverage = [_five_days_from(s) for s in range(7)]
    staff = cover_shifts(POST_OFFICE, coverage, [1.0] * 7, solver=solver)
    assert sum(staff) == 23
    on_duty = np.array(staff) @ np.array(coverage)
    assert (on_duty >= POST_OFFICE).all()


def _brute_force(need, cover, cost, top):
    best = None
    for x in itertools.product(range(top + 1), repeat=len(cost)):
        if (np.array(x) @ cover >= need).all():
            value = float(np.dot(x, cost))
            best = value if best is None else min(best, value)
    return best


def test_no_cheaper_plan_exists_on_small_instances():
    rng = np.random.default_rng(7)
    for _ in range(25):
        periods, shifts = rng.integers(3, 6), rng.integers(2, 5)
        cover = (rng.random((shifts, periods)) < 0.5).astype(float)
        cover[rng.integers(shifts, size=periods), np.arange(periods)] = 1.0  # every period coverable
        need = rng.integers(0, 4, size=periods)
        cost = rng.integers(1, 10, size=shifts).astype(float)
        staff = cover_shifts(need.tolist(), cover.tolist(), cost.tolist())
        assert (np.array(staff) @ cover >= need).all()
        assert float(np.dot(staff, cost)) == pytest.approx(_brute_force(need, cover, cost, int(need.max())))


def test_uncovered_periods_are_named():
    with pytest.raises(InfeasibleError, match=r"period\(s\) \[1, 3\]") as info:
        cover_shifts([1, 2, 0, 1], [[1, 0, 1, 0]], [5.0])
    assert info.value.periods == [1, 3]


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="coverage must be one row of 2 periods"):
        cover_shifts([1, 1], [[1, 1, 1]], [1.0])
    with pytest.raises(ValueError, match="costs must be one number per shift"):
        cover_shifts([1, 1], [[1, 1]], [1.0, 2.0])
    with pytest.raises(ValueError, match="non-negative"):
        cover_shifts([-1, 1], [[1, 1]], [1.0])


def test_no_shifts_and_no_requirement_is_an_empty_plan():
    assert cover_shifts([0, 0, 0], [], []) == []


def test_no_shifts_for_a_requirement_names_the_periods():
    with pytest.raises(InfeasibleError, match=r"period\(s\) \[0, 2\] need staff, but there are no shifts") as info:
        cover_shifts([1, 0, 2], [], [])
    assert info.value.periods == [0, 2]


def _hard_instance():
    """400 shifts over 150 periods, random: HiGHS needs about a second to prove a 1e-4 gap."""
    rng = np.random.default_rng(1)
    cover = (rng.random((400, 150)) < 0.1).astype(float)
    return rng.integers(1, 30, size=150).tolist(), cover.tolist(), rng.uniform(1, 2, size=400).tolist()


def test_time_limit_raises_with_status_gap_and_the_best_solution():
    need, cover, cost = _hard_instance()
    with pytest.raises(SolverError) as err:
        cover_shifts(need, cover, cost, time_limit=0.1)
    if err.value.solution:  # stopped with an integer solution: feasible, and its gap said
        assert err.value.status == "Stopped at the time limit" and err.value.gap > 1e-4
        assert (np.array(err.value.solution) @ np.array(cover) >= np.array(need)).all()
    else:  # a loaded machine: stopped before the first solution
        assert err.value.status == "Not Solved" and err.value.gap is None


def test_solve_cover_returns_the_unproven_solution_with_its_gap():
    need, cover, cost = _hard_instance()
    staff, info = solve_cover(need, cover, cost, time_limit=0.5)
    assert not info.optimal and info.status == "Stopped at the time limit"
    assert info.gap == pytest.approx((info.objective - info.bound) / info.objective, rel=1e-3)
    assert (np.array(staff) @ np.array(cover) >= np.array(need)).all()
    assert float(np.dot(staff, cost)) == pytest.approx(info.objective)


def test_unknown_solver_is_named():
    with pytest.raises(ValueError, match=r"solver\(='gurobi'\) must be one of \['cbc', 'highs'\]"):
        cover_shifts([1], [[1]], [1.0], solver="gurobi")


def test_unavailable_solver_names_it_and_the_available_ones(monkeypatch):
    monkeypatch.setitem(solver._PACKAGES, "cbc", ("no_such_cbc_package", "pulp[cbc]"))
    expected = r"solver 'cbc' is not available.*no_such_cbc_package.*available here: \['highs'\]"
    with pytest.raises(ValueError, match=expected):
        cover_shifts([1], [[1]], [1.0], solver="cbc")
