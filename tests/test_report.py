"""simsvc report: self-contained HTML from a run's or an optimization's folder, in English and Chinese."""

from __future__ import annotations

import re

import pytest

from simsvc.report import ReportError, build_report
from tests.helpers import invoke_cli


def _references(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_run_report_is_self_contained(run_folder, lang):
    html = build_report(run_folder, lang)
    refs = _references(html)
    assert refs and all(r.startswith("data:image/png;base64,") for r in refs)
    assert "http" not in " ".join(refs) and "url(" not in html
    assert html.count("<img") == 5  # waits, day, gaps, radar, funnel; no wages, no money: no cost chart
    assert "Teaching — one counter" in html
    if lang == "zh":
        assert '<html lang="zh-CN">' in html
        for words in (
            "仿真报告",
            "目标",
            "服务水平：2 分钟内 80%",
            "关键绩效指标",
            "到达人数",
            "可靠性",
            "场景",
            "营业时间",
        ):
            assert words in html, words
        assert "Key performance indicators" not in html
    else:
        assert "service level: 80% within 2 min" in html and "opening hours" in html


def test_run_report_says_whether_targets_are_met(run_folder):
    import pandas as pd

    summary = pd.read_csv(run_folder / "summary.csv", index_col="kpi")
    level, low, high = summary.loc["service_level", ["mean", "ci_low", "ci_high"]]
    html = build_report(run_folder)
    row = re.search(r"<tr><td>service level: 80% within 2 min</td>(.*?)</tr>", html, re.S).group(1)
    assert f"{100 * level:.1f} %" in row
    # Judged by the confidence interval, as the run table does.
    expected = "met" if low >= 0.8 else "missed" if high < 0.8 else "unresolved"
    assert f'<td class="{expected}">' in row


def test_run_folder_keeps_its_scenario(run_folder):
    import simsvc

    assert (run_folder / "scenario.yaml").is_file()
    again = simsvc.load_scenario(run_folder / "scenario.yaml")
    assert again == simsvc.load_scenario("scenarios/teaching.yaml")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_optimization_report(optimization_folder, lang):
    html = build_report(optimization_folder, lang)
    assert all(r.startswith("data:image/png;base64,") for r in _references(html))
    assert html.count("<img") == 1  # staffing.png
    plan = re.search(r'<table id="plan">(.*?)</table>', html, re.S).group(1)
    assert plan.count("<tr>") == 4 and "premium_desk" in plan and "12:00" in plan
    costs = re.search(r'<table id="costs">(.*?)</table>', html, re.S).group(1)
    assert "1,120" in costs
    targets = re.search(r'<table id="targets">(.*?)</table>', html, re.S).group(1)
    if lang == "en":
        assert "wages" in costs and "Staffing optimization report" in html
        assert targets.count(">met<") == 1 and targets.count(">missed<") == 1
        assert "85.0 % (82.0 % – 88.0 %)" in html
    else:
        assert "工资" in costs and "人员配置优化报告" in html and "排班方案" in html
        assert targets.count(">达成<") == 1 and targets.count(">未达成<") == 1


def test_a_folder_of_neither_kind_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ReportError, match="not a simsvc output folder"):
        build_report(tmp_path)


def test_report_cli_writes_the_file_and_refuses_a_bad_folder(run_folder, tmp_path):
    out = tmp_path / "r.zh.html"
    done = invoke_cli("report", str(run_folder), "--lang", "zh", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    done = invoke_cli("report", str(tmp_path / "missing"))
    assert done.returncode == 2
    assert "no such folder" in done.stderr and "Traceback" not in done.stderr
    (tmp_path / "empty").mkdir()
    done = invoke_cli("report", str(tmp_path / "empty"))
    assert done.returncode == 2 and "summary.csv" in done.stderr and "plan.csv" in done.stderr
    done = invoke_cli("report", str(run_folder), "--lang", "fr")
    assert done.returncode == 2


def test_report_of_a_real_optimization_folder(tmp_path):
    """What ``simsvc optimize --out`` writes (solve only, no verification runs) makes a report."""
    folder = tmp_path / "opt"
    done = invoke_cli("optimize", "scenarios/call_centre.yaml", "--no-simulate", "--out", str(folder))
    assert done.returncode in (0, 3), done.stderr
    html = build_report(folder, "zh")
    assert "人员配置优化报告" in html and "Call centre" in html
    assert html.count("<img") == 1 and ">nan<" not in html
    plan = re.search(r'<table id="plan">(.*?)</table>', html, re.S).group(1)
    assert "customer_relations" in plan and "休息" in plan
    # As the app shows the plan: a shift's break said in Chinese, money to the cent.
    cells = re.findall(r"<td[^>]*>(.*?)</td>", plan, re.S)
    assert not any("break" in c for c in cells)
    assert any(re.fullmatch(r"\d{2}:\d{2}-\d{2}:\d{2} 休息 \d{2}:\d{2}-\d{2}:\d{2}", c.strip()) for c in cells)
    assert any(re.fullmatch(r"[\d,]+\.\d{2}", c.strip()) for c in cells)
