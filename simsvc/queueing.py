"""Exact analytic queueing formulas: Erlang B, Erlang C (M/M/c) and Erlang A (M/M/n+M).

Units: time is in MINUTES and every rate is PER MINUTE.  ``load`` is the offered
traffic ``arrival_rate / service_rate`` in Erlangs.

Numerics: Erlang B uses the stable recursion ``B(k) = a B(k-1) / (k + a B(k-1))``
(no factorials), Erlang C is derived from Erlang B, and Erlang A works with
logarithms of the Kummer series ``A(x, y) = sum_j y^j / ((x+1)...(x+j))``
(``= x e^y y^-x gamma(x, y)``, Mandelbaum & Zeltyn), so it holds up for
thousands of servers, loads near the number of servers and tiny patience rates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np

__all__ = [
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "mmc_metrics",
    "required_servers",
    "service_level_curve",
    "square_root_staffing",
    "wait_profile",
]

_REL_TOL = 1e-17  # series truncation: neglected tail relative to the partial sum
_MAX_SERVERS = 10_000_000  # safety net for required_servers


# --------------------------------------------------------------------------- checks
def _servers(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name}(={value!r}) must be a positive integer")
    return int(value)


def _real(name: str, value: object, *, positive: bool = False) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool)
    if ok and math.isfinite(value) and (value > 0 if positive else value >= 0):
        return float(value)
    kind = "positive" if positive else "non-negative"
    raise ValueError(f"{name}(={value!r}) must be a finite {kind} number")


# ------------------------------------------------------------------------ helpers
def _erlang_b(servers: int, load: float) -> float:
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def _stirlerr(a: float) -> float:
    """Log Gamma(a+1) - [(a + 1/2) log a - a + log(2 pi)/2]."""
    if a >= 15.0:
        a2 = a * a
        return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / (1680 * a2)) / a2) / a2) / a
    from scipy.special import gammaln  # lazily, as every SciPy use here: a simulation needs none of it

    return float(gammaln(a + 1.0)) - (a + 0.5) * math.log(a) + a - 0.5 * math.log(2 * math.pi)


def _log_kummer(x: float, y: float) -> tuple[float, float]:
    """Return ``(log A, log S1)``, ``A = sum_j t_j``, ``S1 = sum_j j t_j``.

    ``t_j = y^j / prod_{i=1..j} (x + i)``; ``x > 0``, ``y >= 0``.
    """
    if y <= 0.0:
        return 0.0, -math.inf
    if y > x:
        # A = P(x, y) / [e^-y y^x / Gamma(x+1)]; P(x, y) >= ~1/2 here, so no underflow.
        d = (y - x) / x
        log_pdf = x * (math.log1p(d) - d) - 0.5 * math.log(2 * math.pi * x) - _stirlerr(x)
        from scipy.special import gammainc

        log_a = math.log(float(gammainc(x, y))) - log_pdf
        # S1 = y A - x (A - 1) = (y - x) A + x: a sum of positive terms.
        return log_a, log_a + math.log((y - x) + x * math.exp(-log_a))
    # y <= x: terms decrease from t_0 = 1; sum them exactly in chunks (log space).
    total, first, log_t, start, size = 1.0, 0.0, 0.0, 1, 256
    while True:
        j = np.arange(start, start + size, dtype=float)
        if y < 0.5 * x:
            log_ratio = math.log(y) - np.log(x + j)
        else:
            log_ratio = -np.log1p((x + j - y) / y)
        logs = log_t + np.cumsum(log_ratio)
        terms = np.exp(logs)
        total += float(terms.sum())
        first += float((j * terms).sum())
        log_t, last_j = float(logs[-1]), start + size - 1
        r = y / (x + last_j + 1)  # bounds every later ratio
        t = math.exp(log_t)
        if t * r / (1 - r) <= _REL_TOL * total and t * (last_j * r / (1 - r) + r / (1 - r) ** 2) <= _REL_TOL * max(
            first, 1e-300
        ):
            return math.log(total), math.log(first) if first > 0 else -math.inf
        start, size = start + size, min(size * 2, 1 << 20)


def _unstable() -> dict[str, float]:
    inf = math.inf
    return {
        "p_wait": 1.0,
        "mean_wait": inf,
        "service_level": 0.0,
        "occupancy": 1.0,
        "mean_queue_length": inf,
        "mean_response": inf,
    }


def _mmc(lam: float, mu: float, n: int, t: float, b: float) -> dict[str, float]:
    load = lam / mu
    if load >= n:
        return _unstable()
    c = b / (1.0 - (load / n) * (1.0 - b))
    gap = n * mu - lam
    mean_wait = c / gap
    return {
        "p_wait": c,
        "mean_wait": mean_wait,
        "service_level": 1.0 - c * math.exp(-gap * t),
        "occupancy": load / n,
        "mean_queue_length": lam * mean_wait,
        "mean_response": mean_wait + 1.0 / mu,
    }


def _served_late(lam: float, mu: float, theta: float, n: int, t: float, log_a: float, p_wait: float) -> float:
    """Erlang A: P(served after waiting more than ``t``), given ``log A(x, y)`` and P(wait)."""
    # P(served after waiting > t) = pi_n x/(x+1) e^(-theta t) h(t) A(x+1, z),
    # z = y e^(-theta t), h(t) = exp(-n mu t + y (1 - e^(-theta t))).
    x, y = n * mu / theta, lam / theta
    log_h = -n * mu * t - y * math.expm1(-theta * t)
    log_a1, _ = _log_kummer(x + 1.0, y * math.exp(-theta * t))
    return p_wait * math.exp(log_a1 - log_a + log_h - theta * t - math.log1p(1.0 / x))


def _erlang_a(lam: float, mu: float, theta: float, n: int, t: float, b: float) -> dict[str, float]:
    """M/M/n+M given ``b`` = Erlang B(n, lam/mu).  See ``erlang_a_metrics``."""
    if b == 0.0:  # nobody ever finds all servers busy (includes lam == 0)
        p_wait = mean_wait = p_ab = 0.0
        sl = 1.0
    else:
        x, y = n * mu / theta, lam / theta
        log_a, log_s1 = _log_kummer(x, y)
        # pi_n = b / (1 + (A - 1) b);  P(wait) = A pi_n;  E[queue] = S1 pi_n.
        p_wait = b / (b + (1.0 - b) * math.exp(-log_a))
        mean_wait = p_wait * math.exp(log_s1 - log_a) / lam  # Little: E[queue] / lam
        p_ab = theta * mean_wait  # abandonment rate theta E[queue] = lam P(abandon)
        late = _served_late(lam, mu, theta, n, t, log_a, p_wait)
        sl = min(1.0, max(0.0, 1.0 - p_ab - late))
    return {
        "p_wait": p_wait,
        "mean_wait": mean_wait,
        "service_level": sl,
        "occupancy": min(1.0, lam * (1.0 - p_ab) / (n * mu)),
        "mean_queue_length": lam * mean_wait,
        "p_abandon": p_ab,
    }


# ------------------------------------------------------------------------- public
def erlang_b(servers: int, load: float) -> float:
    """Erlang B blocking probability of an M/M/c/c loss system.

    Args:
        servers: number of servers ``c`` (positive integer).
        load: offered load ``arrival_rate / service_rate`` in Erlangs (>= 0).

    Returns:
        Probability that an arrival finds all ``servers`` busy (is blocked).

    Raises:
        ValueError: if an argument is out of range.
    """
    return _erlang_b(_servers("servers", servers), _real("load", load))


def erlang_c(servers: int, load: float) -> float:
    """Erlang C probability of waiting, P(wait > 0), in an M/M/c queue.

    Args:
        servers: number of servers ``c`` (positive integer).
        load: offered load ``arrival_rate / service_rate`` in Erlangs (>= 0).

    Returns:
        Probability that an arrival has to queue; ``1.0`` when ``load >= servers``
        (the queue is unstable).

    Raises:
        ValueError: if an argument is out of range.
    """
    n, load = _servers("servers", servers), _real("load", load)
    if load >= n:
        return 1.0
    b = _erlang_b(n, load)
    return b / (1.0 - (load / n) * (1.0 - b))


def mmc_metrics(arrival_rate: float, service_rate: float, servers: int, target_wait: float) -> dict[str, float]:
    """Steady-state metrics of an M/M/c (Erlang C) queue, FCFS.

    Args:
        arrival_rate: Poisson arrival rate ``lambda`` per minute (>= 0).
        service_rate: service rate ``mu`` per minute of one server (> 0).
        servers: number of servers ``c`` (positive integer).
        target_wait: service-level threshold in minutes (>= 0).

    Returns:
        Dict with ``p_wait`` (P(wait > 0)), ``mean_wait`` (mean time in queue of
        all arrivals, minutes), ``service_level`` (fraction of all arrivals that
        start service within ``target_wait``), ``occupancy`` (``lambda/(c mu)``),
        ``mean_queue_length`` (customers) and ``mean_response`` (wait + service,
        minutes).  An unstable system (``lambda >= c mu``) gives ``p_wait=1``,
        infinite waits and queue, ``service_level=0`` and ``occupancy=1``.

    Raises:
        ValueError: if an argument is out of range.
    """
    lam = _real("arrival_rate", arrival_rate)
    mu = _real("service_rate", service_rate, positive=True)
    n = _servers("servers", servers)
    t = _real("target_wait", target_wait)
    return _mmc(lam, mu, n, t, _erlang_b(n, lam / mu))


def erlang_a_metrics(
    arrival_rate: float,
    service_rate: float,
    patience_rate: float,
    servers: int,
    target_wait: float,
) -> dict[str, float]:
    """Exact steady-state metrics of the Erlang A (M/M/n+M, Palm) queue, FCFS.

    Customers abandon when their exponential patience (rate ``theta``) runs
    out before service starts.

    Args:
        arrival_rate: Poisson arrival rate ``lambda`` per minute (>= 0).
        service_rate: service rate ``mu`` per minute of one server (> 0).
        patience_rate: abandonment rate ``theta`` per minute (1 / mean patience
            in minutes, >= 0); ``0`` means Erlang C (see ``mmc_metrics``).
        servers: number of servers ``n`` (positive integer).
        target_wait: service-level threshold in minutes (>= 0).

    Returns:
        Dict with ``p_wait`` (P(wait > 0)), ``mean_wait`` (mean time in queue of
        all arrivals, abandoners counted until they leave, minutes),
        ``service_level`` (fraction of all arrivals that start service within
        ``target_wait``; abandoners never count), ``occupancy`` (mean busy
        servers / ``n``), ``mean_queue_length`` and ``p_abandon``.

    Raises:
        ValueError: if an argument is out of range.
    """
    lam = _real("arrival_rate", arrival_rate)
    mu = _real("service_rate", service_rate, positive=True)
    theta = _real("patience_rate", patience_rate)
    n = _servers("servers", servers)
    t = _real("target_wait", target_wait)
    b = _erlang_b(n, lam / mu)
    if theta == 0.0:
        return {**_mmc(lam, mu, n, t, b), "p_abandon": 0.0}
    return _erlang_a(lam, mu, theta, n, t, b)


def service_level_curve(
    arrival_rate: float, service_rate: float, patience_rate: float, servers: int, waits: Sequence[float]
) -> np.ndarray:
    """Erlang A (Erlang C when ``patience_rate`` is 0): P(start service within ``t``) for each ``t``.

    The same quantity as ``erlang_a_metrics(...)["service_level"]``, for many waits at once
    (the distribution of the wait of the served customers, scaled by the share served);
    the optimizer uses it to predict how customers perceive their waits.

    Args:
        arrival_rate: Poisson arrival rate per minute (>= 0).
        service_rate: service rate per minute of one server (> 0).
        patience_rate: abandonment rate per minute (>= 0).
        servers: number of servers (positive integer).
        waits: waits in minutes (>= 0).

    Returns:
        An array like ``waits``; 0 everywhere for an unstable Erlang C queue.
    """
    return wait_profile(arrival_rate, service_rate, patience_rate, servers, waits)[0]


def wait_profile(
    arrival_rate: float, service_rate: float, patience_rate: float, servers: int, waits: Sequence[float]
) -> tuple[np.ndarray, float]:
    """:func:`service_level_curve` and P(abandon) together, from one evaluation of the queue.

    P(abandon) is 0 for Erlang C (``patience_rate`` 0), even when unstable.
    """
    lam = _real("arrival_rate", arrival_rate)
    mu = _real("service_rate", service_rate, positive=True)
    theta = _real("patience_rate", patience_rate)
    n = _servers("servers", servers)
    t = np.asarray(waits, dtype=float)
    if (t < 0).any() or not np.isfinite(t).all():
        raise ValueError("waits must be finite and non-negative")
    b = _erlang_b(n, lam / mu)
    if theta == 0.0:
        if lam / mu >= n:
            return np.zeros_like(t), 0.0
        c = b / (1.0 - (lam / mu / n) * (1.0 - b))
        return 1.0 - c * np.exp(-(n * mu - lam) * t), 0.0
    if b == 0.0:
        return np.ones_like(t), 0.0
    x, y = n * mu / theta, lam / theta
    log_a, log_s1 = _log_kummer(x, y)
    p_wait = b / (b + (1.0 - b) * math.exp(-log_a))
    p_ab = theta * p_wait * math.exp(log_s1 - log_a) / lam
    w = t.ravel()
    z = y * np.exp(-theta * w)
    log_a1 = _log_kummer_many(x + 1.0, z)
    log_h = -n * mu * w - y * np.expm1(-theta * w)
    late = p_wait * np.exp(log_a1 - log_a + log_h - theta * w - math.log1p(1.0 / x))
    return np.clip(1.0 - p_ab - late, 0.0, 1.0).reshape(t.shape), p_ab


def _log_kummer_many(x: float, ys: np.ndarray) -> np.ndarray:
    """``log A(x, y)`` for many ``y`` at once.

    ``A = x e^y y^-x gamma(x, y)`` with the regularized ``P(x, y)`` from SciPy, where ``P`` is
    far from underflow; the exact series of :func:`_log_kummer` elsewhere.
    """
    from scipy.special import gammainc, gammaln

    ys = np.asarray(ys, dtype=float)
    out = np.empty_like(ys)
    with np.errstate(divide="ignore"):
        p = gammainc(x, ys)
        usable = (p > 1e-200) & (ys > 0)
        out[usable] = math.log(x) + ys[usable] - x * np.log(ys[usable]) + float(gammaln(x)) + np.log(p[usable])
    for i in np.flatnonzero(~usable):
        out[i] = _log_kummer(x, float(ys[i]))[0]
    return out


def required_servers(
    arrival_rate: float,
    service_rate: float,
    target_wait: float,
    service_level: float,
    patience_rate: float | None = None,
) -> int:
    """Smallest number of servers whose service level meets a target.

    Uses Erlang A when ``patience_rate`` is given and positive, Erlang C
    otherwise (then the answer is also the smallest stable ``n > load``).

    Args:
        arrival_rate: Poisson arrival rate per minute (>= 0).
        service_rate: service rate per minute of one server (> 0).
        target_wait: service-level threshold in minutes (>= 0).
        service_level: required fraction of arrivals starting service within
            ``target_wait``, in ``[0, 1)``.
        patience_rate: abandonment rate per minute (>= 0), or ``None``.

    Returns:
        The minimal number of servers (at least 1).

    Raises:
        ValueError: if an argument is out of range.
    """
    lam = _real("arrival_rate", arrival_rate)
    mu = _real("service_rate", service_rate, positive=True)
    t = _real("target_wait", target_wait)
    goal = _real("service_level", service_level)
    if goal >= 1.0:
        raise ValueError(f"service_level(={service_level!r}) must be in [0, 1)")
    theta = 0.0 if patience_rate is None else _real("patience_rate", patience_rate)
    load = lam / mu
    n = 1 if theta > 0.0 else math.floor(load) + 1
    b = _erlang_b(n, load)
    while n <= _MAX_SERVERS:
        m = _erlang_a(lam, mu, theta, n, t, b) if theta > 0.0 else _mmc(lam, mu, n, t, b)
        if m["service_level"] >= goal:
            return n
        n += 1
        b = load * b / (n + load * b)
    raise ValueError(f"service_level(={service_level!r}) needs more than {_MAX_SERVERS} servers")


def square_root_staffing(load: float, beta: float) -> int:
    """Square-root staffing rule ``n = ceil(load + beta * sqrt(load))``.

    Args:
        load: offered load in Erlangs (>= 0).
        beta: quality-of-service parameter (any finite number).

    Returns:
        The suggested number of servers, at least 1.

    Raises:
        ValueError: if an argument is out of range.
    """
    load = _real("load", load)
    if isinstance(beta, bool) or not isinstance(beta, Real) or not math.isfinite(beta):
        raise ValueError(f"beta(={beta!r}) must be a finite number")
    return max(1, math.ceil(load + beta * math.sqrt(load)))
