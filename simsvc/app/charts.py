"""The app's charts: tables of one or two runs in, Vega-Lite charts (Altair) out.

Pure functions, no Streamlit: the page draws what they return with ``st.altair_chart``, the
tests read their specs. Every chart shows the settings (A, B) together on one set of axes, so a
bar or a line of A and one of B are read against the same scale; targets are rules on the chart.
The tables (:func:`interval_table`, :func:`station_table`, :func:`money_table`) hold codes and
numbers only, so a change of language rebuilds the labels and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from simsvc.i18n import Lang, kpi_label, tr

if TYPE_CHECKING:
    import altair as alt

    from simsvc.result import SimResult
    from simsvc.scenario.models import Targets

__all__ = [
    "INTERVAL_KPIS", "MONEY", "SETTING_COLOURS", "cost_chart", "interval_table", "money_table", "run_charts",
    "run_tables", "service_level_chart", "staff_curve_chart", "station_chart", "station_table", "wait_chart",
]  # fmt: skip

INTERVAL_KPIS = ("mean_wait", "service_level")
"""The KPIs per interval the charts draw."""
MONEY = ("cost", "lost_customer_value")
"""The operating cost (what the firm pays) and the value of customers lost: two bars, never one sum."""
SETTING_COLOURS = {"A": "#1f77b4", "B": "#ff7f0e"}
"""One colour per setting, the same in every chart."""
_TARGET_COLOUR = "#d62728"
_COLUMNS = ["setting", "mean", "ci_low", "ci_high"]


def _long(tables: Mapping[str, pd.DataFrame], level: str, kpis: Sequence[str]) -> pd.DataFrame:
    """Rows ``(setting, <level>, kpi, mean, ci_low, ci_high)`` of the ``kpis`` in each setting's table."""
    parts = []
    for setting, table in tables.items():
        rows = table[table.index.get_level_values("kpi").isin(kpis)][["mean", "ci_low", "ci_high"]]
        rows = rows.reset_index().rename(columns={rows.index.names[0]: level})
        rows.insert(0, "setting", setting)
        parts.append(rows)
    columns = ["setting", level, "kpi", "mean", "ci_low", "ci_high"]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    frame[level] = frame[level].astype(str)
    return frame[columns].dropna(subset=["mean"])


