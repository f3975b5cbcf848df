"""A minimal, idiomatic SimPy M/M/c queue (optionally with exponential abandonment).

Textbook style, as in SimPy's own "bank renege" example: a source process starts one
process per customer; a customer requests a server from a ``simpy.Resource`` (racing
the request against its patience when abandonment is on) and then holds it for its
service time. Random numbers come from Python's ``random`` module, drawn per customer
as they are needed. Nothing is tuned, nothing is made deliberately slow.
"""

from __future__ import annotations

import random

import simpy


def run(
    arrival_rate: float,
    service_rate: float,
    servers: int,
    n_customers: int,
    seed: int,
    patience_mean: float | None = None,
) -> dict:
    """Simulate ``n_customers`` arrivals to an M/M/c(+M) queue until all have left.

    Rates are per minute. Returns the number of customers, how many were served or
    abandoned, and the mean wait of all customers (an abandoning customer's wait is
    its time to abandonment), as in Erlang C / Erlang A.
    """
    rng = random.Random(seed)
    env = simpy.Environment()
    counter = simpy.Resource(env, capacity=servers)
    stats = {"served": 0, "abandoned": 0, "wait_sum": 0.0}

    def customer(env: simpy.Environment):
        arrive = env.now
        with counter.request() as req:
            if patience_mean is None:
                yield req
            else:
                patience = rng.expovariate(1.0 / patience_mean)
                results = yield req | env.timeout(patience)
                if req not in results:  # ran out of patience
                    stats["abandoned"] += 1
                    stats["wait_sum"] += env.now - arrive
                    return
            stats["served"] += 1
            stats["wait_sum"] += env.now - arrive
            yield env.timeout(rng.expovariate(service_rate))

    def source(env: simpy.Environment):
        for _ in range(n_customers):
            yield env.timeout(rng.expovariate(arrival_rate))
            env.process(customer(env))

    env.process(source(env))
    env.run()
    total = stats["served"] + stats["abandoned"]
    return {
        "customers": total,
        "served": stats["served"],
        "abandoned": stats["abandoned"],
        "mean_wait": stats["wait_sum"] / total if total else float("nan"),
    }


if __name__ == "__main__":
    print(run(9.5, 1.0, 10, 100_000, 1))
