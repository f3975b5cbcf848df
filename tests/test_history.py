"""From a contact log to scenario inputs (issue 15): the shipped history, fitting, forecasting, bad logs.

The shipped history ``scenarios/contact_log.csv.gz`` is ``simsvc history generate`` with seed
2026; the truth behind it is :class:`simsvc.history.generate.HistoryModel`'s defaults, which
the fits and the forecast are checked against.
"""

from __future__ import annotations

import gzip
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

import simsvc
from simsvc.history.fit import _fit_one, fit_patience, fit_service_times, fragments, kaplan_meier
from simsvc.history.forecast import backtest, demand_history, forecast, forecast_table
from simsvc.history.generate import HistoryModel, generate_log, write_log
from simsvc.history.log import LOG_COLUMNS, LogError, read_log
from tests.helpers import ROOT, SCENARIOS, invoke_cli

LOG = SCENARIOS / "contact_log.csv.gz"
TRUTH = HistoryModel()
BONFERRONI = 1 - 0.05 / 3  # three parameters checked at once (mean, cv, patience): 95 % jointly


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return read_log(LOG)


@pytest.fixture(scope="module")
def history(log):
    return demand_history(log["arrival"])


@pytest.fixture(scope="module")
def service_fits(log):
    return fit_service_times(log["handling_time"].dropna().to_numpy(), confidence=BONFERRONI)


@pytest.fixture(scope="module")
def patience_fit(log):
    return fit_patience(log["wait"].to_numpy(), log["abandoned"].to_numpy(), confidence=BONFERRONI)


# -- the shipped history --------------------------------------------------------------------


def test_the_generator_writes_the_shipped_history(tmp_path):
    """`simsvc history generate` with its default seed rewrites scenarios/contact_log.csv.gz exactly."""
    done = invoke_cli("history", "generate", str(tmp_path / "log.csv.gz"))
    assert done.returncode == 0, done.stderr
    # The CSV inside, byte for byte (the compressed bytes depend on the zlib build as well).
    assert gzip.decompress((tmp_path / "log.csv.gz").read_bytes()) == gzip.decompress(LOG.read_bytes())


def test_the_shipped_history_has_the_models_seasons_trend_and_holidays(log, history):
    assert list(log.columns) == list(LOG_COLUMNS) and len(history.dates) == 7 * TRUTH.weeks
    closed = set(history.dates[history.closed].date)
    assert closed == set(TRUTH.holidays)
    # An answered call has a handling time, an abandoned one none; every caller has a wait.
    assert log.loc[log["abandoned"], "handling_time"].isna().all()
    assert log.loc[~log["abandoned"], "handling_time"].notna().all() and log["wait"].notna().all()
    assert 0.02 < log["abandoned"].mean() < 0.15
    # Weekly season: Mondays against Sundays as the weekday factors say (26 days each, 4 % day noise).
    daily = pd.Series(history.counts.sum(axis=1), index=history.dates)[~history.closed]
    mean_by_day = daily.groupby(daily.index.day_of_week).mean()
    expected_ratio = TRUTH.weekday_factors[0] / TRUTH.weekday_factors[6]
    assert mean_by_day[0] / mean_by_day[6] == pytest.approx(expected_ratio, rel=0.05)
    # Trend: log calls against weeks, weekday factors divided out, recover the growth per week.
    factors = np.asarray(TRUTH.weekday_factors)[daily.index.day_of_week]
    days = (daily.index - daily.index[0]).days.to_numpy()
    fit = stats.linregress(days / 7, np.log(daily.to_numpy() / factors))
    assert abs(fit.slope - math.log1p(TRUTH.growth_per_week)) < 3 * fit.stderr
    # Daily season: weekdays peak in the 10:00-11:00 hour, weekends around noon.
    profile = history.counts[~history.closed].reshape(-1, history.n_intervals)
    weekday = history.dates[~history.closed].day_of_week
    assert history.labels()[int(profile[weekday < 5].sum(axis=0).argmax())] in ("10:00", "10:30")
    assert history.labels()[int(profile[weekday >= 5].sum(axis=0).argmax())] in ("11:30", "12:00")