def interval_table(by_interval: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Mean wait and service level per interval of each setting (``SimResult.by_interval`` by setting name)."""
    return _long(by_interval, "interval", INTERVAL_KPIS)


def station_table(by_station: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The mean wait of served visits per station of each setting (``SimResult.by_station`` by setting name)."""
    return _long(by_station, "station", ("mean_wait_served",))


def money_table(summaries: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Operating cost and value of customers lost of each setting: one row each, never their sum.

    Empty when no setting has any money (a scenario without wages or customer value).
    """
    rows = [
        {"setting": setting, "kpi": kpi, **{c: float(s.loc[kpi, c]) for c in ("mean", "ci_low", "ci_high")}}
        for setting, s in summaries.items()
        for kpi in MONEY
        if kpi in s.index and not pd.isna(s.loc[kpi, "mean"])
    ]
    frame = pd.DataFrame(rows, columns=["setting", "kpi", *_COLUMNS[1:]])
    return frame if (frame["mean"].abs() > 0).any() else frame.iloc[:0]


def run_tables(result: SimResult) -> dict[str, pd.DataFrame]:
    """What the charts of one run need, language-free: KPIs per interval and per station, and the summary."""
    return {"interval": result.by_interval(), "station": result.by_station(), "summary": result.summary()}


def run_charts(
    tables: Mapping[str, Mapping[str, pd.DataFrame]], targets: Targets, lang: Lang = "en"
) -> dict[str, alt.TopLevelMixin]:
    """The charts of the settings' runs together, by name, in the order the page shows them.

    ``waits`` and ``service_level`` always, ``stations`` when there are several and ``costs`` when
    there is some money.

    Args:
        tables: setting name -> :func:`run_tables` of its run.
        targets: the scenario's targets (the service level's threshold and share are drawn).
        lang: language of the labels.
    """
    sl = targets.service_level
    per_interval = interval_table({n: t["interval"] for n, t in tables.items()})
    out = {
        "waits": wait_chart(per_interval, sl.within, lang),
        "service_level": service_level_chart(per_interval, sl.within, sl.fraction, lang),
    }
    stations = station_table({n: t["station"] for n, t in tables.items()})
    if stations["station"].nunique() > 1:
        out["stations"] = station_chart(stations, sl.within, lang)
    money = money_table({n: t["summary"] for n, t in tables.items()})
    if len(money):
        out["costs"] = cost_chart(money, lang)
    return out


def _alt():
    import altair as alt  # imported when a chart is built, not with the app

    return alt


def _colour(settings: Sequence[str], lang: Lang) -> alt.Color:
    """Colour by setting, each its own colour in every chart; the legend's symbols opaque (not a band's fill)."""
    alt = _alt()
    domain = list(dict.fromkeys(settings))
    scale = alt.Scale(domain=domain, range=[SETTING_COLOURS.get(s, "#7f7f7f") for s in domain])
    legend = alt.Legend(symbolOpacity=1, symbolType="circle")
    return alt.Color("setting:N", title=tr("chart.setting", lang), scale=scale, legend=legend)


def _rule(value: float, text: str, title: str) -> alt.LayerChart:
    """A dashed horizontal rule at ``value`` with its label at the right end (``title``: the value axis')."""
    alt = _alt()
    data = pd.DataFrame({"value": [value], "label": [text]})
    base = alt.Chart(data)
    y = alt.Y("value:Q", title=title)
    rule = base.mark_rule(color=_TARGET_COLOUR, strokeDash=[6, 4], size=2).encode(y=y)
    label = base.mark_text(align="right", baseline="bottom", dy=-3, color=_TARGET_COLOUR, x="width").encode(
        y=y, text="label:N"
    )
    return rule + label


def _per_interval(table: pd.DataFrame, kpi: str, lang: Lang, y: alt.Y, fmt: str) -> alt.LayerChart:
    # ``y`` is titled kpi_label(kpi): every layer on the same scale carries that title, so Vega-Lite
    # does not join the layers' field names into the axis title
    """Lines of the settings' means per interval with their 95 % CI as a band, on one pair of axes."""
    alt = _alt()
    data = table[table["kpi"] == kpi]
    order = sorted(data["interval"].unique())
    x = alt.X("interval:O", title=tr("chart.interval", lang), sort=order, axis=alt.Axis(labelAngle=-45))
    base = alt.Chart(data).encode(x=x, color=_colour(data["setting"], lang))
    band = alt.Chart(data).mark_area(opacity=0.18).encode(
        x=x, y=alt.Y("ci_low:Q", title=kpi_label(kpi, lang)), y2="ci_high:Q",
        color=_colour(data["setting"], lang),
    )  # fmt: skip
    tooltip = [
        alt.Tooltip("setting:N", title=tr("chart.setting", lang)),
        alt.Tooltip("interval:O", title=tr("chart.interval", lang)),
        alt.Tooltip("mean:Q", title=kpi_label(kpi, lang), format=fmt),
        alt.Tooltip("ci_low:Q", title=tr("chart.ci_low", lang), format=fmt),
        alt.Tooltip("ci_high:Q", title=tr("chart.ci_high", lang), format=fmt),
    ]
    line = base.mark_line(point=True).encode(y=y, tooltip=tooltip)
    return band + line


def wait_chart(table: pd.DataFrame, within: float, lang: Lang = "en") -> alt.LayerChart:
    """Mean wait per interval of every setting on one axis, the service-level wait threshold as a rule.

    Args:
        table: :func:`interval_table`.
        within: the service-level target's wait threshold (minutes).
        lang: language of the labels.
    """
    alt = _alt()
    y = alt.Y("mean:Q", title=kpi_label("mean_wait", lang), scale=alt.Scale(zero=True))
    chart = _per_interval(table, "mean_wait", lang, y, ".1f")
    rule = _rule(within, tr("chart.threshold", lang, minutes=within), kpi_label("mean_wait", lang))
    return (chart + rule).properties(title=tr("chart.waits_title", lang), height=260)


def service_level_chart(table: pd.DataFrame, within: float, fraction: float, lang: Lang = "en") -> alt.LayerChart:
    """Service level per interval of every setting on one 0-100 % axis, the target as a rule.

    Args:
        table: :func:`interval_table`.
        within: the target's wait threshold (minutes), named in the title.
        fraction: the target share served within it.
        lang: language of the labels.
    """
    alt = _alt()
    y = alt.Y("mean:Q", title=kpi_label("service_level", lang), scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%"))  # fmt: skip
    chart = _per_interval(table, "service_level", lang, y, ".1%")
    rule = _rule(fraction, tr("chart.target_share", lang, share=f"{fraction:.0%}"), kpi_label("service_level", lang))
    title = tr("chart.service_level_title", lang, minutes=within)
    return (chart + rule).properties(title=title, height=260)


def _bars(data: pd.DataFrame, category: str, x_title: str, y_title: str, lang: Lang, fmt: str, x_sort=None):
    """Bars per category with the settings side by side (one shared value axis) and their CI as error bars."""
    alt = _alt()
    x = alt.X(f"{category}:N", title=x_title, sort=x_sort, axis=alt.Axis(labelAngle=0, labelLimit=220))
    base = alt.Chart(data).encode(x=x, xOffset=alt.XOffset("setting:N"), color=_colour(data["setting"], lang))
    tooltip = [
        alt.Tooltip("setting:N", title=tr("chart.setting", lang)),
        alt.Tooltip(f"{category}:N", title=x_title),
        alt.Tooltip("mean:Q", title=y_title, format=fmt),
        alt.Tooltip("ci_low:Q", title=tr("chart.ci_low", lang), format=fmt),
        alt.Tooltip("ci_high:Q", title=tr("chart.ci_high", lang), format=fmt),
    ]
    bars = base.mark_bar().encode(y=alt.Y("mean:Q", title=y_title, scale=alt.Scale(zero=True)), tooltip=tooltip)
    whiskers = base.mark_errorbar(color="black", ticks=True).encode(y=alt.Y("ci_low:Q", title=y_title), y2="ci_high:Q")
    return bars + whiskers


def station_chart(table: pd.DataFrame, within: float, lang: Lang = "en") -> alt.LayerChart:
    """Mean wait of served visits per station, the settings side by side, the wait threshold as a rule."""
    chart = _bars(table, "station", tr("chart.station", lang), kpi_label("mean_wait_served", lang), lang, ".1f",
                  x_sort=list(dict.fromkeys(table["station"])))  # fmt: skip
    rule = _rule(within, tr("chart.threshold", lang, minutes=within), kpi_label("mean_wait_served", lang))
    return (chart + rule).properties(title=tr("chart.stations_title", lang), height=260)


def cost_chart(table: pd.DataFrame, lang: Lang = "en") -> alt.LayerChart:
    """Operating cost and value of customers lost, each its own bar per setting: side by side, never summed.

    Args:
        table: :func:`money_table` (not empty).
        lang: language of the labels.
    """
    data = table.assign(what=[kpi_label(k, lang) for k in table["kpi"]])
    order = [kpi_label(k, lang) for k in MONEY]
    chart = _bars(data, "what", "", tr("chart.money", lang), lang, ",.0f", x_sort=order)
    return chart.properties(title=tr("chart.cost_title", lang), height=260)


def staff_curve_chart(
    curve: pd.DataFrame, lever: str, marks: Mapping[str, float], lang: Lang = "en"
) -> alt.HConcatChart | alt.LayerChart:
    """Mean wait, and beside it the operating cost and value of customers lost, against the lever's staff.

    Args:
        curve: one row per staffing level: ``staff``, ``mean_wait``, ``cost`` and ``lost_customer_value``
            (the last two may be 0 or missing: then only the wait is drawn).
        lever: the lever's label (the slider's), the horizontal axis' title.
        marks: setting name -> its value of the lever, drawn as a vertical rule on both panels.
        lang: language of the labels.
    """
    alt = _alt()
    domain = [float(curve["staff"].min()), float(curve["staff"].max())]
    axis = alt.Axis(tickMinStep=1, format="d")
    x = alt.X("staff:Q", title=lever, axis=axis, scale=alt.Scale(domain=domain, nice=False))
    settings = pd.DataFrame({"setting": list(marks), "staff": [float(v) for v in marks.values()]})
    rules = alt.Chart(settings).mark_rule(strokeDash=[4, 3], size=2).encode(
        x="staff:Q", color=_colour(settings["setting"], lang),
        tooltip=[alt.Tooltip("setting:N", title=tr("chart.setting", lang)), alt.Tooltip("staff:Q", title=lever)],
    )  # fmt: skip
    wait = alt.Chart(curve).mark_line(point=True, color="#333333").encode(
        x=x, y=alt.Y("mean_wait:Q", title=kpi_label("mean_wait", lang), scale=alt.Scale(zero=True)),
        tooltip=[alt.Tooltip("staff:Q", title=lever),
                 alt.Tooltip("mean_wait:Q", title=kpi_label("mean_wait", lang), format=".1f")],
    )  # fmt: skip
    waits = (wait + rules).properties(title=tr("chart.curve_wait", lang), height=240, width=300)
    present = [k for k in MONEY if k in curve and (curve[k].fillna(0).abs() > 0).any()]
    if not present:
        return waits
    money = curve.melt(id_vars=["staff"], value_vars=present, var_name="kpi", value_name="value")
    money["what"] = [kpi_label(k, lang) for k in money["kpi"]]
    labels = [kpi_label(k, lang) for k in present]
    dash = alt.StrokeDash("what:N", title=None, sort=labels, scale=alt.Scale(domain=labels, range=[[1, 0], [6, 3]]))
    lines = alt.Chart(money).mark_line(point=True, color="#2ca02c").encode(
        x=x, y=alt.Y("value:Q", title=tr("chart.money", lang), scale=alt.Scale(zero=True)), strokeDash=dash,
        tooltip=[alt.Tooltip("staff:Q", title=lever), alt.Tooltip("what:N", title=" "),
                 alt.Tooltip("value:Q", title=tr("chart.money", lang), format=",.0f")],
    )  # fmt: skip
    costs = (lines + rules).properties(title=tr("chart.curve_money", lang), height=240, width=300)
    return alt.hconcat(waits, costs).resolve_scale(color="shared", strokeDash="independent")
