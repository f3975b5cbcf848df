"""The bundled lessons: each file valid, its settings the scenario's own with the levers moved, and every
claim of its explanation true of a run at the app's replications (the runs the page shows)."""

from __future__ import annotations

import filecmp
import re

import pytest

import simsvc
from simsvc.app import core
from simsvc.app.lessons import LessonError, bundled_lessons, claim_value, lesson_settings, lessons_folder, load_lesson
from tests.helpers import ROOT

LESSONS = bundled_lessons()
SCENARIOS = {name: simsvc.load_scenario(path) for name, path in core.bundled_scenarios().items()}


def _kinds(lesson) -> set[str]:
    controls = {c.key: c.kind for c in core.controls(SCENARIOS[lesson.scenario])}
    return {controls[k] for k in (*lesson.setting_a, *lesson.setting_b)}


def test_lessons_ship_with_the_package_and_cover_every_trade_off():
    shipped = sorted(p.name for p in lessons_folder().glob("*.yaml"))
    assert shipped == sorted(p.name for p in (ROOT / "lessons").glob("*.yaml")) and len(shipped) >= 6
    assert all(filecmp.cmp(lessons_folder() / n, ROOT / "lessons" / n, shallow=False) for n in shipped)
    kinds = [_kinds(lesson) for lesson in LESSONS.values()]
    assert any(k <= {"shift", "team_staff"} for k in kinds)  # staff vs waits and cost
    assert any({"training", "shift"} <= k for k in kinds)  # training vs headcount
    assert any(k == {"complaints"} and LESSONS[n].scenario == "service_desk_fortnight"
               for n, k in zip(LESSONS, kinds, strict=True))  # fmt: skip
    assert any(k == {"promise"} for k in kinds)
    assert any("priority" in k for k in kinds)
    assert any(c.station for lesson in LESSONS.values() for c in lesson.claims)  # where the bottleneck is
    for lesson in LESSONS.values():  # complaint team 0 has a known quirk: no lesson relies on it
        assert lesson.setting_a.get("complaints", 1) > 0 and lesson.setting_b.get("complaints", 1) > 0
        for text in (lesson.title, lesson.question, lesson.observe, lesson.explanation):
            assert text("en") != text("zh") and text("zh").strip()


def test_settings_are_the_scenarios_own_with_the_levers_moved():
    lesson = LESSONS["3-training-vs-headcount"]
    scenario = SCENARIOS["bank_branch"]
    a, b = lesson_settings(lesson, scenario)
    own = core.default_setting(scenario).values
    assert a.replications == b.replications == core.DEFAULT_REPLICATIONS
    assert {k for k in own if a.values[k] != own[k]} == {"t0s0", "t0s1", "t0l"}
    assert (a.values["t0s0"], a.values["t0s1"], a.values["t0l"]) == (6, 5, 0)
    assert (b.values["t0s0"], b.values["t0s1"], b.values["t0l"]) == (4, 3, 2)
    assert b.values["t0s2"] == own["t0s2"] == 1 and b.values["complaints"] == 1
    applied = core.apply_setting(scenario, b)
    assert applied.teams[0].training_level == 2 and [s.staff for s in applied.teams[0].shifts] == [4, 3, 1]


def _value(run: core.AppRun, claim) -> float:
    """The claim's KPI read from the result's public tables (overall, per class, per station)."""
    if claim.station:
        return float(run.result.by_station().loc[(claim.station, claim.kpi), "mean"])
    if claim.customer_class:
        return float(run.result.by_class().loc[(claim.customer_class, claim.kpi), "mean"])
    return float(run.result.summary().loc[claim.kpi, "mean"])


def _holds(claim, a: float, b: float) -> bool:
    r = claim.ratio
    if claim.b == "higher":
        return b > a and (r is None or b >= r * a)
    if claim.b == "lower":
        return b < a and (r is None or b * r <= a)
    return min(a, b) > 0 and max(a, b) <= (r or 1.5) * min(a, b)