# -- fitting --------------------------------------------------------------------------------


def test_fitting_recovers_the_generators_family_and_parameters(service_fits):
    fits = service_fits
    best = fits[0]
    assert best.family == "lognormal"
    assert fits[1].aic - best.aic > 100  # decisively, not by a whisker
    low, high = best.ci["mean"]
    assert low < TRUTH.handling_mean < high
    low, high = best.ci["cv"]
    assert low < TRUTH.handling_cv < high
    # The right family passes Kolmogorov-Smirnov; the others are rejected outright.
    assert best.ks_pvalue > 0.01
    assert all(f.ks_pvalue < 1e-6 for f in fits[1:])


def test_the_fits_confidence_intervals_cover_the_truth_about_95_percent_of_the_time():
    """200 samples of 300 gamma durations: the interval for the mean, and for the cv, covers the truth."""
    rng = np.random.default_rng(11)
    mean, cv, runs = 3.0, 0.5, 200
    covered = {"mean": 0, "cv": 0}
    for _ in range(runs):
        x = rng.gamma(1 / cv**2, mean * cv**2, 300)
        fit = _fit_one(x, "gamma", 0.95)
        covered["mean"] += fit.ci["mean"][0] < mean < fit.ci["mean"][1]
        covered["cv"] += fit.ci["cv"][0] < cv < fit.ci["cv"][1]
    band = 3 * math.sqrt(0.95 * 0.05 / runs)  # binomial, 3 standard errors
    for parameter, hits in covered.items():
        assert abs(hits / runs - 0.95) < band, parameter


def test_censored_patience_recovers_the_mean_where_the_naive_mean_does_not(log, patience_fit):
    fit = patience_fit
    assert fit.ci[0] < TRUTH.patience_mean < fit.ci[1]
    # Only the impatient are seen to hang up: their mean is far below the truth and outside the interval.
    assert fit.naive_mean < 0.5 * TRUTH.patience_mean and fit.naive_mean < fit.ci[0]
    # Gamma, which holds the exponential at cv 1, finds cv 1 and the likelihood-ratio test keeps the exponential.
    assert _exponential_kept(fit) and fit.spec["dist"] == "exponential"
    # Kaplan-Meier, which assumes no family, agrees with the true exponential survival.
    km = kaplan_meier(log["wait"].to_numpy(), log["abandoned"].to_numpy(), confidence=0.99)
    for t in (1.0, 2.0, 4.0):
        row = km[km["time"] <= t].iloc[-1]
        assert row["low"] < math.exp(-t / TRUTH.patience_mean) < row["high"], t


def test_censored_patience_on_independent_censoring_of_known_exponentials():
    """Patience exp(mean 3) censored by an independent exp(mean 1): the MLE finds 3, the naive mean 0.75."""
    rng = np.random.default_rng(3)
    patience, censor = rng.exponential(3.0, 40_000), rng.exponential(1.0, 40_000)
    fit = fit_patience(np.minimum(patience, censor), patience < censor)
    assert fit.ci[0] < 3.0 < fit.ci[1]
    expected_naive = 1 / (1 / 3.0 + 1 / 1.0)  # E[P | P < C] = E[min(P, C)] for exponentials
    assert fit.naive_mean == pytest.approx(expected_naive, rel=0.03)
    assert _exponential_kept(fit)
    with pytest.raises(ValueError, match="no call was abandoned"):
        fit_patience(np.ones(5), np.zeros(5, dtype=bool))


def _exponential_kept(fit) -> bool:
    """Gamma's cv is near 1 and the likelihood ratio against the exponential is below chi2(1)'s 99.9 % point.

    (AIC alone picks gamma in about 16 % of exponential samples: the ratio exceeds 2 that often.)
    """
    aic = {spec["dist"]: value for spec, value in fit.families}
    gamma = next(spec for spec, _ in fit.families if spec["dist"] == "gamma")
    ratio = (aic["exponential"] - 2) - (aic["gamma"] - 4)  # 2 (log L_gamma - log L_exponential)
    return abs(gamma["cv"] - 1) < 0.05 and ratio < stats.chi2.ppf(0.999, 1)


