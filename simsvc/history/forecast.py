"""Forecasting demand per interval from a contact log, with a back-test and 80 % prediction intervals.

Method (a standard one of workforce planning): daily totals follow an ETS model with a
trend and weekly multiplicative seasonality (statsmodels ``ETSModel``; damped or not,
whichever has the lower AIC); a day's calls split over its intervals by the weekday's share
profile of the last weeks. Days without any call (holidays) are filled with the median of the
same weekday in the weeks around them before fitting, and forecast as closed when named; a
weekday closed in (almost) every week is left out of the model's week and forecast closed.

Prediction intervals come from simulation: sample paths of daily totals from the fitted ETS
model, each day's total split over its intervals as a multinomial draw with the weekday's
shares. The bounds are the 10th and 90th percentiles of the simulated counts; counts are
integers, so the model's own coverage of those bounds is a little above 80 %
(:attr:`Forecast.model_coverage` says by how much; the back-test compares with it).
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simsvc.scenario.base import check_clock, clock_to_minutes

__all__ = ["Backtest", "DemandHistory", "Forecast", "backtest", "demand_history", "forecast", "forecast_table", "hhmm"]


@dataclass(frozen=True)
class DemandHistory:
    """Calls per day and interval of a log, on a grid of equal intervals from ``open`` to ``close``.

    Attributes:
        dates: every calendar day from the log's first to its last (days without calls included).
        counts: calls per ``(day, interval)``.
        open_minute, close_minute, interval_minutes: the grid (minutes after midnight).
    """

    dates: pd.DatetimeIndex
    counts: np.ndarray
    open_minute: int
    close_minute: int
    interval_minutes: int

    @property
    def n_intervals(self) -> int:
        return self.counts.shape[1]

    @property
    def closed(self) -> np.ndarray:
        """Days with no call at all (holidays, closures)."""
        return self.counts.sum(axis=1) == 0

    def labels(self) -> list[str]:
        """Interval starts as ``"HH:MM"``."""
        starts = self.open_minute + self.interval_minutes * np.arange(self.n_intervals)
        return [hhmm(int(m)) for m in starts]

    def head(self, days: int) -> DemandHistory:
        """The first ``days`` days (the training part of a back-test)."""
        return DemandHistory(self.dates[:days], self.counts[:days], self.open_minute, self.close_minute,
                             self.interval_minutes)  # fmt: skip


def demand_history(
    arrivals: pd.Series, interval_minutes: int = 30, open: str | None = None, close: str | None = None
) -> DemandHistory:
    """Count arrivals (timestamps) per day and interval.

    Args:
        arrivals: arrival timestamps (``read_log(...)["arrival"]``).
        interval_minutes: the planning interval; it must divide a day.
        open: opening time ``"HH:MM"``; default: the earliest arrival, rounded down to an interval.
        close: closing time ``"HH:MM"``; default: the latest arrival, rounded up to an interval.

    Raises:
        ValueError: an interval that does not divide the day or the opening hours, a clock
            time that is not ``"HH:MM"``, or calls outside the opening hours given.
    """
    if interval_minutes <= 0 or 1440 % interval_minutes:
        raise ValueError(f"interval_minutes (={interval_minutes}) must divide the 1440 minutes of a day")
    day = arrivals.dt.normalize()
    minute = ((arrivals - day).dt.total_seconds() // 60).astype(int).to_numpy()
    step = interval_minutes
    first = round(clock_to_minutes(check_clock(open))) if open else int(minute.min()) // step * step
    last = round(clock_to_minutes(check_clock(close))) if close else -(-(int(minute.max()) + 1) // step) * step
    if (last - first) <= 0 or (last - first) % interval_minutes:
        raise ValueError(f"the opening hours {hhmm(first)}-{hhmm(last)} are not whole {interval_minutes}-minute "
                         "intervals")  # fmt: skip
    outside = (minute < first) | (minute >= last)
    if outside.any():
        hours = f"{hhmm(first)}-{hhmm(last)}"
        raise ValueError(f"{int(outside.sum())} call(s) arrive outside the opening hours {hours}")
    dates = pd.date_range(day.min(), day.max(), freq="D")
    d = ((day - dates[0]).dt.days).to_numpy()
    counts = np.zeros((len(dates), (last - first) // interval_minutes), dtype=np.int64)
    np.add.at(counts, (d, (minute - first) // interval_minutes), 1)
    return DemandHistory(dates, counts, first, last, interval_minutes)


def hhmm(minute: int) -> str:
    """``"HH:MM"`` of a minute of the day."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True)
