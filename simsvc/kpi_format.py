"""How a KPI value reads: percent, count, money, minutes or gap points, and the display blocks.

Below every layer that shows a value (a scenario's, a result's or a plan's summary, the
command line's tables), so each formats it the same way from one place.
"""

from __future__ import annotations

import math

__all__ = ["KPI_SECTIONS", "NOT_APPLICABLE", "format_kpi"]

_PERCENT = {
    "service_level", "abandonment_rate", "balk_rate", "utilization", "delighted_share", "dissatisfied_share",
    "complaint_rate", "recovery_rate", "complaints_within_sla", "retention", "complaint_team_utilization",
    "returning_share", "deferred_within_target",
}  # fmt: skip
_COUNTS = {
    "arrivals", "served", "abandoned", "balked", "max_queue", "lost_customers", "backlog_at_opening",
    "max_backlog_at_opening", "deferred_open_at_end",
}  # fmt: skip
KPI_SECTIONS = {
    "service": [
        "arrivals", "demand_change", "served", "abandoned", "balked", "mean_wait", "mean_wait_served", "p95_wait",
        "service_level", "abandonment_rate", "balk_rate", "utilization", "max_queue", "mean_queue",
        "mean_service_time",
    ],
    "quality": [
        "satisfaction", "delighted_share", "dissatisfied_share", "complaint_rate", "recovery_rate",
        "complaints_within_sla", "mean_resolution_time", "retention", "lost_customers", "returning_share",
        "complaint_team_utilization",
    ],
    "deferred": [
        "deferred_within_target", "deferred_response_hours", "backlog_at_opening", "max_backlog_at_opening",
        "deferred_open_at_end",
    ],
    "cost": ["cost", "cost_wages", "cost_training", "cost_complaints"],
    "lost_value": ["lost_customer_value", "cost_and_lost_value"],
}  # fmt: skip
"""KPI names per display block (``deferred``: only with a deferred-work team). ``cost`` is the operating
cost and its parts (what the firm pays); ``lost_value`` is the value of customers lost and the sum of both,
shown apart from it."""
_MONEY = {*KPI_SECTIONS["cost"], *KPI_SECTIONS["lost_value"]}

NOT_APPLICABLE = "n/a"
"""How a NaN value (a ratio with nothing to count, an interval from one replication) is shown."""


def format_kpi(kpi: str, value: float, lang: str = "en") -> str:
    """A KPI value as people read it: percent, count, money, minutes or gap points; NaN as "n/a"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_APPLICABLE
    if kpi in _PERCENT:
        return f"{100 * value:.1f} %"
    if kpi == "demand_change":
        return f"{100 * value:+.1f} %"
    if kpi in _COUNTS:
        return f"{value:,.1f}"
    if kpi == "mean_queue":
        return f"{value:,.2f}"
    if kpi.endswith("_hours"):
        return f"{value:,.2f} {'小时' if lang == 'zh' else 'h'}"
    if kpi in _MONEY or kpi.startswith("cost_"):  # also a plan's finer split (cost_wages_front_line, ...)
        return f"{value:,.0f}"
    return (
        f"{value:.2f} {'分钟' if lang == 'zh' else 'min'}"
        if "wait" in kpi or "time" in kpi
        else f"{value:+.2f}"
        if kpi.startswith("gap")
        else f"{value:.3g}"
    )
