"""From a contact log to scenario inputs: a generated history, fitted distributions and a forecast.

* :mod:`~simsvc.history.log` reads and checks a log (one row per call);
* :mod:`~simsvc.history.generate` makes a realistic one with simsvc's own simulation;
* :mod:`~simsvc.history.fit` fits handling times and censored patience (the ``service_time``
  and ``patience`` blocks of a customer class);
* :mod:`~simsvc.history.forecast` forecasts calls per interval with prediction intervals and a
  back-test (the forecast CSV and ``horizon`` of a scenario).

SciPy and statsmodels are imported only when a fit or a forecast is made.
"""

from simsvc.history.fit import FamilyFit, PatienceFit, fit_patience, fit_service_times, fragments, kaplan_meier
from simsvc.history.forecast import (
    Backtest,
    DemandHistory,
    Forecast,
    backtest,
    demand_history,
    forecast,
    forecast_table,
)
from simsvc.history.generate import HistoryModel, generate_log, write_log
from simsvc.history.log import LOG_COLUMNS, LogError, read_log

__all__ = [
    "LOG_COLUMNS",
    "Backtest",
    "DemandHistory",
    "FamilyFit",
    "Forecast",
    "HistoryModel",
    "LogError",
    "PatienceFit",
    "backtest",
    "demand_history",
    "fit_patience",
    "fit_service_times",
    "forecast",
    "forecast_table",
    "fragments",
    "generate_log",
    "kaplan_meier",
    "read_log",
    "write_log",
]
