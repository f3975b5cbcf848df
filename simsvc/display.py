"""Short summaries of scenarios, results and plans: a one-line ``repr`` and HTML for Jupyter.

A notebook shows ``_repr_html_``; the console shows ``repr``. Both say what the object is
and its key numbers, not every field (``to_dict()`` and the tables have the detail).
Values are formatted as the command line shows them (:func:`simsvc.kpi_format.format_kpi`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from simsvc.kpi_format import format_kpi

__all__ = ["SUMMARY_KPIS", "plan_html", "plan_repr", "result_html", "result_repr", "scenario_html", "scenario_repr"]

SUMMARY_KPIS = (
    "arrivals", "served", "mean_wait", "p95_wait", "service_level", "abandonment_rate", "utilization",
    "satisfaction", "dissatisfied_share", "complaint_rate", "recovery_rate", "cost", "lost_customer_value",
)  # fmt: skip
"""The KPIs of a result's summary table (those the result has, in the summary's order)."""

_REPR_KPIS = ("service_level", "mean_wait")
_NAME_CHARS = 40


def _fmt(kpi: str, value: Any) -> str:
    return format_kpi(kpi, value)


def _short(name: str) -> str:
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1] + "…"


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="simsvc"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _block(title: str, facts: Mapping[str, Any], *parts: str) -> str:
    lines = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(str(v))}</li>" for k, v in facts.items())
    return f'<div class="simsvc"><strong>{html.escape(title)}</strong><ul>{lines}</ul>{"".join(parts)}</div>'


# Scenario -------------------------------------------------------------------------------------


def _hours(scenario: Any) -> str:
    h = scenario.horizon
    return f"{h.open}-{h.close}"


def scenario_repr(scenario: Any) -> str:
    """``<Scenario 'Bank branch': 1 day, 09:00-17:00, 2 classes, 2 teams>``."""
    return (
        f"<Scenario {_short(scenario.name)!r}: {_plural(scenario.horizon.days, 'day')}, {_hours(scenario)}, "
        f"{_plural(len(scenario.customer_classes), 'class', 'classes')}, "
        f"{_plural(len(scenario.teams), 'team')}>"
    )


def _demand(arrivals: Any) -> str:
    if arrivals.rates_per_hour is not None:
        rates = arrivals.rates_per_hour
        text = f"{rates[0]:g}/h" if len(rates) == 1 else f"{min(rates):g}–{max(rates):g}/h ({len(rates)} rates)"
        return text + (f" from {arrivals.csv.rsplit('/', 1)[-1]}" if arrivals.csv else "")
    n = len(arrivals.trace_times or ())
    return f"trace of {n} arrivals" + (f" from {arrivals.trace_csv.rsplit('/', 1)[-1]}" if arrivals.trace_csv else "")


def _staffing(team: Any) -> str:
    if team.staff is not None:
        staff = team.staff
        return f"{staff[0]} staff" if len(staff) == 1 else f"{min(staff)}–{max(staff)} staff per interval"
    return f"{_plural(len(team.shifts), 'shift')}, {sum(s.staff for s in team.shifts)} staff"


def scenario_html(scenario: Any) -> str:
    """The horizon, the classes with their demand and service time, the teams with their staffing."""
    h = scenario.horizon
    facts = {
        "horizon": f"{_plural(h.days, 'day')}, {_hours(scenario)}, intervals of {h.interval_minutes:g} min",
        "replications": scenario.simulation.replications,
        "seed": scenario.simulation.seed,
        "quality model": "on" if scenario.quality.enabled else "off",
        "optimizer": "configured" if scenario.optimizer is not None else "none",
    }
    if scenario.description:
        facts = {"description": scenario.description, **facts}
    classes = _table(
        ["class", "demand", "mean service (min)", "priority"],
        [(c.name, _demand(c.arrivals), f"{c.service_time.mean:g}", c.priority) for c in scenario.customer_classes],
    )
    teams = [(t.name, _serves(t), _staffing(t), t.training_level) for t in scenario.teams]
    teams += [(t.name, "complaints", _staffing(t), t.training_level) for t in scenario.complaints.teams]
    return _block(
        f"Scenario {scenario.name}",
        facts,
        classes,
        _table(["team", "serves", "staffing", "training level"], teams),
    )


def _serves(team: Any) -> str:
    """A team's classes; skill priorities where a mapping gives them, and its overflow."""
    text = ", ".join(f"{k} (skill {v})" for k, v in team.serves.items()) if isinstance(team.serves, dict) else (
        ", ".join(team.serves))  # fmt: skip
    if team.overflow:
        text += "; overflow " + ", ".join(f"{k} after {m:g} min" for k, m in team.overflow.items())
    return text


