"""Training levels chosen on the operating cost, complaint desk included, against a hand-computed optimum."""

from __future__ import annotations

import math

import pytest

import simsvc
from simsvc.staffing.complaint_staffing import least_cost_per_complaint
from simsvc.staffing.curves import team_demand
from simsvc.staffing.model import solve_staffing
from simsvc.staffing.patterns import generate_patterns
from simsvc.staffing.prepare import model_input

ARRIVALS = 60.0  # one hour, one interval
VOICE = 0.5
HANDLING = 240.0  # minutes per complaint
UTILIZATION = 0.8
DESK_WAGE = 20.0  # the desk works at level 0
DESK_SHIFT_HOURS = 8.0
PER_COMPLAINT = 2.0
WAGES = {0: 20.0, 1: 30.0}


def desk_scenario() -> simsvc.Scenario:
    """One hour of 60 customers; level 0 is cheaper per hour but leaves two customers in three dissatisfied."""
    return simsvc.load_scenario({
        "name": "desk",
        "horizon": {"days": 1, "open": "09:00", "close": "10:00", "interval_minutes": 60},
        "customer_classes": [{"name": "c", "arrivals": {"per_hour": [ARRIVALS]},
                              "service_time": {"dist": "exponential", "mean": 5},
                              "patience": {"dist": "exponential", "mean": 10}}],
        "teams": [{"name": "t", "serves": ["c"], "staff": 1}],
        "training_levels": [
            {"level": 0, "speed": 1.0, "wage_per_hour": WAGES[0], "failure_prob": 0.3, "assurance": 4.0,
             "empathy": 4.0},
            {"level": 1, "speed": 1.0, "wage_per_hour": WAGES[1], "failure_prob": 0.0, "assurance": 6.5,
             "empathy": 6.5},
        ],
        "complaints": {"voice_probability": VOICE, "handling_time": {"dist": "exponential", "mean": HANDLING},
                       "cost_per_complaint": PER_COMPLAINT, "teams": [{"name": "desk", "staff": 1}]},
        "targets": {"service_level": {"within": 2, "fraction": 0.8}},
        "optimizer": {"shifts": [
            {"teams": ["t"], "start": {"earliest": "09:00", "latest": "09:00"}, "lengths": [60]},
            {"teams": ["desk"], "start": {"earliest": "09:00", "latest": "09:00"}, "lengths": [480]}],
            "complaint_utilization": UTILIZATION},
        "simulation": {"replications": 10, "seed": 5},
    })  # fmt: skip


def _by_hand(scenario: simsvc.Scenario, level: int) -> tuple[float, float]:
    """(front-line wages, operating cost) of the plan at ``level``, from the curves' predictions."""
    demand = team_demand(scenario, scenario.teams[0], level, scenario.simulation.seed)
    staff = next(n for n in range(1, 50) if demand.predict(0, n).service_level >= 0.8)  # one 1-hour shift
    front = staff * WAGES[level]
    complaints = ARRIVALS * (1.0 - demand.predict(0, staff).satisfied) * VOICE
    desk_hours = complaints * HANDLING / 60.0 / UTILIZATION
    desk = math.ceil(desk_hours / DESK_SHIFT_HOURS - 1e-9) * DESK_WAGE * DESK_SHIFT_HOURS
    return front, front + desk + PER_COMPLAINT * complaints


def test_level_cheaper_once_the_desk_is_counted_is_chosen():
    scenario = desk_scenario()
    (front0, total0), (front1, total1) = _by_hand(scenario, 0), _by_hand(scenario, 1)
    assert front0 < front1 and total1 < total0  # the instance is what it claims to be
    plan = simsvc.optimize(scenario, simulate_plan=False)
    assert plan.levels == {"t": 1}
    assert plan.cost["cost"] == pytest.approx(total1, rel=1e-9)
    assert plan.cost["cost_wages_front_line"] == pytest.approx(front1)
    assert plan.cost["cost"] == pytest.approx(
        plan.cost["cost_wages"] + plan.cost["cost_training"] + plan.cost["cost_complaints"]
    )
    assert plan.iterations[0].cost == plan.cost["cost"]


def test_front_line_cost_alone_would_choose_the_other_level():
    scenario = desk_scenario()
    inp = model_input(scenario, generate_patterns(scenario), {}, {}, scenario.simulation.seed)
    sol, info = solve_staffing(inp, "highs", 60, 0.0)  # no total_cost: front-line wages and training only
    assert sol.levels == {"t": 0}
    assert info.objective == pytest.approx(_by_hand(scenario, 0)[0])


def test_budget_bounds_the_operating_cost_desk_included():
    scenario = desk_scenario()
    total = _by_hand(scenario, 1)[1]

    def budget(per_day: float) -> simsvc.Scenario:
        spec = scenario.optimizer.model_copy(update={"budget_per_day": per_day})
        return scenario.model_copy(update={"optimizer": spec})

    tight = budget(total - 1)
    with pytest.raises(simsvc.InfeasibleError, match="more than the budget") as err:
        simsvc.optimize(tight, simulate_plan=False)
    assert err.value.target == "budget" and err.value.best == pytest.approx(total)
    assert simsvc.optimize(budget(total), simulate_plan=False).cost["cost"] == pytest.approx(total)


def test_the_pruning_bound_on_the_desk_is_below_each_levels_total():
    scenario = desk_scenario()
    patterns = generate_patterns(scenario)
    rate = VOICE * least_cost_per_complaint(scenario, patterns, 1.0)
    # One complaint: 240 min of work at 80 % utilisation, paid at 20 an hour, plus 2 of handling.
    assert rate == pytest.approx(VOICE * (HANDLING / 60.0 / UTILIZATION * DESK_WAGE + PER_COMPLAINT))
    inp = model_input(scenario, patterns, {}, {}, scenario.simulation.seed)
    for lv in inp.teams[0].levels:
        front, total = _by_hand(scenario, lv.level)
        assert 0 < lv.fewest_dissatisfied and front + rate * lv.fewest_dissatisfied <= total
