"""The same open network of M/M/c stations in Ciw 3, as its documentation builds one.

``ciw.create_network`` with one exponential arrival stream per station that has external
arrivals, exponential services, the number of servers and the routing matrix (rows summing
to at most 1, the rest leaving); ``simulate_until_max_customers(N, method="Complete")``. Waits
and times in the network come from the ``data_records`` of the individuals who left.
"""

from __future__ import annotations

import ciw

from benchmarks.network_spec import BRANCH, Network, NetworkRun, batch_of, new_run


def run(net: Network, n_customers: int, seed: int, batches: int = 20) -> NetworkRun:
    """Simulate until ``n_customers`` have completed their journey.

    Counted: the customers who arrived before any customer still in the network (so a
    prefix of the arrivals, every one with its whole journey, as in the SimPy model); the
    customers still inside at the end are a few hundred at most.
    """
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=r) if r > 0 else None for r in net.external],
        service_distributions=[ciw.dists.Exponential(rate=m) for m in net.service_rates],
        number_of_servers=list(net.servers),
        routing=[list(row) for row in net.routing],
    )
    ciw.seed(seed)
    q = ciw.Simulation(network)
    q.simulate_until_max_customers(n_customers, method="Complete")
    inside = [ind.id_number for node in q.transitive_nodes for ind in node.all_individuals]
    first_inside = min(inside, default=max(ind.id_number for ind in q.nodes[-1].all_individuals) + 1)
    done = sorted((ind for ind in q.nodes[-1].all_individuals if ind.id_number < first_inside),
                  key=lambda ind: ind.id_number)  # fmt: skip
    out = new_run(net.names, n_customers, batches)
    for rank, ind in enumerate(done):
        b = batch_of(rank, len(done), batches)
        records = ind.data_records
        for rec in records:
            out.wait_sum[rec.node - 1, b] += rec.waiting_time
            out.visits[rec.node - 1, b] += 1
        out.sojourn_sum[b] += records[-1].exit_date - records[0].arrival_date
        out.finished[b] += 1
    out.extra["counted"] = len(done)
    return out


if __name__ == "__main__":
    from benchmarks.network_spec import estimate

    print(estimate(run(BRANCH, 20_000, 1)))
