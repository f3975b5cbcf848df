"""The app's session cache and staffing curve: what is simulated again, and what is not."""

from __future__ import annotations

import pytest

import simsvc
from simsvc.app import core, runs
from tests.helpers import SCENARIOS


@pytest.fixture(scope="module")
def teaching():
    return simsvc.load_scenario(SCENARIOS / "teaching.yaml")


def test_a_kept_setting_is_not_simulated_again(teaching):
    """A, then B moved: B alone is simulated; the replications count; another scenario key is another run."""
    cache = runs.RunCache()
    a = core.Setting(core.default_setting(teaching).values, replications=2)
    b = core.Setting({**a.values, "t0": 4}, replications=2)
    first_a, kept = cache.run("bundled:teaching", teaching, a)
    assert not kept and first_a.number == 1
    cache.run("bundled:teaching", teaching, b)
    b2 = core.Setting({**a.values, "t0": 2}, replications=2)
    again_a, kept = cache.run("bundled:teaching", teaching, core.Setting(dict(a.values), 2))  # equal values
    assert kept and again_a is first_a
    cache.run("bundled:teaching", teaching, b2)
    assert cache.simulations == 3  # A once, B twice
    assert not cache.run("bundled:teaching", teaching, core.Setting(dict(a.values), 3))[1]
    assert not cache.run("upload:abc", teaching, a)[1]
    assert cache.simulations == 5


def test_the_cache_forgets_the_least_recently_used(teaching):
    cache = runs.RunCache(size=2)
    settings = [core.Setting({**core.default_setting(teaching).values, "t0": n}, 2) for n in (2, 3, 4)]
    for s in settings:
        cache.run("k", teaching, s)
    assert cache.run("k", teaching, settings[2])[1] and not cache.run("k", teaching, settings[0])[1]


def test_the_lever_is_the_staff_slider_that_moved():
    bank = simsvc.load_scenario(SCENARIOS / "bank_branch.yaml")
    a = core.default_setting(bank)
    assert runs.lever(bank, [a]).key == "t0s0"  # nothing moved: the first staff slider
    b = core.Setting({**a.values, "t1s0": 3, "promise": 0.5})
    assert runs.lever(bank, [a, b]).key == "t1s0"  # the promise is no staff
    (control,) = [c for c in core.controls(bank) if c.key == "t1s0"]
    assert runs.curve_levels(control, [1, 3]) == [1, 2, 3]  # at least one person, B's level included
    (morning,) = [c for c in core.controls(bank) if c.key == "t0s0"]
    assert runs.curve_levels(morning, [5, 9]) == [3, 4, 5, 6, 7, 9]


def test_staff_curve_waits_less_with_more_staff(teaching):
    (clerks,) = [c for c in core.controls(teaching) if c.kind == "team_staff"]
    base = core.default_setting(teaching)
    curve = runs.staff_curve(teaching, base, clerks, [2, 3, 4], replications=2)
    table = curve.table
    assert table["staff"].tolist() == [2, 3, 4]
    waits = table["mean_wait"].tolist()
    assert waits[0] > waits[1] > waits[2]  # the same customers (common random numbers), more clerks
    assert (table["cost"] == 0).all()  # teaching has no wages


def test_settings_simulated_side_by_side_equal_those_simulated_one_by_one(teaching):
    """run_many: A in the worker process, B here; the same KPIs as one by one; numbered in order; kept after."""
    a = core.Setting(core.default_setting(teaching).values, replications=3)
    b = core.Setting({**a.values, "t0": 2}, replications=3)
    one_by_one = runs.RunCache()
    expected = {name: one_by_one.run("k", teaching, s)[0] for name, s in (("A", a), ("B", b))}
    cache = runs.RunCache()
    made = cache.run_many("k", teaching, {"A": a, "B": b})
    assert cache.simulations == 2 and [made[n][0].number for n in "AB"] == [1, 2]
    for name in "AB":
        run, kept = made[name]
        assert not kept
        assert run.summary.equals(expected[name].summary)
        assert run.result.customers.equals(expected[name].result.customers)
    again = cache.run_many("k", teaching, {"A": a, "B": b})
    assert all(kept for _, kept in again.values()) and cache.simulations == 2
    same = runs.RunCache().run_many("k", teaching, {"A": a, "B": core.Setting(dict(a.values), 3)})
    assert same["A"][0] is same["B"][0] and (same["A"][1], same["B"][1]) == (False, True)  # equal settings: one run
    small = runs.RunCache(size=1)
    small.run("k", teaching, a)
    made = small.run_many("k", teaching, {"A": a, "B": b})  # B pushes the kept A out: A is still returned
    assert made["A"][1] and not made["B"][1] and made["A"][0].summary.equals(expected["A"].summary)


def test_an_invalid_setting_comes_back_as_its_error_and_the_other_runs(teaching):
    a = core.Setting(core.default_setting(teaching).values, replications=2)
    bad = core.Setting({**a.values, "promise": 7.0}, replications=2)  # a promise level above 1
    cache = runs.RunCache()
    made = cache.run_many("k", teaching, {"A": bad, "B": a})
    assert isinstance(made["A"][0], simsvc.ScenarioError) and "quality.promise_level" in str(made["A"][0])
    assert isinstance(made["B"][0], core.AppRun) and cache.simulations == 1
