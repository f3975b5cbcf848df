"""The app's charts in a real browser: drawn by Vega-Lite, A and B together, targets on them; a setting
already run is not simulated again, nor is anything on a change of language."""

from __future__ import annotations

import pytest

from tests.browser import charts_drawn, keep_screenshot

pytestmark = pytest.mark.timeout(180)

CHART = '[data-testid="stVegaLiteChart"]'


def _settled(page) -> None:
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60_000)


def _chart_texts(page) -> list[str]:
    """The words each drawn chart shows (its SVG's text elements), chart by chart."""
    return page.evaluate(
        f"""() => [...document.querySelectorAll('{CHART}')].map(c =>
              [...c.querySelectorAll('svg.marks text')].map(t => t.textContent).join(' | '))"""
    )


def _captions(page, starts: str) -> list[str]:
    captions = page.locator('[data-testid="stCaptionContainer"]').filter(has_text=starts)
    captions.first.wait_for(timeout=60_000)
    return [c.strip() for c in captions.all_inner_texts()]


def test_charts_share_axes_and_runs_are_reused(browser, app_url, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(app_url)
        run = page.get_by_role("button", name="Run", exact=True)
        run.wait_for(timeout=60_000)
        _settled(page)
        page.get_by_text("Compare two settings side by side").click()
        page.get_by_text("Setting B").first.wait_for()
        _settled(page)
        run.click()
        charts_drawn(page, 2)  # waits and service level, both settings on each (teaching: no money, one station)
        # A and B as bundled: the same setting, simulated once
        assert _captions(page, "simulation") == [
            "simulation 1 of this session",
            "simulation 1 of this session, reused: this setting was not simulated again",
        ]
        waits, level = _chart_texts(page)[:2]
        assert "Mean wait per interval" in waits and "service-level threshold: 2 min" in waits
        assert "target: 80%" in level and "100%" in level  # the target's rule on a 0-100 % axis
        for words in (waits, level):
            assert "| A |" in f"| {words} |" and "| B |" in f"| {words} |"  # one legend: both settings, one chart

        # B with one clerk fewer: A is reused, B alone simulated
        slider = page.get_by_role("slider", name="clerks: staff").nth(1)
        slider.focus()
        slider.press("ArrowLeft")
        b_staff = page.locator('[data-testid="stSlider"]').filter(has_text="clerks: staff").nth(1)
        b_staff.locator('[data-testid="stSliderThumbValue"]').get_by_text("2", exact=True).wait_for()
        _settled(page)
        run.click()
        page.get_by_text("simulation 2 of this session").wait_for(timeout=60_000)
        assert _captions(page, "simulation") == [
            "simulation 1 of this session, reused: this setting was not simulated again",
            "simulation 2 of this session",
        ]
        took = _captions(page, "replications")

        # The staffing curve, on request: the clerks' levels around A's 3 and B's 2
        page.get_by_role("button", name="Staff vs wait and cost: clerks: staff").click()
        charts_drawn(page, 3)
        curve = _chart_texts(page)[2]
        assert "Mean wait" in curve and "clerks: staff" in curve
        page.get_by_text("levels of «clerks: staff», 3 replications each").wait_for(timeout=30_000)

        # Chinese: labels change, nothing is simulated again (the same simulation numbers and times)
        page.get_by_text("中文").click()
        page.get_by_text("方案 B").first.wait_for()
        _settled(page)
        charts_drawn(page, 3)
        assert _captions(page, "本次会话") == ["本次会话第 1 次仿真，直接复用：该方案未重新仿真", "本次会话第 2 次仿真"]
        assert [t.replace("用时 ", "").replace(" 秒，", " s, ").replace(" 次重复", " replications") for t in
                _captions(page, "次重复")[:2]] == took  # fmt: skip
        texts = _chart_texts(page)
        assert "各时段平均等待" in texts[0] and "服务水平阈值：2 分钟" in texts[0]
        assert "Mean wait per interval" not in " ".join(texts)
        assert "«clerks：人数»" in page.locator("body").inner_text()  # the curve kept, not simulated again
        page.set_viewport_size({"width": 1400, "height": 2600})
        shot = tmp_path / "app_charts_zh.png"
        page.screenshot(path=str(shot), full_page=True)
        keep_screenshot(shot)
    finally:
        page.close()
