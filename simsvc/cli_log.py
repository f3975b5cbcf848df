"""The ``simsvc`` commands from a contact log to scenario inputs: ``history generate``, ``fit``, ``forecast``.

:func:`register` adds them to the ``simsvc`` app and returns their help examples (``cli.py``
keeps every command's examples in one table, which its tests run). A bad log exits with code 2
naming the file, the row and the column; user text is printed without markup.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer

from simsvc.cli_common import INVALID_INPUT, err, out
from simsvc.terminal import labelled

__all__ = ["EXAMPLES", "register"]

EXAMPLES: dict[str, tuple[str, ...]] = {
    "history": ("simsvc history generate contact_log.csv.gz --weeks 4 --seed 7",),
    "fit": ("simsvc fit demo/scenarios/contact_log.csv.gz --out results/fit",),
    "forecast": (
        "simsvc forecast demo/scenarios/contact_log.csv.gz --weeks 2 --out results/forecast",
        "simsvc forecast demo/scenarios/contact_log.csv.gz --weeks 4 --fit results/fit/fit.yaml --out results/forecast",
    ),
}
"""Example command lines of each command's ``--help``."""

LogFile = Annotated[Path, typer.Argument(help="Contact log (CSV, or .csv.gz).", show_default=False)]
Lang = Annotated[str, typer.Option(help="Language of the figures (en or zh).")]


def _examples(name: str) -> str:
    return "Examples (`simsvc examples demo` writes the demo/ folder):\n\b\n" + "\n".join(
        f"  {x}" for x in EXAMPLES[name]
    )


def _fail(message: str) -> NoReturn:
    err.print(labelled("error:", "bold red", message), highlight=False, soft_wrap=True)
    raise typer.Exit(INVALID_INPUT)


def _read(file: Path) -> Any:
    from simsvc.history.log import LogError, read_log

    try:
        return read_log(file)
    except LogError as exc:
        _fail(str(exc))


def _check_lang(lang: str) -> None:
    from simsvc.i18n import LANGS

    if lang not in LANGS:
        raise typer.BadParameter(f"must be one of {', '.join(LANGS)}", param_hint="--lang")


def _wrote(paths: list[Path], folder: Path) -> None:
    err.print(f"wrote {len(paths)} files to {folder}", highlight=False, markup=False)
    for path in paths:
        out.print(str(path), highlight=False, markup=False)


def _check_folder(folder: Path | None) -> None:
    """Refuse an --out that is a file before any work is done."""
    if folder is not None and folder.exists() and not folder.is_dir():
        _fail(f"--out {folder}: is a file, not a folder")


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"--out {folder}: cannot make the folder ({exc.strerror or exc})")


def _yaml(data: dict[str, Any], comment: str) -> str:
    import yaml

    return f"# {comment}\n" + yaml.safe_dump(data, sort_keys=False, default_flow_style=None, allow_unicode=True)


def history_generate(
    file: Annotated[Path, typer.Argument(help="CSV to write (.csv.gz: compressed).", show_default=False)],
    weeks: Annotated[int, typer.Option(min=1, max=520, help="Weeks of log, from Monday 5 January 2026.")] = 26,
    seed: Annotated[int, typer.Option(min=0, help="Seed (2026: the shipped scenarios/contact_log.csv.gz).")] = 2026,
) -> None:
    """Write a realistic contact log: seasonality, a trend, holidays, queueing by simsvc's own simulation."""
    from simsvc.history.generate import HistoryModel, generate_log, write_log

    if not file.parent.is_dir():
        _fail(f"{file.parent} is not a folder")
    log = generate_log(HistoryModel(weeks=weeks), seed=seed)
    write_log(log, file)
    err.print(f"wrote {len(log):,} calls over {weeks} weeks to {file}", highlight=False, markup=False)


