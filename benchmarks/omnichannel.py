"""Benchmark the omnichannel contact centre: its simulated day, its optimizer, and the pooled approximation's error.

Issue 14's targets: a 12-hour omnichannel day with about 20,000 contacts, 10 replications, in
under 10 s on one core; the multi-skill optimizer on that day in under 60 s to a 1 % gap.

Run from the repository root::

    python -m benchmarks.omnichannel            # full run (about a minute of CPU)
    python -m benchmarks.omnichannel --quick    # a quarter of the day's demand, 2 replications (the tests)
    python -m benchmarks.omnichannel --out omni.json

Measured in one process, CPU seconds (``time.process_time``; one core: ``workers=1``):

* **simulate**: the first day of ``scenarios/contact_centre_omnichannel.yaml`` (12 hours, about
  20,000 contacts), 10 replications, KPI tables included. Reference in the same run: the idiomatic SimPy M/M/c model
  (``benchmarks/minimal_simpy.py``) with as many customers as the day had in all replications,
  on 60 servers at load 0.9 (it only sums waits: no journeys, channels or quality model). Also
  on unfavourable cases: the same staff under 25 % more demand (congested: long queues, many
  complaints), and the file over a week (7 days, 3 replications: a long horizon with the backlog).
* **optimize**: ``simsvc.optimize`` on the same day to its ``gap`` (1 %), with its verification
  rounds. Reference in the same run: the same with the verification off (curves and MILPs only).
* **approximation error**: the first round's plan (the pooled requirements alone, before any
  correction) simulated with another seed and 3x the replications: its predicted service level
  and abandonment against the simulated ones (95 % intervals), for the bundled day and for three
  small pools (two groups that both hold two skills; two groups each with its own skill first; a
  specialist and a generalist who puts the other skill first).
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

import simsvc  # noqa: E402
from benchmarks import minimal_simpy  # noqa: E402
from simsvc.scenario.dump import scenario_mapping  # noqa: E402

SCENARIO = ROOT / "scenarios" / "contact_centre_omnichannel.yaml"


def _cpu(fn, *args, **kwargs):
    t0, w0 = time.process_time(), time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.process_time() - t0, time.perf_counter() - w0


def one_day(scenario: simsvc.Scenario, factor: float = 1.0) -> simsvc.Scenario:
    """The bundled file's first day (about 20,000 contacts), every class's demand times ``factor``."""
    mapping, _ = scenario_mapping(scenario)
    mapping["horizon"]["days"] = 1
    for cls in mapping["customer_classes"]:
        cls["arrivals"]["scale"] = cls["arrivals"].get("scale", 1.0) * factor
    return simsvc.load_scenario(mapping)


def days(scenario: simsvc.Scenario, n: int) -> simsvc.Scenario:
    """The bundled file over ``n`` days (its demand repeats every day)."""
    mapping, _ = scenario_mapping(scenario)
    mapping["horizon"]["days"] = n
    return simsvc.load_scenario(mapping)


def simulate_day(scenario: simsvc.Scenario, replications: int) -> dict:
    result, cpu, wall = _cpu(simsvc.simulate, scenario, replications=replications, workers=1)
    summary = result.summary()
    contacts = float(summary.loc["arrivals", "mean"])
    _, ref_cpu, _ = _cpu(minimal_simpy.run, 54.0, 1.0, 60, int(contacts * replications), 1)
    return {
        "replications": replications,
        "contacts_per_day": contacts,
        "engine": result.engine,
        "engine_note": result.engine_note,
        "cpu_s": cpu,
        "wall_s": wall,
        "reference_simpy_cpu_s": ref_cpu,
        "ratio_to_reference": cpu / ref_cpu,
        "service_level": float(summary.loc["service_level", "mean"]),
        "complaint_rate": float(summary.loc["complaint_rate", "mean"]) if "complaint_rate" in summary.index else None,
    }


def optimize_day(scenario: simsvc.Scenario) -> dict:
    plan, cpu, wall = _cpu(simsvc.optimize, scenario, workers=1)
    _, ref_cpu, _ = _cpu(simsvc.optimize, scenario, workers=1, simulate_plan=False)
    last = plan.iterations[-1].solve
    return {
        "cpu_s": cpu,
        "wall_s": wall,
        "status": plan.status,
        "rounds": len(plan.iterations),
        "costs": [round(it.cost, 2) for it in plan.iterations],
        "gap": last.gap,
        "solver_s": sum(it.solve.seconds for it in plan.iterations),
        "replications": [it.replications for it in plan.iterations],
        "curves_and_milp_only_cpu_s": ref_cpu,
    }


def approximation_error(scenario: simsvc.Scenario, replications: int, seed: int) -> dict:
    """The pooled requirements' first plan (no correction), predicted against simulated."""
    plan = simsvc.optimize(scenario, simulate_plan=False, workers=1)
    summary = simsvc.simulate(plan.scenario, replications=replications, seed=seed, workers=1).summary()
    out = {"cost": plan.cost["cost"]}
    for kpi, name in (("service_level", "service_level"), ("abandonment_rate", "abandonment_rate")):
        row = summary.loc[name]
        out[kpi] = {
            "predicted": plan.predicted[kpi],
            "simulated": float(row["mean"]),
            "ci": [float(row["ci_low"]), float(row["ci_high"])],
        }
    return out