def test_censored_lognormal_patience_is_told_apart_and_recovered():
    """Lognormal patience (mean 3, cv 0.6) censored by exp(mean 2): AIC picks lognormal, the fit finds it;
    the exponential MLE, with the wrong family, is far off."""
    rng = np.random.default_rng(4)
    sigma2 = math.log1p(0.6**2)
    patience = rng.lognormal(math.log(3.0) - sigma2 / 2, math.sqrt(sigma2), 40_000)
    censor = rng.exponential(2.0, 40_000)
    fit = fit_patience(np.minimum(patience, censor), patience < censor)
    assert [spec["dist"] for spec, _ in fit.families] == ["lognormal", "gamma", "exponential"]
    assert fit.spec["mean"] == pytest.approx(3.0, rel=0.03) and fit.spec["cv"] == pytest.approx(0.6, rel=0.05)
    assert fit.mean > 4.0


def test_the_fragments_are_valid_blocks_of_a_scenario(service_fits, patience_fit):
    blocks = fragments(service_fits[0], patience_fit)
    text = yaml.safe_dump(blocks, default_flow_style=None)
    scenario = simsvc.load_scenario(SCENARIOS / "call_centre.yaml").replace(
        {f"customer_classes[0].{k}": v for k, v in yaml.safe_load(text).items()}
    )
    cls = scenario.customer_classes[0]
    assert (cls.service_time.dist, cls.patience.dist) == ("lognormal", "exponential")
    assert cls.service_time.mean == pytest.approx(TRUTH.handling_mean, rel=0.01)
    assert cls.patience.mean == pytest.approx(TRUTH.patience_mean, rel=0.03)


# -- forecasting ----------------------------------------------------------------------------


def test_the_back_test_meets_the_accuracy_and_coverage_targets(history):
    test = backtest(history, 4)
    assert test.wape_week < 0.10 and test.wape_day < 0.10
    # Interval counts are Poisson-noisy: sd/mean of about 1/sqrt(40) at 40 calls, so WAPE near 13 %.
    assert test.wape_interval < 0.2
    # Coverage against what the model expects of its (integer) bounds, within 3 standard deviations:
    # the binomial one of independent intervals and the one over the model's simulated paths (where
    # a day's intervals share its total) agree to 10 %.
    expected, sd = test.forecast.model_coverage, test.forecast.model_coverage_sd
    binomial = math.sqrt(expected * (1 - expected) / test.intervals)
    assert 0.8 <= expected < 0.86 and sd == pytest.approx(binomial, rel=0.1)
    assert abs(test.coverage - expected) < 3 * max(sd, binomial)


def test_a_weekday_always_closed_is_forecast_closed_and_the_others_keep_their_accuracy():
    """Closed on Sundays (weekday factor 0): the model runs on six-day weeks and Sundays get no calls."""
    shut = HistoryModel(weeks=10, weekday_factors=(1.30, 1.15, 1.05, 1.05, 1.00, 0.80, 0.0))
    history = demand_history(generate_log(shut, seed=5)["arrival"])
    assert history.closed[history.dates.day_of_week == 6].all()
    test = backtest(history, 3)
    assert test.wape_week < 0.10 and test.intervals == 3 * 6 * history.n_intervals
    fc = forecast(history, 14)
    sundays = fc.dates.day_of_week == 6
    assert (fc.daily_expected[sundays] == 0).all() and (fc.high[sundays] == 0).all()
    assert (fc.daily_expected[~sundays] > 500).all()


