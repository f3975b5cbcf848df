"""The bundled omnichannel contact centre (issue 14): every channel feature at once, and its optimized plan
confirmed by a verification it did not see (another seed, three times the replications)."""

from __future__ import annotations

import simsvc
from simsvc.staffing.verify import place_checks
from tests.helpers import SCENARIOS

EXAMPLE = SCENARIOS / "contact_centre_omnichannel.yaml"


def test_the_example_has_every_channel_feature():
    scenario = simsvc.load_scenario(EXAMPLE)
    teams = {t.name: t for t in scenario.teams}
    assert teams["chat_desk"].concurrency == 3
    assert teams["email_desk"].deferred is not None and teams["portal"].self_service is not None
    assert teams["service_desk"].skills != teams["sales_desk"].skills  # two groups, different skills
    assert any(c.channel_choice is not None for c in scenario.customer_classes)
    assert scenario.complaints.teams


def test_the_optimized_plan_meets_its_targets_with_another_seed_and_three_times_the_replications():
    scenario = simsvc.load_scenario(EXAMPLE)
    plan = simsvc.optimize(scenario, workers=1)
    assert plan.status == "confirmed", plan.iterations[-1].misses
    reps = 3 * scenario.simulation.replications
    result = simsvc.simulate(plan.scenario, replications=reps, seed=scenario.simulation.seed + 1, workers=1)
    checks = place_checks(scenario, result)
    overall = {c.name: c.verdict for c in checks if c.where == "overall"}
    assert overall == {"service_level": "met", "abandonment_rate": "met", "deferred_within_target": "met"}
    assert not [c for c in checks if c.verdict == "missed"]  # no interval misses a target with confidence
