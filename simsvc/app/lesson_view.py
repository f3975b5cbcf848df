"""The lessons on the page: the choice in the sidebar, the lesson's brief before the run, its explanation after.

Choosing a lesson loads its scenario and sets the sliders of settings A and B (compare on, the app's
replications), so a trainer on a projector clicks one lesson and then Run. The widget keys written
here are the page's: ``keep:<key>`` for a value kept across languages, ``source:<label>`` and
``bundled:<label>`` for the scenario choice, ``<scenario key>:<A or B>:<control key>`` for a slider.
Texts come from the lesson file in the page's language; the explanation is shown only for runs of
the lesson's own settings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from simsvc.app import chart_view, core, lessons
from simsvc.app.lessons import Lesson
from simsvc.i18n import Lang, tr
from simsvc.kpi_format import format_kpi

__all__ = ["brief", "choose", "control_label", "explain"]


@st.cache_resource(show_spinner=False)
def _lessons() -> dict[str, Lesson] | str:
    """The bundled lessons, or the error of an invalid one (shown in the sidebar)."""
    try:
        return lessons.bundled_lessons()
    except lessons.LessonError as exc:
        return str(exc)


def choose(lang: Lang) -> Lesson | None:
    """The sidebar's choice of lesson (first: none); a newly chosen lesson sets the page up for itself.

    Call before the page's scenario choice and sliders: their values are set before they are drawn.
    """
    found = _lessons()
    if isinstance(found, str):
        st.sidebar.error(tr("lesson.invalid", lang))
        st.sidebar.code(found, language=None)
        return None
    names = ["", *found]
    kept = st.session_state.get("keep:lesson", "")
    label = tr("lesson.choose", lang)
    name = st.sidebar.radio(
        label, names, index=names.index(kept) if kept in names else 0, key=f"lesson:{label}",
        format_func=lambda n: found[n].title(lang) if n else tr("lesson.none", lang),
    )  # fmt: skip
    st.session_state["keep:lesson"] = name
    if name != st.session_state.get("lesson:applied", ""):  # a new choice, not a change of language
        st.session_state["lesson:applied"] = name
        if name:
            _apply(found[name], lang)
    return found.get(name)


def _apply(lesson: Lesson, lang: Lang) -> None:
    """Select the lesson's scenario, tick compare and set the sliders of A and B to the lesson's settings."""
    state = st.session_state
    a, b = lessons.lesson_settings(lesson, lessons.scenario_of(lesson))
    for key, value in (("source", "bundled"), ("bundled", lesson.scenario)):
        state[f"keep:{key}"] = state[f"{key}:{tr(f'app.{key}', lang)}"] = value
    state["keep:compare"] = state["compare"] = True
    state["keep:replications"] = state["replications"] = a.replications
    for setting_name, setting in (("A", a), ("B", b)):
        for key, value in setting.values.items():
            widget = f"bundled:{lesson.scenario}:{setting_name}:{key}"
            state[f"keep:{widget}"] = state[widget] = value
    state.pop("runs", None)  # results of other settings would answer another question
    state.pop("opt:b", None)  # B is the lesson's sliders, not an optimized plan applied (simsvc.app.optimize_view)


def _active(lesson: Lesson | None, scenario_key: str) -> bool:
    return lesson is not None and scenario_key == f"bundled:{lesson.scenario}"


def control_label(c: core.Control, lang: Lang) -> str:
    """A slider's label as the page shows it (plain text)."""
    if c.kind in ("shift", "team_staff", "staff_delta"):
        return chart_view.lever_label(c, lang)
    if c.kind == "training":
        return tr("app.training", lang, team=c.team)
    if c.kind == "priority":
        return tr("app.priority", lang, name=c.team)
    return tr("app.complaint_staff" if c.kind == "complaints" else "app.promise", lang)


def _levers(lesson: Lesson, lang: Lang) -> list[str]:
    controls = {c.key: c for c in core.controls(lessons.scenario_of(lesson))}
    lines = []
    for name, levers in (("A", lesson.setting_a), ("B", lesson.setting_b)):
        moved = [f"{control_label(controls[k], lang)} = {v:g}" for k, v in levers.items()]
        lines.append(f"**{tr('app.setting', lang, name=name)}**: " + core.markdown_text(" · ".join(moved)))
    return lines


def brief(lesson: Lesson | None, scenario_key: str, lang: Lang) -> None:
    """The lesson's title, question, the settings it compares and what to observe (before the run)."""
    if not _active(lesson, scenario_key):
        return
    with st.container(border=True, key="lesson_brief"):
        st.markdown(f"### {core.markdown_text(tr('lesson.heading', lang, title=lesson.title(lang)))}")
        st.markdown(f"**{tr('lesson.question', lang)}** {core.markdown_text(lesson.question(lang))}")
        st.markdown("  \n".join(_levers(lesson, lang)))
        st.markdown(f"**{tr('lesson.observe', lang)}** {core.markdown_text(lesson.observe(lang))}")


def _matches(run: core.AppRun | None, setting: core.Setting) -> bool:
    if run is None:
        return False
    values = run.setting.values
    return values.keys() == setting.values.keys() and all(
        math.isclose(float(values[k]), float(v), abs_tol=1e-9) for k, v in setting.values.items()
    )


def _table(lesson: Lesson, done: Mapping[str, core.AppRun], lang: Lang) -> pd.DataFrame:
    rows = {}
    for claim in lesson.claims:  # one row per KPI (a claim may bound one KPI twice)
        label = core.markdown_text(lessons.claim_label(claim, lang))
        rows[label] = [core.markdown_text(format_kpi(claim.kpi, lessons.claim_value(done[n], claim), lang))
                       for n in ("A", "B")]  # fmt: skip
    return pd.DataFrame.from_dict(rows, orient="index", columns=["A", "B"])


def explain(lesson: Lesson | None, scenario_key: str, done: Mapping[str, core.AppRun], lang: Lang) -> None:
    """After a run of the lesson's settings: its numbers, A beside B, and the explanation.

    For runs of other settings, a note and a button that sets the lesson's settings again.
    """
    if not _active(lesson, scenario_key):
        return
    a, b = lessons.lesson_settings(lesson, lessons.scenario_of(lesson))
    if not (_matches(done.get("A"), a) and _matches(done.get("B"), b)):
        st.caption(tr("lesson.changed", lang))
        st.button(tr("lesson.reset", lang), key="lesson_reset", on_click=_apply, args=(lesson, lang))
        return
    with st.container(border=True, key="lesson_explanation"):
        st.markdown(f"### {tr('lesson.explanation', lang)}")
        st.markdown(core.markdown_text(lesson.explanation(lang)))
        st.caption(tr("lesson.table", lang))
        st.table(_table(lesson, done, lang))