def test_the_forecast_csv_is_a_scenarios_demand_for_every_day(history, tmp_path):
    fc = forecast(history, 14, closed=[pd.Timestamp("2026-07-13").date()])
    table = forecast_table(fc, history)
    table.to_csv(tmp_path / "forecast.csv", index=False)
    days, n = len(fc.dates), history.n_intervals
    assert len(table) == days * n and fc.dates[0] == history.dates[-1] + pd.Timedelta(days=1)
    assert table.loc[table["date"] == "2026-07-13", "per_hour"].eq(0).all()
    assert (table["calls_low"] <= table["calls"]).all() and (table["calls"] <= table["calls_high"]).all()
    scenario = simsvc.load_scenario(
        {
            "name": "forecast",
            "horizon": {"days": days, "open": "08:00", "close": "20:00", "interval_minutes": 30},
            "customer_classes": [{"name": "caller", "arrivals": {"csv": "forecast.csv", "column": "per_hour"},
                                  "service_time": {"dist": "lognormal", "mean": 5, "cv": 0.7}}],
            "teams": [{"name": "agents", "serves": ["caller"], "staff": [40]}],
        },
        base_dir=tmp_path,
    )  # fmt: skip
    rates = np.asarray(scenario.customer_classes[0].arrivals.rates_per_hour)
    assert rates.shape == (days * n,)
    assert rates.sum() * 0.5 == pytest.approx(fc.expected.sum(), rel=1e-4)
    # The same forecast from Excel gives the same demand.
    table.to_excel(tmp_path / "forecast.xlsx", index=False)
    from_excel = scenario.replace({"customer_classes[0].arrivals.csv": "forecast.xlsx"})
    assert from_excel.customer_classes[0].arrivals.rates_per_hour == tuple(rates)


def test_a_bad_forecast_workbook_names_the_file_row_and_column(tmp_path):
    pd.DataFrame({"per_hour": [10, "lots", 12]}).to_excel(tmp_path / "f.xlsx", index=False)
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    base = {"name": "x", "horizon": {"open": "08:00", "close": "09:30"},
            "customer_classes": [{"name": "c", "arrivals": {"csv": "f.xlsx"},
                                  "service_time": {"dist": "exponential", "mean": 2}}],
            "teams": [{"name": "t", "serves": ["c"], "staff": [2]}]}  # fmt: skip
    with pytest.raises(simsvc.ScenarioError, match=r"arrivals\.csv: f\.xlsx row 3, column 'per_hour': 'lots'"):
        simsvc.load_scenario(base, base_dir=tmp_path)
    base["customer_classes"][0]["arrivals"]["csv"] = "broken.xlsx"
    with pytest.raises(simsvc.ScenarioError, match=r"cannot read .*broken\.xlsx as an Excel workbook"):
        simsvc.load_scenario(base, base_dir=tmp_path)


# -- the commands and bad logs ----------------------------------------------------------------


def test_fit_and_forecast_commands_write_the_readmes_scenario(tmp_path):
    """`forecast --fit` writes the README's scenario beside forecast.csv: it validates, with the fitted blocks."""
    fitted = invoke_cli("fit", str(LOG), "--out", str(tmp_path / "fit"))
    assert fitted.returncode == 0, fitted.stderr
    assert "lognormal" in fitted.stdout and "naive mean" in fitted.stdout
    out = tmp_path / "forecast"
    predicted = invoke_cli("forecast", str(LOG), "--weeks", "2", "--backtest-weeks", "2", "--out", str(out),
                           "--fit", str(tmp_path / "fit" / "fit.yaml"))  # fmt: skip
    assert predicted.returncode == 0, predicted.stderr
    assert "WAPE" in predicted.stdout and "Sun 2026-07-19" in predicted.stdout
    for name in ("fit/service_time_qq.png", "fit/patience_km.png", "forecast/forecast.png", "fit/patience_km.csv"):
        assert (tmp_path / name).stat().st_size > 1000, name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## From a contact log") :]
    text = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    written = (out / "scenario.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text) == yaml.safe_load(written)  # the README shows the file as written
    checked = invoke_cli("validate", str(out / "scenario.yaml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    declared = yaml.safe_load(written)
    blocks = yaml.safe_load((tmp_path / "fit" / "fit.yaml").read_text(encoding="utf-8"))
    inputs = yaml.safe_load((out / "forecast.yaml").read_text(encoding="utf-8"))
    cls = declared["customer_classes"][0]
    assert declared["horizon"] == inputs["horizon"] and cls["arrivals"] == inputs["arrivals"]
    assert {k: cls[k] for k in blocks} == blocks


def _bad_log(tmp_path: Path, change) -> Path:
    with gzip.open(LOG, "rt", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, nrows=30, dtype=str, keep_default_na=False)
    frame = change(frame)
    path = tmp_path / "bad [log].csv"  # brackets: printed as text, not as rich markup
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: f.drop(columns=["wait"]), r"missing column\(s\) wait"),
        (lambda f: f.assign(arrival=f["arrival"].where(f.index != 4, "2026-13-45 08:00")),
         r"row 6, column 'arrival': '2026-13-45 08:00' is not a timestamp"),
        (lambda f: f.assign(handling_time=f["handling_time"].where(f.index != 2, "-3.5")),
         r"row 4, column 'handling_time': '-3.5' is negative"),
        (lambda f: f.assign(wait=f["wait"].where(f.index != 0, "soon")),
         r"row 2, column 'wait': 'soon' is not a number"),
    ],
)  # fmt: skip
def test_a_bad_log_exits_2_naming_the_file_row_and_column(tmp_path, change, expected):
    path = _bad_log(tmp_path, change)
    with pytest.raises(LogError, match=expected):
        read_log(path)
    for command in ("fit", "forecast"):
        done = invoke_cli(command, str(path))
        assert done.returncode == 2, (command, done.stderr)
        text = " ".join(done.stderr.split())
        assert "bad [log].csv" in text and "Traceback" not in text
        assert " ".join(expected.replace("\\", "").split()) in text or "missing column" in text


