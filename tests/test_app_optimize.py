"""The app's optimizer without a browser: the plan, kept per scenario; applied, it is what is simulated."""

from __future__ import annotations

import re

import pytest

import simsvc
from simsvc.app import core, optimizing, runs
from simsvc.plan_output import plan_shortfalls
from tests.helpers import ROOT, SCENARIOS

TINY = ROOT / "tests" / "data" / "optimizer" / "tiny_counter.yaml"


@pytest.fixture(scope="module")
def tiny():
    return simsvc.load_scenario(TINY)


@pytest.fixture(scope="module")
def optimized(tiny):
    """A session's plan cache after one optimization of the tiny counter, and that plan."""
    plans = optimizing.PlanCache(workers=1)
    rounds = []
    plan, kept = plans.optimize("bundled:tiny_counter", tiny, "scenario", rounds.append)
    assert not kept and plans.optimizations == 1
    assert [it.number for it in rounds] == [1]  # the progress the page shows, round by round
    return plans, plan


def test_the_plan_is_kept_per_scenario_and_verification(tiny, optimized):
    plans, plan = optimized
    again, kept = plans.optimize("bundled:tiny_counter", tiny, "scenario")
    assert kept and again is plan and plans.optimizations == 1  # pressed again: nothing optimized
    assert plans.kept("bundled:tiny_counter", "scenario") is plan
    assert plans.about("bundled:tiny_counter", "scenario")[0] == 1  # the first optimization of the session
    solved, kept = plans.optimize("bundled:tiny_counter", tiny, "none")  # another verification: another plan
    assert not kept and plans.optimizations == 2
    assert solved.simulated is None and solved.status == "unverified"
    assert plans.kept("upload:other", "scenario") is None


def test_the_plan_has_shifts_cost_and_its_verification(optimized):
    _, plan = optimized
    frame = plan.to_frame()
    assert set(frame["team"]) == {"clerks"} and frame["staff"].sum() > 0
    assert any(frame["break"] != "")  # a candidate with a break is part of the plan
    assert plan.simulated is not None and plan.iterations[-1].replications >= 5
    table = optimizing.verification_table(plan, "zh")
    assert list(table.columns) == ["预测值", "仿真值（95% 置信区间）", "状态"]
    assert len(table) == 2  # service level and abandonment
    assert all(re.search(r"\*\*:(green|red|orange)\[", v) for v in table["状态"])


def test_applying_the_plan_simulates_exactly_its_staffing(tiny, optimized):
    """B = the plan: its run's scenario has the plan's shifts and levels; its KPIs are the plan's scenario's own."""
    _, plan = optimized
    cache = runs.RunCache()
    run, kept = optimizing.run_plan(cache, "bundled:tiny_counter", "scenario", plan, 4)
    assert not kept and cache.simulations == 1
    (team,) = run.scenario.teams
    assert team.training_level == plan.levels["clerks"]
    worked = sorted((s.start, s.end, s.staff, tuple((b.start, b.end) for b in s.breaks)) for s in team.shifts)
    planned = sorted(
        (r.start, r.end, r.staff, ((r["break"][:5], r["break"][6:]),) if r["break"] else ())
        for _, r in plan.to_frame().iterrows()
    )
    assert worked == planned
    assert worked != [("09:00", "12:00", 6, ())]  # not the file's staffing
    direct = simsvc.simulate(plan.to_scenario(), 4, keep_records=False).summary()
    assert run.summary["mean"].to_dict() == pytest.approx(direct["mean"].to_dict(), nan_ok=True)  # the same run
    assert float(run.summary.loc["cost_wages", "mean"]) >= plan.cost["cost_wages"]  # paid as planned (and overtime)
    assert core.target_table(run, "en") is not None  # the page's targets, as for any run
    again, kept = optimizing.run_plan(cache, "bundled:tiny_counter", "scenario", plan, 4)
    assert kept and again is run and cache.simulations == 1  # kept, as any run
    slider_run, _ = cache.run("bundled:tiny_counter", tiny, core.Setting({}, 4))
    assert slider_run is not run  # the file's own staffing is another run


def test_the_verifications_warnings_and_shortfalls_show_in_both_languages(optimized):
    """``optimize()`` keeps the verification's warnings; the page says them and the missed targets in its language."""
    _, plan = optimized
    assert plan.status == "missed" and plan.missed
    assert any(w.startswith("overloaded:") for w in plan.warnings)  # a break at the 10:00 peak
    en, zh = optimizing.plan_warnings(plan, "en"), optimizing.plan_warnings(plan, "zh")
    shortfalls = plan_shortfalls(plan)
    assert en == shortfalls + plan.warnings  # the CLI's sentences, then the simulation's warnings as it gave them
    p = plan.missed[0]
    assert re.fullmatch(
        rf"{p.name} (overall|in \S+): target {re.escape(p.sense)} [\d.]+, simulated [\d.]+ \(95 % CI \[[\d.]+, "
        rf"[\d.]+\], {p.replications} replications\), short by [\d.]+",
        shortfalls[0],
    )  # the command line's wording, unchanged
    assert len(zh) == len(en)
    assert any("超负荷" in w for w in zh) and any("放弃率" in w and "目标" in w for w in zh)
    assert not any("overloaded" in w or "target" in w for w in zh)


def test_quick_verification_caps_the_replications_it_may_add():
    call = simsvc.load_scenario(SCENARIOS / "call_centre.yaml")
    quick = optimizing.verified_scenario(call, "quick")
    assert quick.optimizer.verify.max_replications == optimizing.QUICK_MAX_REPLICATIONS
    assert call.optimizer.verify.max_replications > optimizing.QUICK_MAX_REPLICATIONS
    assert optimizing.verified_scenario(call, "scenario") is call
    tiny = simsvc.load_scenario(TINY)
    assert optimizing.verified_scenario(tiny, "quick").optimizer.verify.max_replications == 40  # already fewer


def test_every_text_of_the_optimizer_section_exists_in_both_languages():
    from simsvc.app import optimize_text

    source = (ROOT / "simsvc" / "app" / "optimize_view.py").read_text(encoding="utf-8")
    used = set(re.findall(r"""say\(\s*["']([\w.]+)["']""", source))
    used |= set(re.findall(r'"((?:stage|round)_\w+)"', source))  # chosen, then said
    assert used and used <= set(optimize_text.TEXT)
    for key, (en, zh) in optimize_text.TEXT.items():
        assert en and zh and en != zh and re.search(r"[\u4e00-\u9fff]", zh), key
        assert set(re.findall(r"\{(\w+)", en)) == set(re.findall(r"\{(\w+)", zh)), key  # the same values in both
