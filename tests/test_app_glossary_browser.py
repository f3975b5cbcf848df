"""The KPI glossary in a real browser: every metric tile's tooltip and every KPI table row's tooltip is
its glossary definition, and the glossary lists every term, in English and in Chinese."""

from __future__ import annotations

import pytest

from simsvc.app import glossary
from simsvc.i18n import kpi_label
from tests.browser import keep_screenshot

pytestmark = pytest.mark.timeout(180)

TIP = '[data-testid="stTooltipContent"]'
# Each table row: its label (the index cell) and the CSS text of its cells' tooltips (Styler's ::after content).
ROW_TIPS = """() => [...document.querySelectorAll('[data-testid="stTable"] tbody tr')].map(tr => [
    tr.querySelector('th').innerText.trim(),
    [...tr.querySelectorAll('td .pd-t')].map(s => getComputedStyle(s, '::after').content)])"""


def _settled(page) -> None:
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60_000)


def _kpi(label: str, lang: str) -> str:
    """The KPI whose label the page shows (every KPI with a definition, looked up by its label)."""
    names = {kpi_label(k, lang): k for k in glossary.DEFINITIONS}
    assert label in names, label
    return names[label]


def _tile_tips(page, lang: str) -> dict[str, str]:
    """Each metric tile's KPI and the text of its tooltip, read by hovering its question mark."""
    tips = {}
    tiles = page.locator('[data-testid="stMetric"]')
    for i in range(tiles.count()):
        tile = tiles.nth(i)
        kpi = _kpi(tile.locator('[data-testid="stMetricLabel"]').inner_text().strip(), lang)
        tile.locator('[data-testid="stTooltipIcon"]').hover()
        want = glossary.definition(kpi, lang)
        shown = page.locator(TIP).filter(has_text=want[:20])  # the tile's own tooltip, not the last one fading
        shown.first.wait_for(timeout=10_000)
        tips[kpi] = shown.first.inner_text().strip()
        page.mouse.move(0, 0)
    return tips


def _check_tables(page, lang: str) -> None:
    """Every row of the KPI tables has its KPI's definition on each cell; a target row, its KPI's and the rule."""
    rows = page.evaluate(ROW_TIPS)
    targets = 0
    for label, tips in rows:
        assert tips and len(set(tips)) == 1, (label, tips)
        tip = tips[0][1:-1]  # CSS content is quoted
        if label in {kpi_label(k, lang) for k in glossary.DEFINITIONS}:
            assert tip == glossary.definition(_kpi(label, lang), lang), label
        else:  # a target: service level: 80% within 5 min, abandonment at most 5%
            assert tip.endswith(glossary.definition("term.targets", lang)), (label, tip)
            targets += 1
    assert targets == 2 and len(rows) > 15  # the bank's two targets; its KPIs, cost, value of customers lost


def test_tiles_and_tables_show_the_glossary_and_it_lists_every_term(browser, app_url, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(app_url)
        page.get_by_role("button", name="Run", exact=True).wait_for(timeout=60_000)
        page.locator('[data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="bank_branch", exact=True).click()
        page.locator('[data-testid="stHeading"]').filter(has_text="Bank").first.wait_for(timeout=60_000)
        _settled(page)
        page.get_by_role("button", name="Run", exact=True).click()
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
        _settled(page)

        tips = _tile_tips(page, "en")
        assert set(tips) == {"mean_wait", "service_level", "utilization", "satisfaction", "complaint_rate", "cost"}
        assert tips == {k: glossary.definition(k, "en") for k in tips}
        _check_tables(page, "en")
        # A table's tooltip shows on hover only, below its cell
        cell = page.locator('[data-testid="stTable"] td').filter(has_text="%").nth(3)
        span = cell.locator(".pd-t")
        assert span.evaluate("s => getComputedStyle(s).visibility") == "hidden"
        cell.hover()
        page.wait_for_function("s => getComputedStyle(s).visibility === 'visible'", arg=span.element_handle())
        box, under = span.bounding_box(), cell.bounding_box()
        assert box["width"] > 100 and abs(box["y"] - (under["y"] + under["height"])) < 2  # right under the cell
        page.screenshot(path=tmp_path / "glossary_tooltip.png")
        keep_screenshot(tmp_path / "glossary_tooltip.png")

        # The glossary: closed, then open with every term, kept open in Chinese
        title = page.get_by_text("Glossary: what every number means")
        title.click()
        terms = page.locator('[data-testid="stExpanderDetails"] li')
        terms.first.wait_for(timeout=30_000)
        want = [f"{name}: {text}" for name, text in glossary.entries(_page_glossary(), "en")]
        assert [t.strip() for t in terms.all_inner_texts()] == want

        page.get_by_text("中文").click()
        page.get_by_text("术语表：每个数字的含义").wait_for(timeout=60_000)
        _settled(page)
        want_zh = [f"{name}：{text}" for name, text in glossary.entries(_page_glossary(), "zh")]
        page.locator('[data-testid="stExpanderDetails"] li').filter(has_text=want_zh[0][:8]).first.wait_for()
        shown = [t.strip() for t in page.locator('[data-testid="stExpanderDetails"] li').all_inner_texts()]
        assert shown == want_zh
        tips_zh = _tile_tips(page, "zh")
        assert tips_zh == {k: glossary.definition(k, "zh") for k in tips} and tips_zh != tips
        _check_tables(page, "zh")
        page.locator('[data-testid="stExpanderDetails"]').first.scroll_into_view_if_needed()
        page.screenshot(path=tmp_path / "glossary_zh.png")
        keep_screenshot(tmp_path / "glossary_zh.png")
    finally:
        page.close()


def _page_glossary() -> tuple[str, ...]:
    """The KPIs the page's glossary lists (``page.GLOSSARY``, read from its source: importing it draws the page)."""
    from tests.test_app_glossary import page_constants

    return page_constants()["GLOSSARY"]