def fit(
    file: LogFile,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Folder for fit.yaml, tables and figures.")] = None,
    lang: Lang = "en",
) -> None:
    """Fit handling times (the family with the best AIC) and patience (censored) to a contact log.

    Prints the families ranked by AIC with Kolmogorov-Smirnov distances and 95 % intervals,
    the patience estimate, and the customer class's service_time and patience blocks (YAML).
    --out writes fit.yaml, service_time_fits.csv, patience_fits.csv, patience_km.csv,
    service_time_qq.png and patience_km.png.
    """
    from rich.table import Table

    from simsvc.history.fit import fit_patience, fit_service_times, fragments, kaplan_meier

    _check_lang(lang)
    _check_folder(out_dir)
    log = _read(file)
    try:
        fits = fit_service_times(log["handling_time"].dropna().to_numpy())
    except ValueError as exc:
        _fail(f"{file}: column 'handling_time': {exc}")
    patience = None
    if log["abandoned"].any():
        patience = fit_patience(log["wait"].to_numpy(), log["abandoned"].to_numpy())
    table = Table(title=f"Handling times: {fits[0].n:,} answered calls", title_justify="left")
    for column in ("family", "parameters (95 % interval)", "AIC", "ΔAIC", "KS D", "KS p"):
        table.add_column(column, justify="left" if column.startswith(("family", "param")) else "right")
    for f in fits:
        params = ", ".join(
            f"{p} {f.spec[p]:g}" + (f" ({f.ci[p][0]:#.4g}–{f.ci[p][1]:#.4g})" if p in f.ci else "")
            for p in ("mean", "cv", "k")
            if p in f.spec
        )
        table.add_row(f.family, params, f"{f.aic:,.0f}", f"{f.aic - fits[0].aic:,.0f}", f"{f.ks_statistic:.4f}",
                      f"{f.ks_pvalue:.3g}")  # fmt: skip
    out.print(table)
    if patience is None:
        out.print("Patience: no call was abandoned, so patience is not estimated (no patience block).")
    else:
        lo, hi = patience.ci
        out.print(
            f"Patience (exponential, censored MLE): mean {patience.mean:.3f} min (95 % interval {lo:.3f}–{hi:.3f}) "
            f"from {patience.abandonments:,} abandonments in {patience.exposure:,.0f} minutes waited by "
            f"{patience.calls:,} calls; the naive mean of the abandonment times, {patience.naive_mean:.3f} min, "
            "ignores the callers answered before they would have hung up.",
            highlight=False,
        )
        best = patience.families[0][1] if patience.families else 0.0
        shown = "; ".join(
            f"{spec['dist']} mean {spec['mean']:g}" + (f" cv {spec['cv']:g}" if "cv" in spec else "")
            + f" (ΔAIC {aic - best:,.1f})"
            for spec, aic in patience.families
        )  # fmt: skip
        if shown:
            out.print(f"Patience families with the same censoring, best AIC first: {shown}.", highlight=False)
    text = _yaml(fragments(fits[0], patience), f"simsvc fit {file.name}: a customer class's service_time and patience")
    out.print(text, markup=False, highlight=False, end="")
    if out_dir is None:
        return
    import pandas as pd

    from simsvc.output import atomic_write
    from simsvc.plots import save_png
    from simsvc.plots.history import patience_survival, service_time_qq

    _make_folder(out_dir)
    written = [out_dir / "fit.yaml", out_dir / "service_time_fits.csv"]
    atomic_write(written[0], lambda p: p.write_text(text, encoding="utf-8"))
    rows = [_fit_row(f) for f in fits]
    atomic_write(written[1], lambda p: pd.DataFrame(rows).to_csv(p, index=False))
    written.append(save_png(service_time_qq(log["handling_time"].dropna().to_numpy(), fits, lang=lang),
                            out_dir / "service_time_qq.png"))  # fmt: skip
    if patience is not None:
        km = kaplan_meier(log["wait"].to_numpy(), log["abandoned"].to_numpy())
        written.append(out_dir / "patience_km.csv")
        atomic_write(written[-1], lambda p: km.to_csv(p, index=False))
        families = pd.DataFrame([{"family": spec["dist"], "mean": spec["mean"], "cv": spec.get("cv"), "aic": aic}
                                 for spec, aic in patience.families])  # fmt: skip
        written.append(out_dir / "patience_fits.csv")
        atomic_write(written[-1], lambda p: families.to_csv(p, index=False))
        written.append(save_png(patience_survival(km, patience, lang=lang), out_dir / "patience_km.png"))
    _wrote(written, out_dir)


