"""How fast the app answers: the app's own run function, on the teaching scenario and on every bundled one.

Run from the repository root::

    python -m benchmarks.app              # 7 timed runs of each (about a minute)
    python -m benchmarks.app --runs 3 --check
    python -m benchmarks.app --scenarios teaching bank_branch --lessons 1-staff-and-waits

What is timed: what the page does between pressing Run and showing the results, without the
browser: :func:`simsvc.app.core.run_setting` (apply the sliders, simulate with the app's default
replications and records kept) and the charts' data and Vega-Lite specs
(:func:`simsvc.app.charts.run_tables`, :func:`simsvc.app.charts.run_charts`, ``to_dict``).

1. ``scenarios/teaching.yaml`` at its own settings, against ``simsvc.simulate`` of the same scenario
   with its defaults (its own replications, no charts), interleaved; target: the app's median ≤ 3 s.
2. Every bundled scenario (or those named) at its own settings: Run to results, a second Run of the
   same setting (the session's cache: nothing simulated) and a change of language (charts rebuilt
   from the kept data); target: Run to results ≤ 2 s each.
3. Every bundled lesson: Run to results with its settings A and B (both simulated, a new session,
   side by side as the page does: :mod:`simsvc.app.side_by_side`) and the charts of both; target
   ≤ 2 s each.

One untimed call first (imports, Vega-Lite's schema, caches), medians printed. The exit code is
0 whatever the figures, unless ``--check`` is given: then 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: python benchmarks/app.py
    sys.path.insert(0, str(ROOT))

import simsvc  # noqa: E402
from simsvc.app import charts, core, lessons, runs  # noqa: E402

TARGET_SECONDS = 3.0
"""The teaching scenario's run (part 1)."""
RESULTS_SECONDS = 2.0
"""Run to results for each bundled scenario (part 2; issue 17)."""


def _timed(fn) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _charts(run: core.AppRun, lang: str) -> int:
    """Build the run's charts as the page does (data kept on the run), specs validated; return how many."""
    if not run.tables:
        run.tables = charts.run_tables(run.result)
    drawn = charts.run_charts({"A": run.tables}, run.scenario.targets, lang)
    for chart in drawn.values():
        chart.to_dict()
    return len(drawn)


def _teaching(args) -> bool:
    scenario = simsvc.load_scenario(ROOT / "scenarios" / "teaching.yaml")
    setting = core.default_setting(scenario)

    def app_run():
        return _charts(core.run_setting(scenario, setting, args.lang), args.lang)

    def reference():
        return simsvc.simulate(scenario).summary()

    count = app_run()
    reference()  # untimed: first-call imports, schema loading
    app_times, ref_times = [], []
    for _ in range(args.runs):
        app_times.append(_timed(app_run))
        ref_times.append(_timed(reference))
    app, ref = statistics.median(app_times), statistics.median(ref_times)
    print(f"teaching scenario, {args.runs} timed runs each (median; min–max)")
    print(f"  app run_setting ({setting.replications} replications, records, {count} charts): "
          f"{app:.2f} s ({min(app_times):.2f}–{max(app_times):.2f})")  # fmt: skip
    print(f"  simsvc.simulate, defaults ({scenario.simulation.replications} replications, no charts): "
          f"{ref:.2f} s ({min(ref_times):.2f}–{max(ref_times):.2f})")  # fmt: skip
    print(f"  ratio app / simulate: {app / ref:.1f}×")
    ok = app <= TARGET_SECONDS
    print(f"target: app run ≤ {TARGET_SECONDS:g} s: {'PASS' if ok else 'FAIL'}")
    return ok


