"""How fast the app answers: a run of the bundled teaching scenario from the app's own run function.

Run from the repository root::

    python -m benchmarks.app              # 7 timed runs of each (about 30 s)
    python -m benchmarks.app --runs 3 --check

What is timed: :func:`simsvc.app.core.run_setting`, the code path of the app's Run button
(apply the sliders, simulate with the app's default replications and records kept, draw the
app's figures as PNG), on ``scenarios/teaching.yaml`` at its own settings. Reference, in the
same process: ``simsvc.simulate`` of the same scenario with its default settings (its own
replications, no figures). One untimed call of each first (imports, font loading, caches),
then the two interleaved; medians printed. Target: the app's median ≤ 3 s. The exit code is
0 whatever the figures, unless ``--check`` is given: then 1 when the target is missed.
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
from simsvc.app import core  # noqa: E402

TARGET_SECONDS = 3.0


def _timed(fn) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (default 7)")
    parser.add_argument("--lang", choices=["en", "zh"], default="en")
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args(argv)

    scenario = simsvc.load_scenario(ROOT / "scenarios" / "teaching.yaml")
    setting = core.default_setting(scenario)

    def app_run():
        return core.run_setting(scenario, setting, args.lang)

    def reference():
        return simsvc.simulate(scenario).summary()

    app_run(), reference()  # untimed: first-call imports, font registration
    app_times, ref_times = [], []
    for _ in range(args.runs):
        app_times.append(_timed(app_run))
        ref_times.append(_timed(reference))
    app, ref = statistics.median(app_times), statistics.median(ref_times)
    parts = core.run_setting(scenario, setting, args.lang)
    print(f"teaching scenario, {args.runs} timed runs each (median; min–max)")
    print(f"  app run_setting ({setting.replications} replications, records, {len(parts.figures)} figures): "
          f"{app:.2f} s ({min(app_times):.2f}–{max(app_times):.2f})")  # fmt: skip
    print(f"  simsvc.simulate, defaults ({scenario.simulation.replications} replications, no figures): "
          f"{ref:.2f} s ({min(ref_times):.2f}–{max(ref_times):.2f})")  # fmt: skip
    print(f"  ratio app / simulate: {app / ref:.1f}×")
    ok = app <= TARGET_SECONDS
    print(f"target: app run ≤ {TARGET_SECONDS:g} s: {'PASS' if ok else 'FAIL'}")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
