"""A realistic contact log, made by simsvc's own simulation: the shipped history of issue 15.

Demand has a level with a trend, weekly and daily seasonality, day-to-day noise and holidays
(closed days). A planner staffs each half hour by Erlang A on the *expected* demand; some
staff are absent. Each week is then simulated with :func:`simsvc.simulate` (lognormal
handling times, exponential patience), so waits and abandonments come from the same queue
model the rest of simsvc uses, not from a second one. Patience is censored as in a real
log: a served caller's patience is only known to exceed their wait.

Everything random flows from one seed (``numpy.random.SeedSequence``), so
``generate_log()`` (seed 2026) is the same table everywhere: the shipped ``scenarios/contact_log.csv.gz``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simsvc.history.forecast import hhmm
from simsvc.history.log import LOG_COLUMNS
from simsvc.scenario.base import clock_to_minutes

__all__ = ["HistoryModel", "generate_log", "write_log"]


def _minutes(clock: str) -> int:
    return round(clock_to_minutes(clock))


def _default_holidays() -> tuple[dt.date, ...]:
    # Public holidays of spring 2026 (Good Friday, Easter Monday, Labour Day, Ascension, Whit Monday).
    return tuple(dt.date(2026, m, d) for m, d in ((4, 3), (4, 6), (5, 1), (5, 14), (5, 25)))


@dataclass(frozen=True)
class HistoryModel:
    """The truth behind the generated log (what fitting and forecasting should recover).

    Attributes:
        start: the first day (a Monday keeps weeks aligned with the calendar).
        weeks: length of the log.
        open, close, interval_minutes: opening hours (every day) and the planning interval.
        calls_per_day: expected calls on an average day at the start (before weekday factors).
        growth_per_week: relative growth of the level per week (the trend, compounded).
        weekday_factors: Monday ... Sunday multipliers of the level (their mean is 1).
        day_noise: standard deviation of a day's log-level around its expectation.
        holidays: closed days (no calls in the log).
        handling_mean, handling_cv: lognormal handling time (talk and wrap-up), minutes.
        patience_mean: exponential patience, minutes.
        target_wait, service_level: the planner's Erlang A target (80 % within 20 s).
        absence: chance that a planned agent is not on the phones in a half hour.
    """

    start: dt.date = dt.date(2026, 1, 5)
    weeks: int = 26
    open: str = "08:00"
    close: str = "20:00"
    interval_minutes: int = 30
    calls_per_day: float = 800.0
    growth_per_week: float = 0.006
    weekday_factors: tuple[float, ...] = (1.30, 1.15, 1.05, 1.05, 1.00, 0.80, 0.65)
    day_noise: float = 0.04
    holidays: tuple[dt.date, ...] = field(default_factory=_default_holidays)
    handling_mean: float = 5.0
    handling_cv: float = 0.7
    patience_mean: float = 4.0
    target_wait: float = 1 / 3
    service_level: float = 0.8
    absence: float = 0.12

    @property
    def days(self) -> int:
        return 7 * self.weeks

    @property
    def n_intervals(self) -> int:
        span = _minutes(self.close) - _minutes(self.open)
        return span // self.interval_minutes

    def profile(self, weekday: int) -> np.ndarray:
        """Share of a day's calls in each interval: two peaks on weekdays, one late peak at weekends."""
        hours = (_minutes(self.open) + self.interval_minutes * (np.arange(self.n_intervals) + 0.5)) / 60
        if weekday < 5:
            shape = np.exp(-(((hours - 10.5) / 1.6) ** 2)) + 0.75 * np.exp(-(((hours - 14.5) / 2.0) ** 2)) + 0.12
        else:
            shape = np.exp(-(((hours - 12.0) / 2.8) ** 2)) + 0.15
        return shape / shape.sum()

    def expected_calls(self) -> np.ndarray:
        """Expected calls per ``(day, interval)`` before day noise; zero on holidays."""
        factors = np.asarray(self.weekday_factors) / np.mean(self.weekday_factors)
        out = np.zeros((self.days, self.n_intervals))
        for d in range(self.days):
            date = self.start + dt.timedelta(days=d)
            if date in self.holidays:
                continue
            level = self.calls_per_day * (1 + self.growth_per_week) ** (d / 7)
            out[d] = level * factors[date.weekday()] * self.profile(date.weekday())
        return out


def _planned_staff(model: HistoryModel, calls: np.ndarray) -> np.ndarray:
    """Agents the planner rosters per ``(day, interval)``: Erlang A on the expected calls."""
    from simsvc.queueing import required_servers

    per_minute = calls / model.interval_minutes
    cache: dict[float, int] = {}
    staff = np.zeros(calls.shape, dtype=int)
    for idx, lam in np.ndenumerate(np.round(per_minute, 2)):
        if lam > 0:
            if lam not in cache:
                cache[lam] = required_servers(
                    lam, 1 / model.handling_mean, model.target_wait, model.service_level, 1 / model.patience_mean
                )
            staff[idx] = cache[lam]
    return staff