@pytest.mark.parametrize("name", list(LESSONS))
def test_the_explanation_holds_at_the_apps_replications(name):
    lesson = LESSONS[name]
    scenario = SCENARIOS[lesson.scenario]
    a, b = lesson_settings(lesson, scenario)
    run_a, run_b = core.run_setting(scenario, a), core.run_setting(scenario, b)
    wrong = []
    for claim in lesson.claims:
        va, vb = _value(run_a, claim), _value(run_b, claim)
        assert (claim_value(run_a, claim), claim_value(run_b, claim)) == (va, vb)  # the page's table shows these
        if not _holds(claim, va, vb):
            wrong.append(f"{claim.customer_class or claim.station or ''} {claim.kpi}: A {va:.4g}, B {vb:.4g}, "
                         f"claimed B {claim.b} (ratio {claim.ratio})")  # fmt: skip
    assert not wrong, wrong


GOOD = """\
scenario: teaching
title: {en: Clerks, zh: 柜员}
question: {en: Why?, zh: 为什么？}
setting_a: {t0: 3}
setting_b: {t0: 2}
observe: {en: waits, zh: 等待}
explanation: {en: Because., zh: 因为。}
claims: [{kpi: mean_wait, b: higher}]
"""


def test_a_bad_lesson_names_its_file_and_fields(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    assert load_lesson(good).name == "good"
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("{t0: 2}", "{t0: 9, clerks: 2}").replace("zh: 等待", "fr: attente")
                   .replace("kpi: mean_wait", "kpi: mean_waiting"), encoding="utf-8")  # fmt: skip
    with pytest.raises(LessonError) as failed:
        load_lesson(bad)
    text = str(failed.value)
    assert str(bad) in text and "invalid lesson" in text
    assert "observe.zh: Field required" in text and "observe.fr: unknown field" in text
    bad.write_text(GOOD.replace("{t0: 2}", "{t0: 9, clerks: 2}").replace("kpi: mean_wait", "kpi: mean_waiting"),
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(LessonError) as failed:
        load_lesson(bad)
    text = str(failed.value)
    assert "setting_b.t0: 9 is outside the control's range 0-7" in text
    assert "setting_b.clerks: not a control of scenario 'teaching' (controls: t0, complaints, promise)" in text
    assert "claims[0].kpi: 'mean_waiting' is not a KPI" in text
    bad.write_text(GOOD.replace("teaching", "post_office").replace("{t0: 2}", "{t0: 3}"), encoding="utf-8")
    with pytest.raises(LessonError, match=r"scenario: 'post_office' is not a bundled scenario \(bundled: teaching"):
        load_lesson(bad)
    bad.write_text(GOOD.replace("{t0: 2}", "{t0: 3}"), encoding="utf-8")
    with pytest.raises(LessonError, match="setting_b: is the same as setting_a"):
        load_lesson(bad)
    bad.write_text(GOOD.replace("{t0: 2}", "{promise: 0.33}"), encoding="utf-8")
    with pytest.raises(LessonError, match=re.escape("setting_b.promise: 0.33 is not on the slider's steps of 0.05")):
        load_lesson(bad)


def test_the_page_sets_a_lessons_sliders_and_sets_them_again_after_a_change():
    """The page's script (Streamlit's own test runner, no browser): a lesson's sliders, its explanation only
    for its own settings, and the button that puts them back (the runs reused, not simulated again)."""
    from streamlit.testing.v1 import AppTest

    from simsvc.app.launch import PAGE

    lesson = LESSONS["7-journey-bottleneck"]
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.run()
    next(r for r in at.sidebar.radio if r.label == "Lesson").set_value(lesson.name).run()
    slider = {s.key: s for s in at.slider}
    levers = {f"{n}:{k}": v for n, s in (("A", lesson.setting_a), ("B", lesson.setting_b)) for k, v in s.items()}
    assert {k: slider[f"bundled:service_centre:{k}"].value for k in levers} == levers
    assert any(lesson.question("en")[:30] in m.value.replace("\\", "") for m in at.markdown)

    def explained() -> bool:
        return any(m.value == "### What happened, and why" for m in at.markdown)

    assert not explained()
    at.button(key="run").click().run()
    assert explained()
    slider["bundled:service_centre:B:t0s0"].set_value(2).run()  # B's greeters back to 2: another question
    at.button(key="run").click().run()
    assert not explained() and any("differ from the lesson's settings" in c.value for c in at.caption)
    at.button(key="lesson_reset").click().run()
    assert {s.key: s.value for s in at.slider}["bundled:service_centre:B:t0s0"] == 1
    at.button(key="run").click().run()
    assert explained() and not at.exception
    assert sum("reused" in c.value for c in at.caption if "simulation" in c.value) == 2
