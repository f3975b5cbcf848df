"""The same M/M/c queue in Ciw 3 (``pip install ciw``), as its documentation builds it."""

from __future__ import annotations

import ciw


def run(
    arrival_rate: float,
    service_rate: float,
    servers: int,
    n_customers: int,
    seed: int,
    patience_mean: float | None = None,
) -> dict:
    """Simulate until ``n_customers`` have left (served or abandoned); rates per minute.

    Returns the customers that left, how many were served or abandoned, and their mean
    wait (an abandoning customer's wait is its time to abandonment).
    """
    extra = {}
    if patience_mean is not None:
        extra["reneging_time_distributions"] = [ciw.dists.Exponential(rate=1.0 / patience_mean)]
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=arrival_rate)],
        service_distributions=[ciw.dists.Exponential(rate=service_rate)],
        number_of_servers=[servers],
        **extra,
    )
    ciw.seed(seed)
    q = ciw.Simulation(network)
    q.simulate_until_max_customers(n_customers, method="Finish")
    records = q.get_all_records()
    served = sum(1 for r in records if r.record_type == "service")
    abandoned = sum(1 for r in records if r.record_type == "renege")
    waits = [r.waiting_time for r in records if r.record_type in ("service", "renege")]
    return {
        "customers": len(waits),
        "served": served,
        "abandoned": abandoned,
        "mean_wait": sum(waits) / len(waits) if waits else float("nan"),
    }


if __name__ == "__main__":
    print(run(9.5, 1.0, 10, 20_000, 1))