class Forecast:
    """Expected calls per day and interval of the coming days, with their prediction interval.

    Attributes:
        dates: the forecast days.
        expected, low, high: calls per ``(day, interval)``; ``low``/``high`` bound ``level``.
        daily_expected, daily_low, daily_high: the same for daily totals.
        level: the prediction interval's nominal coverage (0.8).
        model_coverage: the share of simulated counts inside the bounds (above ``level``
            because counts are integers): what the bounds should cover if the model is right.
        model_coverage_sd: the standard deviation of that share over the simulated paths: how
            far one path's coverage strays, intervals of a day sharing its total included.
        model: the ETS model chosen (statsmodels' short name, e.g. ``ETS(M,A,M)``).
    """

    dates: pd.DatetimeIndex
    expected: np.ndarray
    low: np.ndarray
    high: np.ndarray
    daily_expected: np.ndarray
    daily_low: np.ndarray
    daily_high: np.ndarray
    level: float
    model_coverage: float
    model_coverage_sd: float
    model: str


def _regular_closures(history: DemandHistory) -> np.ndarray:
    """Weekdays the service is closed on (no call on at least 80 % of them): a bool per weekday."""
    weekdays = history.dates.day_of_week.to_numpy()
    return np.array([history.closed[weekdays == w].mean() >= 0.8 if (weekdays == w).any() else False
                     for w in range(7)])  # fmt: skip


def _filled_daily(history: DemandHistory, shut: np.ndarray) -> pd.Series:
    """Daily totals of the weekdays open, other closed days filled with the same weekday's median around them.

    The regularly closed weekdays (``shut``) are left out, so a week has ``7 - shut.sum()`` days
    and the series keeps its weekly period; a holiday takes the median of the same weekday in
    up to four weeks either side.
    """
    keep = ~shut[history.dates.day_of_week.to_numpy()]
    daily = history.counts.sum(axis=1).astype(float)[keep]
    closed = history.closed[keep]
    period = int((~shut).sum())
    filled = daily.copy()
    for i in np.flatnonzero(closed):
        near = [i + period * k for k in (-1, 1, -2, 2, -3, 3, -4, 4) if 0 <= i + period * k < len(daily)]
        values = [daily[j] for j in near if not closed[j]]
        filled[i] = float(np.median(values)) if values else np.nan
    if np.isnan(filled).any() or (filled <= 0).any():
        raise ValueError("a weekday has no call in any of the weeks around a closed day: cannot fill it in")
    return pd.Series(filled)


def _shares(history: DemandHistory, weeks: int, shut: np.ndarray) -> np.ndarray:
    """Share of each weekday's calls in each interval, from its last ``weeks`` open days: ``(7, intervals)``.

    A weekday always closed (``shut``) has no profile (zeros).
    """
    out = np.zeros((7, history.n_intervals))
    weekdays = history.dates.day_of_week.to_numpy()
    for w in np.flatnonzero(~shut):
        days = np.flatnonzero((weekdays == w) & ~history.closed)[-weeks:]
        total = history.counts[days].sum(axis=0).astype(float)
        if total.sum() == 0:
            raise ValueError(f"no calls on any {dt.date(2024, 1, 1 + w):%A} of the log: no profile for that weekday")
        out[w] = total / total.sum()
    return out


def _ets(daily: pd.Series, period: int):
    """The ETS model with additive trend and multiplicative weekly season, damped or not by AIC.

    ``period`` is the number of open weekdays (7, or fewer when some are always closed).

    The fits run with one BLAS thread: L-BFGS-B's many tiny vector operations cost about four
    times the CPU when OpenBLAS hands them to a thread pool (measured: 0.37 s against 0.11 s
    for the two fits of the shipped log), the same numbers either way.
    """
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from threadpoolctl import threadpool_limits

    fits = []
    for damped in (False, True):
        model = ETSModel(daily, error="mul", trend="add", damped_trend=damped, seasonal="mul", seasonal_periods=period)
        with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
            warnings.simplefilter("ignore")  # convergence chatter of the optimiser; the AIC decides
            fits.append(model.fit(disp=False))
    return min(fits, key=lambda r: r.aic)


