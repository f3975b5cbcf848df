"""Reading a sweep's results: per-point confidence intervals, main effects, paired differences, the Pareto frontier.

All intervals are Student-t over replications (:func:`simsvc.metrics.confidence_intervals`).
Because every design point runs with the same seed, replication ``r`` of two points sees the
same customers (common random numbers): effects and differences are computed replication by
replication first, which removes most of the noise that the points share.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from simsvc.metrics import KPI_NAMES, confidence_intervals
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

    Columns ``KPI`` (the mean), ``KPI_ci_low``, ``KPI_ci_high``, and ``n`` (replications).
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

    The average over the other factors is taken within each replication, and the interval is
    over replications (independent), so it is honest whatever the design.

    Returns:
        Index: the levels (and class/interval/day key, if any); columns ``mean``, ``ci_low``,
        ``ci_high``, ``n``.
    """
    keys = _keys(frame)
    per_rep = frame.groupby([factor, *keys, "replication"], sort=True)[kpi].mean().rename("value").reset_index()
    return confidence_intervals(per_rep, [factor, *keys], confidence).sort_index()


def paired_differences(
    frame: pd.DataFrame, factor: str, baseline: object, kpi: str, confidence: float = 0.95
) -> pd.DataFrame:
    """``kpi`` at each level of ``factor`` minus at ``baseline``, paired by replication and the other factors.

    Returns:
        Index: the other levels (and class/interval/day key, if any); columns ``mean``,
        ``ci_low``, ``ci_high``, ``n`` of the difference.
    """
    others = [c for c in factor_columns(frame) if c != factor]
    pair = [*others, *_keys(frame), "replication"]
    base = frame[frame[factor] == baseline].set_index(pair)[kpi]
    if base.empty:
        raise ValueError(f"no rows with {factor} == {baseline!r}")
    rest = frame[frame[factor] != baseline]
    diff = rest.set_index(pair)[kpi] - base.reindex(rest.set_index(pair).index).to_numpy()
    long = rest[[factor, *_keys(frame)]].assign(value=diff.to_numpy())
    return confidence_intervals(long, [factor, *_keys(frame)], confidence).sort_index()


def pareto_frontier(summary: pd.DataFrame, cost: str = "cost", satisfaction: str = "satisfaction") -> pd.DataFrame:
    """The design points no other point beats on both lower ``cost`` and higher ``satisfaction``.

    Args:
        summary: from :func:`summarize` (means per point).
        cost: the column to minimize (default ``cost``, the operating cost; ``cost_and_lost_value``
            to count the value of customers lost as well).
        satisfaction: the column to maximize.
    """
    return pareto_front(summary, minimize=[cost], maximize=[satisfaction])
