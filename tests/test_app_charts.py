"""The app's charts, read from their Vega-Lite specs: settings on shared axes, targets drawn, money never summed."""

from __future__ import annotations

import pytest

import simsvc
from simsvc.app import charts, core
from simsvc.i18n import kpi_label
from tests.helpers import SCENARIOS


def _marks(spec: dict, data: str | None = None, datasets: dict | None = None):
    """Every single-mark view of a spec, with the rows it draws: (mark type, encoding, rows)."""
    datasets = spec.get("datasets", {}) if datasets is None else datasets
    data = spec.get("data", {}).get("name", data)
    if "mark" in spec:
        mark = spec["mark"]["type"] if isinstance(spec["mark"], dict) else spec["mark"]
        yield mark, spec.get("encoding", {}), datasets.get(data, [])
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            yield from _marks(child, data, datasets)


def _run(name: str, values: dict | None = None, replications: int = 3) -> core.AppRun:
    scenario = simsvc.load_scenario(SCENARIOS / f"{name}.yaml")
    setting = core.Setting({**core.default_setting(scenario).values, **(values or {})}, replications)
    return core.run_setting(scenario, setting, base_dir=SCENARIOS)


@pytest.fixture(scope="module")
def bank_pair():
    """The bank as bundled (A) and with two tellers fewer in the morning (B)."""
    return {"A": _run("bank_branch"), "B": _run("bank_branch", {"t0s0": 3})}


@pytest.fixture(scope="module")
def bank_charts(bank_pair):
    tables = {name: charts.run_tables(run.result) for name, run in bank_pair.items()}
    scenario = bank_pair["A"].scenario
    return {lang: {k: c.to_dict() for k, c in charts.run_charts(tables, scenario.targets, lang).items()}
            for lang in ("en", "zh")}  # fmt: skip


def test_which_charts_a_run_gets(bank_charts):
    """Teaching: one station, no money: waits and service level only; the bank: stations and money too."""
    teaching = _run("teaching", replications=2)
    drawn = charts.run_charts({"A": charts.run_tables(teaching.result)}, teaching.scenario.targets)
    assert list(drawn) == ["waits", "service_level"]
    assert list(bank_charts["en"]) == ["waits", "service_level", "stations", "costs"]


def test_both_settings_share_one_chart_and_its_axes(bank_charts, bank_pair):
    spec = bank_charts["en"]["waits"]
    lines = [(enc, rows) for mark, enc, rows in _marks(spec) if mark == "line"]
    assert len(lines) == 1  # one line mark draws both settings: one x and one y scale
    encoding, rows = lines[0]
    assert {r["setting"] for r in rows} == {"A", "B"}
    assert encoding["color"]["scale"]["domain"] == ["A", "B"]
    assert "resolve" not in spec  # no independent scale anywhere
    # the numbers are the runs': B's 09:00 mean wait is its by_interval value
    b_nine = next(r for r in rows if r["setting"] == "B" and r["interval"] == "09:00")
    assert b_nine["mean"] == pytest.approx(bank_pair["B"].result.by_interval().loc[("09:00", "mean_wait"), "mean"])
    sl = bank_charts["en"]["service_level"]
    (sl_line,) = [enc for mark, enc, _ in _marks(sl) if mark == "line"]
    assert sl_line["y"]["scale"]["domain"] == [0, 1]  # service level: 0-100 % whatever the settings
    stations = bank_charts["en"]["stations"]
    (bars,) = [(enc, rows) for mark, enc, rows in _marks(stations) if mark == "bar"]
    assert bars[0]["xOffset"]["field"] == "setting"  # side by side within each station, one value axis
    assert {(r["setting"], r["station"]) for r in bars[1]} == {
        (s, t) for s in "AB" for t in ("tellers", "premium_desk")
    }