# SimResult ------------------------------------------------------------------------------------


def result_repr(result: Any) -> str:
    """``<SimResult 'Bank branch': 20 replications, seed 42, service_level 81.2 %, mean_wait 2.31 min>``."""
    summary = result.summary()
    kpis = [f"{k} {_fmt(k, summary.loc[k, 'mean'])}" for k in _REPR_KPIS if k in summary.index]
    notes = [f"{len(result.warnings)} warning(s)"] if result.warnings else []
    parts = [_plural(result.replications, "replication"), f"seed {result.seed}", *kpis, *notes]
    return f"<SimResult {_short(result.scenario.name)!r}: {', '.join(parts)}>"


def result_html(result: Any) -> str:
    """Scenario, replications, seed and the main KPIs with their confidence intervals."""
    summary = result.summary()
    level = round(100 * result.scenario.simulation.confidence)
    rows = [
        (k, _fmt(k, row["mean"]), f"{_fmt(k, row['ci_low'])} – {_fmt(k, row['ci_high'])}")
        for k, row in summary.iterrows()
        if k in SUMMARY_KPIS
    ]
    facts = {"scenario": result.scenario.name, "replications": result.replications, "seed": result.seed}
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in result.warnings)
    return _block(
        "Simulation result",
        facts,
        _table(["KPI", "mean", f"{level} % CI"], rows),
        f"<p>Warnings:</p><ul>{warnings}</ul>" if warnings else "",
    )


# Plan -----------------------------------------------------------------------------------------


def _operating_cost(plan: Any) -> float | None:
    cost = plan.cost or {}
    value = cost.get("cost")
    return None if value is None else float(value)


def _status(plan: Any) -> str:
    return str(plan.status)


def _levels(plan: Any) -> str:
    return ", ".join(f"{team}: {level}" for team, level in plan.levels.items())


def plan_repr(plan: Any) -> str:
    """``<Plan 'Call centre': operating cost 6,744, 14 shifts, levels agents: 0, confirmed>``."""
    cost = _operating_cost(plan)
    parts = [f"operating cost {_fmt('cost', cost)}"] if cost is not None else []
    parts += [_plural(len(plan.shifts), "shift"), f"levels {_short(_levels(plan))}", _short(_status(plan))]
    return f"<Plan {_short(plan.scenario.name)!r}: {', '.join(parts)}>"


def plan_html(plan: Any) -> str:
    """Levels, operating cost, status, shifts, and each target against prediction and simulation."""
    cost = _operating_cost(plan)
    facts = {
        "scenario": plan.scenario.name,
        "status": _status(plan),
        "operating cost": "n/a" if cost is None else _fmt("cost", cost),
        "training levels": _levels(plan),
        "shifts": f"{len(plan.shifts)} ({sum(s.staff for s in plan.shifts)} staff)",
    }
    if "per_day" in plan.cost:
        facts["operating cost per day"] = _fmt("cost", plan.cost["per_day"])
    checks = [
        (
            c.name,
            f"{c.sense} {_fmt(c.name, c.goal)}",
            _fmt(c.name, c.predicted),
            "n/a" if c.mean is None else _fmt(c.name, c.mean),
            {True: "met", False: "missed", None: "n/a"}[c.met],
        )
        for c in plan.checks
    ]
    return _block(
        "Staffing plan", facts, _table(["target", "goal", "predicted", "simulated", "met"], checks) if checks else ""
    )
