"""The living queue in a real browser: it plays, pauses, and ends at the run's KPIs; smooth at 1,000+ customers."""

from __future__ import annotations

import pytest

import simsvc
from simsvc.app import core
from tests.browser import keep_screenshot
from tests.helpers import SCENARIOS

pytestmark = pytest.mark.timeout(180)

TITLE = "Living queue: one replication, customer by customer"
COUNTERS = ("arrived", "served", "abandoned", "balked", "dissatisfied", "complaints")


def _kpis(result, group: str, keys: list[str]) -> dict[str, int]:
    """Replication 0's counts in the KPI table, summed over ``keys`` of ``group``, as the counters name them."""
    k = result.kpis
    rows = k[(k["group"] == group) & k["key"].isin(keys) & (k["replication"] == 0)]
    per = rows.pivot_table(index="key", columns="kpi", values="value")
    n = per["arrivals"]
    return {
        "arrived": round(n.sum()), "served": round(per["served"].sum()), "abandoned": round(per["abandoned"].sum()),
        "balked": round(per["balked"].sum()), "dissatisfied": round((per["dissatisfied_share"] * n).sum()),
        "complaints": round((per["complaint_rate"] * n).sum()),
    }  # fmt: skip


def _counters(frame) -> dict[str, int]:
    return {name: int(frame.locator(f"#lq-{name}").get_attribute("data-value")) for name in COUNTERS}


def _minutes(frame) -> float:
    return float(frame.locator("#lq-clock").get_attribute("data-minutes"))


def _state(frame) -> str:
    return frame.locator("#lq").get_attribute("data-state")


def test_the_living_queue_plays_pauses_and_ends_at_the_runs_kpis(browser, app_url, tmp_path):
    scenario = simsvc.load_scenario(SCENARIOS / "service_centre.yaml")
    setting = core.default_setting(scenario)
    # The app's own run (same setting, replications and seed): its KPIs are what the counters must end at.
    result = simsvc.simulate(core.apply_setting(scenario, setting), setting.replications, keep_records=True)
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        page.goto(app_url)
        page.get_by_role("button", name="Run", exact=True).wait_for(timeout=60_000)
        page.locator('[data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="service_centre", exact=True).click()
        page.locator('[data-testid="stHeading"]').filter(has_text="Service centre").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="Run", exact=True).click()
        page.get_by_text(TITLE).click(timeout=60_000)  # open the expander
        frame = page.frame_locator(f'iframe[title="{TITLE}"]')
        frame.locator("#lq-play").wait_for(timeout=30_000)
        assert _state(frame) == "paused"
        start = _minutes(frame)
        assert _counters(frame)["arrived"] == 0

        # Play: the clock advances; pause: it stops.
        frame.locator("#lq-play").click()
        page.wait_for_timeout(1200)
        moving = _minutes(frame)
        assert moving > start + 5, (start, moving)  # 10 simulated minutes a second by default
        assert _state(frame) == "playing"
        frame.locator("#lq-play").click()
        paused = _minutes(frame)
        page.wait_for_timeout(600)
        assert _state(frame) == "paused" and _minutes(frame) == paused
        assert 0 < _counters(frame)["arrived"] < _kpis(result, "day", ["1"])["arrived"]

        # Faster (120 simulated minutes a second), then to the end: replication 0's KPIs of day 1.
        frame.locator("#lq-speed").select_option("120")
        frame.locator("#lq-play").click()
        page.wait_for_timeout(1000)
        assert _minutes(frame) > paused + 60 and _counters(frame)["served"] > 0
        frame.locator("#lq-end").click()
        frame.locator('#lq[data-state="ended"]').wait_for(timeout=10_000)
        shown = _counters(frame)
        assert shown == _kpis(result, "day", ["1"]), shown
        assert int(frame.locator("#lq-waiting").get_attribute("data-value")) == 0
        assert int(frame.locator("#lq-in-service").get_attribute("data-value")) == 0
        stats = frame.locator("body").evaluate(
            """() => { const s = window.livingQueue.stats, d = [...s.drawMs].sort((a, b) => a - b);
                       return {mean: d.reduce((a, b) => a + b, 0) / d.length, p95: d[Math.floor(d.length * 0.95)],
                               frames: s.frames}; }"""
        )  # fmt: skip
        assert stats["frames"] > 20 and stats["mean"] < 10, stats
        shot = tmp_path / "living_queue.png"
        page.screenshot(path=str(shot), full_page=True)
        keep_screenshot(shot)

        # One hour, jumped to its end: the KPIs of its two half-hour intervals.
        hour = page.get_by_role("slider", name="hour")
        for start in (510, 540, 600):  # whole day -> 08:00 (opens 08:30) -> 09:00 -> 10:00, a step once shown
            hour.focus()  # the page is drawn again after each step
            hour.press("ArrowRight")
            frame.locator(f'#lq-clock[data-minutes="{start:.2f}"]').wait_for(timeout=30_000)
            page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=30_000)
        frame.locator("#lq-end").click()
        frame.locator('#lq[data-state="ended"]').wait_for(timeout=10_000)
        assert _counters(frame) == _kpis(result, "interval", ["10:00", "10:30"])

        # In Chinese: the same animation, its texts translated.
        page.get_by_text("中文").click()
        page.get_by_text("动态队列：逐个顾客回放一次重复").wait_for(timeout=60_000)  # still open, in Chinese
        zh = page.frame_locator('iframe[title="动态队列：逐个顾客回放一次重复"]')
        zh.locator("#lq-counters").get_by_text("已到达").wait_for(timeout=30_000)
        assert zh.locator("#lq-play").inner_text() == "播放"
    finally:
        page.close()


def test_a_day_of_over_a_thousand_callers_draws_smoothly(browser):
    """The call centre's day (about 2,300 calls) alone in a page: each frame's drawing time, measured in the browser."""
    from simsvc.app.living_queue_view import for_run

    scenario = simsvc.load_scenario(SCENARIOS / "call_centre.yaml")
    result = simsvc.simulate(scenario, replications=1, keep_records=True)
    html, height = for_run(result, 0, 1, None, "en")
    page = browser.new_page(viewport={"width": 1100, "height": height + 40})
    try:
        page.set_content(html)
        assert page.locator("#lq-arrived").count() == 1
        page.evaluate("() => { window.livingQueue.setSpeed(30); window.livingQueue.play(); }")
        page.wait_for_timeout(1500)
        stats = page.evaluate(
            """() => { const s = window.livingQueue.stats, d = [...s.drawMs].sort((a, b) => a - b),
                              g = [...s.gaps].sort((a, b) => a - b);
                       return {customers: window.livingQueue.customers, mean: d.reduce((a, b) => a + b, 0) / d.length,
                               p95: d[Math.floor(d.length * 0.95)], gap: g[Math.floor(g.length / 2)],
                               frames: s.frames}; }"""
        )  # fmt: skip
        print(f"living queue at {stats['customers']} customers: {stats}")
        assert stats["customers"] > 1000
        assert stats["frames"] > 30, stats  # requestAnimationFrame keeps coming
        assert stats["mean"] < 8 and stats["p95"] < 33, stats  # drawing fits well inside a 60 Hz frame (16.7 ms)
        assert stats["gap"] < 40, stats  # the median time between frames
    finally:
        page.close()
