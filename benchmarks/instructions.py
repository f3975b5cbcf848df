"""The quality layer's cost in instructions executed: exact, and immune to a busy machine.

Wall time on a shared machine varies by tens of percent from run to run; the number of
instructions a run executes does not. This counts them with Valgrind's ``callgrind``
(``apt-get install valgrind``) for the M/M/10+M model of :mod:`benchmarks.run`: plain,
with the quality layer, and with judgement only. Each model also runs on a few
customers, and that count (imports, set-up, KPI tables) is subtracted, so the figures
are instructions per customer simulated::

    python -m benchmarks.instructions                  # 50,000 customers (~3 minutes on 2 cores)
    python -m benchmarks.instructions --customers 100000
    python -m benchmarks.instructions --case congested --case "bank branch"
    python -m benchmarks.instructions --case network --customers 20000   # simsvc, SimPy and Ciw

It complements the wall-time target (``python -m benchmarks.run --only quality``): a
change that lowers the instruction ratio lowers the work; whether the time follows
depends on the caches and the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_QUEUE = "from benchmarks import simsvc_model as m; m.{}(9.5, 1.0, 10, {{n}}, 1, patience_mean=5.0)"
_NETWORK = "from benchmarks import {} as m; from benchmarks.network_spec import BRANCH; m.run(BRANCH, {{n}}, 1, 20)"
CASES = {
    "M/M/10+M": {
        "simsvc": _QUEUE.format("run"), "simsvc + quality": _QUEUE.format("run_with_quality"),
        "simsvc + judgement only": _QUEUE.format("run_judgement_only"),
    },
    "congested": {
        "simsvc": _QUEUE.format("run_congested"), "simsvc + quality": _QUEUE.format("run_congested_with_quality"),
    },
    "bank branch": {"simsvc": _QUEUE.format("run_bank"), "simsvc + quality": _QUEUE.format("run_bank_with_quality")},
    "network": {
        "simsvc": _NETWORK.format("simsvc_network"), "SimPy": _NETWORK.format("simpy_network"),
        "Ciw": _NETWORK.format("ciw_network"),
    },
}  # fmt: skip
"""The models counted per case (code run in a fresh process, ``{n}`` customers): M/M/10+M (the
wall-time target's), M/M/10 at load 0.97 with most customers dissatisfied, the bank branch
(:mod:`benchmarks.simsvc_model`), and the 3-station network (:mod:`benchmarks.network`)."""
BASELINE_CUSTOMERS = 2_000


def instructions(model: str, n: int) -> int:
    """Instructions executed by a fresh Python process running ``model`` (a case's code) on ``n`` customers."""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); " + model.format(n=n)
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code]
    env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    match = re.search(r"Collected : (\d+)", done.stderr)
    if match is None:
        raise RuntimeError(f"no instruction count in callgrind's output:\n{done.stderr[-2000:]}")
    return int(match.group(1))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--customers", type=int, default=50_000, help="customers per counted run")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs at a time")
    p.add_argument("--case", action="append", choices=list(CASES), help="repeatable; default: M/M/10+M")
    args = p.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    runs = [(case, name, n) for case in args.case or ["M/M/10+M"] for name in CASES[case]
            for n in (BASELINE_CUSTOMERS, args.customers)]  # fmt: skip
    with ThreadPoolExecutor(args.jobs) as pool:
        counts = dict(zip(runs, pool.map(lambda r: instructions(CASES[r[0]][r[1]], r[2]), runs), strict=True))
    for case in args.case or ["M/M/10+M"]:
        per_customer = {
            name: (counts[case, name, args.customers] - counts[case, name, BASELINE_CUSTOMERS])
            / (args.customers - BASELINE_CUSTOMERS)
            for name in CASES[case]
        }
        plain = per_customer["simsvc"]  # the reference: others' ratios are to simsvc's count
        print(f"{case}, {args.customers:,} customers minus {BASELINE_CUSTOMERS:,} (callgrind, PYTHONHASHSEED=0)")
        print(f"  {'model':<24} {'instructions/customer':>22} {'vs simsvc':>9}")
        for name, value in per_customer.items():
            print(f"  {name:<24} {value:>22,.0f} {value / plain:>8.3f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
