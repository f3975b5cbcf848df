"""Reading a sweep's results: per-point confidence intervals, main effects, paired differences, the Pareto frontier.

All intervals are Student-t over replications (:func:`simsvc.metrics.confidence_intervals`).
Because every design point runs with the same seed, replication ``r`` of two points sees the
same customers (common random numbers): effects and differences are computed replication by
replication first, which removes most of the noise that the points share.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from simsvc.metrics import KPI_NAMES, clip_to_range, confidence_intervals
from simsvc.pareto import pareto_front

__all__ = ["factor_columns", "main_effects", "paired_differences", "pareto_frontier", "summarize"]

_KEYS = ("class", "interval", "day")


def _keys(frame: pd.DataFrame) -> list[str]:
    return [k for k in _KEYS if k in frame.columns]


def factor_columns(frame: pd.DataFrame) -> list[str]:
    """The factor columns of a frame from :func:`simsvc.experiments.load`.

    :func:`~simsvc.experiments.load` records them in ``frame.attrs["factors"]`` (columns
    derived later, such as a sum of two KPIs, are then not mistaken for factors); without
    that, every column that is neither a KPI nor an index is taken as a factor.
    """
    if "factors" in frame.attrs:
        return [c for c in frame.attrs["factors"] if c in frame.columns]
    return [c for c in frame.columns if c not in {"point", "replication", *_KEYS, *KPI_NAMES}]


def _long(frame: pd.DataFrame, ids: list[str], kpis: Sequence[str]) -> pd.DataFrame:
    return frame.melt(id_vars=ids, value_vars=list(kpis), var_name="kpi", value_name="value")


def summarize(
    frame: pd.DataFrame,
    kpis: Sequence[str] | None = None,
    confidence: float = 0.95,
    factors: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per design point (and class/interval/day key): factors, then per KPI mean and CI.

    Columns ``KPI`` (the mean), ``KPI_ci_low``, ``KPI_ci_high`` (clipped to the KPI's range), and
    ``n`` (replications). A KPI not applicable (NaN) in some replications is averaged over the
    others; NaN in all of them gives NaN.
    ``factors`` (default :func:`factor_columns`) are the per-point columns carried along.
    """
    kpis = list(kpis) if kpis is not None else [k for k in KPI_NAMES if k in frame.columns]
    by = ["point", *_keys(frame)]
    ci = confidence_intervals(_long(frame, [*by, "replication"], kpis), [*by, "kpi"], confidence)
    wide = ci.unstack("kpi")
    out = pd.DataFrame(index=wide.index)
    for k in kpis:
        out[k] = wide[("mean", k)]
        out[f"{k}_ci_low"] = wide[("ci_low", k)]
        out[f"{k}_ci_high"] = wide[("ci_high", k)]
    out["n"] = wide["n"].max(axis=1).astype(int)
    carried = [c for c in (factor_columns(frame) if factors is None else factors) if c not in kpis]
    factors = frame.drop_duplicates("point").set_index("point")[carried]
    return out.reset_index().merge(factors.reset_index(), on="point")[["point", *carried, *by[1:], *out.columns]]


def main_effects(frame: pd.DataFrame, factor: str, kpi: str, confidence: float = 0.95) -> pd.DataFrame:
    """Mean of ``kpi`` at each level of ``factor``, averaged over the other factors, with a CI.

    The average over the other factors is taken within each replication first, so each level
    has one value per replication and ``n`` is the number of replications; the interval is over
    replications (independent), so it is honest whatever the design. It is clipped to the
    KPI's range (:func:`simsvc.metrics.clip_to_range`).

    Returns:
        Index: the levels (and class/interval/day key, if any); columns ``mean``, ``ci_low``,
        ``ci_high``, ``n``.
    """
    keys = _keys(frame)
    per_rep = _per_replication(frame, [factor, *keys], kpi).rename("value").reset_index()
    return clip_to_range(confidence_intervals(per_rep, [factor, *keys], confidence), kpi).sort_index()


def _per_replication(frame: pd.DataFrame, by: list[str], kpi: str) -> pd.Series:
    """``kpi`` averaged within each replication over every factor not in ``by`` (NaN: not applicable, skipped)."""
    missing = [c for c in [*by, "replication", kpi] if c not in frame.columns]
    if missing:
        raise ValueError(f"the frame has no column(s) {missing} (has {list(frame.columns)})")
    return frame.groupby([*by, "replication"], sort=True)[kpi].mean()


def paired_differences(
    frame: pd.DataFrame,
    factor: str,
    baseline: object,
    kpi: str,
    by: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """``kpi`` at each level of ``factor`` minus at ``baseline``, paired by replication.

    Every design point runs replication ``r`` with the same random numbers, so the points of
    one replication are not independent of each other: the independent units are the
    replications. By default the KPI is first averaged, within each replication, over the
    levels of the other factors; the difference is then taken replication by replication, and
    ``n`` is the number of replications (treating the other factors' levels as further pairs
    would count each replication several times and make the interval too narrow). With
    ``by`` (some or all of the other factors) there is one paired comparison per point of
    those factors, still over replications; the factors not in ``by`` are averaged.

    Args:
        frame: from :func:`simsvc.experiments.load` (one row per point and replication).
        factor: the factor whose levels are compared.
        baseline: the level subtracted.
        kpi: the KPI column.
        by: other factors to compare within (one result row per combination of their levels).
        confidence: two-sided level of the Student-t interval.

    Returns:
        Index: the levels of ``factor`` other than ``baseline``, then ``by`` (and the
        class/interval/day key, if any); columns ``mean``, ``ci_low``, ``ci_high``, ``n`` of
        the difference (``n``: replications where both sides are defined).

    Raises:
        ValueError: no row has ``factor == baseline``, or ``by`` names ``factor`` or an unknown column.
    """
    by = list(by or [])
    if factor in by:
        raise ValueError(f"by: {factor!r} is the factor compared; list only other factors")
    keys = _keys(frame)
    wide = _per_replication(frame, [*by, *keys, factor], kpi).unstack(factor)
    if baseline not in wide.columns:
        raise ValueError(f"no rows with {factor} == {baseline!r} (levels: {list(wide.columns)})")
    diff = wide.drop(columns=[baseline]).sub(wide[baseline], axis=0)
    long = diff.stack(future_stack=True).rename("value").reset_index()
    return confidence_intervals(long, [factor, *by, *keys], confidence).sort_index()


def pareto_frontier(summary: pd.DataFrame, cost: str = "cost", satisfaction: str = "satisfaction") -> pd.DataFrame:
    """The design points no other point beats on both lower ``cost`` and higher ``satisfaction``.

    Args:
        summary: from :func:`summarize` (means per point).
        cost: the column to minimize (default ``cost``, the operating cost; ``cost_and_lost_value``
            to count the value of customers lost as well).
        satisfaction: the column to maximize.
    """
    return pareto_front(summary, minimize=[cost], maximize=[satisfaction])
