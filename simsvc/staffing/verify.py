"""Checking a plan by simulation, sequentially, and where to correct it.

Every target is judged in every place: overall, and per interval of the day (all days
pooled; ``interval`` scope) or per day (``day`` scope). A place is *met* when the whole
confidence interval over replications lies on the right side of the target, *missed* when it
lies on the wrong side, and *unresolved* when the target is inside it. Twenty replications
leave a target that is close unresolved (a plan 0.3 points over an abandonment target in one
interval looks "not missed"), so :func:`verify` adds replications, doubling, while some place
is unresolved and its CI is wider than ``optimizer.verify.precision``, up to
``optimizer.verify.max_replications``. Replication ``r`` always draws from stream ``r``: the
added replications extend the earlier ones and only they are simulated.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from simsvc.result import SimResult
from simsvc.scenario.models import Scenario
from simsvc.staffing.plan import PlaceCheck, TargetCheck
from simsvc.targets import goals

__all__ = ["missed_groups", "place_checks", "target_checks", "verify"]

OVERALL = "overall"
"""The ``where`` of a target judged over the whole horizon."""
ACROSS_INTERVALS = ("complaints_within_sla", "deferred_within_target")
"""Targets judged overall only: their work is handled across intervals and days."""


def _goals(scenario: Scenario) -> list[tuple[str, float, str]]:
    """``(KPI name, goal, sense)`` for every target the scenario sets (:func:`simsvc.targets.goals`)."""
    return [(g.kpi, g.value, g.sense) for g in goals(scenario)]


def target_checks(scenario: Scenario, predicted: dict[str, float], summary: pd.DataFrame | None) -> list[TargetCheck]:
    """Every target against the prediction and (if simulated) the overall ``summary()``."""
    out = []
    for name, goal, sense in _goals(scenario):
        pred = predicted.get(name, math.nan)
        if summary is None or name not in summary.index:
            out.append(TargetCheck(name, goal, sense, pred))
            continue
        row = summary.loc[name]
        mean, low, high = (float(row[k]) for k in ("mean", "ci_low", "ci_high"))
        out.append(TargetCheck(name, goal, sense, pred, mean, low, high))
    return out


def _rows(table: pd.DataFrame, name: str) -> list[tuple[str, pd.Series]]:
    if name not in table.index.get_level_values(1):
        return []
    part = table.xs(name, level=1)
    return [(str(group), row) for group, row in part.iterrows()]


def place_checks(scenario: Scenario, result: SimResult) -> list[PlaceCheck]:
    """Every target overall and in every interval (interval scope) or day (day scope) of ``result``.

    Complaints and deferred work are handled across intervals: their targets are judged overall only.
    Places with nothing to judge (no customers: NaN) are left out.
    """
    spec = scenario.optimizer
    assert spec is not None
    summary = result.summary()
    groups = result.by_interval() if spec.scope == "interval" else result.by_day()
    out = []
    for name, goal, sense in _goals(scenario):
        places = [(OVERALL, summary.loc[name])] if name in summary.index else []
        if name not in ACROSS_INTERVALS:
            prefix = "" if spec.scope == "interval" else "day "
            places += [(prefix + g, row) for g, row in _rows(groups, name)]
        for where, row in places:
            mean, low, high = (float(row[k]) for k in ("mean", "ci_low", "ci_high"))
            if math.isnan(low) or math.isnan(high):
                continue
            out.append(PlaceCheck(name, where, goal, sense, mean, low, high, result.replications))
    return out


def _pending(checks: list[PlaceCheck], precision: float) -> list[PlaceCheck]:
    return [c for c in checks if c.verdict == "unresolved" and c.half_width > precision]


def verify(
    scenario: Scenario,
    staffed: Scenario,
    seed: int,
    replications: int,
    precision: float,
    max_replications: int,
    simulate: Callable[..., SimResult],
) -> tuple[SimResult, list[PlaceCheck]]:
    """Simulate ``staffed`` until every target in every place is met or missed, or precise enough.

    Starts with ``replications`` (0 .. n-1), then while a place is unresolved with a CI
    half-width above ``precision``, simulates as many again (replications n .. 2n-1), capped at
    ``max_replications``, and judges the pooled replications.

    Returns:
        The pooled result and its place checks.
    """
    first = simulate(staffed, replications=replications, seed=seed, keep_records=False)
    tables, warnings, result, truncated = [first.kpis], list(first.warnings), first, first.truncated
    checks = place_checks(scenario, result)
    n = result.replications
    while _pending(checks, precision) and n < max_replications and not result.interrupted:
        more = simulate(staffed, replications=min(n, max_replications - n), seed=seed, keep_records=False,
                        first_replication=n)  # fmt: skip
        tables.append(more.kpis)
        warnings += [w for w in more.warnings if w not in warnings]
        truncated |= more.truncated
        result = SimResult(
            scenario=staffed, seed=seed, kpis=pd.concat(tables, ignore_index=True), _records=None,
            warnings=warnings, interrupted=more.interrupted, truncated=truncated,
        )  # fmt: skip
        checks = place_checks(scenario, result)
        n = result.replications
    return result, checks


def missed_groups(scenario: Scenario, checks: list[PlaceCheck]) -> dict[str, list[str]]:
    """Places (interval labels, or day numbers as text) per target missed with confidence; overall left out."""
    out: dict[str, list[str]] = {}
    for c in checks:
        if c.where != OVERALL and c.verdict == "missed":
            out.setdefault(c.name, []).append(c.where.removeprefix("day "))
    return out