def _week_scenario(model: HistoryModel, rates: np.ndarray, staff: np.ndarray) -> dict[str, Any]:
    """A 7-day scenario (file format) with the week's rates and its agents per day and interval."""
    shifts = []
    step = model.interval_minutes
    for (day, j), n in np.ndenumerate(staff):
        if n > 0:
            start = _minutes(model.open) + j * step
            shifts.append({"start": hhmm(start), "end": hhmm(start + step), "staff": int(n), "days": [int(day)]})
    return {
        "name": "generated contact log",
        "horizon": {"days": 7, "open": model.open, "close": model.close, "interval_minutes": step},
        "customer_classes": [
            {
                "name": "caller",
                "arrivals": {"per_hour": [float(r) for r in rates.ravel()]},
                "service_time": {"dist": "lognormal", "mean": model.handling_mean, "cv": model.handling_cv},
                "patience": {"dist": "exponential", "mean": model.patience_mean},
            }
        ],
        "teams": [
            {
                "name": "agents",
                "serves": ["caller"],
                "shifts": shifts or [{"start": model.open, "end": model.close, "staff": 0}],
            }
        ],
        "quality": {"enabled": False},
        "simulation": {"replications": 1},
    }


def generate_log(model: HistoryModel | None = None, seed: int = 2026) -> pd.DataFrame:
    """Simulate the contact log of ``model`` (default :class:`HistoryModel`), one row per call.

    Returns:
        Columns of :data:`simsvc.history.log.LOG_COLUMNS`: ``arrival`` (timestamp, to the
        second), ``wait`` (minutes in queue, to abandonment for those who hung up),
        ``handling_time`` (minutes; NaN when abandoned) and ``abandoned`` (bool).
    """
    from simsvc.run import simulate
    from simsvc.scenario import load_scenario

    model = model or HistoryModel()
    root = np.random.SeedSequence(seed)
    noise_seq, absence_seq, sim_seq = root.spawn(3)
    noise_rng, absence_rng = np.random.default_rng(noise_seq), np.random.default_rng(absence_seq)
    expected = model.expected_calls()
    planned = _planned_staff(model, expected)
    on_phones = planned - absence_rng.binomial(planned, model.absence)
    day_level = np.exp(noise_rng.normal(0.0, model.day_noise, model.days) - model.day_noise**2 / 2)
    rates = expected * day_level[:, None] * (60 / model.interval_minutes)
    sim_seeds = sim_seq.generate_state(model.weeks)
    frames = []
    for w in range(model.weeks):
        days = slice(7 * w, 7 * w + 7)
        scenario = load_scenario(_week_scenario(model, rates[days], on_phones[days]))
        customers = simulate(scenario, replications=1, seed=int(sim_seeds[w])).customers
        customers = customers[customers["outcome"] != "balked"]
        offset = 7 * w * 1440.0
        frames.append(
            pd.DataFrame(
                {
                    "minute": customers["arrival"].to_numpy(float) + offset,
                    "wait": customers["wait"].to_numpy(float),
                    "handling_time": (customers["end"] - customers["start"]).to_numpy(float),
                    "abandoned": (customers["outcome"] == "abandoned").to_numpy(),
                }
            )
        )
    calls = pd.concat(frames, ignore_index=True)
    start = pd.Timestamp(model.start)
    arrival = start + pd.to_timedelta(np.floor(calls["minute"].to_numpy() * 60), unit="s")
    return pd.DataFrame(
        {
            "arrival": arrival,
            "wait": calls["wait"].round(3),
            "handling_time": calls["handling_time"].where(~calls["abandoned"]).round(3),
            "abandoned": calls["abandoned"],
        },
        columns=list(LOG_COLUMNS),
    )


def write_log(log: pd.DataFrame, path: Path) -> Path:
    """Write a contact log as CSV (gzip-compressed when the name ends in ``.gz``), atomically.

    The gzip stream has no time stamp or file name in its header, so the same log gives the
    same bytes (``simsvc history generate`` rewrites the shipped file exactly).
    """
    import gzip

    from simsvc.output import atomic_write

    table = log.assign(arrival=log["arrival"].dt.strftime("%Y-%m-%d %H:%M:%S"), abandoned=log["abandoned"].astype(int))
    data = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=9, mtime=0)
    atomic_write(path, lambda target: target.write_bytes(data))
    return path
