"""Benchmark: a 3-station network with probabilistic routing and feedback, SimPy and Ciw.

Run from the repository root::

    python -m benchmarks.network                    # 10^6 customers each (a few minutes)
    python -m benchmarks.network --quick            # 20,000 customers each (seconds)
    python -m benchmarks.network --customers 200000 --ciw-customers 100000 --out net.json

The network (:data:`benchmarks.network_spec.BRANCH`): greeter (2 servers) -> counter (5) ->
30 % to an advisor (2), 5 % back to the counter, the rest leave; loads 0.83-0.88.  Each
reference simulates N external arrivals (SimPy: until all have left; Ciw: until N have
completed their journey); reported: wall and CPU time, customers per second (of each), the mean
wait per station with its 95 % batch-means interval (20 batches by order of arrival, the first dropped
as warm-up), visits per customer and the mean time in the network, next to the Jackson
product-form values of :mod:`simsvc.queueing_network`.  A value more than 3 standard errors
from Jackson's is flagged.  simsvc runs the same network as a scenario with one journey
(:mod:`benchmarks.simsvc_network`), on the engine ``simulate`` picks by default (the compiled
kernel where numba is installed) and on its SimPy engine.  ``--check``: exit 1 when a model disagrees with Jackson,
or when a speed target (customers per CPU second) is missed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: python benchmarks/network.py
    sys.path.insert(0, str(ROOT))

from benchmarks import simpy_network, simsvc_network  # noqa: E402
from benchmarks.network_spec import BRANCH, Network, NetworkRun, estimate  # noqa: E402
from benchmarks.run import _table, machine  # noqa: E402

FULL = {"customers": 1_000_000, "ciw_customers": 1_000_000}
QUICK = {"customers": 20_000, "ciw_customers": 20_000}
BATCHES = 20
WARMUP_CUSTOMERS = 1_000  # untimed run of each model first
TARGETS = {"simsvc_vs_simpy": 1.5, "simsvc_vs_ciw": 3.0}  # customers per CPU second, ratios (issue 13)
Z95 = 1.96  # only for turning the printed 95 % half-widths back into standard errors


def run_simsvc(net: Network, n_customers: int, seed: int, batches: int) -> NetworkRun | None:
    """simsvc on ``net`` as ``simulate`` runs it by default (the compiled kernel where numba is installed)."""
    return simsvc_network.run(net, n_customers, seed, batches)


def run_simsvc_simpy(net: Network, n_customers: int, seed: int, batches: int) -> NetworkRun | None:
    """simsvc on ``net`` on its SimPy engine (the reference model the kernel is proven identical to)."""
    return simsvc_network.run(net, n_customers, seed, batches, engine="simpy")


def _ciw_run() -> Callable[..., NetworkRun] | None:
    try:
        from benchmarks import ciw_network
    except ImportError:  # Ciw is in the [bench] and [test] extras
        return None
    return ciw_network.run


def timed(fn: Callable[..., NetworkRun | None], n: int, seed: int) -> dict | None:
    """One untimed warm-up run, then the timed run; None when the model is not available."""
    if fn(BRANCH, WARMUP_CUSTOMERS, seed, BATCHES) is None:
        return None
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    run = fn(BRANCH, n, seed, BATCHES)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"customers": n, "seconds": seconds, "cpu_seconds": cpu, "throughput": n / seconds,
            "estimate": estimate(run), **run.extra}  # fmt: skip


def _exact() -> dict:
    j = BRANCH.jackson()
    return {
        "stations": {s["name"]: {"mean_wait": s["mean_wait"], "visits": s["visits"], "occupancy": s["occupancy"],
                                 "arrival_rate": s["arrival_rate"]} for s in j["stations"]},
        "sojourn": j["mean_sojourn"],
    }  # fmt: skip


def _cell(value: tuple[float, float], exact: float, digits: int) -> tuple[str, bool]:
    mean, half = value
    se = half / Z95
    ok = abs(mean - exact) <= 3 * se if se > 0 else abs(mean - exact) <= 1e-12
    off = (mean - exact) / se if se > 0 else 0.0
    return f"{mean:.{digits}f} ± {half:.{digits}f} ({off:+.1f} SE)", ok


def agreement(results: dict, exact: dict) -> list[list[str]]:
    """Rows of the comparison table; sets ``results[model]["agrees"]``."""
    models = [m for m, r in results.items() if r is not None]
    rows = []
    quantities = [(f"{s} mean wait (min)", ("stations", s, "mean_wait"), 3) for s in BRANCH.names]
    quantities += [(f"{s} visits per customer", ("stations", s, "visits"), 4) for s in BRANCH.names]
    quantities += [("time in the network (min)", ("sojourn",), 3)]
    for model in models:
        results[model]["agrees"] = True
    for label, path, digits in quantities:
        ref = exact
        for key in path:
            ref = ref[key]
        row = [label, f"{ref:.{digits}f}"]
        for model in models:
            value = results[model]["estimate"]
            for key in path:
                value = value[key]
            text, ok = _cell(value, ref, digits)
            results[model]["agrees"] &= ok
            row.append(text + ("" if ok else "  <-- off"))
        rows.append(row)
    return rows


def _per_cpu(run: dict) -> float:
    return run["customers"] / run["cpu_seconds"]


def targets(results: dict) -> list[dict]:
    """Ratios of customers per CPU second, simsvc against each reference (n/a when one is missing).

    CPU time rather than wall time: the machine is shared, and CPU time is what a model costs."""
    out = []
    for model in ("simsvc", "simsvc SimPy engine"):
        for key, ref in (("simsvc_vs_simpy", "SimPy"), ("simsvc_vs_ciw", "Ciw")):
            have = results.get(model) is not None and results.get(ref) is not None
            value = _per_cpu(results[model]) / _per_cpu(results[ref]) if have else None
            passed = None if value is None else value >= TARGETS[key]
            name = f"throughput {model} / {ref}"
            out.append({"name": name, "target": TARGETS[key], "value": value, "pass": passed, "model": model})
    return out


def report(results: dict, goals: list[dict], exact: dict, info: dict) -> str:
    lines = [
        f"machine: {info['platform']}, {info['cpus']} CPUs; Python {info['python']}, "
        f"SimPy {info['simpy']}, Ciw {info['ciw']}; load average at the start {info['load_average']:.1f}",
        "network (benchmarks/network_spec.py BRANCH): "
        + ", ".join(
            f"{s} {c} servers, load {exact['stations'][s]['occupancy']:.3f}"
            for s, c in zip(BRANCH.names, BRANCH.servers, strict=True)
        )
        + f"; {60 * sum(BRANCH.external):g} arrivals an hour",
        "",
    ]
    speed = []
    for model, r in results.items():
        if r is None:
            why = "not installed"
            speed.append([model, "-", "-", "-", "-", "-", why])
        else:
            note = f"engine: {r['engine']}" if "engine" in r else ""
            speed.append([model, f"{r['customers']:,}", f"{r['seconds']:.1f}", f"{r['cpu_seconds']:.1f}",
                          f"{r['throughput']:,.0f}", f"{r['customers'] / r['cpu_seconds']:,.0f}", note])  # fmt: skip
    header = ["model", "customers", "wall s", "CPU s", "customers/s", "per CPU s", ""]
    lines += [_table(header, speed), ""]
    header = ["95 % batch means", "Jackson"] + [m for m, r in results.items() if r is not None]
    lines += [_table(header, agreement(results, exact)), ""]
    lines.append("targets (customers per CPU second, ratios in the same run):")
    for t in goals:
        verdict = "n/a" if t["pass"] is None else ("PASS" if t["pass"] else "FAIL")
        value = "-" if t["value"] is None else f"{t['value']:.2f}x"
        lines.append(f"  {t['name']:<41} >= {t['target']:.1f}x  {value:>7}  {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="20,000 customers each (seconds)")
    p.add_argument("--customers", type=int, help="external arrivals per SimPy (and simsvc) run")
    p.add_argument("--ciw-customers", type=int, help="customers per Ciw run")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, help="write the results as JSON to this file")
    p.add_argument("--check", action="store_true", help="exit 1 if a reference disagrees or a target is missed")
    args = p.parse_args(argv)
    cfg = dict(QUICK if args.quick else FULL)
    cfg.update({k: v for k in cfg if (v := getattr(args, k)) is not None})
    info = {**machine(), "load_average": os.getloadavg()[0]}
    results: dict = {}
    runs = (("simsvc", run_simsvc, cfg["customers"]), ("simsvc SimPy engine", run_simsvc_simpy, cfg["customers"]),
            ("SimPy", simpy_network.run, cfg["customers"]), ("Ciw", _ciw_run(), cfg["ciw_customers"]))  # fmt: skip
    for name, fn, n in runs:
        print(f"  {name}: {n:,} customers ...", file=sys.stderr, flush=True)
        results[name] = None if fn is None else timed(fn, n, args.seed)
    exact = _exact()
    goals = targets(results)
    print(report(results, goals, exact, info), flush=True)
    out = {"mode": "quick" if args.quick else "full", "config": cfg, "machine": info, "jackson": exact,
           "models": results, "targets": goals}  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(out, indent=2) + "\n")
    disagree = any(r is not None and not r["agrees"] for r in out["models"].values())
    return 1 if args.check and (disagree or any(t["pass"] is False for t in out["targets"])) else 0


if __name__ == "__main__":
    sys.exit(main())