def small_pool(serves: dict[str, list[str]], per_hour: tuple[float, float], max_staff: int | None) -> simsvc.Scenario:
    """Two contact types (5-minute exponential handling, exponential patience of 5 minutes), a 4-hour day."""
    data = {
        "name": "pool",
        "horizon": {"days": 1, "open": "08:00", "close": "12:00", "interval_minutes": 60},
        "customer_classes": [
            {"name": n, "arrivals": {"per_hour": r}, "service_time": {"dist": "exponential", "mean": 5.0},
             "patience": {"dist": "exponential", "mean": 5.0}}
            for n, r in zip(("sales", "service"), per_hour, strict=True)
        ],
        "teams": [{"name": t, "serves": s, "staff": 1} for t, s in serves.items()],
        "training_levels": [{"level": 0, "speed": 1.0, "wage_per_hour": 24}],
        "quality": {"enabled": False},
        "targets": {"service_level": {"within": 0.5, "fraction": 0.8}},
        "optimizer": {"shifts": [{"teams": list(serves), "lengths": [240],
                                  "start": {"earliest": "08:00", "latest": "08:00", "every": 60}}],
                      "max_staff": max_staff},
        "simulation": {"replications": 20, "seed": 7},
    }  # fmt: skip
    return simsvc.load_scenario(data)


def summary(results: dict) -> str:
    """The targets, and the approximation's error, in a few lines."""
    sim, opt = results["simulate"], results["optimize"]
    gap = opt["gap"] if opt["gap"] is not None else float("nan")
    lines = [
        f"simulate: {sim['contacts_per_day']:,.0f} contacts a day x {sim['replications']} replications on "
        f"{sim['engine']} in {sim['cpu_s']:.2f} s CPU (target: under 10 s: {'PASS' if sim['cpu_s'] < 10 else 'FAIL'}); "
        f"{sim['ratio_to_reference']:.2f}x the idiomatic SimPy M/M/c with as many customers",
        f"optimize: {opt['cpu_s']:.2f} s CPU, {opt['rounds']} round(s), gap {gap:.4f}, {opt['status']} (target: under "
        f"60 s to a 1 % gap: {'PASS' if opt['cpu_s'] < 60 and gap <= 0.01 else 'FAIL'}); curves and MILPs alone "
        f"{opt['curves_and_milp_only_cpu_s']:.2f} s",
    ]
    for name in ("congested", "week"):
        if name in results:
            r = results[name]
            lines.append(
                f"{name}: {r['contacts_per_day']:,.0f} contacts x {r['replications']} replications in "
                f"{r['cpu_s']:.2f} s CPU (service level {r['service_level']:.3f}, complaint rate "
                f"{r['complaint_rate']:.3f}); {r['ratio_to_reference']:.2f}x the SimPy M/M/c reference"
            )
    for name, e in results["approximation_error"].items():
        sl, ab = e["service_level"], e["abandonment_rate"]
        lines.append(
            f"first plan, {name}: service level predicted {sl['predicted']:.4f}, simulated {sl['simulated']:.4f} "
            f"[{sl['ci'][0]:.4f}, {sl['ci'][1]:.4f}]; abandonment predicted {ab['predicted']:.4f}, simulated "
            f"{ab['simulated']:.4f} [{ab['ci'][0]:.4f}, {ab['ci'][1]:.4f}]"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of the demand, 2 replications")
    parser.add_argument("--out", type=Path, help="write the figures as JSON")
    args = parser.parse_args(argv)
    scenario, reps = one_day(simsvc.load_scenario(SCENARIO)), 10
    if args.quick:
        scenario, reps = one_day(scenario, 0.25), 2
    results = {"simulate": simulate_day(scenario, reps)}
    print(json.dumps(results["simulate"], indent=1), flush=True)
    if not args.quick:  # unfavourable: the same staff under 25 % more demand (long queues, many complaints); a week
        results["congested"] = simulate_day(one_day(simsvc.load_scenario(SCENARIO), 1.25), reps)
        results["week"] = simulate_day(days(simsvc.load_scenario(SCENARIO), 7), 3)
        print(json.dumps({k: results[k] for k in ("congested", "week")}, indent=1), flush=True)
    results["optimize"] = optimize_day(scenario)
    print(json.dumps(results["optimize"], indent=1), flush=True)
    verify_reps = 3 * (2 if args.quick else scenario.simulation.replications)
    seed = scenario.simulation.seed + 1
    cases = {"omnichannel day": scenario}
    if not args.quick:
        cases["two groups, both skills"] = small_pool({"a": ["sales", "service"], "b": ["sales", "service"]},
                                                      (120.0, 60.0), 12)  # fmt: skip
        cases["each group its own skill first"] = small_pool(
            {"sales_desk": {"sales": 1, "service": 2}, "service_desk": {"service": 1, "sales": 2}}, (120.0, 60.0), None
        )
        cases["specialist + generalist"] = small_pool(
            {"specialist": ["sales"], "generalist": {"service": 1, "sales": 2}}, (60.0, 120.0), 16
        )
    results["approximation_error"] = {
        name: approximation_error(case, verify_reps if name == "omnichannel day" else 60, seed)
        for name, case in cases.items()
    }
    print(json.dumps(results["approximation_error"], indent=1), flush=True)
    print(summary(results))
    if args.out:
        args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