def _one_scenario(name: str, path: Path, runs_: int, lang: str) -> tuple[list[float], list[float], list[float], int]:
    """Times of Run to results, of a second Run of the same setting and of a change of language; customers."""
    scenario = simsvc.load_scenario(path)
    setting = core.default_setting(scenario)
    other = "zh" if lang == "en" else "en"
    times, again, relabel = [], [], []
    kept: list[core.AppRun] = []
    for _ in range(runs_):
        cache = runs.RunCache()  # a new session: nothing kept

        def press(cache=cache):
            done, _ = cache.run(name, scenario, setting, lang, path.parent)
            _charts(done, lang)
            kept[:] = [done]

        times.append(_timed(press))
        again.append(_timed(press))  # the same setting: the session's cache answers
        relabel.append(_timed(lambda: _charts(kept[0], other)))
        assert cache.simulations == 1, "a second Run of the same setting simulated again"
    result = kept[0].result
    return times, again, relabel, len(result.customers) // max(1, result.replications)


def _scenarios(args) -> bool:
    files = core.bundled_scenarios()
    print(f"\nRun to results, every bundled scenario at its own settings, {core.DEFAULT_REPLICATIONS} replications "
          f"({args.runs} timed runs, median; min–max)")  # fmt: skip
    print(f"  {'scenario':24} {'customers':>9} {'Run to results':>20} {'Run again':>10} {'language':>9}  target")
    ok = True
    for name in args.scenarios or list(files):
        times, again, relabel, customers = _one_scenario(name, files[name], args.runs, args.lang)
        t = statistics.median(times)
        passed = t <= RESULTS_SECONDS
        ok &= passed
        span = f"{t:.2f} s ({min(times):.2f}–{max(times):.2f})"
        print(f"  {name:24} {customers:>9,} {span:>20} {statistics.median(again):>8.3f} s "
              f"{statistics.median(relabel):>7.2f} s  {'PASS' if passed else 'FAIL'}")  # fmt: skip
    print(f"target: Run to results ≤ {RESULTS_SECONDS:g} s for every scenario: {'PASS' if ok else 'FAIL'}")
    print("  (customers: per replication; Run again: the same setting, from the cache; language: charts rebuilt)")
    return ok


def _lessons(args) -> bool:
    """Run to results of every lesson: A and B simulated in a new session, then both settings' charts."""
    files = core.bundled_scenarios()
    print(f"\nRun to results, every bundled lesson (A and B, {core.DEFAULT_REPLICATIONS} replications each; "
          f"{args.runs} timed runs, median; min–max)")  # fmt: skip
    ok = True
    for name, lesson in lessons.bundled_lessons().items():
        if args.lessons is not None and name not in args.lessons:
            continue
        path = files[lesson.scenario]
        scenario = simsvc.load_scenario(path)
        a, b = lessons.lesson_settings(lesson, scenario)

        def press(scenario=scenario, a=a, b=b, path=path, key=lesson.scenario):
            cache = runs.RunCache()
            made = cache.run_many(key, scenario, {"A": a, "B": b}, args.lang, path.parent)  # side by side, as the page
            done = {label: run for label, (run, _) in made.items()}
            for run in done.values():
                if not run.tables:
                    run.tables = charts.run_tables(run.result)
            drawn = charts.run_charts({k: r.tables for k, r in done.items()}, scenario.targets, args.lang)
            for chart in drawn.values():
                chart.to_dict()

        times = [_timed(press) for _ in range(args.runs)]
        t = statistics.median(times)
        passed = t <= RESULTS_SECONDS
        ok &= passed
        print(f"  {name:30} {lesson.scenario:24} {t:.2f} s ({min(times):.2f}–{max(times):.2f})  "
              f"{'PASS' if passed else 'FAIL'}")  # fmt: skip
    print(f"target: Run to results ≤ {RESULTS_SECONDS:g} s for every lesson: {'PASS' if ok else 'FAIL'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (default 7)")
    parser.add_argument("--lang", choices=["en", "zh"], default="en")
    parser.add_argument("--scenarios", nargs="*", metavar="NAME", help="bundled scenarios to time (default all)")
    parser.add_argument("--lessons", nargs="*", metavar="NAME", help="bundled lessons to time (default all)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    from simsvc.app import side_by_side

    side_by_side.start()  # as the app's server does before its first page
    ok = _teaching(args)
    ok &= _scenarios(args)
    ok &= _lessons(args)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
