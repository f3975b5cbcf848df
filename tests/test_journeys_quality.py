"""The quality model on journeys: one judgement at the end, on the journey's total wait."""

from __future__ import annotations

import numpy as np
import pandas as pd

import simsvc
from simsvc import quality
from simsvc.sim.schema import customer_fields


def _scenario() -> simsvc.Scenario:
    # A congested greeter (load 0.92), then a counter where nobody waits: judged on the last
    # step's wait alone, no one would perceive a long wait.
    return simsvc.load_scenario({
        "name": "judged at the end",
        "horizon": {"open": "09:00", "close": "13:00", "interval_minutes": 60},
        "customer_classes": [{
            "name": "walk_in", "arrivals": {"per_hour": 55}, "service_time": {"dist": "exponential", "mean": 1.0},
            "expectations": {"desired_wait": 1.0, "adequate_wait": 6.0},
            "journey": [{"station": "greeter", "next": {"counter": 0.9, "greeter": 0.1}}, {"station": "counter"}],
        }],
        "teams": [{"name": "greeter", "staff": 1}, {"name": "counter", "staff": 10}],
        "complaints": {"voice_probability": 0.5},
        "simulation": {"replications": 4, "seed": 11},
    })  # fmt: skip


def test_a_journey_is_judged_once_on_its_total_wait():
    scenario = _scenario()
    res = simsvc.simulate(scenario)
    raw = pd.concat(  # the engine's rows (private): they hold perceived_responsiveness
        [pd.DataFrame(rows, columns=list(customer_fields(quality=True))).assign(replication=r)
         for r, rows, _ in res._records],
        ignore_index=True,
    ).sort_values(["replication", "customer"], ignore_index=True)  # fmt: skip
    steps = res.steps
    total = steps.groupby(["replication", "customer"])["wait"].sum(min_count=1).to_numpy()
    last_wait = steps.groupby(["replication", "customer"])["wait"].last().to_numpy()
    served = raw["outcome"].to_numpy() == 0
    # The customer's perception, decision by decision, is the pure function's on the total wait.
    expected = quality.perceived_responsiveness(total[served], 1.0, 6.0, "linear")
    assert np.allclose(raw["perceived_responsiveness"].to_numpy()[served], expected, rtol=0, atol=1e-12)
    long = served & (total >= 12.0) & (last_wait == 0.0)
    assert long.sum() > 50  # the check tells total from last-step waits
    assert (raw["perceived_responsiveness"].to_numpy()[long] == 1.0).all()
    # Who complained was judged dissatisfied; complaints were filed and handled.
    c = res.customers
    assert (c.loc[c["complained"], "category"] == "dissatisfied").all()
    assert c["complained"].sum() > 20 and len(res.complaints) == c["complained"].sum()
    q = scenario.quality
    category = quality.category(raw["gap"].to_numpy(), q.delighted_above, q.dissatisfied_below)
    free = ~c["complained"].to_numpy()
    assert (np.asarray(quality.CATEGORIES)[category[free]] == c.loc[free, "category"].astype(str)).all()
