"""Benchmark simsvc against a minimal SimPy model and Ciw on the same M/M/c queue.

Run from the repository root::

    python -m benchmarks.run                 # full run (a few minutes on 2 cores)
    python -m benchmarks.run --quick         # smoke version (seconds), used by the tests
    python -m benchmarks.run --out bench.json --check
    python -m benchmarks.run --only quality  # one section (repeatable: mmc, abandonment, quality, loyalty, memory)

What is measured (see README.md): wall time of each model, in one process, interleaved
(simsvc, SimPy, Ciw, simsvc, SimPy, Ciw, ...) with the best of ``--repeats`` runs kept;
throughput is customers per second of that best run. Peak memory of a long simsvc run
is measured in a fresh subprocess (its peak RSS, ``RUSAGE_CHILDREN`` read by a small
launcher process), next to the peak of a subprocess that only imports simsvc.

The exit code is 0 whatever the figures, unless ``--check`` is given: then 1 when a
target is missed. Ciw is optional (``pip install -e ".[bench]"``): without it, its row
and target are skipped.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: python benchmarks/run.py
    sys.path.insert(0, str(ROOT))

from benchmarks import minimal_simpy, simsvc_model  # noqa: E402
from simsvc.queueing import erlang_a_metrics, mmc_metrics  # noqa: E402

# The model: M/M/10 at load 0.95 (rates per minute).
ARRIVAL_RATE, SERVICE_RATE, SERVERS = 9.5, 1.0, 10
PATIENCE_MEAN = 5.0  # minutes, for the abandonment comparison

# Sanity check of the mean waits. At load 0.95 the queue forgets its state only over
# ~150 minutes, so a mean wait over N customers is noisy: its relative standard error
# is about C / sqrt(N), with C measured from 30 simsvc replications of 100k customers
# (C ~ 40 for M/M/10, ~ 9 for M/M/10+M; a run starting empty is also biased low by a
# few % at 100k customers). A mean wait within 3 standard errors of the exact value
# is "ok".
REL_SE_CONSTANT = {"mmc": 40.0, "abandonment": 9.0}

WARMUP_CUSTOMERS = 1_000  # untimed run of each model before the timed ones

TARGETS = {
    "simsvc_vs_simpy": 1.5,  # throughput ratio, M/M/10
    "simsvc_vs_ciw": 3.0,  # throughput ratio, M/M/10
    "simsvc_vs_simpy_abandonment": 1.2,  # throughput ratio, M/M/10+M
    "peak_rss_mb": 300.0,  # simsvc, --memory-customers with keep_records False
    "quality_slowdown": 1.3,  # time with the quality layer / without, M/M/10+M (at most)
    "loyalty_slowdown": 1.5,  # time per customer with quality and loyalty / plain, 8 days of M/M/10 (at most)
}

SECTIONS = ("mmc", "abandonment", "quality", "quality_cases", "loyalty", "memory")
"""What ``--only`` can select: M/M/10, M/M/10+M, the quality layer's cost (and on a congested queue
and the bank branch), loyalty's, peak memory."""

FULL = {"customers": 500_000, "ciw_customers": 100_000, "memory_customers": 5_000_000, "repeats": 3}
QUICK = {"customers": 20_000, "ciw_customers": 10_000, "memory_customers": 20_000, "repeats": 1}

MODELS: dict[str, Callable[..., dict]] = {
    "simsvc": simsvc_model.run,
    "simsvc + quality": simsvc_model.run_with_quality,
    "simsvc + judgement only": simsvc_model.run_judgement_only,
    "simsvc, 8 days": simsvc_model.run_days,
    "simsvc + quality, 8 days": simsvc_model.run_days_with_quality,
    "simsvc + quality + loyalty, 8 days": simsvc_model.run_days_with_loyalty,
    "congested": simsvc_model.run_congested,
    "congested + quality": simsvc_model.run_congested_with_quality,
    "bank branch": simsvc_model.run_bank,
    "bank branch + quality": simsvc_model.run_bank_with_quality,
    "SimPy (minimal)": minimal_simpy.run,
}
try:
    from benchmarks import ciw_model

    MODELS["Ciw"] = ciw_model.run
except ImportError:  # Ciw is an optional extra: pip install -e ".[bench]"
    pass


