"""The staffing optimizer: optimal against exhaustive search and Erlang formulas, confirmed by simulation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import simsvc
from simsvc import InfeasibleError, queueing
from simsvc.staffing.curves import Prediction
from simsvc.staffing.model import solve_staffing
from simsvc.staffing.patterns import generate_patterns
from simsvc.staffing.prepare import model_input
from simsvc.staffing.requirements import Targets
from tests.helpers import SCENARIOS


def small_scenario(scope="interval", quality=True, levels=2, rates=(50, 90, 70), **targets):
    """One class, one team, 60-minute intervals (three by default), 1- and 2-hour shifts, ``levels`` levels."""
    n = len(rates)
    close = f"{9 + n:02d}:00"
    data = {
        "name": "small",
        "horizon": {"days": 1, "open": "09:00", "close": close, "interval_minutes": 60},
        "customer_classes": [
            {"name": "c", "arrivals": {"per_hour": list(rates)}, "service_time": {"dist": "exponential", "mean": 5},
             "patience": {"dist": "exponential", "mean": 10}}
        ],
        "teams": [{"name": "t", "serves": ["c"], "staff": 1}],
        "training_levels": [
            {"level": 0, "speed": 1.0, "wage_per_hour": 20, "failure_prob": 0.08, "assurance": 5.0, "empathy": 4.7},
            {"level": 1, "speed": 1.25, "wage_per_hour": 26, "failure_prob": 0.03, "assurance": 5.8, "empathy": 5.3,
             "training_cost_per_person": 500},
        ][:levels],
        "quality": {"enabled": quality},
        "costs": {"training_amortization_days": 50},
        "targets": {"service_level": {"within": 2, "fraction": 0.8}, **targets},
        "optimizer": {
            "shifts": [{"start": {"earliest": "09:00", "latest": f"{9 + max(n - 2, 0):02d}:00", "every": 60},
                        "lengths": [60, 120], "days": "all"}],
            "scope": scope,
        },
        "simulation": {"replications": 10, "seed": 5},
    }  # fmt: skip
    return simsvc.load_scenario(data)


def _solve(scenario):
    inp = model_input(scenario, generate_patterns(scenario), {}, {}, scenario.simulation.seed)
    sol, info = solve_staffing(inp, "highs", 60, 0.0)
    return inp, sol, info


def _enumerate(inp, scope, top):
    """Cheapest staff vector (and level) meeting the targets per the same curves, by brute force."""
    team = inp.teams[0]
    targets: Targets = inp.targets
    best = None
    for lv in team.levels:
        demand = lv.cells.demand
        cache = {}
        for x in itertools.product(range(top + 1), repeat=len(team.patterns)):
            duty = np.floor(np.array(x) @ team.coverage + 1e-9).astype(int)
            preds = []
            for cell, n in enumerate(duty):
                if (cell, n) not in cache:
                    cache[cell, n] = demand.predict(cell, int(n))
                preds.append(cache[cell, n])
            if scope == "interval":
                ok = all(not targets.missed(p) for p in preds)
            elif any(duty[c] < lv.cells.options[c][0].staff for c in lv.cells.options):
                ok = False  # day scope stays where returns diminish (requirements._diminishing_from)
            else:
                w = team.arrivals
                day = Prediction(
                    0, float(w @ [p.service_level for p in preds]) / w.sum(),
                    float(w @ [p.abandonment for p in preds]) / w.sum(),
                    float(w @ [p.satisfied for p in preds]) / w.sum(),
                )
                ok = not targets.missed(day)
            if not ok:
                continue
            wages = sum(n * p.paid_minutes * lv.wage_per_minute for n, p in zip(x, team.patterns, strict=True))
            cost = wages + sum(x) * lv.training_per_person  # one day: every person trained works it
            if best is None or cost < best[0] - 1e-9:
                best = (cost, lv.level, x)
    return best


@pytest.mark.parametrize("scope", ["interval", "day"])
def test_no_cheaper_plan_than_the_milp_by_exhaustive_search(scope):
    scenario = small_scenario(scope=scope, rates=(40, 100, 60), max_abandonment=0.04, min_satisfied=0.6)
    inp, sol, info = _solve(scenario)
    assert info.optimal
    # Nobody needs more staff on one pattern than the largest requirement of any cell.
    top = max(n for lv in inp.teams[0].levels for n in lv.cells.required.values())
    best_cost, best_level, _ = _enumerate(inp, scope, top=top)
    assert info.objective == pytest.approx(best_cost, rel=1e-9)
    assert sol.levels["t"] == best_level


def test_day_scope_trades_intervals_and_costs_less():
    targets = {"rates": (40, 100, 60), "max_abandonment": 0.04, "min_satisfied": 0.6}
    _, per_interval, a = _solve(small_scenario(scope="interval", **targets))
    _, per_day, b = _solve(small_scenario(scope="day", **targets))
    assert b.objective < a.objective
    assert (per_day.on_duty["t"] < per_interval.on_duty["t"]).any()  # some interval below its own requirement


@pytest.mark.parametrize(
    ("per_hour", "patience"), [(30.0, None), (120.0, None), (120.0, 10.0), (400.0, 4.0)]
)
def test_single_stationary_interval_staffs_erlang_required_servers(per_hour, patience):
    scenario = small_scenario(quality=False, levels=1, rates=(per_hour,))
    if patience is None:
        cls = scenario.customer_classes[0].model_copy(update={"patience": None})
        scenario = scenario.model_copy(update={"customer_classes": (cls,)})
    _, sol, _ = _solve(scenario)
    theta = None if patience is None else 1.0 / 10.0
    expected = queueing.required_servers(per_hour / 60.0, 1.0 / 5.0, 2.0, 0.8, theta)
    assert sol.on_duty["t"][0] == expected


def test_highs_and_cbc_agree():
    scenario = small_scenario(max_abandonment=0.04, min_satisfied=0.6)
    inp = model_input(scenario, generate_patterns(scenario), {}, {}, 5)
    costs = [solve_staffing(inp, solver, 60, 0.0)[1].objective for solver in ("highs", "cbc")]
    assert costs[0] == pytest.approx(costs[1])


def test_simulation_confirms_the_plan_of_the_call_centre():
    scenario = simsvc.load_scenario(SCENARIOS / "call_centre.yaml")
    verify = scenario.optimizer.verify.model_copy(update={"max_replications": 40})
    scenario = scenario.model_copy(update={"optimizer": scenario.optimizer.model_copy(update={"verify": verify})})
    plan = simsvc.optimize(scenario, replications=10)
    assert plan.iterations, "at least one round"
    assert plan.status in ("confirmed", "unresolved"), plan.missed
    assert plan.confirmed is (plan.status == "confirmed")
    reps = plan.iterations[-1].replications
    assert 10 <= reps <= 40
    for check in plan.checks:  # overall, every target is met with confidence
        assert check.ci_low is not None and check.ci_low <= check.ci_high
        assert check.verdict == "met", check
    for place in plan.unresolved:  # the target inside the CI, with the replications used
        assert place.ci_low <= place.goal <= place.ci_high and place.replications == reps
    # The plan's scenario simulates to the same verified numbers (it is what was simulated).
    again = simsvc.simulate(plan.to_scenario(), replications=reps, seed=scenario.simulation.seed)
    assert again.summary().loc["service_level", "mean"] == pytest.approx(
        plan.simulated.loc["service_level", "mean"]
    )


def test_out_of_reach_target_names_target_intervals_and_best_value():
    scenario = small_scenario(quality=False, levels=1)
    spec = scenario.optimizer.model_copy(update={"max_staff": 8})
    scenario = scenario.model_copy(update={"optimizer": spec})
    with pytest.raises(InfeasibleError) as info:
        simsvc.optimize(scenario, simulate_plan=False)
    err = info.value
    assert err.target == "service_level"
    assert err.periods == ["10:00"]  # 90 per hour × 5 min = 7.5 Erlangs: 8 staff cannot reach 80 % in 2 min
    reachable = queueing.erlang_a_metrics(1.5, 0.2, 0.1, 8, 2.0)["service_level"]
    assert err.best == pytest.approx(reachable)
    assert "at most 8 staff" in str(err)
