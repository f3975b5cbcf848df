"""The optimizer in the app, in a real browser: optimize, see the plan and its warnings, apply it as setting B
and simulate it, switch to Chinese without optimizing again.

The app serves ``tests/data/optimizer`` as its bundled scenarios (``$SIMSVC_SCENARIOS``): a tiny counter
whose optimization takes well under a second, so the test times the page, not the optimizer.
"""

from __future__ import annotations

import re

import pytest

from simsvc.app import glossary
from tests.browser import app_server, keep_screenshot
from tests.helpers import ROOT

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def tiny_app_url():
    """``simsvc app`` with the tiny counter as its only bundled scenario; killed at teardown."""
    with app_server({"SIMSVC_SCENARIOS": str(ROOT / "tests" / "data" / "optimizer")}) as url:
        yield url


ROW_TIPS = """() => [...document.querySelectorAll('[data-testid="stTable"] tbody tr')].map(tr => [
    tr.querySelector('th')?.innerText.trim() ?? '',
    [...tr.querySelectorAll('td .pd-t')].map(s => getComputedStyle(s, '::after').content)])"""
"""Each table row: its label and its cells' tooltips' CSS text (as tests/test_app_glossary_browser.py reads them)."""


def _table(page, text: str):
    table = page.locator('[data-testid="stTable"]').filter(has_text=text).first
    table.wait_for(timeout=60_000)
    return table.inner_text()


def _alerts(page) -> str:
    return "\n".join(page.locator('[data-testid="stAlert"]').all_inner_texts())


def test_optimize_apply_and_simulate_then_chinese(browser, tiny_app_url, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(tiny_app_url)
        page.get_by_text("Tiny counter").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="Run", exact=True).wait_for(timeout=60_000)

        # Optimize: the rounds, then the plan with its break, cost, verification and warnings.
        page.get_by_role("button", name="Optimize staffing").click()
        page.get_by_text("Staffing plan").wait_for(timeout=60_000)
        plan = _table(page, "clerks")
        assert re.search(r"09:00-12:00 break 10:30-11:00", plan) and "10:00-11:00" in plan
        assert re.search(r"\b\d{1,3}(,\d{3})*\.\d\d\b", plan) and not re.search(r"\.\d{3,}", plan)  # to the cent
        checks = _table(page, "simulated (95 % CI)")
        assert "abandonment rate ≤ 5.0 %" in checks and "unresolved" in checks  # overall; missed at 10:00 (below)
        assert "Plan 1 optimized in this session" in page.locator("body").inner_text()
        alerts = _alerts(page)
        assert re.search(r"abandonment_rate in 10:00: target (<=|≤) 0.05", alerts)  # the verification's shortfall
        assert "overloaded" in alerts  # and its warning (a break at the peak)
        assert "the simulation misses a target with confidence" in page.locator("body").inner_text()

        # Apply the plan as setting B: both settings simulated at once, B titled as the plan, with targets.
        page.get_by_role("button", name="Apply the plan as setting B and simulate").click()
        page.get_by_text("Setting B: the optimized plan").wait_for(timeout=60_000)
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
                 .filter(m => m.innerText.includes('mean wait')).length === 2""",
            timeout=60_000,
        )
        assert page.get_by_text("Setting B is the optimized plan").is_visible()
        assert page.get_by_role("checkbox", name="Compare two settings side by side").is_checked()
        targets = page.locator('[data-testid="stTable"]').filter(has_text="Value (95 % CI)")
        assert targets.count() >= 2 or page.locator('[data-testid="stTable"]').filter(has_text="met").count() >= 2
        body = page.locator("body").inner_text()
        assert "Setting A" in body and "Move the sliders" not in body

        # Chinese: every text translated, the plan kept (still the session's first), B still the plan.
        page.get_by_text("中文").click()
        page.get_by_text("方案 B：优化后的排班方案").wait_for(timeout=60_000)
        page.get_by_text("排班方案", exact=True).wait_for()
        body = page.locator("body").inner_text()
        assert "本次会话优化的第 1 个方案" in body  # not optimized again
        assert "方案 B 为优化后的排班方案" in body and "将方案设为方案 B 并仿真" in body
        zh_plan = _table(page, "clerks")
        assert "09:00-12:00 休息 10:30-11:00" in zh_plan and "break" not in zh_plan
        assert "\t-\t" in zh_plan.replace("\n", "")  # a shift without a break: "-", not an empty bullet
        assert "未定" in _table(page, "仿真值（95% 置信区间）")
        tips = dict(page.evaluate(ROW_TIPS))  # each row's tooltips (CSS content), as the page's targets tables
        (row,) = [label for label in tips if label.startswith("放弃率 ≤")]
        assert tips[row] and all(glossary.definition("abandonment_rate", "zh")[:20] in t for t in tips[row])
        alerts = _alerts(page)
        assert "超负荷" in alerts and "放弃率" in alerts and "overloaded" not in alerts
        for english in ("Staffing plan", "Optimize staffing", "Verification by simulation", "Setting B"):
            assert english not in body, english
        page.set_viewport_size({"width": 1400, "height": 3000})
        shot = tmp_path / "app_optimizer_zh.png"
        page.screenshot(path=str(shot), full_page=True)
        keep_screenshot(shot)
    finally:
        page.close()
