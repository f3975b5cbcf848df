"""The HTML reports open in a real Chromium and every figure loads, in English and Chinese."""

from __future__ import annotations

import pytest

from simsvc.report import write_report
from tests.browser import keep_screenshot

pytestmark = pytest.mark.timeout(180)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", ["run", "optimization"])
def test_report_renders_its_figures(browser, run_folder, optimization_folder, tmp_path, lang, kind):
    folder = run_folder if kind == "run" else optimization_folder
    path = write_report(folder, tmp_path / f"report_{kind}_{lang}.html", lang)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        widths = page.evaluate("[...document.images].map(i => i.complete ? i.naturalWidth : 0)")
        assert len(widths) == (5 if kind == "run" else 1)  # the teaching run has no money: no cost chart
        assert all(w > 0 for w in widths), widths
        assert page.evaluate("document.documentElement.lang") == ("zh-CN" if lang == "zh" else "en")
        heading = page.locator("h1").inner_text()
        titles = {
            "run": {"en": "Simulation report", "zh": "仿真报告"},
            "optimization": {"en": "Staffing optimization report", "zh": "人员配置优化报告"},
        }
        assert heading.startswith(titles[kind][lang])
        shot = tmp_path / f"report_{kind}_{lang}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000
        keep_screenshot(shot)
    finally:
        page.close()
