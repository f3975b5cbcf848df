"""Figures of input analysis and forecasting: a Q-Q plot of handling times, patience survival, the forecast."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simsvc.i18n import Lang, tr
from simsvc.plots._base import figure_function, new_figure

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from simsvc.history.fit import FamilyFit, PatienceFit
    from simsvc.history.forecast import Backtest, DemandHistory, Forecast

__all__ = ["forecast_figure", "patience_survival", "service_time_qq"]

_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")
_HISTORY, _FORECAST, _BAND = "#555555", "#1f77b4", "#9ecae1"


@figure_function
def service_time_qq(durations: np.ndarray, fits: list[FamilyFit], *, shown: int = 3, lang: Lang = "en") -> Figure:
    """Quantiles of the handling times against those of the best ``shown`` fitted families.

    A family that fits lies on the diagonal; the plotting positions are ``(i - 0.5) / 200``,
    so the tails (the 0.25 % and 99.75 % quantiles) are included.
    """
    x = np.asarray(durations, dtype=float)
    x = x[np.isfinite(x) & (x > 0)]
    p = (np.arange(200) + 0.5) / 200
    observed = np.quantile(x, p)
    fig = new_figure(5.5, 5.0)
    ax = fig.add_subplot()
    top = float(observed[-1])
    for fit, colour in zip(fits[:shown], _COLOURS, strict=False):
        theory = fit.frozen().ppf(p)
        top = max(top, float(theory[-1]))
        ax.plot(theory, observed, ".", color=colour, markersize=4,
                label=tr("fig.qq.family", lang, family=fit.family, aic=fit.aic - fits[0].aic))  # fmt: skip
    ax.plot([0, top], [0, top], color="black", linewidth=1, linestyle="--", label=tr("fig.qq.diagonal", lang))
    ax.set_xlabel(tr("fig.qq.x", lang))
    ax.set_ylabel(tr("fig.qq.y", lang))
    ax.set_title(tr("fig.qq.title", lang, n=len(x)))
    ax.legend(loc="upper left", fontsize="small")
    return fig


@figure_function
def patience_survival(km: pd.DataFrame, patience: PatienceFit, *, lang: Lang = "en") -> Figure:
    """Kaplan–Meier survival of patience (with its 95 % band) against the fitted exponential.

    Args:
        km: :func:`simsvc.history.fit.kaplan_meier`.
        patience: :func:`simsvc.history.fit.fit_patience`.
        lang: language of the labels.
    """
    fig = new_figure(6.5, 4.0)
    ax = fig.add_subplot()
    t = km["time"].to_numpy(float)
    ax.fill_between(t, km["low"], km["high"], step="post", color=_BAND, alpha=0.6, label=tr("fig.km.band", lang))
    ax.step(t, km["survival"], where="post", color=_HISTORY, label=tr("fig.km.curve", lang))
    grid = np.linspace(0, float(t.max()) if len(t) else 1.0, 200)
    ax.plot(grid, np.exp(-grid / patience.mean), color=_COLOURS[1], linestyle="--",
            label=tr("fig.km.exponential", lang, mean=patience.mean))  # fmt: skip
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(tr("fig.km.x", lang))
    ax.set_ylabel(tr("fig.km.y", lang))
    ax.set_title(tr("fig.km.title", lang, events=patience.abandonments, calls=patience.calls))
    ax.legend(loc="upper right", fontsize="small")
    return fig


@figure_function
def forecast_figure(
    history: DemandHistory, forecast: Forecast, backtest: Backtest | None = None, *, weeks_shown: int = 8,
    lang: Lang = "en",
) -> Figure:  # fmt: skip
    """Daily calls of the last weeks, the back-test and the forecast with its band; below, the forecast per interval.

    Args:
        history: the log's calls per day and interval.
        forecast: the forecast of the days after the log.
        backtest: the forecast of the log's last weeks from the weeks before (drawn dashed).
        weeks_shown: how many weeks of history the top panel shows.
        lang: language of the labels.
    """
    fig = new_figure(9.0, 6.5)
    top, bottom = fig.subplots(2, 1)
    first = max(0, len(history.dates) - 7 * weeks_shown)
    daily = history.counts.sum(axis=1)
    top.plot(history.dates[first:], daily[first:], color=_HISTORY, marker=".", label=tr("fig.fc.history", lang))
    if backtest is not None:
        b = backtest.forecast
        top.plot(b.dates, b.daily_expected, color=_COLOURS[1], linestyle="--",
                 label=tr("fig.fc.backtest", lang, wape=backtest.wape_day))  # fmt: skip
    top.fill_between(forecast.dates, forecast.daily_low, forecast.daily_high, color=_BAND, alpha=0.7,
                     label=tr("fig.fc.band", lang, level=forecast.level))  # fmt: skip
    top.plot(forecast.dates, forecast.daily_expected, color=_FORECAST, marker=".", label=tr("fig.fc.forecast", lang))
    top.set_ylabel(tr("fig.fc.daily_y", lang))
    top.set_title(tr("fig.fc.title", lang, model=forecast.model))
    peak = max(float(daily[first:].max()), float(np.max(forecast.daily_high)))
    top.set_ylim(0, peak * 1.3)  # room for the legend above the curves
    top.legend(loc="upper center", fontsize="small", ncol=2)
    top.tick_params(axis="x", labelrotation=30)
    x = np.arange(forecast.expected.size)
    bottom.fill_between(x, forecast.low.ravel(), forecast.high.ravel(), step="mid", color=_BAND, alpha=0.7)
    bottom.step(x, forecast.expected.ravel(), where="mid", color=_FORECAST, linewidth=1)
    n = history.n_intervals
    bottom.set_xticks(x[::n])
    bottom.set_xticklabels(forecast.dates.strftime("%a %d %b"), rotation=30, ha="right")
    bottom.set_xlim(-0.5, x[-1] + 0.5)
    bottom.set_ylabel(tr("fig.fc.interval_y", lang, minutes=history.interval_minutes))
    return fig