def _fit_row(f: Any) -> dict[str, Any]:
    """A fitted family as a table row: its parameters, AIC, KS statistic and interval bounds."""
    bounds = {f"{p}_{end}": f.ci[p][i] for p in f.ci for i, end in enumerate(("low", "high"))}
    params = {k: v for k, v in f.spec.items() if k != "dist"}
    return {"family": f.family, **params, "aic": f.aic, "ks_statistic": f.ks_statistic, "ks_pvalue": f.ks_pvalue,
            **bounds}  # fmt: skip


def forecast(
    file: LogFile,
    weeks: Annotated[int, typer.Option(min=1, max=52, help="Weeks to forecast, from the day after the log.")] = 2,
    backtest_weeks: Annotated[
        int, typer.Option("--backtest-weeks", min=1, max=26, help="Last weeks of the log held out to score it.")
    ] = 4,
    interval: Annotated[int, typer.Option(min=1, max=1440, help="Planning interval (minutes).")] = 30,
    open_: Annotated[Optional[str], typer.Option("--open", help="Opening HH:MM. Default: the earliest call.")] = None,
    close: Annotated[Optional[str], typer.Option(help="Closing HH:MM. Default: after the latest call.")] = None,
    closed: Annotated[
        Optional[list[str]], typer.Option(help="A forecast day the service is closed (YYYY-MM-DD); repeatable.")
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the simulated prediction intervals.")] = 0,
    out_dir: Annotated[
        Optional[Path], typer.Option("--out", help="Folder for forecast.csv, forecast.yaml and figures.")
    ] = None,
    fit_file: Annotated[
        Optional[Path],
        typer.Option("--fit", help="fit.yaml of `simsvc fit --out`: with --out, also write scenario.yaml."),
    ] = None,
    lang: Lang = "en",
) -> None:
    """Forecast calls per interval for the coming weeks, with 80 % prediction intervals and a back-test.

    Daily totals: ETS (statsmodels) with trend and weekly season; each day split by its
    weekday's interval profile. The back-test forecasts the log's last --backtest-weeks from
    the weeks before and reports WAPE per interval, day and week and the intervals' coverage.
    --out writes forecast.csv (the per_hour column is what arrivals: {csv: ...} reads, one
    row per interval of every day), forecast.yaml (the horizon and arrivals blocks),
    backtest.csv and forecast.png; with --fit, scenario.yaml too: the forecast days with the
    fitted service_time and patience, one team and the targets, wage and candidate shifts to
    edit before `simsvc optimize`.
    """
    from simsvc.history.forecast import backtest, demand_history, forecast_table, hhmm
    from simsvc.history.forecast import forecast as make_forecast

    _check_lang(lang)
    _check_folder(out_dir)
    if fit_file is not None and out_dir is None:
        raise typer.BadParameter("needs --out (scenario.yaml is written beside forecast.csv)", param_hint="--fit")
    fitted = _read_fit(fit_file) if fit_file is not None else None
    try:
        days_closed = [dt.date.fromisoformat(d) for d in closed or ()]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--closed") from None
    log = _read(file)
    try:
        history = demand_history(log["arrival"], interval, open_, close)
        test = backtest(history, backtest_weeks, seed=seed)
        fc = make_forecast(history, 7 * weeks, closed=days_closed, seed=seed)
    except ValueError as exc:
        _fail(f"{file}: {exc}")
        return
    b = test.forecast
    out.print(
        f"Back-test: the last {backtest_weeks} week(s) forecast from the {len(history.dates) // 7 - backtest_weeks} "
        f"before ({b.model}): WAPE {test.wape_interval:.1%} per interval, {test.wape_day:.1%} per day, "
        f"{test.wape_week:.1%} per week; {test.coverage:.1%} of {test.intervals} intervals inside the "
        f"{b.level:.0%} prediction interval (the model expects {b.model_coverage:.1%} ± {b.model_coverage_sd:.1%} "
        "of its whole-number bounds).",
        highlight=False,
    )
    out.print(f"Forecast ({fc.model}), calls per day with their {fc.level:.0%} prediction interval:")
    for i, date in enumerate(fc.dates):
        out.print(f"  {date:%a %Y-%m-%d}  {fc.daily_expected[i]:8.0f}   ({fc.daily_low[i]:.0f}–{fc.daily_high[i]:.0f})",
                  highlight=False)  # fmt: skip
    if out_dir is None:
        return
    from simsvc.output import atomic_write
    from simsvc.plots import save_png
    from simsvc.plots.history import forecast_figure

    _make_folder(out_dir)
    first = fc.dates[0]
    horizon = {"days": len(fc.dates), "open": hhmm(history.open_minute), "close": hhmm(history.close_minute),
               "interval_minutes": history.interval_minutes}  # fmt: skip
    text = _yaml(
        {"horizon": horizon, "arrivals": {"csv": "forecast.csv", "column": "per_hour"}},
        f"simsvc forecast {file.name}: day 0 is {first:%A %Y-%m-%d}; the arrivals block goes in a customer class",
    )
    written = [out_dir / "forecast.csv", out_dir / "forecast.yaml", out_dir / "backtest.csv"]
    atomic_write(written[0], lambda p: forecast_table(fc, history).to_csv(p, index=False))
    atomic_write(written[1], lambda p: p.write_text(text, encoding="utf-8"))
    scored = forecast_table(b, history).assign(actual=test.actual.ravel())
    atomic_write(written[2], lambda p: scored.to_csv(p, index=False))
    written.append(save_png(forecast_figure(history, fc, test, lang=lang), out_dir / "forecast.png"))
    if fitted is not None:
        written += _write_scenario(out_dir, horizon, fitted, first, f"simsvc forecast {file.name} --fit {fit_file}")
    _wrote(written, out_dir)


def _read_fit(path: Path) -> dict[str, Any]:
    from simsvc.errors import ScenarioError
    from simsvc.history.scenario import read_fit

    try:
        return read_fit(path)
    except ScenarioError as exc:
        _fail(str(exc))


def _write_scenario(folder: Path, horizon: dict[str, Any], fit: dict[str, Any], first: dt.date, how: str) -> list[Path]:
    """``scenario.yaml`` beside ``forecast.csv``, validated as ``simsvc validate`` would before it is written."""
    from simsvc.history.scenario import forecast_scenario, scenario_text
    from simsvc.output import atomic_write
    from simsvc.scenario import load_scenario

    data = forecast_scenario(horizon, {"csv": "forecast.csv", "column": "per_hour"}, fit, first)
    load_scenario(data, base_dir=folder)  # a bug here, not the user's input: it would raise
    header = f"{how}: day 0 is {first:%A %Y-%m-%d}.\nThe agents, wage, targets and shifts are a start: edit them."
    text = scenario_text(data, header)
    atomic_write(folder / "scenario.yaml", lambda p: p.write_text(text, encoding="utf-8"))
    return [folder / "scenario.yaml"]


def register(app: typer.Typer) -> dict[str, tuple[str, ...]]:
    """Add ``history generate``, ``fit`` and ``forecast`` to ``app``; return their help examples."""
    history = typer.Typer(help="Contact logs to practise on.", no_args_is_help=True, epilog=_examples("history"))
    history.command("generate", epilog=_examples("history"))(history_generate)
    app.add_typer(history, name="history")
    app.command("fit", epilog=_examples("fit"))(fit)
    app.command("forecast", epilog=_examples("forecast"))(forecast)
    return EXAMPLES
