"""KPIs from one replication's tally, and their confidence intervals over replications.

Definitions (all over customers who arrived after the warm-up):

* ``service_level``: share of *arrivals* that started service within the target wait
  (abandoning or balking customers count as missed), as in :mod:`simsvc.queueing`.
* ``mean_wait``: mean time in queue of customers who joined the queue (served or
  abandoned; an abandoning customer's wait is its time to abandonment). Balking
  customers do not join and are counted by ``balk_rate`` instead.
* ``mean_wait_served``: the average speed of answer, over served customers only.
* ``p95_wait``: 95th percentile of the waits in ``mean_wait`` (histogram, ±0.5 %).
* ``abandonment_rate``, ``balk_rate``: shares of arrivals.
* ``utilization``: busy server-minutes over on-duty server-minutes (staff finishing a
  customer after their shift, or after closing, count as on duty while they do).
* ``max_queue``: most customers waiting at once (for a class: of that class).
* ``demand_change``: arrivals over the declared demand's expected arrivals, minus 1
  (promises, word of mouth and returns move it; without them it is Poisson noise).
* ``retention``, ``lost_customers``, ``returning_share``: loyalty KPIs, NaN (not
  applicable) without a ``loyalty`` block, where nobody's return is modelled.
* ``mean_queue``: time-average number waiting over the reported intervals: customer-minutes
  spent waiting within them over their minutes (:mod:`simsvc.sim.queue_area`), so an
  interval's mean queue never exceeds its longest queue.
* ``recovery_rate``: share of complaints recovered (no complaint desk: every complaint is
  unresolved, so 0); ``complaints_within_sla``: share of complaints resolved within the SLA,
  only with a complaint desk.

Per station (front-line team, group ``station``): ``served``, ``mean_wait_served`` and
``mean_service_time`` of the visits it served (each step of a journey a visit), ``abandoned``
(visits that left a queue of that station alone; a pool's shared queue belongs to no one team)
and ``utilization``.

A ratio with nothing to count is *not applicable*: NaN, not 0 (the recovery rate with no
complaints, the share within the SLA with no complaint desk, the mean wait with nobody queued,
the utilization with nobody on duty, any ratio of an interval without arrivals).

Each KPI has a range (:data:`KPI_RANGES`): shares and rates in [0, 1], SERVQUAL gaps in
[-6, 6] (a 1-7 scale), ``demand_change`` at least -1, everything else (counts, waits, times,
queues, costs) at least 0. The
Student-t interval over replications is clipped to it (:func:`clip_to_range`): a KPI that is
rarely above 0 gets an interval starting at 0, not a negative wait.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from simsvc.costs import cost_terms
from simsvc.scenario.quality_models import DIMENSIONS
from simsvc.sim.tally import Tally, quantile_from_histogram

__all__ = ["KPI_NAMES", "KPI_RANGES", "clip_to_range", "confidence_intervals", "kpi_range", "replication_kpis"]

KPI_NAMES = (
    "arrivals", "demand_change", "served", "abandoned", "balked", "mean_wait", "mean_wait_served",
    "p95_wait", "service_level", "abandonment_rate", "balk_rate", "utilization",
    "max_queue", "mean_queue", "mean_service_time",
    "satisfaction", "delighted_share", "dissatisfied_share", "complaint_rate", "recovery_rate",
    "complaints_within_sla", "mean_resolution_time", "retention", "lost_customers", "returning_share",
    *(f"gap_{d}" for d in DIMENSIONS), "complaint_team_utilization",
    "deferred_within_target", "deferred_response_hours", "backlog_at_opening", "max_backlog_at_opening",
    "deferred_open_at_end",
    "cost", "cost_wages", "cost_training", "cost_complaints", "lost_customer_value", "cost_and_lost_value",
)  # fmt: skip
GROUPS = ("overall", "class", "interval", "day", "station")
_SHARES = {
    "service_level", "abandonment_rate", "balk_rate", "utilization", "satisfaction", "delighted_share",
    "dissatisfied_share", "complaint_rate", "recovery_rate", "complaints_within_sla", "retention",
    "complaint_team_utilization", "returning_share", "deferred_within_target",
}  # fmt: skip
_GAP = (-6.0, 6.0)  # perceived minus expected, both on a 1-7 scale
_SIGNED = {"demand_change": (-1.0, math.inf)}  # arrivals / declared - 1: from no arrivals up
KPI_RANGES: dict[str, tuple[float, float]] = {
    k: _SIGNED.get(k) or ((0.0, 1.0) if k in _SHARES else _GAP if k.startswith("gap_") else (0.0, math.inf))
    for k in KPI_NAMES
}
"""The values each KPI can take (low, high); a name not listed here is unbounded."""


def kpi_range(kpi: str) -> tuple[float, float]:
    """The range of ``kpi`` (:data:`KPI_RANGES`); ``(-inf, inf)`` for a name that is not a KPI."""
    return KPI_RANGES.get(kpi, (-math.inf, math.inf))


def clip_to_range(table: pd.DataFrame, kpi: str | None = None) -> pd.DataFrame:
    """``table`` with ``ci_low`` and ``ci_high`` clipped to the KPI's range.

    Args:
        table: columns ``ci_low`` and ``ci_high``.
        kpi: the KPI of every row; None: the index level ``kpi`` names each row's KPI.
    """
    if kpi is None:
        names = table.index.get_level_values("kpi")
        low, high = (np.array([kpi_range(k)[i] for k in names]) for i in (0, 1))
    else:
        low, high = kpi_range(kpi)
    out = table.copy()
    for column in ("ci_low", "ci_high"):
        out[column] = np.clip(out[column].to_numpy(float), low, high)  # NaN stays NaN
    return out


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


def _kpis(
    c: dict[str, float], hist: np.ndarray, max_queue: float, busy: float, duty: float, minutes: float
) -> dict[str, float]:
    return {
        "arrivals": c["arrivals"],
        "demand_change": _ratio(c["arrivals"], c["declared"]) - 1.0,
        "served": c["served"],
        "abandoned": c["abandoned"],
        "balked": c["balked"],
        "mean_wait": _ratio(c["wait_sum"], c["joined"]),
        "mean_wait_served": _ratio(c["wait_sum_served"], c["served"]),
        "p95_wait": quantile_from_histogram(hist, 0.95),
        "service_level": _ratio(c["within_target"], c["arrivals"]),
        "abandonment_rate": _ratio(c["abandoned"], c["arrivals"]),
        "balk_rate": _ratio(c["balked"], c["arrivals"]),
        "utilization": _ratio(busy, duty),
        "max_queue": max_queue,
        "mean_queue": _ratio(c["queue_area"], minutes),
        "mean_service_time": _ratio(c["service_sum"], c["served"]),
    }


def _quality_kpis(c: dict[str, float], desk: bool, loyal: bool) -> dict[str, float]:
    complaints = c["complaints"]
    out = {
        "satisfaction": _ratio(c["satisfaction_sum"], c["arrivals"]),
        "delighted_share": _ratio(c["delighted"], c["arrivals"]),
        "dissatisfied_share": _ratio(c["dissatisfied"], c["arrivals"]),
        "complaint_rate": _ratio(complaints, c["arrivals"]),
        "recovery_rate": _ratio(c["recovered"], complaints),
        "complaints_within_sla": _ratio(c["within_sla"], complaints) if desk else math.nan,
        "mean_resolution_time": _ratio(c["resolution_sum"], c["complaints_handled"]),
        "retention": _ratio(c["returns"], c["arrivals"]) if loyal else math.nan,
        "lost_customers": c["lost"] if loyal else math.nan,
        "returning_share": _ratio(c["returning"], c["arrivals"]) if loyal else math.nan,
    }
    out.update({f"gap_{d}": _ratio(c[f"gap_sum_{d}"], c["served"]) for d in DIMENSIONS})
    return out


def _deferred_kpis(c: dict[str, float], backlog: np.ndarray | None) -> dict[str, float]:
    """Deferred work's KPIs (:mod:`simsvc.sim.deferred_tally`); ``backlog``: the reported openings' (None: n/a)."""
    some = c["due"] + c["open_at_end"] > 0  # a member with deferred work (else every KPI is n/a)
    shown = backlog is not None and len(backlog) > 0
    return {
        "deferred_within_target": _ratio(c["answered_in_target"], c["due"]),
        "deferred_response_hours": _ratio(c["response_sum"], c["answered"]) / 60.0,
        "backlog_at_opening": float(np.mean(backlog)) if shown else math.nan,
        "max_backlog_at_opening": float(np.max(backlog)) if shown else math.nan,
        "deferred_open_at_end": c["open_at_end"] if some else math.nan,
    }


def _cost_kpis(wages: float, back_office: float, training: float, handling: float, lost: float) -> dict[str, float]:
    """The operating cost and its parts, the value of customers lost, and their sum under its own name.

    ``cost`` is what the firm pays (wages, training, complaint handling); the value of
    customers lost is not paid and is never part of it (see :mod:`simsvc.costs`).
    """
    cost = wages + back_office + training + handling
    return {
        "cost": cost,
        "cost_wages": wages + back_office,
        "cost_training": training,
        "cost_complaints": handling,
        "lost_customer_value": lost,
        "cost_and_lost_value": cost + lost,
    }


def _interval_labels(tally: Tally) -> list[str]:
    h = tally.scenario.horizon
    labels = []
    for j in range(h.n_intervals):
        minute = round(h.open_minute + j * h.interval_minutes)
        labels.append(f"{minute // 60:02d}:{minute % 60:02d}")
    return labels


def _group_sums(counts: dict[str, np.ndarray]) -> dict[str, list[dict[str, float]]]:
    """Each count summed over the whole run, and per class, interval and day: one dict per group member.

    All counts at once (a few NumPy calls, not one per count and group). Each member's values
    are made contiguous in the order of its own view (``v[:, :, k]``, ``v[:, j]``, ``v[d]``)
    and summed along that axis, so every sum is bit for bit that of ``view.sum()``.
    """
    names = list(counts)
    stack = np.stack([counts[n] for n in names])  # (counts, days, intervals, classes)
    f, d, i, c = stack.shape
    sums = {
        "overall": stack.reshape(f, 1, -1),
        "class": stack.reshape(f, d * i, c).transpose(0, 2, 1),
        "interval": stack.transpose(0, 2, 1, 3).reshape(f, i, d * c),
        "day": stack.reshape(f, d, i * c),
    }
    out = {}
    for group, values in sums.items():
        per_member = np.ascontiguousarray(values).sum(axis=2).T.tolist()
        out[group] = [dict(zip(names, row, strict=True)) for row in per_member]
    return out


def replication_kpis(tally: Tally) -> pd.DataFrame:
    """All KPIs of one replication, long format: ``group, key, kpi, value``.

    Costs that cannot be attributed to a group are left out of it: complaint-team wages
    and training by interval (an interval's wages are its front-line on-duty time; paid
    time before opening or after closing counts in the day and overall), and all wages
    and training by class (NaN, so a class's ``cost`` and ``cost_and_lost_value`` are NaN
    too). An interval's ``cost`` is thus its front-line on-duty wages plus its complaints'
    handling; a day's is its paid wages (complaint teams included), a day of training and
    its complaints' handling. The value of customers lost is in ``lost_customer_value``
    only, never in ``cost``.
    """
    s = tally.scenario
    counts = tally.counts
    quality = s.quality.enabled
    desk = bool(s.complaints.teams)
    costs = cost_terms(
        s, tally.on_duty, tally.paid, tally.back_office_paid, counts.get("complaints"), counts.get("lost")
    )
    nan = math.nan
    observed = tally.observed_minutes
    blocks: list[tuple[str, str, tuple[str, ...]]] = []  # (group, key, its KPIs' names), in order
    numbers: list[float] = []

    deferred = tally.deferred
    backlog = np.zeros((0, len(s.customer_classes)))  # (reported openings, classes)
    opening_of: dict[int, np.ndarray] = {}  # a reported day's backlog, all classes
    if deferred is not None:
        reported = deferred.reported_days(s.horizon.open_minute + s.simulation.warmup_minutes)
        backlog = deferred.backlog[reported]
        opening_of = {d: backlog[i].sum(keepdims=True) for i, d in enumerate(reported.tolist())}

    def emit(group: str, key: str, per: dict[str, float], hist, max_queue, busy, duty, money, back, minutes,
             openings: np.ndarray | None = None) -> None:  # fmt: skip
        values = _kpis(per, hist, max_queue, busy, duty, minutes)
        if quality:
            values.update(_quality_kpis(per, desk, s.loyalty is not None))
            values["complaint_team_utilization"] = _ratio(*back) if back else nan
        if deferred is not None:
            values.update(_deferred_kpis(per, openings))
        values.update(_cost_kpis(*money))
        blocks.append((group, key, tuple(values)))
        numbers.extend(values.values())

    days = s.horizon.days
    sums = _group_sums(counts)
    emit(
        "overall", "all", sums["overall"][0], tally.hist_interval.sum(axis=(0, 1)),
        tally.max_queue_total.max(initial=0), tally.busy.sum(), tally.on_duty.sum(),
        (costs.wages.sum(), costs.back_office_wages.sum(), costs.training_per_day * days,
         costs.complaint_handling.sum(), costs.lost_customer_value.sum()),
        (tally.back_office_busy.sum(), tally.back_office_on_duty.sum()), observed.sum(),
        backlog.sum(axis=1) if deferred is not None else None,
    )  # fmt: skip
    for k, cls in enumerate(s.customer_classes):
        emit(
            "class", cls.name, sums["class"][k],
            tally.hist_interval[:, k].sum(axis=0), tally.max_queue[:, :, k].max(initial=0), nan, nan,
            (nan, nan, nan, costs.complaint_handling[:, :, k].sum(), costs.lost_customer_value[:, :, k].sum()), None,
            observed.sum(), backlog[:, k] if deferred is not None and deferred.is_deferred[k] else None,
        )  # fmt: skip
    for j, label in enumerate(_interval_labels(tally)):
        emit(
            "interval", label, sums["interval"][j],
            tally.hist_interval[j].sum(axis=0), tally.max_queue_total[:, j].max(initial=0),
            tally.busy[:, :, j].sum(), tally.on_duty[:, :, j].sum(),
            (costs.wages_by_interval[:, j].sum(), 0.0, 0.0, costs.complaint_handling[:, j].sum(),
             costs.lost_customer_value[:, j].sum()),
            None, observed[:, j].sum(),
        )  # fmt: skip
    for d in range(days):
        emit(
            "day", str(d + 1), sums["day"][d],
            tally.hist_day[d].sum(axis=0), tally.max_queue_total[d].max(initial=0),
            tally.busy[:, d].sum(), tally.on_duty[:, d].sum(),
            (costs.wages[d].sum(), costs.back_office_wages[d], costs.training_per_day,
             costs.complaint_handling[d].sum(), costs.lost_customer_value[d].sum()),
            (tally.back_office_busy[:, d].sum(), tally.back_office_on_duty[:, d].sum()), observed[d].sum(),
            opening_of.get(d),
        )  # fmt: skip
    for t, team in enumerate(s.teams):
        st = {name: v[t] for name, v in tally.stations.items()}
        values = {
            "served": st["served"],
            "abandoned": st["abandoned"],
            "mean_wait_served": _ratio(st["wait_sum_served"], st["served"]),
            "mean_service_time": _ratio(st["service_sum"], st["served"]),
            "utilization": _ratio(tally.busy[t].sum(), tally.on_duty[t].sum()),
        }
        blocks.append(("station", team.name, tuple(values)))
        numbers.extend(values.values())
    return pd.DataFrame({**_label_columns(tuple(blocks)), "value": np.array(numbers, dtype=np.float64)})


@functools.lru_cache(maxsize=16)
def _label_columns(blocks: tuple[tuple[str, str, tuple[str, ...]], ...]) -> dict[str, pd.api.extensions.ExtensionArray]:
    """The string columns ``group, key, kpi`` of a KPI table with these blocks of rows, converted once.

    Every replication of a scenario has the same rows; turning a thousand Python strings a
    column into pandas' string arrays was most of building its table. A block is a group
    member and its KPIs' names (a short key to look up). The table copies the columns.
    """
    labels = [(group, key, kpi) for group, key, kpis in blocks for kpi in kpis]
    frame = pd.DataFrame(labels, columns=["group", "key", "kpi"])
    return {name: frame[name].array for name in frame.columns}


def confidence_intervals(values: pd.DataFrame, by: list[str], confidence: float = 0.95) -> pd.DataFrame:
    """Mean and Student-t confidence interval of ``value`` over replications.

    Args:
        values: long table with a ``value`` column, one row per replication and group.
        by: the columns identifying a group (e.g. ``["group", "key", "kpi"]``).
        confidence: two-sided level of the interval.

    Returns:
        One row per group with ``mean``, ``ci_low``, ``ci_high``, ``n``. A value that is NaN
        (not applicable in that replication) is left out: the mean and interval are over the
        replications where the KPI is defined, and ``n`` counts them; NaN in every replication
        gives a NaN mean and interval with ``n`` 0. The interval is NaN with a single value.
        When ``by`` includes ``kpi``, the interval is clipped to each KPI's range
        (:func:`clip_to_range`).
    """
    from scipy.special import stdtrit  # lazily: SciPy's stats module costs 0.6 s to import

    grouped = values.groupby(by, sort=False)["value"]
    out = grouped.agg(mean="mean", std="std", n="count")
    t = stdtrit(np.maximum(out["n"] - 1, 1), 0.5 + confidence / 2)
    half = np.where(out["n"] > 1, t * out["std"] / np.sqrt(out["n"]), np.nan)
    # Constant KPIs (e.g. a deterministic case) have std 0: the interval is the point.
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    out = out[["mean", "ci_low", "ci_high", "n"]]
    return clip_to_range(out) if "kpi" in by else out
