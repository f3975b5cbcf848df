"""An idiomatic SimPy model of an open network of M/M/c stations with probabilistic routing.

Textbook style, as :mod:`benchmarks.minimal_simpy` for one station: a source process starts
one process per customer; the customer walks its journey, at each station requesting a
server from that station's ``simpy.Resource`` and holding it for its service time, then
draws where to go next from the routing row (possibly back to the same station: rework).
Random numbers from Python's ``random``, drawn as needed. Nothing is tuned.
"""

from __future__ import annotations

import itertools
import random

import simpy

from benchmarks.network_spec import BRANCH, Network, NetworkRun, batch_of, new_run


def run(net: Network, n_customers: int, seed: int, batches: int = 20) -> NetworkRun:
    """Simulate ``n_customers`` external arrivals until every one has left the network."""
    rng = random.Random(seed)
    env = simpy.Environment()
    stations = [simpy.Resource(env, capacity=c) for c in net.servers]
    total_rate = sum(net.external)
    entries = [i for i, rate in enumerate(net.external) if rate > 0]
    entry_weights = [net.external[i] for i in entries]
    # cumulative routing rows: go to j when u < cum[j]; u beyond the last one: leave
    cumulative = [list(itertools.accumulate(row)) for row in net.routing]
    out = new_run(net.names, n_customers, batches)
    wait_sum, visits = out.wait_sum, out.visits

    def next_station(i: int) -> int | None:
        u = rng.random()
        for j, edge in enumerate(cumulative[i]):
            if u < edge:
                return j
        return None

    def customer(env: simpy.Environment, number: int, station: int | None):
        arrive = env.now
        b = batch_of(number, n_customers, batches)
        while station is not None:
            queued = env.now
            with stations[station].request() as req:
                yield req
                wait_sum[station, b] += env.now - queued
                visits[station, b] += 1
                yield env.timeout(rng.expovariate(net.service_rates[station]))
            station = next_station(station)
        out.sojourn_sum[b] += env.now - arrive
        out.finished[b] += 1

    def source(env: simpy.Environment):
        for number in range(n_customers):
            yield env.timeout(rng.expovariate(total_rate))
            entry = entries[0] if len(entries) == 1 else rng.choices(entries, entry_weights)[0]
            env.process(customer(env, number, entry))

    env.process(source(env))
    env.run()
    return out


if __name__ == "__main__":
    from benchmarks.network_spec import estimate

    print(estimate(run(BRANCH, 100_000, 1)))
