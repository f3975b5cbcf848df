"""The training app in a real browser: move a slider, run, compare, upload a broken file, switch to
Chinese (the optimizer: tests/test_app_optimize_browser.py)."""

from __future__ import annotations

import re

import pytest

from tests.browser import charts_drawn, keep_screenshot

pytestmark = pytest.mark.timeout(240)

BROKEN = """\
name: Broken
horizon: {days: 1, open: "09:00", close: "12:00", interval_minutes: 30}
customer_classes:
  - name: customer
    arrivals: {per_hour: 35}
    service_time: {dist: exponential}
teams:
  - name: clerks
    serves: [customer]
    staff: 3
simulation: {replications: 0}
"""


def _wait_value(page, label: str) -> str:
    value = page.locator('[data-testid="stMetric"]').filter(has_text=label).locator('[data-testid="stMetricValue"]')
    value.first.wait_for(timeout=60_000)
    return value.first.inner_text()


def _minutes(text: str) -> float:
    return float(re.search(r"[-\d.]+", text).group())


def test_app_in_a_browser(browser, app_url, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(app_url)
        run = page.get_by_role("button", name="Run", exact=True)
        run.wait_for(timeout=60_000)
        assert "The KPI table" not in page.locator("body").inner_text()  # no source docstring drawn by magic

        # Run the teaching scenario as bundled: 3 clerks.
        run.click()
        before = _wait_value(page, "mean wait")

        # One clerk fewer (slider 3 -> 2), run again: the mean wait must grow.
        slider = page.get_by_role("slider", name="clerks: staff")
        slider.focus()
        slider.press("ArrowLeft")
        page.locator('[data-testid="stSlider"]').filter(has_text="clerks: staff").get_by_text(
            "2", exact=True
        ).wait_for()
        run.click()
        page.wait_for_function(
            """(before) => [...document.querySelectorAll('[data-testid="stMetric"]')]
                 .some(m => m.innerText.includes('mean wait') &&
                            m.querySelector('[data-testid="stMetricValue"]').innerText !== before)""",
            arg=before, timeout=60_000,
        )  # fmt: skip
        after = _wait_value(page, "mean wait")
        assert _minutes(after) > _minutes(before) + 1, (before, after)

        # Two settings side by side: two result columns, each with its KPIs and figures.
        page.get_by_text("Compare two settings side by side").click()
        page.get_by_text("Setting B").first.wait_for()
        run.click()
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
                 .filter(m => m.innerText.includes('mean wait')).length === 2""",
            timeout=60_000,
        )
        charts_drawn(page, 2)  # both settings on each: waits and service level (teaching: no money, one station)

        # A broken upload: the ScenarioError with field paths, in the page, no traceback.
        page.get_by_text("upload a YAML file").click()
        broken = tmp_path / "broken.yaml"
        broken.write_text(BROKEN, encoding="utf-8")
        page.locator('input[type="file"]').set_input_files(str(broken))
        error = page.locator('[data-testid="stCode"]').filter(has_text="invalid scenario")
        error.wait_for(timeout=60_000)
        text = error.inner_text()
        assert "broken.yaml" in text
        assert "customer_classes[0].service_time.mean" in text
        assert "simulation.replications" in text
        assert page.get_by_text("This scenario is invalid").is_visible()
        assert "Traceback" not in page.content()

        # Switch to Chinese, back to the bundled scenario: labels, results and figures in Chinese.
        page.get_by_text("中文").click()
        page.get_by_text("上传 YAML 文件").first.wait_for()
        page.get_by_text("该场景无效").wait_for()
        page.get_by_text("内置场景").first.click()
        page.get_by_role("button", name="运行仿真").wait_for(timeout=60_000)
        assert _minutes(_wait_value(page, "平均等待")) == _minutes(after)  # same setting, same seed: same numbers
        staff = page.locator('[data-testid="stSlider"]').filter(has_text="clerks：人数").first
        assert staff.get_by_text("2", exact=True).is_visible()  # the slider kept its value across languages
        page.get_by_text("方案 B").first.wait_for()
        charts_drawn(page, 2)
        page.set_viewport_size({"width": 1400, "height": 3600})  # the page scrolls inside; show all of it
        charts_drawn(page, 2)
        shot = tmp_path / "app_zh.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        keep_screenshot(shot)

        # No optimizer for a scenario without candidate shifts (tests/test_app_optimize_browser.py: one with them).
        assert page.get_by_role("button", name="优化人员配置").count() == 0
        assert page.get_by_text("优化器").count() == 0
    finally:
        page.close()


MARKED = """\
name: "Teach **bold** [east] :smile: [link](http://x)"
horizon: {days: 1, open: "09:00", close: "12:00", interval_minutes: 30}
customer_classes:
  - name: walk_in
    arrivals: {trace_csv: trace.csv}
    service_time: {dist: exponential, mean: 3}
teams:
  - name: "clerks :red[x] $y$"
    serves: [walk_in]
    staff: 3
"""


def test_an_upload_with_its_csv_shows_names_as_written(browser, app_url, tmp_path):
    """A scenario uploaded with the trace it reads; its markdown-like names show literally."""
    (tmp_path / "marked.yaml").write_text(MARKED, encoding="utf-8")
    (tmp_path / "trace.csv").write_text("time\n1.5\n9.25\n30\n", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        _open(page, app_url)
        page.get_by_text("upload a YAML file").click()
        page.locator('input[type="file"]').set_input_files([str(tmp_path / "marked.yaml"), str(tmp_path / "trace.csv")])
        heading = page.locator('[data-testid="stHeading"]').filter(has_text="Teach")
        heading.wait_for(timeout=60_000)
        assert heading.inner_text().strip() == "Teach **bold** [east] :smile: [link](http://x)"
        assert heading.locator('strong, img, a[href="http://x"]').count() == 0  # no bold, emoji image or link
        label = page.locator('[data-testid="stWidgetLabel"]').filter(has_text="clerks")
        assert "clerks :red[x] $y$" in label.first.inner_text()
        assert "Traceback" not in page.content()
    finally:
        page.close()


def _open(page, app_url: str) -> None:
    """Load the app and wait until it can run."""
    page.goto(app_url)
    page.get_by_role("button", name="Run", exact=True).wait_for(timeout=60_000)


def _settled(page) -> None:
    """Wait until the page's script has finished its run (widgets drawn anew are then the ones to use)."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60_000)


def _bundled(page, name: str, heading: str) -> None:
    """Choose a bundled scenario and wait for its heading and for the page to settle."""
    page.locator('[data-testid="stSelectbox"]').click()
    page.get_by_role("option", name=name, exact=True).click()
    page.locator('[data-testid="stHeading"]').filter(has_text=heading).first.wait_for(timeout=60_000)
    _settled(page)


def _kpi_row(page, label: str) -> str:
    """The KPI table's row for ``label`` (its text: label, mean, interval)."""
    row = page.locator('[data-testid="stTable"] tr').filter(has=page.get_by_text(label, exact=True)).first
    row.wait_for(timeout=60_000)
    return row.inner_text()


def test_complaint_team_at_zero_runs_with_nobody_handling_complaints(browser, app_url):
    """The complaint-handling lesson: the team's lever at 0 is a valid scenario, every complaint unresolved."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        _open(page, app_url)
        _bundled(page, "bank_branch", "Bank")
        slider = page.get_by_role("slider", name="complaint team size")
        slider.focus()
        slider.press("ArrowLeft")  # the bank's desk: 1 clerk
        thumb = page.locator('[data-testid="stSlider"]').filter(has_text="complaint team size")
        thumb.locator('[data-testid="stSliderThumbValue"]').get_by_text("0", exact=True).wait_for()
        page.get_by_role("button", name="Run", exact=True).click()
        page.get_by_text("Results", exact=True).wait_for(timeout=60_000)
        assert "0.0 %" in _kpi_row(page, "recovery rate")
        assert not _kpi_row(page, "complaint rate").split("\t")[1].startswith("0.0 %")  # complaints are filed
        assert page.get_by_text("This scenario is invalid").count() == 0
        assert "Traceback" not in page.content()
    finally:
        page.close()


def test_an_overloaded_run_says_so_in_both_languages(browser, app_url):
    """One clerk for the teaching scenario's demand: the run's overload warning shows, then in Chinese."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(app_url)
        run = page.get_by_role("button", name="Run", exact=True)
        run.wait_for(timeout=60_000)
        _settled(page)
        slider = page.get_by_role("slider", name="clerks: staff")
        slider.focus()
        slider.press("ArrowLeft")
        slider.press("ArrowLeft")
        staff = page.locator('[data-testid="stSlider"]').filter(has_text="clerks: staff")
        staff.locator('[data-testid="stSliderThumbValue"]').get_by_text("1", exact=True).wait_for()
        run.click()
        warning = page.locator('[data-testid="stAlert"]').filter(has_text="overloaded")
        warning.wait_for(timeout=60_000)
        assert "offered load exceeds the staff on duty" in warning.inner_text()
        page.get_by_text("中文").click()
        page.locator('[data-testid="stAlert"]').filter(has_text="超负荷").wait_for(timeout=60_000)
        assert page.locator('[data-testid="stAlert"]').filter(has_text="overloaded").count() == 0
    finally:
        page.close()


_CUT_OFF = """() => [...document.querySelectorAll('[data-testid="stMetricValue"], [data-testid="stMetricLabel"]')]
    .flatMap(el => [el, ...el.querySelectorAll('*')]).filter(el => el instanceof HTMLElement)  // not a help icon's SVG
    .filter(el => el.scrollWidth > el.clientWidth || el.innerText.trim().endsWith('…'))
    .map(el => `${el.closest('[data-testid="stMetric"]').innerText.replace(/\\n/g, ' | ')}: `
               + `${el.scrollWidth}px > ${el.clientWidth}px`)"""
"""Every metric value or label (or a text inside it) wider than its box, or ending in an ellipsis."""


def test_metrics_fit_a_projector(browser, app_url):
    """At 1024×768 with two settings side by side every metric shows its whole value, in English and Chinese."""
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    try:
        _open(page, app_url)
        _settled(page)
        page.get_by_text("Compare two settings side by side").click()
        page.get_by_text("Setting B").first.wait_for()
        _settled(page)
        page.get_by_role("button", name="Run", exact=True).click()
        page.wait_for_function(
            """() => document.querySelectorAll('[data-testid="stMetricValue"]').length >= 10""", timeout=60_000
        )
        _settled(page)
        assert page.evaluate(_CUT_OFF) == []
        page.get_by_text("中文").click()
        page.get_by_text("方案 B").first.wait_for()
        page.locator('[data-testid="stMetric"]').filter(has_text="满意度").first.wait_for(timeout=60_000)
        _settled(page)
        assert page.evaluate(_CUT_OFF) == []
        assert page.locator('[data-testid="stMetric"]').count() >= 10
    finally:
        page.close()


def _target_rows(page, heading: str) -> list[list[str]]:
    """The rows of the targets table that contains ``heading``, each as its cells' texts (target, value, verdict)."""
    table = page.locator('[data-testid="stTable"]').filter(has_text=heading).first
    table.wait_for(timeout=60_000)
    return [[c.strip() for c in row.locator("th, td").all_inner_texts()] for row in table.locator("tbody tr").all()]


def test_targets_show_met_or_missed_in_both_languages(browser, app_url):
    """The bank's two targets after a run: each with its value, CI and verdict, then in Chinese."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        _open(page, app_url)
        _bundled(page, "bank_branch", "Bank")
        page.get_by_role("button", name="Run", exact=True).click()
        page.get_by_text("Targets", exact=True).wait_for(timeout=60_000)
        sl, abandon = _target_rows(page, "abandonment at most 5%")
        assert sl[0] == "service level: 80% within 5 min" and re.fullmatch(r"[\d.]+ % \([\d.]+ % – [\d.]+ %\)", sl[1])
        assert sl[2] == "met"  # about 95 % served within 5 minutes: the whole CI above 80 %
        assert abandon[0] == "abandonment at most 5%"
        assert abandon[2] in ("met", "missed", "unresolved (the target lies inside the CI)"), abandon
        assert re.search(r"\d %", _kpi_row(page, "complaints resolved within SLA"))  # the bank's desk works to an SLA
        page.get_by_text("中文").click()
        page.get_by_text("目标", exact=True).wait_for(timeout=60_000)
        sl_zh, abandon_zh = _target_rows(page, "放弃率不超过 5%")
        assert sl_zh == ["服务水平：5 分钟内 80%", sl[1], "达成"]  # the same run: the same numbers
        words = {"met": "达成", "missed": "未达成",
                 "unresolved (the target lies inside the CI)": "未定（目标落在置信区间内）"}  # fmt: skip
        assert abandon_zh == ["放弃率不超过 5%", abandon[1], words[abandon[2]]]
    finally:
        page.close()
