"""Benchmark fitting and forecasting on the shipped contact log (issue 15's target: under 10 s).

The instance: ``scenarios/contact_log.csv.gz``, 26 weeks of half-hours (182 days, 08:00-20:00,
about 150,000 calls). Timed, as ``simsvc fit`` and ``simsvc forecast`` do the work: reading and
checking the log; fitting the four service-time families (MLE, AIC, KS, intervals), the
censored patience and the Kaplan-Meier curve; counting calls per interval; a 4-week back-test
and a 2-week forecast (ETS fitted twice each, 2,000 simulated paths). Figures are not drawn.

Run from the repository root::

    python -m benchmarks.log_inputs              # best of 3, after an untimed run (imports)
    python -m benchmarks.log_inputs --quick      # one timed run (smoke; used by the tests)
    python -m benchmarks.log_inputs --out log.json

The first, untimed run is reported too: it includes importing statsmodels and SciPy, which
a fresh ``simsvc fit`` or ``simsvc forecast`` process pays once.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from simsvc.history.fit import fit_patience, fit_service_times, kaplan_meier  # noqa: E402
from simsvc.history.forecast import backtest, demand_history, forecast  # noqa: E402
from simsvc.history.log import read_log  # noqa: E402

LOG = ROOT / "scenarios" / "contact_log.csv.gz"
TARGET_S = 10.0


def once() -> dict:
    """One pass of the work; seconds per step and the figures that show it did the work."""
    steps: dict[str, float] = {}
    cpu = time.process_time()
    start = last = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        steps[name] = now - last
        last = now

    log = read_log(LOG)
    lap("read")
    fits = fit_service_times(log["handling_time"].dropna().to_numpy())
    patience = fit_patience(log["wait"].to_numpy(), log["abandoned"].to_numpy())
    kaplan_meier(log["wait"].to_numpy(), log["abandoned"].to_numpy())
    lap("fit")
    history = demand_history(log["arrival"])
    test = backtest(history, 4)
    fc = forecast(history, 14)
    lap("forecast")
    return {
        "calls": len(log), "days": len(history.dates), "intervals": history.n_intervals, "steps": steps,
        "total_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu,
        "family": fits[0].family, "patience_mean": patience.mean,
        "wape_week": test.wape_week, "coverage": test.coverage, "forecast_calls": float(fc.expected.sum()),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one timed run, no untimed one first")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (the best is kept)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON")
    args = parser.parse_args(argv)
    cold = once()
    runs = [] if args.quick else [once() for _ in range(args.repeats)]
    best = min(runs or [cold], key=lambda r: r["total_s"])
    print(f"{best['calls']:,} calls, {best['days']} days x {best['intervals']} intervals; best fits "
          f"{best['family']}, patience {best['patience_mean']:.3f} min, back-test weekly WAPE "
          f"{best['wape_week']:.1%}, coverage {best['coverage']:.1%}")  # fmt: skip
    print(f"first run (with imports): {cold['total_s']:.2f} s (CPU {cold['cpu_s']:.2f} s)")
    print(f"best of {len(runs) or 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in best["steps"].items())
          + f"; total {best['total_s']:.2f} s (CPU {best['cpu_s']:.2f} s)")  # fmt: skip
    ok = cold["total_s"] < TARGET_S
    print(f"target: fit + forecast in < {TARGET_S:g} s (first run, imports included): {'PASS' if ok else 'FAIL'}")
    if args.out:
        args.out.write_text(json.dumps({"cold": cold, "runs": runs}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
