"""The benchmark network (:mod:`benchmarks.network_spec`) as a simsvc scenario, and its run.

One class per station that receives outside arrivals, its journey starting there; one step per
station (exponential service at the station's rate, no patience) whose ``next`` follows the
network's routing row (the rest exits); every station staffed round the clock. The records of
the steps give the same accumulators as the SimPy and Ciw references (:class:`NetworkRun`).
"""

from __future__ import annotations

import math

import numpy as np

import simsvc
from benchmarks.network_spec import Network, NetworkRun, new_run

MINUTES_PER_DAY = 1440


def _journey(net: Network, entry: int) -> list[dict]:
    order = [entry, *(i for i in range(len(net.names)) if i != entry)]
    steps = []
    for i in order:
        row = {net.names[j]: p for j, p in enumerate(net.routing[i]) if p > 0}
        row["exit"] = max(0.0, 1.0 - sum(row.values()))
        steps.append({"step": net.names[i], "station": net.names[i],
                      "service_time": {"dist": "exponential", "mean": 1.0 / net.service_rates[i]},
                      "next": {k: v for k, v in row.items() if v > 0}})  # fmt: skip
    return steps


def scenario_mapping(net: Network, n_customers: int, seed: int) -> dict:
    """The network as a scenario: enough whole days for ``n_customers`` arrivals, records kept."""
    rate = sum(net.external)
    days = math.ceil((n_customers + 5 * math.sqrt(n_customers)) / (rate * MINUTES_PER_DAY)) + 1
    first = next(i for i, r in enumerate(net.external) if r > 0)
    classes = [
        {"name": f"from_{net.names[i]}", "arrivals": {"per_hour": r * 60.0},
         "service_time": {"dist": "exponential", "mean": 1.0 / net.service_rates[i]},
         "journey": _journey(net, i)}
        for i, r in enumerate(net.external) if r > 0
    ]  # fmt: skip
    if len(classes) > 1:  # max_customers caps the total; one entry keeps arrivals in one order
        raise ValueError("the benchmark reads customer numbers as arrival order: one entry station only")
    return {
        "name": f"network benchmark (entry {net.names[first]})",
        "horizon": {"days": days, "open": "00:00", "close": "24:00", "interval_minutes": 60},
        "customer_classes": classes,
        "teams": [{"name": name, "staff": c} for name, c in zip(net.names, net.servers, strict=True)],
        "quality": {"enabled": False},
        "simulation": {"replications": 1, "seed": seed, "max_customers": n_customers, "keep_records": True},
    }


def run(net: Network, n_customers: int, seed: int, batches: int, engine: str = "auto") -> NetworkRun:
    """Simulate ``n_customers`` arrivals on ``engine``; waits, visits and times in the network per batch."""
    result = simsvc.simulate(simsvc.load_scenario(scenario_mapping(net, n_customers, seed)), engine=engine)
    steps = result.steps
    customer = steps["customer"].to_numpy()
    n = int(customer.max()) + 1
    batch = customer * batches // n
    station = steps["team"].map({name: i for i, name in enumerate(net.names)}).to_numpy()
    out = new_run(net.names, n, batches)
    k = len(net.names)
    cell = station * batches + batch
    out.wait_sum[:] = np.bincount(cell, steps["wait"].to_numpy(), k * batches).reshape(k, batches)
    out.visits[:] = np.bincount(cell, minlength=k * batches).reshape(k, batches)
    first = np.full(n, np.inf)
    last = np.zeros(n)
    np.minimum.at(first, customer, steps["arrival"].to_numpy())
    np.maximum.at(last, customer, steps["end"].to_numpy())
    of_customer = np.arange(n) * batches // n
    out.sojourn_sum[:] = np.bincount(of_customer, last - first, batches)
    out.finished[:] = np.bincount(of_customer, minlength=batches)
    out.extra["engine"] = result.engine
    return out
