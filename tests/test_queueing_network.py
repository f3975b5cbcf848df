"""Tests for simsvc.queueing_network and for the benchmarks' network references.

The analytic layer is checked against a textbook example and exercise, against the traffic equations
solved by fixed-point iteration, and against the stationary distribution of the network's
own Markov chain (truncated, solved with SciPy) — none of them the product-form expression
the code uses.  The SimPy and Ciw references of ``benchmarks/network.py`` are checked
against the product form with confidence intervals over seeded replications, so that the
benchmark's references cannot be wrong silently.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.sparse.linalg import spsolve

from benchmarks import ciw_network, simpy_network
from benchmarks.network_spec import BRANCH, point
from simsvc.queueing import mmc_metrics
from simsvc.queueing_network import jackson_metrics, traffic_rates
from tests.confidence import assert_exact_in_ci


# Ross, *Introduction to Probability Models* (Academic Press), §8.7.1 "Open Systems", worked
# example: outside arrivals at server 1 at rate 4 and at server 2 at rate 5; service rates 8
# and 10; after server 1 a customer goes to server 2 or leaves, each with probability 1/2;
# after server 2 to server 1 with probability 1/4, else leaves.  The book's answer:
# lambda = (6, 8), P(n, m) = (1/4)(3/4)^n (1/5)(4/5)^m, L = 3 + 4 = 7, W = L / 9 = 7/9.
def test_ross_worked_example():
    routing = [[0, 1 / 2], [1 / 4, 0]]
    assert traffic_rates([4, 5], routing) == pytest.approx([6, 8], rel=1e-12)
    net = jackson_metrics([4, 5], routing, [8, 10], [1, 1])
    assert net["mean_in_system"] == pytest.approx(7, rel=1e-12)
    assert net["mean_sojourn"] == pytest.approx(7 / 9, rel=1e-12)
    assert [s["mean_in_system"] for s in net["stations"]] == pytest.approx([3, 4], rel=1e-12)
    # P(server 1 busy) = 1 - 1/4 and P(server 2 busy) = 1 - 1/5 from the product form
    assert [s["p_wait"] for s in net["stations"]] == pytest.approx([3 / 4, 4 / 5], rel=1e-12)


# An exercise of the same chapter, solved here by hand: outside arrivals at stations 1, 2, 3
# at rates 5, 10, 15; one server each, rates 10, 50, 100; after 1: to 2, to 3 or leave, 1/3
# each; after 2: always to 3; after 3: to 2 or leave, 1/2 each.  lambda_2 = 10 + 5/3 +
# lambda_3 / 2 and lambda_3 = 15 + 5/3 + lambda_2 give lambda = (5, 40, 170/3), so
# L = 1 + 4 + 17/13 = 82/13 and W = L / 30 = 41/195.
def test_ross_exercise_three_stations():
    routing = [[0, 1 / 3, 1 / 3], [0, 0, 1], [0, 1 / 2, 0]]
    assert traffic_rates([5, 10, 15], routing) == pytest.approx([5, 40, 170 / 3], rel=1e-12)
    net = jackson_metrics([5, 10, 15], routing, [10, 50, 100], [1, 1, 1])
    assert net["mean_in_system"] == pytest.approx(float(Fraction(82, 13)), rel=1e-12)
    assert net["mean_sojourn"] == pytest.approx(float(Fraction(41, 195)), rel=1e-12)
    assert [s["mean_in_system"] for s in net["stations"]] == pytest.approx([1, 4, 17 / 13], rel=1e-12)
    assert net["visits"] == pytest.approx((5 + 40 + 170 / 3) / 30, rel=1e-12)


# --------------------------------------------------------- traffic equations, iterated
@st.composite
def open_networks(draw):
    """A random network in which every station leaves with probability >= 0.05."""
    n = draw(st.integers(1, 6))
    probs = st.floats(0, 1, allow_nan=False)
    routing = []
    for _ in range(n):
        row = np.array([draw(probs) for _ in range(n + 1)]) + 1e-9  # last entry: leave
        row[-1] += 0.05 * row.sum() / 0.95
        routing.append(list(row[:-1] / row.sum()))
    external = [draw(st.floats(0, 10, allow_nan=False)) for _ in range(n)]
    return external, routing


@settings(max_examples=60, deadline=None)
@given(open_networks())
@example(([0.0, 6.0], [[0.9499999980999998, 9.499999971499999e-10], [9.4999999715e-10, 9.4999999715e-10]]))
def test_traffic_rates_equal_the_iterated_routing(network):
    external, routing = network
    p, lam = np.array(routing), np.array(external, dtype=float)
    flow = lam.copy()  # customers after k more routings; lam sums them (Neumann series)
    for _ in range(2000):
        flow = p.T @ flow
        lam += flow
        if (flow <= 1e-15 * lam).all():  # each station's rate to 1e-15 of itself, not of the total
            break
    assert traffic_rates(external, routing) == pytest.approx(lam, rel=1e-9, abs=1e-12)


# ------------------------------------------------------ the network's own Markov chain
def network_chain(external, routing, mu, servers, cap):
    """Stationary distribution of the network's CTMC, each station truncated at ``cap``.

    Built state by state from the model's definition (arrivals, service completions,
    routing); a customer routed to a full station is lost.  Returns (states, pi).
    """
    k = len(mu)
    states = np.array(list(itertools.product(range(cap + 1), repeat=k)))
    index = np.ravel_multi_index(states.T, (cap + 1,) * k)
    rows, cols, rates = [], [], []

    def add(src_mask, dst_states, rate):
        ok = src_mask & (rate > 0)
        rows.append(index[ok])
        cols.append(np.ravel_multi_index(dst_states[ok].T, (cap + 1,) * k))
        rates.append(np.broadcast_to(rate, ok.shape)[ok])

    for i in range(k):
        up = states.copy()
        up[:, i] += 1
        add(states[:, i] < cap, up, np.full(len(states), float(external[i])))
        busy = np.minimum(states[:, i], servers[i]) * mu[i]
        down = states.copy()
        down[:, i] -= 1
        leave = 1.0 - sum(routing[i])
        for j in range(k):
            if j == i or routing[i][j] == 0:
                continue  # a return to the same station changes no state
            moved = down.copy()
            moved[:, j] += 1
            add((states[:, i] > 0) & (states[:, j] < cap), moved, busy * routing[i][j])
            add((states[:, i] > 0) & (states[:, j] == cap), down, busy * routing[i][j])  # lost
        add(states[:, i] > 0, down, busy * leave)
    size = len(states)
    q = sp.coo_matrix((np.concatenate(rates), (np.concatenate(rows), np.concatenate(cols))), shape=(size, size))
    q = sp.csr_matrix(q)
    a = (q - sp.diags(np.asarray(q.sum(axis=1)).ravel())).T.tocsc()  # balance: a @ pi = 0
    # fix pi[0] = 1, drop its balance equation, solve for the rest, then normalise
    rest = spsolve(a[1:, 1:], -a[1:, 0].toarray().ravel())
    pi = np.concatenate([[1.0], rest])
    return states, pi / pi.sum()


def test_product_form_matches_the_networks_markov_chain():
    external = [0.6, 0.3, 0.0]
    routing = [[0, 0.7, 0.2], [0.1, 0.15, 0.4], [0.25, 0, 0]]  # feedback, rework, two entries
    mu, servers, cap = [1.0, 2.6, 0.75], [2, 1, 2], 20  # loads 0.40-0.43
    states, pi = network_chain(external, routing, mu, servers, cap)
    assert pi.min() > -1e-12 and pi.sum() == pytest.approx(1.0)
    assert pi[(states == cap).any(axis=1)].sum() < 1e-7  # truncation: negligible mass
    busy = np.minimum(states, servers) * mu
    throughput = pi @ busy  # departures per minute, each station
    queued = pi @ np.maximum(states - np.array(servers), 0)
    net = jackson_metrics(external, routing, mu, servers)
    accepted = sum(external)  # less the customers lost at the truncation, ~1e-8
    assert [s["arrival_rate"] for s in net["stations"]] == pytest.approx(throughput, rel=1e-6)
    assert [s["mean_wait"] for s in net["stations"]] == pytest.approx(queued / throughput, rel=1e-5)
    assert [s["mean_in_system"] for s in net["stations"]] == pytest.approx(pi @ states, rel=1e-5)
    assert [s["visits"] for s in net["stations"]] == pytest.approx(throughput / accepted, rel=1e-6)
    assert net["mean_in_system"] == pytest.approx(pi @ states.sum(axis=1), rel=1e-5)
    assert net["mean_sojourn"] == pytest.approx(pi @ states.sum(axis=1) / accepted, rel=1e-5)
    assert net["mean_total_wait"] == pytest.approx(queued.sum() / accepted, rel=1e-5)
    # an arrival at a station of an open Jackson network sees its stationary distribution
    p_wait = [pi[states[:, i] >= servers[i]].sum() for i in range(3)]
    assert [s["p_wait"] for s in net["stations"]] == pytest.approx(p_wait, rel=1e-5)


# --------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("routing", "message"),
    [
        ([[0, 1, 0], [0, 0, 1], [0, 1, 0]], "customers who reach station 0, station 1, station 2 can never leave"),
        ([[0, 0.5, 0], [0, 0, 1], [0, 1, 0]], "customers who reach station 1, station 2 can never leave"),
        ([[1.0, 0, 0], [0, 0, 0], [0, 0, 0]], "customers who reach station 0 can never leave"),
        ([[0, 0.8, 0.3], [0, 0, 0], [0, 0, 0]], "routing[0] (station 0) sums to 1.1"),
        ([[0, -0.1, 0], [0, 0, 0], [0, 0, 0]], "routing[0][1] (=-0.1) must be a probability"),
        ([[0, 1], [0, 0]], "routing must be a 3 x 3 matrix"),
        ([[0, float("nan"), 0], [0, 0, 0], [0, 0, 0]], "routing[0][1] (=nan) must be a probability"),
    ],
)
def test_bad_routing_is_refused_naming_the_problem(routing, message):
    with pytest.raises(ValueError) as info:
        traffic_rates([1, 0, 0], routing)
    assert message in str(info.value)


def test_closed_loop_names_the_stations():
    with pytest.raises(ValueError, match="reach counter, advisor can never leave"):
        jackson_metrics([1, 0, 0], [[0, 0.5, 0], [0, 0, 1], [0, 1, 0]], [1, 1, 1], [1, 1, 1],
                        names=["greeter", "counter", "advisor"])  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"external": [-1, 0]}, r"external\[0\] must be a finite non-negative number"),
        ({"external": [0, 0]}, "no customer ever arrives"),
        ({"service_rates": [1, 0]}, r"service_rates\[1\] must be a finite positive number"),
        ({"servers": [2, 1.5]}, r"servers\[1\] \(=1.5\) must be a positive integer"),
        ({"servers": [2]}, "servers must be a list of 2"),
        ({"target_wait": -1}, "target_wait"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    args = {"external": [1, 0], "routing": [[0, 0.5], [0, 0]], "service_rates": [1, 1], "servers": [2, 1]}
    with pytest.raises(ValueError, match=message):
        jackson_metrics(**{**args, **kwargs})


def test_an_unstable_station_reports_as_mmc_does_and_the_totals_are_infinite():
    net = jackson_metrics([1.0, 0.0], [[0, 1.0], [0, 0]], [1.0, 0.5], [2, 2])  # station 1: load 2 = servers
    stable, unstable = net["stations"]
    assert stable["mean_wait"] < math.inf
    assert {k: unstable[k] for k in mmc_metrics(1.0, 0.5, 2, 0.0)} == mmc_metrics(1.0, 0.5, 2, 0.0)
    assert unstable["mean_wait"] == math.inf and unstable["service_level"] == 0.0
    assert net["mean_sojourn"] == math.inf and net["mean_total_wait"] == math.inf


# ------------------------------------------------------- the benchmark's references
# The benchmark's network with every service 1.25x as fast (loads 0.66-0.71): the same
# routing, feedback and servers, and intervals narrow enough in a few seconds of simulation.
LIGHT = BRANCH.faster(1.25)


def _exact(net) -> dict:
    j = net.jackson()
    out = {"sojourn": j["mean_sojourn"]}
    for s in j["stations"]:
        out[f"{s['name']}.mean_wait"] = s["mean_wait"]
        out[f"{s['name']}.visits"] = s["visits"]
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("model", "customers"), [(simpy_network, 10_000), (ciw_network, 10_000)])
def test_reference_agrees_with_the_product_form(model, customers):
    """10 seeded replications, the first tenth of each (filling up from empty) dropped.

    Power: the 99 % intervals of the waits are at most 30 % of the exact value wide on
    each side (a server too few at the counter multiplies its wait by 6), those of the
    visits and of the time in the network at most 8 % (measured: 0.2-2 % and 3-5 %).
    """
    runs = [point(model.run(LIGHT, customers, seed, batches=10)) for seed in range(10)]
    for key, exact in _exact(LIGHT).items():
        values = np.array([r[key] for r in runs])
        if key == "greeter.visits":  # everybody meets the greeter exactly once
            assert (values == 1.0).all()
            continue
        power = 0.30 if key.endswith("mean_wait") else 0.08
        assert_exact_in_ci(f"{model.__name__} {key}", values, exact, max_rel_half=power)
