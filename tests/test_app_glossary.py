"""The KPI glossary (issue 17): every KPI the app can show has a definition in English and in Chinese,
the page's glossary lists them all, and the tables' tooltips carry each row's definition."""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

import simsvc
from simsvc.app import charts, glossary
from simsvc.i18n import TEXT
from simsvc.metrics import KPI_NAMES
from simsvc.output import KPI_SECTIONS
from simsvc.scenario.models import Scenario
from simsvc.targets import goals
from tests.helpers import ROOT, SCENARIOS

PAGE = ROOT / "simsvc" / "app" / "page.py"
CJK = re.compile(r"[\u4e00-\u9fff]")


def page_constants() -> dict[str, tuple[str, ...]]:
    """The page's KPI lists (``METRICS``, ``TABLE``, ``GLOSSARY``), evaluated from its source.

    Importing ``page`` would draw the page (its last line runs ``main()``), so its top-level
    assignments of tuples are evaluated here, in order, with the names they use.
    """
    names: dict[str, object] = {"KPI_SECTIONS": KPI_SECTIONS}
    for node in ast.parse(Path(PAGE).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple):
            (target,) = node.targets
            names[target.id] = eval(compile(ast.Expression(node.value), str(PAGE), "eval"), {}, names)
    return {k: v for k, v in names.items() if k in ("METRICS", "TABLE", "GLOSSARY")}


def _every_target() -> Scenario:
    """The bank branch with every kind of target set (satisfied share and complaints within SLA too)."""
    data = yaml.safe_load((SCENARIOS / "bank_branch.yaml").read_text(encoding="utf-8"))
    data["targets"].update(min_satisfied=0.7, complaints_within_sla=0.9)
    return simsvc.load_scenario(data)


def _shown() -> set[str]:
    """Every KPI the app can show: the page's tiles and tables, the targets' KPIs, the charts' KPIs."""
    page = page_constants()
    scenarios = [simsvc.load_scenario(p) for p in sorted(SCENARIOS.glob("*.yaml"))] + [_every_target()]
    every = pd.DataFrame(
        [(g, "x", k, 1.0, 0.5, 1.5) for g in ("interval", "station") for k in KPI_NAMES],
        columns=["group", "key", "kpi", "mean", "ci_low", "ci_high"],
    ).set_index(["key", "kpi"])
    summary = every.loc["x"].groupby(level="kpi").first()
    return {
        *page["METRICS"], *page["TABLE"], *KPI_SECTIONS["lost_value"],
        *(g.kpi for s in scenarios for g in goals(s)),
        *charts.interval_table({"A": every}).kpi, *charts.station_table({"A": every}).kpi,
        *charts.money_table({"A": summary}).kpi,
    }  # fmt: skip


def test_every_kpi_the_app_shows_is_defined_in_both_languages_and_listed():
    shown = _shown()
    assert {"mean_wait", "satisfaction", "cost", "lost_customer_value", "dissatisfied_share"} <= shown
    assert {"mean_wait_served", "complaints_within_sla"} <= shown  # the per-station chart, a target
    missing = shown - set(glossary.DEFINITIONS)
    assert not missing, f"KPIs the app shows without a glossary entry: {sorted(missing)}"
    for key in shown | set(glossary.TERMS):
        en, zh = glossary.definition(key, "en"), glossary.definition(key, "zh")
        assert en.strip() and zh.strip() and en != zh, key
        assert CJK.search(zh) and not CJK.search(en), key
        assert glossary.label(key, "en") != glossary.label(key, "zh"), key
    listed = set(page_constants()["GLOSSARY"])
    assert shown <= listed, f"not in the page's glossary: {sorted(shown - listed)}"


def test_every_definition_names_a_kpi_with_a_label_and_fields_that_exist():
    for key, pair in glossary.DEFINITIONS.items():
        assert key in KPI_NAMES or f"kpi.{key}" in TEXT or f"cost.{key}" in TEXT, key
        for text in pair:
            assert '"' not in text and "\\" not in text, key  # a table's tooltip is CSS content: "..."
    fields = Scenario.model_fields
    cited = {m for en, _ in glossary.DEFINITIONS.values() for m in re.findall(r"\b([a-z_]+)\.([a-z_]+)\b", en)}
    assert cited  # quality.delighted_above, complaints.sla_minutes, ...
    for block, field in cited:
        assert block in fields and field in fields[block].annotation.model_fields, f"{block}.{field}"


def test_satisfaction_is_defined_as_the_model_scores_it():
    """The definition says what the scoring does: 0.5 at a gap of 0, above 0.5 when expectations are exceeded."""
    from simsvc.quality import satisfaction_score

    en = glossary.definition("satisfaction", "en")
    assert "0.5 means expectations exactly met" in en and "logistic" in en
    assert math.isclose(float(satisfaction_score(0.0, 2.0)), 0.5) and float(satisfaction_score(0.4, 2.0)) > 0.5


def test_glossary_entries_are_labelled_once_each_in_both_languages():
    kpis = page_constants()["GLOSSARY"]
    for lang in ("en", "zh"):
        entries = glossary.entries(kpis, lang)
        names = [name for name, _ in entries]
        assert len(names) == len(set(names)) == len(set(kpis)) + len(glossary.TERMS)
        assert ("95 % CI" if lang == "en" else "95% 置信区间") in names
    assert glossary.label("per_day", "zh") == "每日"  # a plan's cost per day, named as the plan view names it


def test_tooltips_are_on_every_cell_of_their_row():
    frame = pd.DataFrame({"mean": ["1", "2"], "ci": ["a", "b"]}, index=pd.Index(["x", "y"], name="KPI"))
    html = glossary.with_tooltips(frame, ["first tip", "second tip"]).set_uuid("t").to_html()
    for row, tip in enumerate(["first tip", "second tip"]):
        for col in range(2):
            assert re.search(rf'#T_t_row{row}_col{col} \.pd-t::after \{{\s*content: "{tip}";', html), (row, col)
    assert "anchor-name: --simsvc-tip" in html


def test_each_target_row_has_its_kpis_definition_and_the_verdict_rule():
    scenario = _every_target()
    kpis = [g.kpi for g in goals(scenario)]
    summary = pd.DataFrame({"mean": 0.5, "ci_low": 0.4, "ci_high": 0.6}, index=kpis)
    for lang in ("en", "zh"):
        tips = glossary.target_tips(scenario, summary, lang)
        rule = glossary.definition("term.targets", lang)
        assert len(tips) == len(kpis) == 4
        for tip, kpi in zip(tips, kpis, strict=True):
            assert tip.startswith(glossary.definition(kpi, lang)) and tip.endswith(rule), kpi


def test_a_definition_in_a_language_that_does_not_exist_is_refused():
    with pytest.raises(ValueError, match="lang"):
        glossary.definition("mean_wait", "fr")
