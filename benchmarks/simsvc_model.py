"""The same M/M/c queue as a simsvc scenario: one class, one team, round-the-clock staff."""

from __future__ import annotations

import functools
import math
from pathlib import Path

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
    days: int | None = None,
    loyalty: bool = False,
) -> dict:
    """The scenario (rates per minute): enough whole days for ``n_customers`` arrivals.

    ``quality`` switches the service-quality layer on (expectations, judgement,
    complaints handled by a round-the-clock complaint desk); off, the model is the plain
    queue. Without ``loyalty`` (opt-in) both simulate the same queue; with it, returns and
    word of mouth move the demand from the declared (its default block).

    The horizon gets a margin of a few Poisson standard deviations plus a day (or is
    ``days`` long), and ``max_customers`` stops arrivals at exactly ``n_customers``.
    """
    if days is None:
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
        **({"loyalty": {}} if loyalty else {}),
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
    days: int | None = None,
    loyalty: bool = False,
    engine: str = "simpy",
) -> dict:
    """Load the scenario and simulate one replication (KPIs included, records not kept).

    ``engine`` defaults to the SimPy model, so that these figures stay those of the SimPy
    engine (``simulate``'s own default, ``auto``, would run the plain queue on the compiled
    kernel); ``benchmarks/kernel.py`` measures the kernel.

    ``complaints`` False sets the voice probability to 0: customers are judged, but no
    complaint is filed, so no complaint queue is simulated.
    """
    mapping = scenario_mapping(
        arrival_rate, service_rate, servers, n_customers, seed, patience_mean, quality, days, loyalty
    )
    if not complaints:
        mapping["complaints"]["voice_probability"] = 0.0
    sc = simsvc.load_scenario(mapping)
    res = simsvc.simulate(sc, replications=1, seed=seed, keep_records=False, engine=engine)
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

LOYALTY_DAYS = 8
"""The loyalty benchmark's horizon: returns and word of mouth act from the second day."""

run_days = functools.partial(run, days=LOYALTY_DAYS)
"""`run` over :data:`LOYALTY_DAYS` whole days (the plain queue)."""

run_days_with_quality = functools.partial(run, days=LOYALTY_DAYS, quality=True)
"""The same with the quality layer and no loyalty (the default): the same demand."""

run_days_with_loyalty = functools.partial(run, days=LOYALTY_DAYS, quality=True, loyalty=True)
"""The same with loyalty declared (default block): returns and word of mouth move demand."""


# --------------------------------------------- the quality layer's cost on unfavourable cases
CONGESTED_ARRIVAL_RATE = 9.7
"""The congested queue: M/M/10 at load 0.97 (whatever arrival rate the harness passes)."""


def run_congested(
    arrival_rate: float, service_rate: float, servers: int, n_customers: int, seed: int,
    patience_mean: float | None = None, quality: bool = False,
) -> dict:  # fmt: skip
    """M/M/10 at load 0.97, no abandonment, customers who expect a quick service (desired wait 0.5
    min, adequate 2): more than half are dissatisfied, and a complaint desk of 6 handles about a
    seventh of the customers. With ``quality`` False the same queue, plain."""
    mapping = scenario_mapping(CONGESTED_ARRIVAL_RATE, service_rate, servers, n_customers, seed, None, quality)
    mapping["customer_classes"][0]["expectations"] = {"desired_wait": 0.5, "adequate_wait": 2.0}
    mapping["complaints"]["teams"][0]["staff"] = 6
    return _summary(simsvc.load_scenario(mapping), 1, seed)


BANK_BRANCH = Path(__file__).resolve().parent.parent / "scenarios" / "bank_branch.yaml"
BANK_CUSTOMERS_PER_DAY = 400
"""About as many as the bank branch's day brings: replications are ``n_customers`` / this."""


def run_bank(
    arrival_rate: float, service_rate: float, servers: int, n_customers: int, seed: int,
    patience_mean: float | None = None, quality: bool = False,
) -> dict:  # fmt: skip
    """The bundled bank branch (its own demand: the rates passed in are ignored), one day per
    replication, with its quality layer (complaint desk, loyalty over one day: decided after the
    fact) or without it (the same customers and queue)."""
    sc = simsvc.load_scenario(BANK_BRANCH)
    if not quality:
        sc = sc.replace({"quality.enabled": False, "loyalty": None, "costs.lost_customer_value": 0})
    return _summary(sc, max(1, n_customers // BANK_CUSTOMERS_PER_DAY), seed)


def _summary(sc: simsvc.Scenario, replications: int, seed: int) -> dict:
    res = simsvc.simulate(sc, replications=replications, seed=seed, keep_records=False, engine="simpy")
    s = res.summary()["mean"]
    return {
        "customers": round(s["arrivals"] * replications),
        "served": round(s["served"] * replications),
        "abandoned": round(s["abandoned"] * replications),
        "mean_wait": float(s["mean_wait"]),
        "dissatisfied_share": float(s.get("dissatisfied_share", float("nan"))),
        "complaint_rate": float(s.get("complaint_rate", float("nan"))),
    }


run_congested_with_quality = functools.partial(run_congested, quality=True)
run_bank_with_quality = functools.partial(run_bank, quality=True)
