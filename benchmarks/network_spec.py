"""The 3-station network the references simulate, its Jackson values, and batch-means estimates.

One place for the network's parameters: the SimPy and Ciw references (``simpy_network.py``,
``ciw_network.py``), ``benchmarks/network.py`` and ``tests/test_queueing_network.py`` all read
:data:`BRANCH`.  Each reference returns a :class:`NetworkRun`: per station and per batch of
customers (numbered in order of arrival) the summed waits and the number of visits, and per
batch the summed times in the network.  :func:`estimate` turns it into means with confidence
intervals by batch means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import stats

from simsvc.queueing_network import jackson_metrics


@dataclass(frozen=True)
class Network:
    """An open network of M/M/c stations; rates per minute, ``routing[i][j]`` as in Jackson."""

    names: tuple[str, ...]
    external: tuple[float, ...]  # arrivals from outside per minute, per station
    routing: tuple[tuple[float, ...], ...]  # after service at i: to j with routing[i][j], else leave
    service_rates: tuple[float, ...]  # per minute, one server
    servers: tuple[int, ...]

    def jackson(self) -> dict:
        """The product-form values (:func:`simsvc.queueing_network.jackson_metrics`)."""
        return jackson_metrics(self.external, self.routing, self.service_rates, self.servers, names=self.names)

    def faster(self, factor: float) -> Network:
        """The same network with every service ``factor`` times as fast (lighter loads)."""
        return replace(self, service_rates=tuple(m * factor for m in self.service_rates))


BRANCH = Network(
    names=("greeter", "counter", "advisor"),
    external=(1.5, 0.0, 0.0),  # 90 customers an hour, all met by the greeter
    # greeter -> counter; counter -> advisor 30 %, back to the counter 5 % (rework), else leave
    routing=((0.0, 1.0, 0.0), (0.0, 0.05, 0.30), (0.0, 0.0, 0.0)),
    service_rates=(1 / 1.1, 1 / 2.8, 1 / 3.6),  # mean service 1.1, 2.8 and 3.6 minutes
    servers=(2, 5, 2),  # loads 0.825, 0.884, 0.853
)
"""A bank branch: greeter (2) -> counter (5) -> 30 % to an advisor (2), 5 % back to the counter."""


@dataclass
class NetworkRun:
    """What a reference measured, per station and batch of customers (by order of arrival)."""

    names: tuple[str, ...]
    customers: int  # external arrivals simulated (throughput counts these)
    wait_sum: np.ndarray  # (stations, batches): minutes queued, summed over visits
    visits: np.ndarray  # (stations, batches): visits started
    sojourn_sum: np.ndarray  # (batches,): minutes from arrival to leaving, summed over customers
    finished: np.ndarray  # (batches,): customers whose whole journey is counted
    extra: dict = field(default_factory=dict)


def new_run(names: tuple[str, ...], customers: int, batches: int) -> NetworkRun:
    """Empty accumulators for ``batches`` batches."""
    k = len(names)
    return NetworkRun(names, customers, np.zeros((k, batches)), np.zeros((k, batches)),
                      np.zeros(batches), np.zeros(batches))  # fmt: skip


def batch_of(customer: int, customers: int, batches: int) -> int:
    """Batch of the ``customer``-th arrival (0-based) among ``customers``."""
    return customer * batches // customers


def _interval(values: np.ndarray, level: float) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    return float(values.mean()), float(half)


def estimate(run: NetworkRun, level: float = 0.95, warmup_batches: int = 1) -> dict:
    """Batch means: per station mean wait, visits per customer, and the mean sojourn, with CIs.

    The first ``warmup_batches`` batches (the network filling up from empty) are dropped;
    each remaining batch gives one ratio estimate (summed waits / visits), and the interval
    is Student's t over those.  Returns ``{"stations": {name: {"mean_wait": (mean, half),
    "visits": (mean, half)}}, "sojourn": (mean, half), "batches": n}``.
    """
    keep = slice(warmup_batches, None)
    finished = run.finished[keep]
    out: dict = {"stations": {}, "batches": int(finished.size)}
    for i, name in enumerate(run.names):
        visits = run.visits[i, keep]
        out["stations"][name] = {
            "mean_wait": _interval(run.wait_sum[i, keep] / visits, level),
            "visits": _interval(visits / finished, level),
        }
    out["sojourn"] = _interval(run.sojourn_sum[keep] / finished, level)
    return out


def point(run: NetworkRun, warmup_batches: int = 1) -> dict:
    """One run's estimates without intervals (for replications): ``{"<station>.mean_wait": ...,
    "<station>.visits": ..., "sojourn": ...}``, the first ``warmup_batches`` batches dropped."""
    keep = slice(warmup_batches, None)
    customers = run.finished[keep].sum()
    out = {"sojourn": float(run.sojourn_sum[keep].sum() / customers)}
    for i, name in enumerate(run.names):
        visits = run.visits[i, keep].sum()
        out[f"{name}.mean_wait"] = float(run.wait_sum[i, keep].sum() / visits)
        out[f"{name}.visits"] = float(visits / customers)
    return out
