"""The same M/M/c queue as a simsvc scenario: one class, one team, round-the-clock staff."""

from __future__ import annotations

import functools
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
    quality: bool = False,
) -> dict:
    """The scenario (rates per minute): enough whole days for ``n_customers`` arrivals.

    ``quality`` switches the service-quality layer on (expectations, judgement,
    complaints handled by a round-the-clock complaint desk, return decisions); off, the
    model is the plain queue. Returns and word of mouth are set to zero so that both
    runs simulate the same queue.

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
        "quality": {"enabled": quality},
        # Returns and word of mouth would add demand and change the queue being measured
        # (load 0.95 would become an overload): the same workload with and without the layer.
        "loyalty": {
            "return_probability": {"delighted": 0, "satisfied": 0, "dissatisfied": 0, "unresolved": 0},
            "word_of_mouth": {"delighted": 0, "satisfied": 0, "dissatisfied": 0, "unresolved": 0},
        },
        "complaints": {
            "handling_time": {"dist": "exponential", "mean": 2.0},
            "teams": [{"name": "desk", "staff": 3}],
        },
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
    quality: bool = False,
    complaints: bool = True,
) -> dict:
    """Load the scenario and simulate one replication (KPIs included, records not kept).

    ``complaints`` False sets the voice probability to 0: customers are judged, but no
    complaint is filed, so no complaint queue is simulated.
    """
    mapping = scenario_mapping(arrival_rate, service_rate, servers, n_customers, seed, patience_mean, quality)
    if not complaints:
        mapping["complaints"]["voice_probability"] = 0.0
    sc = simsvc.load_scenario(mapping)
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


run_with_quality = functools.partial(run, quality=True)
"""`run` with the service-quality layer switched on."""

run_judgement_only = functools.partial(run, quality=True, complaints=False)
"""`run` with the quality layer judging every customer but nobody complaining."""