# ----------------------------------------------------------------------------- timing
def _timed(fn: Callable[..., dict], n: int, seed: int, patience: float | None) -> tuple[float, float, dict]:
    """Wall and CPU seconds of one run, and its output."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    out = fn(ARRIVAL_RATE, SERVICE_RATE, SERVERS, n, seed, patience_mean=patience)
    return time.perf_counter() - start, time.process_time() - cpu, out


def compare(
    entries: list[tuple[str, int]],
    repeats: int,
    seed: int,
    patience: float | None,
    log: Callable[[str], None],
) -> dict[str, dict]:
    """Time each ``(model, customers)`` ``repeats`` times, interleaved; keep every time.

    Each model first runs once on a few customers, untimed, so that one-off costs (lazy
    imports, first-call caches) are not charged to the first timed run.
    """
    for name, _ in entries:
        _timed(MODELS[name], WARMUP_CUSTOMERS, seed, patience)
    results: dict[str, dict] = {
        name: {"customers": n, "seconds": [], "cpu_seconds": [], "runs": []} for name, n in entries
    }
    for rep in range(repeats):
        for name, n in entries:
            seconds, cpu, out = _timed(MODELS[name], n, seed, patience)
            results[name]["seconds"].append(seconds)
            results[name]["cpu_seconds"].append(cpu)
            results[name]["runs"].append(out)
            log(f"  run {rep + 1}/{repeats}  {name:<16} {n:>9,} customers  {seconds:8.2f} s  (CPU {cpu:.2f} s)")
    for r in results.values():
        best = min(r["seconds"])
        out = r["runs"][r["seconds"].index(best)]
        r.update(
            best_s=best,
            best_cpu_s=min(r["cpu_seconds"]),
            median_s=statistics.median(r["seconds"]),
            simulated=out["customers"],
            throughput=out["customers"] / best,
            mean_wait=out["mean_wait"],
            abandoned_share=out["abandoned"] / out["customers"] if out["customers"] else float("nan"),
            **{k: out[k] for k in ("dissatisfied_share", "complaint_rate") if k in out},
        )
        del r["runs"]
    return results


# ----------------------------------------------------------------------------- memory
_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
import simsvc
n = {n}
simulated, seconds = 0, 0.0
if n:
    from benchmarks import simsvc_model
    t = time.perf_counter()
    simulated = simsvc_model.run({lam}, {mu}, {c}, n, {seed}, engine={engine!r})["customers"]
    seconds = time.perf_counter() - t
hwm = float("nan")
try:  # Linux: this process's own high-water mark, a cross-check of the launcher's figure
    with open("/proc/self/status") as f:
        hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
print(simulated, seconds, hwm)
"""

