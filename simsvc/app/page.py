"""The Streamlit page of the training app (``simsvc app`` serves it).

Top to bottom: language, scenario (bundled or uploaded), sliders for one setting or two side
by side, Run, then KPIs per setting and charts of all settings together. All simulation goes through
:mod:`simsvc.app.core`; this file only lays out widgets.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

import simsvc
from simsvc.app import chart_view, core, glossary, lesson_view, optimize_view, runs
from simsvc.errors import ScenarioError
from simsvc.i18n import kpi_label, tr
from simsvc.output import KPI_SECTIONS, format_interval, format_kpi, shows_lost_value

# No bare string literals at the top level of this file: Streamlit's "magic" draws them on the page.
METRICS = ("mean_wait", "service_level", "utilization", "satisfaction", "complaint_rate", "cost")
# The KPI table; the value of customers lost follows in a table of its own (see _show).
TABLE = ("arrivals", "served", "mean_wait", "p95_wait", "service_level", "abandonment_rate", "utilization",
         "satisfaction", "dissatisfied_share", "complaint_rate", "complaints_within_sla", "recovery_rate", "retention",
         *KPI_SECTIONS["cost"])  # fmt: skip
# What the glossary lists: every KPI the page can show (the charts' per-station wait, the plan's complaints,
# the deferred-work target too)
GLOSSARY = (*TABLE, *KPI_SECTIONS["lost_value"], "mean_wait_served", "complaints_per_day", "deferred_within_target")


def _kept(widget, label: str, key: str, default, **kwargs):
    """A widget whose value survives a change of its label.

    Streamlit renews a widget whose label changes, as on switching language; the last
    value is kept under ``keep:<key>`` and given back as the new widget's value.
    """
    value = widget(label, value=st.session_state.get(f"keep:{key}", default), key=key, **kwargs)
    st.session_state[f"keep:{key}"] = value
    return value


def _chosen(widget, label: str, key: str, options: list[str], **kwargs) -> str:
    """A radio or select box whose choice survives a change of language (see :func:`_kept`).

    The widget's key includes its label: the browser keeps a choice as its displayed text,
    which changes with the language, so each language gets its own widget.
    """
    kept = st.session_state.get(f"keep:{key}")
    index = options.index(kept) if kept in options else 0
    choice = widget(label, options, index=index, key=f"{key}:{label}", **kwargs)
    st.session_state[f"keep:{key}"] = choice
    return choice


@st.cache_resource(show_spinner=False)
def _bundled(path: str) -> simsvc.Scenario:
    return simsvc.load_scenario(path)


def _scenario(lang: str) -> tuple[simsvc.Scenario | None, Path | None, str]:
    sources = ["bundled", "upload"]
    with st.sidebar:
        source = _chosen(
            st.radio, tr("app.source", lang), "source", sources, format_func=lambda k: tr(f"app.{k}", lang)
        )
    if source == "bundled":
        files = core.bundled_scenarios()
        if not files:  # an installed package without the repository's scenarios/ (see $SIMSVC_SCENARIOS)
            return None, None, ""
        with st.sidebar:
            name = _chosen(st.selectbox, tr("app.bundled", lang), "bundled", list(files))
        return _bundled(str(files[name])), files[name].parent, f"bundled:{name}"
    uploads = st.sidebar.file_uploader(
        tr("app.upload_label", lang), type=["yaml", "yml", "csv"], accept_multiple_files=True, key="upload"
    )
    if not uploads:
        return None, None, ""
    files = {upload.name: upload.getvalue() for upload in uploads}
    try:
        scenario = core.load_uploads(files)
    except ScenarioError as exc:
        st.error(tr("app.invalid", lang))
        st.code(str(exc), language=None)  # a code block shows the names as written
        return None, None, ""
    digest = hashlib.sha1(b"".join(hashlib.sha1(n.encode() + b"\0" + d).digest() for n, d in sorted(files.items())))
    return scenario, None, "upload:" + digest.hexdigest()[:12]


def _sliders(scenario: simsvc.Scenario, prefix: str, lang: str, replications: int) -> core.Setting:
    values: dict[str, float] = {}
    for c in core.controls(scenario):
        key = f"{prefix}:{c.key}"
        if c.kind == "shift":
            label = tr("app.shift_staff", lang, team=core.markdown_text(c.team), start=c.start, end=c.end)
        elif c.kind == "team_staff":
            label = tr("app.team_staff", lang, team=core.markdown_text(c.team))
        elif c.kind == "staff_delta":
            label = tr("app.staff_delta", lang, team=core.markdown_text(c.team))
        elif c.kind == "training":
            label = tr("app.training", lang, team=core.markdown_text(c.team))
            values[c.key] = _kept(st.select_slider, label, key, int(c.default), options=c.options)
            continue
        elif c.kind == "priority":  # who is served first (lessons: premium vs everyone else)
            label = tr("app.priority", lang, name=core.markdown_text(c.team))
            values[c.key] = _kept(st.select_slider, label, key, int(c.default), options=c.options)
            continue
        elif c.kind == "complaints":
            label = tr("app.complaint_staff", lang)
        else:
            values[c.key] = _kept(st.slider, tr("app.promise", lang), key, float(c.default), min_value=0.0,
                                  max_value=1.0, step=0.05)  # fmt: skip
            continue
        values[c.key] = _kept(st.slider, label, key, int(c.default), min_value=int(c.low), max_value=int(c.high))
    return core.Setting(values, replications)


def _kpi_frame(s: pd.DataFrame, kpis, lang: str):
    """The KPI table, each row's cells with the KPI's definition as tooltip."""
    kpis = [k for k in kpis if k in s.index]  # not applicable (NaN): "n/a"
    rows = [
        {tr("ui.kpi", lang): kpi_label(k, lang), tr("ui.mean", lang): format_kpi(k, s.loc[k, "mean"], lang),
         tr("ui.ci", lang): format_interval(k, s.loc[k, "ci_low"], s.loc[k, "ci_high"], lang)}
        for k in kpis
    ]  # fmt: skip
    frame = pd.DataFrame(rows).set_index(tr("ui.kpi", lang))
    return glossary.with_tooltips(frame, [glossary.definition(k, lang) for k in kpis])


def _show(run: core.AppRun, lang: str, reference: core.AppRun | None, reused: bool) -> None:
    if run.lang != lang:  # texts only: the charts are drawn from the run's data in any language
        run.warnings, run.lang = core.run_warnings(run, lang), lang
    s = run.summary
    st.caption(tr("app.took", lang, seconds=run.seconds, replications=run.result.replications))
    st.caption(tr("chart.reused" if reused else "chart.simulated", lang, number=run.number))
    for warning in run.warnings:  # before the numbers: an overloaded run describes a backlog, not a service
        st.warning(core.markdown_text(warning), icon="⚠️")
    # A row that wraps: as many metrics side by side as fit, each as wide as its value (never cut off)
    row = st.container(horizontal=True, gap="medium")
    for kpi in (k for k in METRICS if k in s.index and not pd.isna(s.loc[k, "mean"])):
        value = float(s.loc[kpi, "mean"])
        delta = None
        if reference is not None and kpi in reference.summary.index:
            delta = format_kpi(kpi, value - float(reference.summary.loc[kpi, "mean"]), lang)
        row.metric(kpi_label(kpi, lang), format_kpi(kpi, value, lang), delta, delta_color="off", width="content",
                   help=core.markdown_text(glossary.definition(kpi, lang)))  # fmt: skip
    targets = core.target_table(run, lang)
    if targets is not None:  # met or missed: what a class looks at first, next to the numbers
        st.markdown(f"**{tr('ui.targets', lang)}**")
        st.table(glossary.with_tooltips(targets, glossary.target_tips(run.scenario, s, lang)))
    st.table(_kpi_frame(s, TABLE, lang))
    if shows_lost_value(s):  # apart from the operating cost, never added into it
        st.caption(tr("ui.lost_value", lang))
        st.table(_kpi_frame(s, KPI_SECTIONS["lost_value"], lang))


def _glossary(lang: str) -> None:
    """Every term the page shows and what it means, in ``lang``; drawn only when opened (issue 17: glossary)."""
    opened = st.session_state.get("keep:glossary:open", False)  # kept open when the language (its label) changes
    expander = st.expander(tr("glossary.title", lang), opened, key=f"glossary:open:{lang}", on_change="rerun")
    st.session_state["keep:glossary:open"] = bool(expander.open)
    if expander.open:
        with expander:
            st.caption(tr("glossary.hint", lang))
            colon = "：" if lang == "zh" else ": "
            st.markdown("\n".join(f"- **{core.markdown_text(name)}**{colon}{core.markdown_text(text)}"
                                   for name, text in glossary.entries(GLOSSARY, lang)))  # fmt: skip


def _living_queue(run: core.AppRun, lang: str) -> None:
    """Setting A's run, one replication's day or hour, animated (issue 17: the living queue)."""
    from simsvc.app.living_queue import hours
    from simsvc.app.living_queue_view import for_run

    r = run.result
    opened = st.session_state.get("keep:lq:open", False)  # kept open when the language (its label) changes
    expander = st.expander(tr("lq.title", lang), opened, key=f"lq:open:{lang}", on_change="rerun")
    st.session_state["keep:lq:open"] = bool(expander.open)
    if not expander.open:  # built only when opened: a day's page is large
        return
    with expander:
        st.caption(tr("lq.caption", lang))
        days, options = run.scenario.horizon.days, [None, *hours(r)]
        kept = st.session_state  # a choice kept from another scenario's run may not exist in this one
        kept["keep:lq:rep"] = min(kept.get("keep:lq:rep", 1), r.replications)
        kept["keep:lq:day"] = min(kept.get("keep:lq:day", 1), days)
        kept["keep:lq:hour"] = kept.get("keep:lq:hour") if kept.get("keep:lq:hour") in options else None
        left, middle, right = st.columns([1, 1, 3])  # no select boxes: the page's tests pick the scenario's
        with left:
            rep = _kept(st.number_input, tr("lq.replication", lang), "lq:rep", 1, min_value=1, max_value=r.replications)
        with middle:
            day = _kept(st.number_input, tr("lq.day", lang), "lq:day", 1, min_value=1, max_value=days)
        with right:
            hour = _kept(st.select_slider, tr("lq.hour", lang), "lq:hour", None, options=options,
                         format_func=lambda h: tr("lq.whole_day", lang) if h is None else f"{h:02d}:00")  # fmt: skip
        key = (id(r), int(rep) - 1, int(day), hour, lang)
        if kept.get("lq:page", (None,))[0] != key:  # one page kept: the JSON of a day is large
            kept["lq:page"] = (key, for_run(r, *key[1:]))
        html, height = kept["lq:page"][1]
        st.iframe(html, height=height, alt=tr("lq.title", lang))


def main() -> None:
    """Draw the page."""
    st.set_page_config(page_title="simsvc", layout="wide")
    choice = st.sidebar.radio(tr("app.language"), ["English", "中文"], horizontal=True, key="lang")
    lang = "zh" if choice == "中文" else "en"
    st.title(tr("ui.title", lang))
    lesson = lesson_view.choose(lang)  # before the scenario and sliders: a new lesson sets them
    scenario, base_dir, scenario_key = _scenario(lang)
    if scenario is None:
        st.info(tr("app.no_scenario", lang))
        return
    st.subheader(core.markdown_text(scenario.name))  # names are text, never markdown, links or emoji
    if scenario.description:
        st.caption(core.markdown_text(scenario.description))
    lesson_view.brief(lesson, scenario_key, lang)
    with st.sidebar:
        replications = _kept(st.slider, tr("app.replications", lang), "replications", core.DEFAULT_REPLICATIONS,
                             min_value=2, max_value=50)  # fmt: skip
        compare = _kept(st.checkbox, tr("app.compare", lang), "compare", False)
    names = ["A", "B"] if compare else ["A"]
    settings = {}
    for col, name in zip(st.columns(len(names)), names, strict=True):
        with col:
            st.markdown(f"**{tr('app.setting', lang, name=name)}**")
            if name == "B" and optimize_view.plan_in_b(scenario_key, lang):  # B is the optimizer's plan
                continue
            settings[name] = _sliders(scenario, f"{scenario_key}:{name}", lang, replications)
    cache = st.session_state.setdefault("run_cache", runs.RunCache())  # A is not simulated again when B moves
    pressed = st.button(tr("app.run", lang), type="primary", key="run")
    if optimize_view.run_requested() or pressed:  # Run, or the optimizer's "apply the plan and simulate"
        done, reused = {}, set()
        with st.spinner(tr("app.running", lang)):
            for name, (run, kept) in cache.run_many(scenario_key, scenario, settings, lang, base_dir).items():
                if isinstance(run, ScenarioError):
                    st.error(tr("app.invalid", lang))
                    st.code(str(run), language=None)
                    continue
                done[name] = run
                if kept:
                    reused.add(name)
            if compare and (plan_b := optimize_view.run_plan_b(cache, scenario_key, replications, lang, base_dir)):
                done["B"], kept = plan_b
                if kept:
                    reused.add("B")
        st.session_state["runs"] = (scenario_key, done)
        st.session_state["reused"] = reused
    optimize_view.show(scenario, scenario_key, lang)
    key, done = st.session_state.get("runs", ("", {}))
    if key != scenario_key or not done:
        st.info(tr("app.press_run", lang))
        return
    st.header(tr("app.results", lang))
    reused = st.session_state.get("reused", set())
    for col, name in zip(st.columns(len(done)), done, strict=True):
        with col:
            st.markdown(f"**{optimize_view.setting_title(name, done[name], lang)}**")
            _show(done[name], lang, done.get("A") if name != "A" else None, name in reused)
    lesson_view.explain(lesson, scenario_key, done, lang)
    _glossary(lang)
    chart_view.show(scenario, scenario_key, done, cache, lang, base_dir)
    if "A" in done:
        _living_queue(done["A"], lang)


# Streamlit runs this file as "__main__"; a worker process of a simulation started from the page (the
# optimizer's verification, a long run) imports it as "__mp_main__" and must not draw the page again.
if __name__ == "__main__":
    main()