def test_a_missing_log_a_too_short_one_and_a_file_for_a_folder_are_refused(tmp_path):
    done = invoke_cli("fit", str(tmp_path / "nowhere.csv"))
    assert done.returncode == 2 and "file not found" in done.stderr
    (tmp_path / "a file").write_text("", encoding="utf-8")
    for command in ("fit", "forecast"):
        done = invoke_cli(command, str(LOG), "--out", str(tmp_path / "a file"))
        assert done.returncode == 2 and "is a file, not a folder" in done.stderr, command
    short = write_log(generate_log(HistoryModel(weeks=1), seed=3), tmp_path / "week.csv")
    done = invoke_cli("forecast", str(short))
    assert done.returncode == 2 and "at least" in " ".join(done.stderr.split())


def test_the_fit_and_forecast_benchmark_runs():
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, str(root / "benchmarks" / "log_inputs.py"), "--quick"],
        capture_output=True, text=True, timeout=120, cwd=root / "tests",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "best fits lognormal" in proc.stdout and "target: fit + forecast" in proc.stdout


def test_a_log_without_abandonment_gives_no_patience_block(tmp_path):
    def answered(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(abandoned="0", handling_time=frame["handling_time"].replace("", "3.5"))

    done = invoke_cli("fit", str(_bad_log(tmp_path, answered)), "--out", str(tmp_path / "fit"))
    assert done.returncode == 0, done.stderr
    assert "no call was abandoned" in done.stdout
    blocks = yaml.safe_load((tmp_path / "fit" / "fit.yaml").read_text(encoding="utf-8"))
    assert set(blocks) == {"service_time"} and not (tmp_path / "fit" / "patience_km.png").exists()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_figures_draw_in_both_languages(history, lang):
    from simsvc.plots import png_bytes
    from simsvc.plots.history import forecast_figure, patience_survival, service_time_qq

    rng = np.random.default_rng(5)
    durations, patience = rng.lognormal(1.4, 0.6, 2000), rng.exponential(4.0, 2000)
    wait = np.minimum(patience, rng.exponential(1.0, 2000))
    fits = fit_service_times(durations)
    figures = [
        service_time_qq(durations, fits, lang=lang),
        patience_survival(kaplan_meier(wait, wait == patience), fit_patience(wait, wait == patience), lang=lang),
        forecast_figure(history, forecast(history, 7, repetitions=200), lang=lang),
    ]
    assert all(png_bytes(f).startswith(b"\x89PNG") for f in figures)