# A small launcher runs the child and reads RUSAGE_CHILDREN. The benchmark process
# cannot read the child's peak itself: on Linux a process's ru_maxrss survives exec,
# so a child forked from this (large) process would report this process's RSS.
_LAUNCHER = """
import resource, subprocess, sys
out = subprocess.run(sys.argv[1:], check=True, stdout=subprocess.PIPE, text=True).stdout
print(out.strip(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_rss(n: int, seed: int, engine: str = "simpy") -> dict:
    """Peak RSS (MiB) of a fresh interpreter that imports simsvc and simulates ``n`` customers."""
    code = _CHILD.format(root=str(ROOT), n=n, lam=ARRIVAL_RATE, mu=SERVICE_RATE, c=SERVERS, seed=seed, engine=engine)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, sys.executable, "-c", code],
        check=True, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - start
    simulated, seconds, hwm_kib, maxrss = proc.stdout.split()
    scale = 1.0 if sys.platform == "darwin" else 1024.0  # ru_maxrss: bytes on macOS, KiB elsewhere
    out = {
        "customers": n,
        "peak_rss_mb": int(maxrss) * scale / 2**20,
        "vm_hwm_mb": float(hwm_kib) / 1024,
        "wall_s": wall,
    }
    if n:
        simulated_n, simulate_s = int(simulated), float(seconds)
        out.update(simulated=simulated_n, simulate_s=simulate_s, throughput=simulated_n / simulate_s)
    return out


# ----------------------------------------------------------------------------- report
def _version(pkg: str) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "?"


def machine() -> dict:
    return {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        **{pkg: _version(pkg) for pkg in ("simsvc", "simpy", "ciw", "numpy", "pandas")},
    }


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [_row(header, widths), _row(["-" * w for w in widths], widths)]
    lines += [_row(r, widths) for r in rows]
    return "\n".join("  " + line for line in lines)


def _model_rows(results: dict[str, dict], exact: float, constant: float) -> list[list[str]]:
    rows = []
    for name, r in results.items():
        dev = r["mean_wait"] / exact - 1.0
        tolerance = 3.0 * constant / r["simulated"] ** 0.5
        r["sanity"] = {"exact": exact, "deviation": dev, "tolerance": tolerance, "ok": abs(dev) <= tolerance}
        rows.append(
            [
                name,
                f"{r['simulated']:,}",
                f"{r['best_s']:.2f}",
                f"{r['median_s']:.2f}",
                f"{r['throughput']:,.0f}",
                f"{r['mean_wait']:.3f}",
                f"{dev:+.1%}",
                f"{tolerance:.0%}",
                "ok" if abs(dev) <= tolerance else "CHECK",
            ]
        )
    return rows


def targets(
    mmc: dict, ab: dict, memory: dict | None, quality: dict | None = None, loyalty: dict | None = None,
    cases: dict | None = None,
) -> list[dict]:
    """The targets with the measured figures and PASS (True) or FAIL (False); sections not run are left out."""
    checks: list[tuple[str, float | None, str]] = []
    if mmc:
        simsvc_mmc = mmc["simsvc"]["throughput"]
        checks += [
            ("throughput simsvc / SimPy, M/M/10", simsvc_mmc / mmc["SimPy (minimal)"]["throughput"],
             "simsvc_vs_simpy"),
            ("throughput simsvc / Ciw, M/M/10", simsvc_mmc / mmc["Ciw"]["throughput"] if "Ciw" in mmc else None,
             "simsvc_vs_ciw"),
        ]  # fmt: skip
    if ab:
        checks.append(
            ("throughput simsvc / SimPy, M/M/10+M", ab["simsvc"]["throughput"] / ab["SimPy (minimal)"]["throughput"],
             "simsvc_vs_simpy_abandonment")
        )  # fmt: skip
    if quality:
        slowdown = quality["simsvc"]["throughput"] / quality["simsvc + quality"]["throughput"]
        checks.append(("time with / without the quality layer, M/M/10+M", slowdown, "quality_slowdown"))
        judging = quality["simsvc"]["throughput"] / quality["simsvc + judgement only"]["throughput"]
        checks.append(("  the same, judgement only (no complaints)", judging, "quality_slowdown"))
    for case, label in (("congested", "M/M/10 at load 0.97, most dissatisfied"), ("bank branch", "bank branch")):
        if cases and case in cases:
            per_customer = cases[f"{case} + quality"]["best_cpu_s"] / cases[f"{case} + quality"]["simulated"]
            plain_per_customer = cases[case]["best_cpu_s"] / cases[case]["simulated"]
            checks.append((f"CPU per customer with / without quality, {label}", per_customer / plain_per_customer,
                           "quality_slowdown"))  # fmt: skip
    if loyalty:
        plain = loyalty["simsvc, 8 days"]["throughput"]
        checks.append(("time per customer with quality + loyalty / plain, 8 days M/M/10",
                       plain / loyalty["simsvc + quality + loyalty, 8 days"]["throughput"], "loyalty_slowdown"))
        checks.append(("  the same, quality without loyalty (the default)",
                       plain / loyalty["simsvc + quality, 8 days"]["throughput"], "loyalty_slowdown"))  # fmt: skip
    if memory:
        n_mem = memory["run"]["customers"]
        checks.append((f"peak RSS, simsvc {n_mem:,} customers", memory["run"]["peak_rss_mb"], "peak_rss_mb"))
    verdicts = []
    for name, value, key in checks:
        target = TARGETS[key]
        unit = "MB" if key == "peak_rss_mb" else "x"
        at_most = key in ("peak_rss_mb", "quality_slowdown", "loyalty_slowdown")
        ok = None if value is None else (value <= target if at_most else value >= target)
        verdicts.append({"name": name, "value": value, "target": target, "unit": unit, "pass": ok, "at_most": at_most})
    return verdicts


def _cpu_table(section: dict, plain: str, per_customer: bool = False) -> str:
    """A section's models: times, throughput and CPU time against the plain model's (per customer if asked)."""
    ref = section[plain]

    def per(r: dict) -> float:
        return r["best_cpu_s"] / r["simulated"] if per_customer else r["best_cpu_s"]

    rows = [
        [name, f"{r['simulated']:,}", f"{r['best_s']:.2f}", f"{r['median_s']:.2f}", f"{r['throughput']:,.0f}",
         f"{r['best_cpu_s']:.2f}", f"{per(r) / per(ref):.2f} x"]
        for name, r in section.items()
    ]  # fmt: skip
    vs = "CPU/customer vs plain" if per_customer else "CPU vs plain"
    return _table(["model", "customers", "best s", "median s", "customers/s", "best CPU s", vs], rows)


def report(results: dict) -> str:
    """The printed table."""
    info, cfg, exact = results["machine"], results["config"], results["exact"]
    mmc, ab, memory = results["mmc"], results["abandonment"], results["memory"]
    n, n_ciw = cfg["customers"], cfg["ciw_customers"]
    quick = results["mode"] == "quick"
    header = ["model", "customers", "best s", "median s", "customers/s"]
    header += ["mean wait", "vs exact", "3 SE", "sanity"]
    out = [
        f"simsvc benchmarks ({'QUICK smoke run' if quick else 'full run'}), {info['date']}",
        f"machine: {info['platform']}, {info['cpus']} CPUs; Python {info['python']}, "
        f"simsvc {info['simsvc']}, SimPy {info['simpy']}, Ciw {info['ciw']}, "
        f"NumPy {info['numpy']}, pandas {info['pandas']}",
        f"wall time: best of {cfg['repeats']} interleaved run(s) per model, in one process",
        "",
    ]
    if mmc:
        out += [
            f"M/M/10, load 0.95 (lambda={ARRIVAL_RATE}/min, mu={SERVICE_RATE}/min); "
            f"Erlang C mean wait {exact['erlang_c_mean_wait']:.4f} min",
            _table(header, _model_rows(mmc, exact["erlang_c_mean_wait"], REL_SE_CONSTANT["mmc"])),
        ]
        if "Ciw" not in mmc:
            out.append('  (Ciw is not installed, so it was not run: pip install -e ".[bench]")')
        elif n_ciw != n:
            out.append(f"  (Ciw simulates {n_ciw:,} customers, not {n:,}: it is slower; throughputs are compared)")
        out.append("")
    if ab:
        out += [
            f"M/M/10+M, exponential patience mean {PATIENCE_MEAN:g} min; Erlang A mean wait "
            f"{exact['erlang_a_mean_wait']:.4f} min, abandonment {exact['erlang_a_p_abandon']:.2%}",
            _table(header, _model_rows(ab, exact["erlang_a_mean_wait"], REL_SE_CONSTANT["abandonment"])),
            "  abandoned: " + ", ".join(f"{name} {r['abandoned_share']:.2%}" for name, r in ab.items()),
            "",
        ]
    if results["quality"]:
        out += [
            "M/M/10+M with the service-quality layer: full (expectations, judgement, complaints filed and",
            "handled by a complaint desk, return decisions) and judgement only (nobody complains)",
            _cpu_table(results["quality"], "simsvc"),
            "  (CPU time, a cross-check on a busy machine: waiting for a core does not count)",
            "",
        ]
    if results.get("quality_cases"):
        cases = results["quality_cases"]
        shares = ", ".join(
            f"{name}: {r['dissatisfied_share']:.0%} dissatisfied, {r['complaint_rate']:.0%} complain"
            for name, r in cases.items() if "quality" in name
        )  # fmt: skip
        out += [
            "The quality layer on unfavourable cases: M/M/10 at load 0.97 with customers expecting a quick",
            "service, and the bundled bank branch (one day per replication), each with and without it",
            _cpu_table({k: v for k, v in cases.items() if k.startswith("congested")}, "congested", per_customer=True),
            _cpu_table({k: v for k, v in cases.items() if k.startswith("bank")}, "bank branch", per_customer=True),
            f"  ({shares})",
            "",
        ]
    if results.get("loyalty"):
        loyal = results["loyalty"]["simsvc + quality + loyalty, 8 days"]
        out += [
            "8 days of M/M/10 at load 0.95, round the clock: plain, with the quality layer (no loyalty: the",
            "declared demand), and with loyalty declared (returns and word of mouth move the demand; per",
            f"customer; mean wait {loyal['mean_wait']:.2f} min with loyalty)",
            _cpu_table(results["loyalty"], "simsvc, 8 days", per_customer=True),
            "",
        ]
    if memory:
        b, r = memory["baseline"], memory["run"]
        rows = [
            ["python -c 'import simsvc'", f"{b['peak_rss_mb']:.0f}", f"{b['vm_hwm_mb']:.0f}", "-"],
            [
                f"simsvc, {r['simulated']:,} customers",
                f"{r['peak_rss_mb']:.0f}",
                f"{r['vm_hwm_mb']:.0f}",
                f"{r['throughput']:,.0f}",
            ],
        ]
        out += [
            "peak RSS of a fresh subprocess (keep_records False)",
            _table(["subprocess", "peak RSS MB", "VmHWM MB", "customers/s"], rows),
            "",
        ]
    if mmc or ab:
        out += [
            "sanity: a mean wait within 3 standard errors (3 SE, relative) of the exact value is 'ok';",
            "  at load 0.95 one SE is ~40/sqrt(N) of the Erlang C wait (5.7% at 500k customers)",
            "",
        ]
    out.append("targets")
    rows = []
    for v in results["targets"]:
        op = "<=" if v["at_most"] else ">="
        verdict = {True: "PASS", False: "FAIL", None: "SKIP"}[v["pass"]]
        value = "-" if v["value"] is None else f"{v['value']:.2f} {v['unit']}"
        rows.append([v["name"], value, f"{op} {v['target']:g} {v['unit']}", verdict])
    out.append(_table(["target", "measured", "target", "result"], rows))
    if quick:
        out.append("  (quick run: figures are for a smoke test, not the targets' sizes)")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny smoke run (seconds)")
    p.add_argument("--out", type=Path, help="write the results as JSON to this file")
    p.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--customers", type=int, help="customers per simsvc/SimPy run")
    p.add_argument("--ciw-customers", type=int, help="customers per Ciw run")
    p.add_argument("--memory-customers", type=int, help="customers of the memory run (0: skip it)")
    p.add_argument("--repeats", type=int, help="runs per model; the best is kept")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--only", action="append", choices=SECTIONS, help="run only this section (repeatable); default: all")
    args = p.parse_args(argv)
    cfg = dict(QUICK if args.quick else FULL)
    for key in cfg:
        value = getattr(args, key)
        if value is not None:
            cfg[key] = value
    n, n_ciw, n_mem, repeats = cfg["customers"], cfg["ciw_customers"], cfg["memory_customers"], cfg["repeats"]

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    info = machine()
    log(f"simsvc benchmarks ({'quick' if args.quick else 'full'}): {cfg}")
    sections = set(args.only or SECTIONS)
    mmc, ab, quality, cases, loyalty, memory = {}, {}, {}, {}, {}, None
    if "mmc" in sections:
        log("M/M/10, load 0.95:")
        entries = [("simsvc", n), ("SimPy (minimal)", n)] + ([("Ciw", n_ciw)] if "Ciw" in MODELS else [])
        mmc = compare(entries, repeats, args.seed, None, log)
    if "abandonment" in sections:
        log(f"M/M/10+M, patience mean {PATIENCE_MEAN:g} min:")
        ab = compare([("simsvc", n), ("SimPy (minimal)", n)], repeats, args.seed, PATIENCE_MEAN, log)
    if "quality" in sections:
        log("M/M/10+M with and without the service-quality layer:")
        entries = [("simsvc", n), ("simsvc + quality", n), ("simsvc + judgement only", n)]
        quality = compare(entries, repeats, args.seed, PATIENCE_MEAN, log)
    if "quality_cases" in sections:
        log("the quality layer on a congested queue and on the bank branch:")
        names = ("congested", "congested + quality", "bank branch", "bank branch + quality")
        cases = compare([(name, n) for name in names], repeats, args.seed, None, log)
    if "loyalty" in sections:
        log(f"{simsvc_model.LOYALTY_DAYS} days of M/M/10 with and without quality and loyalty:")
        big = 10 * n  # the horizon, not the cap, ends these runs
        names = ("simsvc, 8 days", "simsvc + quality, 8 days", "simsvc + quality + loyalty, 8 days")
        loyalty = compare([(name, big) for name in names], repeats, args.seed, None, log)
    if n_mem and "memory" in sections:
        log(f"peak memory: subprocesses (import only; simsvc with {n_mem:,} customers)...")
        memory = {"baseline": peak_rss(0, args.seed), "run": peak_rss(n_mem, args.seed)}

    exact_a = erlang_a_metrics(ARRIVAL_RATE, SERVICE_RATE, 1.0 / PATIENCE_MEAN, SERVERS, 0.0)
    results = {
        "mode": "quick" if args.quick else "full",
        "config": cfg,
        "machine": info,
        "model": {
            "arrival_rate": ARRIVAL_RATE,
            "service_rate": SERVICE_RATE,
            "servers": SERVERS,
            "patience_mean": PATIENCE_MEAN,
        },
        "exact": {
            "erlang_c_mean_wait": mmc_metrics(ARRIVAL_RATE, SERVICE_RATE, SERVERS, 0.0)["mean_wait"],
            "erlang_a_mean_wait": exact_a["mean_wait"],
            "erlang_a_p_abandon": exact_a["p_abandon"],
        },
        "mmc": mmc,
        "abandonment": ab,
        "memory": memory,
        "quality": quality,
        "loyalty": loyalty,
        "quality_cases": cases,
        "targets": targets(mmc, ab, memory, quality, loyalty, cases),
    }
    print(report(results), flush=True)  # report() also adds the sanity verdicts to results
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
        log(f"results written to {args.out}")
    if args.check and any(v["pass"] is False for v in results["targets"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
