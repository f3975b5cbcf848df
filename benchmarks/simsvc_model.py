"""The same M/M/c queue as a simsvc scenario: one class, one team, round-the-clock staff."""

from __future__ import annotations

import math

import simsvc

MINUTES_PER_DAY = 1440


def scenario_mapping(
    arrival_rate: float,
    service_rate: float,
    servers: int,
    n_customers: int,
    seed: int,
    patience_mean: float | None = None,
) -> dict:
    """The scenario (rates per minute): enough whole days for ``n_customers`` arrivals.

    The horizon gets a margin of a few Poisson standard deviations plus a day, and
    ``max_customers`` stops arrivals at exactly ``n_customers``.
    """
    expected_per_day = arrival_rate * MINUTES_PER_DAY
    days = math.ceil((n_customers + 5 * math.sqrt(n_customers)) / expected_per_day) + 1
    klass = {
        "name": "c",
        "arrivals": {"per_hour": arrival_rate * 60.0},
        "service_time": {"dist": "exponential", "mean": 1.0 / service_rate},
    }
    if patience_mean is not None:
        klass["patience"] = {"dist": "exponential", "mean": patience_mean}
    return {
        "name": f"M/M/{servers} benchmark",
        "horizon": {"days": days, "open": "00:00", "close": "24:00", "interval_minutes": 60},
        "customer_classes": [klass],
        "teams": [{"name": "t", "serves": ["c"], "staff": servers}],
        "simulation": {
            "replications": 1,
            "seed": seed,
            "max_customers": n_customers,
            "keep_records": False,
        },
    }


def run(
    arrival_rate: float,
    service_rate: float,
    servers: int,
    n_customers: int,
    seed: int,
    patience_mean: float | None = None,
) -> dict:
    """Load the scenario and simulate one replication (KPIs included, records not kept)."""
    sc = simsvc.load_scenario(scenario_mapping(arrival_rate, service_rate, servers, n_customers, seed, patience_mean))
    res = simsvc.simulate(sc, replications=1, seed=seed, keep_records=False)
    s = res.summary()["mean"]
    return {
        "customers": int(s["arrivals"]),
        "served": int(s["served"]),
        "abandoned": int(s["abandoned"]),
        "mean_wait": float(s["mean_wait"]),
    }


if __name__ == "__main__":
    print(run(9.5, 1.0, 10, 100_000, 1))