def forecast(
    history: DemandHistory,
    days: int,
    *,
    closed: Iterable[dt.date] = (),
    level: float = 0.8,
    share_weeks: int = 8,
    repetitions: int = 2000,
    seed: int = 0,
) -> Forecast:
    """Forecast the ``days`` days after the history.

    Args:
        history: calls per day and interval (:func:`demand_history`).
        days: how many days to forecast.
        closed: forecast days on which the service is closed (no calls).
        level: nominal coverage of the prediction intervals.
        share_weeks: how many recent weeks form each weekday's interval profile.
        repetitions: simulated sample paths behind the intervals.
        seed: of the simulation (the same seed gives the same intervals).

    Raises:
        ValueError: a history shorter than three weeks, or a weekday never open.
    """
    if len(history.dates) < 21:
        raise ValueError(f"the log covers {len(history.dates)} days; a weekly model needs at least 21")
    rng = np.random.default_rng(seed)
    shut = _regular_closures(history)
    if shut.all():
        raise ValueError("no weekday has calls on most of its days: nothing to forecast")
    result = _ets(_filled_daily(history, shut), int((~shut).sum()))
    dates = pd.date_range(history.dates[-1] + pd.Timedelta(days=1), periods=days, freq="D")
    modelled = ~shut[dates.day_of_week.to_numpy()]  # the model's days: the weekdays open
    open_day = modelled & ~np.isin(dates.date, list(closed))
    shares = np.nan_to_num(_shares(history, share_weeks, shut)[dates.day_of_week])
    steps = int(modelled.sum())
    point, paths = np.zeros(days), np.zeros((repetitions, days), dtype=np.int64)
    if steps:
        point[modelled] = np.maximum(np.asarray(result.forecast(steps), dtype=float), 0.0)
        simulated = np.asarray(result.simulate(steps, anchor="end", repetitions=repetitions, rng=rng))
        paths[:, modelled] = np.rint(np.maximum(simulated.reshape(steps, repetitions).T, 0.0))
    point, paths = point * open_day, paths * open_day
    simulated = rng.multinomial(paths, shares)  # (repetitions, days, intervals)
    tail = (1 - level) / 2
    low, high = np.quantile(simulated, [tail, 1 - tail], axis=0, method="inverted_cdf")
    per_path = ((simulated >= low) & (simulated <= high))[:, open_day].mean(axis=(1, 2))
    daily_low, daily_high = np.quantile(paths, [tail, 1 - tail], axis=0, method="inverted_cdf")
    return Forecast(
        dates=dates, expected=point[:, None] * shares, low=low.astype(float), high=high.astype(float),
        daily_expected=point, daily_low=daily_low.astype(float), daily_high=daily_high.astype(float),
        level=level, model_coverage=float(per_path.mean()), model_coverage_sd=float(per_path.std()),
        model=result.model.short_name,
    )  # fmt: skip


@dataclass(frozen=True)
class Backtest:
    """A forecast of the log's last weeks from the weeks before, against what happened.

    Attributes:
        forecast: the forecast of the held-out days.
        actual: calls per ``(day, interval)`` of those days.
        wape_interval, wape_day, wape_week: weighted absolute percentage error (sum of
            absolute errors / sum of calls) of interval counts, daily and weekly totals.
        coverage: share of held-out intervals (of open days) inside the prediction interval.
        intervals: how many held-out intervals that share is of.
    """

    forecast: Forecast
    actual: np.ndarray
    wape_interval: float
    wape_day: float
    wape_week: float
    coverage: float
    intervals: int


def backtest(history: DemandHistory, weeks: int, **options) -> Backtest:
    """Hold out the last ``weeks`` weeks, forecast them from the rest and score the forecast.

    The held-out days without calls are named closed, as a planner knows the holidays ahead.
    ``options`` go to :func:`forecast`.
    """
    days = 7 * weeks
    if len(history.dates) - days < 21:
        raise ValueError(f"a {weeks}-week back-test needs at least {days + 21} days of log, got {len(history.dates)}")
    train = history.head(len(history.dates) - days)
    actual = history.counts[-days:].astype(float)
    held_closed = history.dates[-days:][history.closed[-days:]].date
    fc = forecast(train, days, closed=held_closed, **options)
    open_day = ~history.closed[-days:]
    a, f = actual[open_day], fc.expected[open_day]
    weekly_a, weekly_f = actual.sum(axis=1).reshape(weeks, 7).sum(axis=1), fc.daily_expected.reshape(weeks, 7).sum(1)
    inside = (actual >= fc.low) & (actual <= fc.high)
    return Backtest(
        forecast=fc, actual=actual,
        wape_interval=_wape(a, f), wape_day=_wape(a.sum(axis=1), f.sum(axis=1)), wape_week=_wape(weekly_a, weekly_f),
        coverage=float(inside[open_day].mean()), intervals=int(inside[open_day].size),
    )  # fmt: skip


def _wape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Weighted absolute percentage error: sum |actual - predicted| / sum actual."""
    return float(np.abs(actual - predicted).sum() / actual.sum())


def forecast_table(fc: Forecast, history: DemandHistory) -> pd.DataFrame:
    """The forecast as the scenario's forecast CSV: one row per day and interval, days in order.

    ``per_hour`` (the column ``arrivals: {csv: ..., column: per_hour}`` reads) is the expected
    rate; ``calls``, ``calls_low`` and ``calls_high`` are counts in the interval, and
    ``per_hour_low``/``per_hour_high`` the interval's bounds as rates.
    """
    per_hour = 60.0 / history.interval_minutes
    days, n = fc.expected.shape
    return pd.DataFrame(
        {
            "day": np.repeat(np.arange(days), n),
            "date": np.repeat(fc.dates.strftime("%Y-%m-%d"), n),
            "weekday": np.repeat(fc.dates.strftime("%a"), n),
            "interval": history.labels() * days,
            "per_hour": np.round(fc.expected.ravel() * per_hour, 3),
            "per_hour_low": fc.low.ravel() * per_hour,
            "per_hour_high": fc.high.ravel() * per_hour,
            "calls": np.round(fc.expected.ravel(), 3),
            "calls_low": fc.low.ravel().astype(int),
            "calls_high": fc.high.ravel().astype(int),
        }
    )
