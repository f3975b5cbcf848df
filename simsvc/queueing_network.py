"""Open Jackson networks: traffic equations and the product-form M/M/c results per station.

A customer arrives from outside at station ``i`` (Poisson, rate ``external[i]`` per minute),
is served there (``servers[i]`` servers, exponential, rate ``service_rates[i]`` per minute,
FCFS, no abandonment) and then goes to station ``j`` with probability ``routing[i][j]`` or
leaves with the rest of the row's probability.  Jackson's theorem: in steady state each
station behaves as an M/M/c queue fed at its total rate ``lambda_i``, the solution of the
traffic equations ``lambda = external + P^T lambda``, and the stations are independent.  So a
station's results are :func:`simsvc.queueing.mmc_metrics` at ``lambda_i``, and the network's
totals follow from them by Little's law.  Units as in :mod:`simsvc.queueing`: minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import numpy as np

from simsvc.queueing import mmc_metrics

__all__ = ["jackson_metrics", "traffic_rates"]

_ROW_TOL = 1e-9  # a row may exceed 1 by rounding only
_EXIT_TOL = 1e-12  # a row summing to within this of 1 has no exit


def _names(names: Sequence[str] | None, n: int) -> list[str]:
    if names is None:
        return [f"station {i}" for i in range(n)]
    if len(names) != n:
        raise ValueError(f"names has {len(names)} entries for {n} stations")
    return [str(x) for x in names]


def _vector(label: str, values: Sequence[float], n: int | None, *, positive: bool = False) -> np.ndarray:
    vec = np.asarray(values, dtype=float)
    if vec.ndim != 1 or vec.size == 0 or (n is not None and vec.size != n):
        want = "a non-empty list" if n is None else f"a list of {n} numbers, one per station"
        raise ValueError(f"{label} must be {want}")
    bad = ~np.isfinite(vec) | ((vec <= 0) if positive else (vec < 0))
    if bad.any():
        kind = "positive" if positive else "non-negative"
        raise ValueError(f"{label}[{int(np.flatnonzero(bad)[0])}] must be a finite {kind} number")
    return vec


def _routing(routing: Sequence[Sequence[float]], n: int, names: list[str]) -> np.ndarray:
    p = np.asarray(routing, dtype=float)
    if p.shape != (n, n):
        raise ValueError(f"routing must be a {n} x {n} matrix (one row and column per station), got shape {p.shape}")
    bad = ~np.isfinite(p) | (p < 0) | (p > 1)
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        raise ValueError(f"routing[{i}][{j}] (={float(p[i, j])!r}) must be a probability in [0, 1]")
    sums = p.sum(axis=1)
    for i in np.flatnonzero(sums > 1 + _ROW_TOL):
        raise ValueError(f"routing[{i}] ({names[i]}) sums to {sums[i]:.6g}: the probabilities must sum to at most 1")
    return p


def _trapped(p: np.ndarray) -> list[int]:
    """Stations from which no path of positive probability leads out of the network."""
    leaves = p.sum(axis=1) < 1 - _EXIT_TOL
    can_leave = leaves.copy()
    while True:  # i can leave if it leaves itself or routes to a station that can
        more = can_leave | ((p > 0) & can_leave[None, :]).any(axis=1)
        if (more == can_leave).all():
            return [int(i) for i in np.flatnonzero(~can_leave)]
        can_leave = more


def traffic_rates(
    external: Sequence[float], routing: Sequence[Sequence[float]], names: Sequence[str] | None = None
) -> np.ndarray:
    """Total arrival rate at each station: the solution of ``lambda = external + P^T lambda``.

    Args:
        external: arrivals from outside per minute at each station (>= 0).
        routing: ``routing[i][j]`` is the probability of going to station ``j`` after
            service at ``i``; each row sums to at most 1, the rest of it leaves.
        names: station names for the error messages (default ``station 0``, ...).

    Returns:
        The arrival rates per minute, one per station (external plus routed).

    Raises:
        ValueError: if an argument is malformed, or if some stations form a loop that
            customers can never leave (``I - P^T`` singular), naming those stations.
    """
    ext = _vector("external", external, None)
    n = ext.size
    labels = _names(names, n)
    p = _routing(routing, n, labels)
    trapped = _trapped(p)
    if trapped:
        who = ", ".join(labels[i] for i in trapped)
        raise ValueError(
            f"routing: customers who reach {who} can never leave the network "
            "(a closed loop: every path from there returns with probability 1)"
        )
    return np.linalg.solve(np.eye(n) - p.T, ext)


def jackson_metrics(
    external: Sequence[float],
    routing: Sequence[Sequence[float]],
    service_rates: Sequence[float],
    servers: Sequence[int],
    target_wait: float = 0.0,
    names: Sequence[str] | None = None,
) -> dict:
    """Steady-state results of an open Jackson network of M/M/c stations (product form).

    Args:
        external: arrivals from outside per minute at each station (>= 0, not all 0).
        routing: routing probabilities as in :func:`traffic_rates`.
        service_rates: service rate per minute of one server at each station (> 0).
        servers: number of servers at each station (positive integers).
        target_wait: service-level threshold in minutes for each visit (>= 0).
        names: station names (default ``station 0``, ...), used in messages and results.

    Returns:
        A dict with ``stations``: one dict per station, the keys of
        :func:`simsvc.queueing.mmc_metrics` for one visit (``mean_wait``, ``p_wait``,
        ``service_level``, ``occupancy``, ``mean_queue_length``, ``mean_response``) plus
        ``name``, ``arrival_rate`` (``lambda_i``), ``visits`` (mean visits per external
        arrival, ``lambda_i / sum(external)``) and ``mean_in_system`` (``lambda_i`` x
        ``mean_response``); and the network's totals: ``arrival_rate`` (external),
        ``mean_in_system`` (customers in the whole network), ``mean_sojourn`` (minutes from
        arrival to leaving, per external arrival: Little), ``mean_total_wait`` (minutes
        queued over all visits, per external arrival) and ``visits`` (mean visits, all
        stations).  An unstable station (``lambda_i >= c_i mu_i``) gets the values of an
        unstable M/M/c queue, and the totals that depend on it are infinite.

    Raises:
        ValueError: as :func:`traffic_rates`, or if there are no external arrivals.
    """
    ext = _vector("external", external, None)
    n = ext.size
    labels = _names(names, n)
    lam = traffic_rates(ext, routing, labels)
    mu = _vector("service_rates", service_rates, n, positive=True)
    if len(servers) != n:
        raise ValueError(f"servers must be a list of {n} positive integers, one per station")
    for i, c in enumerate(servers):
        if isinstance(c, bool) or not isinstance(c, Integral) or c < 1:
            raise ValueError(f"servers[{i}] (={c!r}) must be a positive integer")
    total = float(ext.sum())
    if total <= 0:
        raise ValueError("external: no customer ever arrives (all external arrival rates are 0)")
    stations = []
    for i in range(n):
        rate = max(float(lam[i]), 0.0)  # solve() may leave -1e-17 where nobody comes
        m = mmc_metrics(rate, float(mu[i]), int(servers[i]), target_wait)  # unstable: inf waits
        stations.append(
            {"name": labels[i], "arrival_rate": rate, "visits": rate / total, **m,
             "mean_in_system": rate * m["mean_response"]}
        )  # fmt: skip
    in_system = sum(s["mean_in_system"] for s in stations)
    return {
        "stations": stations,
        "arrival_rate": total,
        "mean_in_system": in_system,
        "mean_sojourn": in_system / total,
        "mean_total_wait": sum(s["visits"] * s["mean_wait"] for s in stations if s["visits"] > 0),
        "visits": sum(s["visits"] for s in stations),
    }
