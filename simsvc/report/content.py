"""What a report says, as plain rows and strings: KPI tables, targets, figures, the scenario.

Kept apart from the HTML template so that the words (via :mod:`simsvc.i18n`) and the numbers
(via :func:`simsvc.output.format_kpi`) are decided here and the template only lays them out.
"""

from __future__ import annotations

import base64
from typing import Any

import pandas as pd

from simsvc.i18n import Lang, cost_label, kpi_label, tr
from simsvc.output import KPI_SECTIONS, format_interval, format_kpi, shows_lost_value, target_rows
from simsvc.report.folders import OptimizationFolder, RunFolder, ScenarioInfo
from simsvc.scenario.quality_models import DIMENSIONS

__all__ = ["optimization_content", "run_content"]

Row = list[str]
_GAPS = [f"gap_{d}" for d in DIMENSIONS]


def _img(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _ci(kpi: str, low: Any, high: Any, lang: Lang) -> str:
    return format_interval(kpi, low, high, lang)


def _kpi_table(summary: pd.DataFrame, kpis: list[str], lang: Lang) -> list[Row]:
    return [
        [kpi_label(k, lang), format_kpi(k, float(summary.loc[k, "mean"]), lang),
         _ci(k, summary.loc[k, "ci_low"], summary.loc[k, "ci_high"], lang)]
        for k in kpis
        if k in summary.index  # a KPI not applicable here (NaN) shows "n/a"
    ]  # fmt: skip


def _targets(info: ScenarioInfo, summary: pd.DataFrame, lang: Lang) -> list[dict[str, Any]]:
    """Each target with its KPI's mean and CI, judged by the CI as the run table does (:func:`target_rows`)."""
    if info.scenario is None:
        return []
    return [dict(name=r.name, value=r.value, verdict=r.verdict or "unresolved")
            for r in target_rows(info.scenario, summary, lang)]  # fmt: skip


def _shifts(team: dict[str, Any]) -> str:
    if team.get("shifts"):
        return ", ".join(f"{s['start']}-{s['end']} × {s['staff']}" for s in team["shifts"])
    staff = team.get("staff") or []
    return " / ".join(str(s) for s in staff) if len(set(staff)) > 1 else f"× {staff[0]}" if staff else "-"


def scenario_content(info: ScenarioInfo, lang: Lang) -> dict[str, Any]:
    """Name, description, horizon facts and a teams table of the folder's scenario."""
    m = info.mapping
    h = m.get("horizon") or {}
    facts = [
        [tr("ui.days", lang), str(h.get("days", 1))],
        [tr("ui.hours", lang), f"{h.get('open', '09:00')}–{h.get('close', '17:00')}"],
        [tr("ui.interval", lang), f"{h.get('interval_minutes', 30):g}"],
        [tr("ui.classes", lang), ", ".join(str(c.get("name")) for c in m.get("customer_classes") or [])],
    ]
    teams = [[str(t.get("name")), str(t.get("training_level", 0)), _shifts(t)] for t in m.get("teams") or []]
    for t in (m.get("complaints") or {}).get("teams") or []:
        teams.append(
            [f"{t.get('name')} ({tr('ui.complaint_team', lang)})", str(t.get("training_level", 0)), _shifts(t)]
        )
    return {
        "name": m.get("name", ""), "description": m.get("description", ""), "facts": facts,
        "teams": teams, "teams_head": [tr("ui.team", lang), tr("ui.training_level", lang), tr("ui.shift", lang)],
        "problem": info.problem if not m else None,
    }  # fmt: skip


def run_content(folder: RunFolder, lang: Lang) -> dict[str, Any]:
    """Everything the report of a simulation run shows."""
    from simsvc.plots import png_bytes, run_figures

    summary = folder.summary
    sections = [
        (tr("ui.kpis", lang), _kpi_table(summary, KPI_SECTIONS["service"], lang)),
        (tr("kpi.satisfaction", lang), _kpi_table(summary, KPI_SECTIONS["quality"], lang)),
        (tr("fig.gaps.title", lang), _kpi_table(summary, _GAPS, lang)),
        (tr("ui.operating_cost", lang), _kpi_table(summary, KPI_SECTIONS["cost"], lang)),
    ]
    if "deferred_within_target" in summary.index:  # a deferred-work team
        sections.insert(3, (tr("ui.deferred", lang), _kpi_table(summary, KPI_SECTIONS["deferred"], lang)))
    if shows_lost_value(summary):  # apart from the operating cost, never added into it
        sections.append((tr("ui.lost_value", lang), _kpi_table(summary, KPI_SECTIONS["lost_value"], lang)))
    figures = run_figures(summary, folder.by_interval, folder.customers, folder.info.scenario, lang)
    result = folder.result
    subtitle = []
    if "replications" in result:
        subtitle.append(f"{tr('ui.replications', lang)}: {result['replications']}")
    if "seed" in result:
        subtitle.append(f"{tr('ui.seed', lang)}: {result['seed']}")
    return {
        "kind": "run",
        "title": tr("ui.report", lang),
        "subtitle": " · ".join(subtitle),
        "warnings": list(result.get("warnings") or []),
        "targets": _targets(folder.info, summary, lang),
        "sections": [(title, rows) for title, rows in sections if rows],
        "figures": [_img(png_bytes(fig)) for fig in figures.values()],
        "scenario": scenario_content(folder.info, lang),
    }


_SENSE = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def _number(kpi: str, value: Any, lang: Lang) -> str:
    return (
        format_kpi(kpi, float(value), lang) if isinstance(value, (int, float)) else "-" if value is None else str(value)
    )


def _status(opt: dict[str, Any], lang: Lang) -> list[str]:
    """The plan's verification status as a warning line, unless confirmed (older files: none)."""
    from simsvc.plan_output import plan_status_text

    status = opt.get("status")
    if status not in ("missed", "unresolved", "unverified"):
        return []
    places = [f"{kpi_label(str(u.get('target')), lang)} {u.get('where')}" for u in opt.get("unresolved") or []]
    return [plan_status_text(status, places, lang)]


def optimization_content(folder: OptimizationFolder, lang: Lang) -> dict[str, Any]:
    """Everything the report of an optimization shows: plan, cost, KPIs, targets, staffing chart."""
    opt = folder.optimization
    from simsvc.plan_output import plan_table

    plan = plan_table(folder.plan, lang)  # as the app shows it: breaks in lang, money to the cent
    head = [str(c) for c in plan.columns]
    rows = [[str(v) for v in r] for r in plan.itertuples(index=False)]
    cost = opt.get("cost") or {}
    costs = [[cost_label(k, lang), f"{float(v):,.0f}"] for k, v in cost.items()]
    predicted, simulated = opt.get("predicted") or {}, opt.get("simulated") or {}
    kpis = []
    for k in [*predicted, *(k for k in simulated if k not in predicted)]:
        sim = simulated.get(k) or {}
        sim_text = _number(k, sim.get("mean"), lang)
        if sim.get("ci_low") is not None:
            sim_text += f" ({_ci(k, sim.get('ci_low'), sim.get('ci_high'), lang)})"
        kpis.append([kpi_label(k, lang), _number(k, predicted.get(k), lang), sim_text])
    targets = []
    for name, t in (opt.get("targets") or {}).items():
        ci = t.get("simulated_ci")
        if isinstance(ci, dict):  # {ci_low, ci_high} as in "simulated", or [low, high]
            ci = [ci.get("ci_low"), ci.get("ci_high")]
        ci_text = _ci(name, ci[0], ci[1], lang) if isinstance(ci, (list, tuple)) and len(ci) == 2 else "-"
        predicted_text = _number(name, t.get("predicted"), lang)
        value = f"{tr('ui.predicted', lang)} {predicted_text}; {tr('ui.simulated', lang)} {ci_text}"
        sense = _SENSE.get(str(t.get("sense")), ":")
        label = f"{kpi_label(name, lang)} {sense} {_number(name, t.get('target'), lang)}"
        targets.append(dict(name=label, value=value, verdict=t.get("verdict") or "unverified"))
    return {
        "kind": "optimization",
        "title": tr("ui.opt_report", lang),
        "subtitle": "" if opt.get("scenario") == folder.info.mapping.get("name") else str(opt.get("scenario", "")),
        "warnings": [str(w) for w in opt.get("warnings") or []] + _status(opt, lang),
        "targets": targets,
        "plan": {"head": head, "rows": rows},
        "costs": costs,
        "kpis": {"head": [tr("ui.kpi", lang), tr("ui.predicted", lang), tr("ui.simulated", lang)], "rows": kpis},
        "figures": [_img(folder.staffing_png)] if folder.staffing_png else [],
        "scenario": scenario_content(folder.info, lang),
    }