def test_targets_are_rules_on_the_charts(bank_charts):
    """The service-level share (80 %) on its chart; the wait threshold (5 min) on the wait charts."""
    def rule_values(spec):
        return [r["value"] for mark, _, rows in _marks(spec) if mark == "rule" for r in rows]

    assert rule_values(bank_charts["en"]["service_level"]) == [0.8]
    assert rule_values(bank_charts["en"]["waits"]) == [5.0]
    assert rule_values(bank_charts["en"]["stations"]) == [5.0]
    labels = [r["label"] for mark, _, rows in _marks(bank_charts["zh"]["waits"]) if mark == "text" for r in rows]
    assert labels == ["服务水平阈值：5 分钟"]


def test_operating_cost_and_lost_value_are_separate_bars_never_summed(bank_charts, bank_pair):
    spec = bank_charts["en"]["costs"]
    (encoding, rows) = next((enc, rows) for mark, enc, rows in _marks(spec) if mark == "bar")
    assert "stack" not in encoding["y"] or encoding["y"]["stack"] is None
    assert encoding["x"]["field"] == "what" and encoding["xOffset"]["field"] == "setting"
    assert len(rows) == 4 and len({(r["setting"], r["what"]) for r in rows}) == 4  # one bar each, none on another
    for name, run in bank_pair.items():
        s = run.summary["mean"]
        got = {r["kpi"]: r["mean"] for r in rows if r["setting"] == name}
        assert got == pytest.approx({"cost": s["cost"], "lost_customer_value": s["lost_customer_value"]})
        assert s["cost_and_lost_value"] not in [pytest.approx(v) for v in got.values()]
    assert {r["what"] for r in rows} == {"operating cost", "value of customers lost"}


def _numbers(spec: dict) -> list:
    """The rows every mark draws, without the words drawn as data (cost bars' names, targets' labels)."""
    words = ("what", "label")
    return sorted(sorted((k, v) for k, v in row.items() if k not in words)
                  for _, _, rows in _marks(spec) for row in rows)  # fmt: skip


def test_a_change_of_language_changes_labels_only(bank_charts):
    for name in bank_charts["en"]:
        en, zh = bank_charts["en"][name], bank_charts["zh"][name]
        assert _numbers(en) == _numbers(zh), name  # the same data, only the words differ
        assert en["title"] != zh["title"]
    assert bank_charts["zh"]["waits"]["title"] == "各时段平均等待"
    zh_costs = [r["what"] for _, _, rows in _marks(bank_charts["zh"]["costs"]) for r in rows if "what" in r]
    assert set(zh_costs) == {kpi_label("cost", "zh"), kpi_label("lost_customer_value", "zh")}


def test_staff_curve_draws_wait_and_both_amounts_apart():
    import pandas as pd

    curve = pd.DataFrame({"staff": [3, 4, 5], "mean_wait": [9.0, 4.0, 2.0], "cost": [900.0, 1000.0, 1100.0],
                          "lost_customer_value": [3000.0, 2000.0, 1500.0]})  # fmt: skip
    spec = charts.staff_curve_chart(curve, "tellers: staff", {"A": 5, "B": 3}).to_dict()
    assert len(spec["hconcat"]) == 2  # wait | money, on one staff axis each
    money = next(rows for mark, _, rows in _marks(spec["hconcat"][1], datasets=spec["datasets"]) if mark == "line")
    assert sorted(r["value"] for r in money) == [900.0, 1000.0, 1100.0, 1500.0, 2000.0, 3000.0]  # no sums
    rules = next(rows for mark, _, rows in _marks(spec["hconcat"][0], datasets=spec["datasets"]) if mark == "rule")
    assert {(r["setting"], r["staff"]) for r in rules} == {("A", 5), ("B", 3)}
    no_money = charts.staff_curve_chart(curve.assign(cost=0.0, lost_customer_value=0.0), "x", {"A": 4}).to_dict()
    assert "hconcat" not in no_money  # nothing to pay: the wait panel alone
