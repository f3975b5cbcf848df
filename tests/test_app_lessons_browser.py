"""The lessons in a real browser: each opens (its scenario and sliders set), runs and shows its explanation,
in English and in Chinese; switching language after the run simulates nothing."""

from __future__ import annotations

import re

import pytest

import simsvc
from simsvc.app import core
from simsvc.app.lessons import bundled_lessons, lesson_settings
from simsvc.i18n import tr
from simsvc.kpi_format import format_kpi
from tests.browser import keep_screenshot
from tests.helpers import SCENARIOS

pytestmark = pytest.mark.timeout(180)

BRIEF = ".st-key-lesson_brief"
EXPLANATION = ".st-key-lesson_explanation"
OTHER = {"en": "zh", "zh": "en"}
LANGUAGE = {"en": "English", "zh": "中文"}


def _settled(page) -> None:
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60_000)


def _start(text: str) -> str:
    """The first words of a lesson text: enough to find it, short of any line break the page may add."""
    return text[:24]


SIMULATION = re.compile(r"^(simulation \d+ of this session|本次会话第 \d+ 次仿真)")
"""The caption saying which simulation of the session a result is (``chart.simulated``, ``chart.reused``)."""


def _simulations(page) -> list[str]:
    captions = page.locator('[data-testid="stCaptionContainer"]')
    return [c for c in captions.all_inner_texts() if SIMULATION.match(c.strip())]


def test_every_lesson_opens_runs_and_explains_in_both_languages(browser, app_url, tmp_path):
    lessons = bundled_lessons()
    teaching = simsvc.load_scenario(SCENARIOS / "teaching.yaml")
    a, b = lesson_settings(lessons["1-staff-and-waits"], teaching)
    waits = [format_kpi("mean_wait", core.run_setting(teaching, s).summary.loc["mean_wait", "mean"], "en")
             for s in (a, b)]  # fmt: skip
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(app_url)
        page.get_by_role("button", name="Run", exact=True).wait_for(timeout=60_000)
        _settled(page)
        assert page.locator(BRIEF).count() == 0  # free play: no lesson on the page
        lang = "en"
        for number, (name, lesson) in enumerate(lessons.items()):
            sidebar = page.locator('[data-testid="stSidebar"]')
            sidebar.get_by_text(lesson.title(lang), exact=True).click()
            brief = page.locator(BRIEF)
            brief.filter(has_text=_start(lesson.question(lang))).wait_for(timeout=60_000)
            _settled(page)
            assert _start(lesson.observe(lang)) in brief.inner_text()
            assert page.locator(EXPLANATION).count() == 0  # not before the run
            heading = page.locator('[data-testid="stHeading"]').filter(has_text=_scenario_title(lesson.scenario))
            assert heading.count() >= 1, name  # the lesson's scenario is loaded
            page.get_by_role("button", name=tr("app.run", lang), exact=True).click()
            explanation = page.locator(EXPLANATION)
            explanation.filter(has_text=_start(lesson.explanation(lang))).wait_for(timeout=60_000)
            _settled(page)
            text = explanation.inner_text()
            assert tr("lesson.table", lang) in text
            if name == "1-staff-and-waits":  # the page ran the lesson's settings: the numbers of a run here
                rows = explanation.locator("tbody tr")
                assert rows.first.locator("th").inner_text() == tr("kpi.mean_wait", lang)
                assert rows.first.locator("td").all_inner_texts() == waits
            simulated = _simulations(page)
            assert len(simulated) == 2, simulated

            # The other language: the same runs (nothing simulated again), every text of the lesson translated
            lang = OTHER[lang]
            sidebar.get_by_text(LANGUAGE[lang], exact=True).click()
            explanation.filter(has_text=_start(lesson.explanation(lang))).wait_for(timeout=60_000)
            _settled(page)
            assert _start(lesson.question(lang)) in page.locator(BRIEF).inner_text()
            assert [_number(s) for s in _simulations(page)] == [_number(s) for s in simulated]
            if number == 0:
                shot = tmp_path / f"lesson_{lang}.png"
                page.screenshot(path=str(shot))
                assert shot.stat().st_size > 10_000
                keep_screenshot(shot)
    finally:
        page.close()


def _number(caption: str) -> int:
    """The run's number in its caption ("simulation 3 of this session", "本次会话第 3 次仿真")."""
    return int(re.search(r"\d+", caption).group())


def _scenario_title(name: str) -> str:
    return simsvc.load_scenario(SCENARIOS / f"{name}.yaml").name
