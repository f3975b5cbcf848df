"""The charts section of the page: the runs' charts on shared axes and the staffing curve on request.

Streamlit drawing only; the charts come from :mod:`simsvc.app.charts`, the simulations from
:mod:`simsvc.app.runs`. The chart data of a run is made once and kept on it (``AppRun.tables``),
so a change of language rebuilds only the labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from simsvc.app import charts, core, runs
from simsvc.i18n import Lang, tr

__all__ = ["lever_label", "show", "tables"]


def tables(run: core.AppRun) -> dict:
    """The run's chart data (:func:`simsvc.app.charts.run_tables`), made on first use and kept on the run."""
    if not run.tables:
        run.tables = charts.run_tables(run.result)
    return run.tables


def lever_label(control: core.Control, lang: Lang) -> str:
    """A staff slider's label, as the page names it (plain text: charts are not markdown)."""
    if control.kind == "shift":
        return tr("app.shift_staff", lang, team=control.team, start=control.start, end=control.end)
    if control.kind == "team_staff":
        return tr("app.team_staff", lang, team=control.team)
    return tr("app.staff_delta", lang, team=control.team)


def _draw(chart) -> None:
    st.altair_chart(chart, width="stretch")


def show(
    scenario, scenario_key: str, results: Mapping[str, core.AppRun], cache: runs.RunCache, lang: Lang,
    base_dir: Path | None = None,
) -> None:  # fmt: skip
    """Draw the charts of the runs (setting name -> run) and the staffing-curve button."""
    st.subheader(tr("chart.section", lang))
    key = ("charts", tuple((name, run.number) for name, run in results.items()), lang)  # rebuilt on a change only
    data = {name: tables(run) for name, run in results.items()}
    drawn = list(cache.keep(key, lambda: charts.run_charts(data, scenario.targets, lang)).values())
    for pair in (drawn[i : i + 2] for i in range(0, len(drawn), 2)):  # two side by side
        for col, chart in zip(st.columns(2), pair, strict=False):
            with col:
                _draw(chart)
    _curve(scenario, scenario_key, results, cache, lang, base_dir)


def _curve(scenario, scenario_key: str, results: Mapping[str, core.AppRun], cache: runs.RunCache, lang: Lang,
           base_dir: Path | None) -> None:  # fmt: skip
    results = {name: run for name, run in results.items() if run.setting.values}  # not the optimizer's plan
    settings = [run.setting for run in results.values()]
    control = runs.lever(scenario, settings)
    if control is None:
        return
    values = [s.values.get(control.key, control.default) for s in settings]
    levels = runs.curve_levels(control, values)
    base = settings[0]
    key = ("curve", runs.run_key(scenario_key, base), control.key, tuple(levels))
    label = lever_label(control, lang)
    pressed = st.button(tr("chart.curve_button", lang, lever=core.markdown_text(label)), key="staff_curve",
                        help=tr("chart.curve_help", lang))  # fmt: skip
    curve = cache.kept(key)
    if pressed and curve is None:
        with st.spinner(tr("chart.curve_running", lang)):
            curve = cache.keep(key, lambda: runs.staff_curve(scenario, base, control, levels, base_dir=base_dir))
    if curve is None or curve.table.empty:
        return
    marks = dict(zip(results, values, strict=True))
    _draw(charts.staff_curve_chart(curve.table, label, marks, lang))
    st.caption(core.markdown_text(tr("chart.curve_caption", lang, levels=len(curve.table), lever=label,
                                     replications=curve.replications, seconds=curve.seconds)))  # fmt: skip
