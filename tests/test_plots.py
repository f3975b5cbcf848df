"""Each figure function returns a Figure with the expected artists and labels, in English and Chinese."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from simsvc import plots
from simsvc.i18n import TEXT, tr
from simsvc.scenario.quality_models import DIMENSIONS


def _texts(fig: Figure) -> list[str]:
    from matplotlib.text import Text

    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.fixture(scope="module")
def summary(bank_result):
    return bank_result.summary()


def test_wait_distribution_marks_the_target(bank_result):
    level = float(bank_result.summary().loc["service_level", "mean"])
    fig = plots.wait_distribution(bank_result.customers, 5.0, level)
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    assert len(ax.patches) == 41  # 40 histogram bars and the overflow bar
    target = [line for line in ax.get_lines() if list(line.get_xdata()) == [5.0, 5.0]]
    assert target and target[0].get_label() == "target: 5 min"
    assert ax.get_xlabel() == "wait in queue (min)" and ax.get_ylabel() == "customers who queued, per replication"
    # The KPI (mean over replications), not a pooled share of the records.
    assert f"service level {100 * level:.1f} %" in ax.get_title()
    assert plots.wait_distribution(bank_result.customers, 5.0).axes[0].get_title() == "Waiting times"


def test_wait_histogram_counts_per_replication_and_shows_the_overflow(bank_result):
    customers = bank_result.customers
    queued = customers[~customers["warmup"] & customers["wait"].notna()]
    reps = bank_result.replications
    ax = plots.wait_distribution(customers, 5.0).axes[0]
    *bars, overflow = ax.patches
    assert sum(b.get_height() for b in bars) + overflow.get_height() == pytest.approx(len(queued) / reps)
    top = bars[-1].get_x() + bars[-1].get_width()
    assert top == pytest.approx(max(np.quantile(queued["wait"], 0.995), 7.5, 1.0))
    over = (queued["wait"] > top).sum()
    assert over > 0 and overflow.get_height() == pytest.approx(over / reps)
    assert overflow.get_x() > top  # a bar of its own, right of the histogram
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"over {top:.3g} min: {100 * over / len(queued):.1f} % of those who queued" in legend
    first = queued["wait"] <= top / 40
    assert bars[0].get_height() == pytest.approx(first.sum() / reps)


def test_day_profile_has_demand_staff_required_and_queue(bank_result):
    profile = plots.interval_profile(bank_result.by_interval(), bank_result.scenario)
    assert list(profile.columns) == ["demand", "staff", "required", "mean_queue", "max_queue"]
    assert len(profile) == bank_result.scenario.horizon.n_intervals
    # staff on duty from the shifts: 5 + 1 + 1 in the morning, 5 + 4 + 1 + 1 in the overlap
    assert profile.loc["09:00", "staff"] == 7 and profile.loc["12:00", "staff"] == 11
    means = bank_result.by_interval()["mean"].unstack("kpi")
    assert np.allclose(profile["demand"], means["arrivals"] * 2)  # 30-minute intervals, one day
    assert (profile["required"] >= 1).all()
    fig = plots.day_profile(profile)
    top, right, bottom = fig.axes[0], fig.axes[2], fig.axes[1]
    assert len(top.patches) == len(profile)
    labels = [line.get_label() for line in [*right.get_lines(), *bottom.get_lines()]]
    assert labels == ["staff on duty", "staff required", "mean queue (time average in the interval)",
                      "longest queue in the interval"]  # fmt: skip
    assert np.allclose(profile["mean_queue"], means["mean_queue"])


def test_staffing_vs_demand_takes_a_frame_and_optional_required():
    frame = pd.DataFrame({"demand": [3.0, 5.5, 4.0], "staff": [4, 6, 5]}, index=["1 09:00", "1 09:30", "1 10:00"])
    fig = plots.staffing_vs_demand(frame, lang="zh")
    ax, right = fig.axes
    assert [p.get_height() for p in ax.patches] == [3.0, 5.5, 4.0]
    assert [line.get_label() for line in right.get_lines()] == [tr("fig.day.staff", "zh")]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(frame.index)
    fig = plots.staffing_vs_demand(frame.assign(required=[4, 5, 5]))
    assert [line.get_label() for line in fig.axes[1].get_lines()] == ["staff on duty", "staff required"]
    with pytest.raises(ValueError, match="demand"):
        plots.staffing_vs_demand(frame.drop(columns="demand"))


def test_servqual_gaps_bars_with_confidence_intervals(summary):
    fig = plots.servqual_gaps(summary, lang="zh")
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert np.allclose(heights, summary.loc[[f"gap_{d}" for d in DIMENSIONS], "mean"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["可靠性", "响应性", "保证性", "移情性", "有形性"]
    caps = ax.containers[-1]  # the error bars: one segment per dimension, from ci_low to ci_high
    segments = caps.lines[2][0].get_segments()
    assert np.allclose([s[0][1] for s in segments], summary.loc[[f"gap_{d}" for d in DIMENSIONS], "ci_low"])


def test_servqual_radar_is_polar_with_five_dimensions(summary):
    fig = plots.servqual_radar(summary)
    ax = fig.axes[0]
    assert ax.name == "polar"
    assert [t.get_text() for t in ax.get_xticklabels()] == list(DIMENSIONS)
    profile = ax.get_lines()[1].get_ydata()
    assert np.allclose(profile[:-1], summary.loc[[f"gap_{d}" for d in DIMENSIONS], "mean"])


def test_outcome_funnel_counts(summary):
    counts = plots.funnel_counts(summary)
    m = summary["mean"]
    assert counts["arrivals"] == pytest.approx(m["arrivals"])
    assert counts["complained"] == pytest.approx(m["complaint_rate"] * m["arrivals"])
    assert counts["recovered"] == pytest.approx(m["recovery_rate"] * m["complaint_rate"] * m["arrivals"])
    assert (
        counts["arrivals"] >= counts["served"] and counts["dissatisfied"] >= counts["complained"] >= counts["recovered"]
    )
    ax = plots.outcome_funnel(summary).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "arrived", "served", "dissatisfied", "complained", "recovered", "will return"]  # fmt: skip
    assert sorted(p.get_width() for p in ax.patches) == sorted(counts)


def test_cost_breakdown_stacks_the_operating_cost_and_keeps_lost_value_apart(summary):
    ax = plots.cost_breakdown(summary).axes[0]
    bars = [(p.get_y() + p.get_height() / 2, p.get_x(), p.get_width()) for p in ax.patches]
    operating = sorted((left, width) for y, left, width in bars if y == pytest.approx(1.0))
    lost = [(left, width) for y, left, width in bars if y == pytest.approx(0.0)]
    # The three parts stacked end to end make the operating cost, and nothing else is on that bar.
    assert [w for _, w in operating] == pytest.approx([summary.loc[k, "mean"] for k in plots.COST_PARTS])
    assert operating[0][0] == 0 and sum(w for _, w in operating) == pytest.approx(summary.loc["cost", "mean"])
    # The value of customers lost is its own bar from 0, not stacked onto the operating cost.
    assert lost == [(0.0, pytest.approx(summary.loc["lost_customer_value", "mean"]))]
    assert summary.loc["lost_customer_value", "mean"] > summary.loc["cost", "mean"] > 0  # the bank branch's case
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "operating cost", "value of customers lost\n(not paid by the firm)"]  # fmt: skip
    legend = [t.get_text() for t in ax.figure.legends[0].get_texts()]
    assert legend[:3] == ["wages", "training", "complaint handling"]
    assert "operating cost: " in ax.get_title() and "value of customers lost: " in ax.get_title()


def test_no_money_no_cost_chart(summary):
    """Every cost term 0 (no wages, no training, no complaint or lost-customer value): no chart at all."""
    empty = summary.copy()
    money = [*plots.COST_PARTS, "cost", "lost_customer_value", "cost_and_lost_value"]
    empty.loc[money, ["mean", "ci_low", "ci_high"]] = 0.0
    assert not plots.has_money(empty) and plots.has_money(summary)
    with pytest.raises(ValueError, match="no cost to draw"):
        plots.cost_breakdown(empty)
    assert "costs" not in plots.run_figures(empty, pd.DataFrame(), None, None, names=["costs"])


def test_pareto_frontier_draws_the_non_dominated_points():
    sweep = pd.DataFrame({"staff": [3, 4, 5, 6, 7], "cost": [100, 120, 150, 150, 200],
                          "satisfaction": [0.5, 0.7, 0.65, 0.8, 0.8]})  # fmt: skip
    fig = plots.pareto_frontier(sweep, "cost", "satisfaction", label="staff")
    ax = fig.axes[0]
    front = ax.get_lines()[0]
    assert list(front.get_xdata()) == [100, 120, 150]
    assert list(front.get_ydata()) == [0.5, 0.7, 0.8]
    assert len(ax.collections[0].get_offsets()) == 5
    assert ax.get_xlabel() == "operating cost" and ax.get_ylabel() == "satisfaction"
    assert {t.get_text() for t in ax.texts} == {"3", "4", "6"}
    zh = plots.pareto_frontier(sweep, lang="zh").axes[0]
    assert zh.get_ylabel() == "满意度" and zh.get_title() == tr("fig.pareto.title", "zh")


def test_every_figure_in_chinese_renders_without_missing_glyphs(bank_result, summary):
    """No "Glyph ... missing from font(s)" warning: the bundled CJK font covers every zh label."""
    assert plots.cjk_family() == "Noto Sans SC"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = plots.run_figures(summary, bank_result.by_interval(), bank_result.customers, bank_result.scenario,
                                    "zh")  # fmt: skip
        sweep = pd.DataFrame({"cost": [1.0, 2.0], "satisfaction": [0.2, 0.4]})
        figures["pareto"] = plots.pareto_frontier(sweep, lang="zh")
        figures["staffing"] = plots.staffing_vs_demand(pd.DataFrame({"demand": [1.0], "staff": [2]}, index=["09:00"]),
                                                       lang="zh")  # fmt: skip
        for fig in figures.values():
            assert plots.png_bytes(fig).startswith(b"\x89PNG")
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert glyphs == []
    assert set(figures) == {*plots.RUN_FIGURES, "pareto", "staffing"}
    assert "排队等待（分钟）" in _texts(figures["waits"])


def test_chinese_without_the_cjk_font_would_warn():
    """The glyph check above can fail: drawing Chinese in DejaVu Sans alone does warn."""
    import matplotlib

    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from simsvc.plots._base import new_figure

        figure = new_figure()
        figure.add_subplot().set_title("可靠性")
        plots.png_bytes(figure)
    assert any("missing from font" in str(w.message) for w in caught)


def test_every_label_has_both_languages():
    assert all(set(v) == {"en", "zh"} and all(v.values()) for v in TEXT.values())
    with pytest.raises(ValueError, match="lang"):
        plots.servqual_gaps(pd.DataFrame(), lang="fr")


def test_run_plots_writes_pngs(tmp_path):
    from tests.helpers import invoke_cli

    done = invoke_cli("run", "scenarios/teaching.yaml", "-r", "3", "--plots", str(tmp_path / "figs"), "--lang", "zh")
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "figs").glob("*.png"))
    # Every figure but the cost chart: the teaching scenario has no wages, no money at all.
    assert written == sorted(f"{name}.png" for name in plots.RUN_FIGURES if name != "costs")
    assert all((tmp_path / "figs" / name).read_bytes().startswith(b"\x89PNG") for name in written)
    assert "wrote 5 figures" in done.stderr
