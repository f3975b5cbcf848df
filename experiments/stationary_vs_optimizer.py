"""Demand that varies within the day: stationary per-interval staffing against the optimizer's plan.

    python experiments/stationary_vs_optimizer.py --out results/stationary [--quick]

The call centre's demand ramps from 120 to 330 calls an hour in two hours and back. The
classic "stationary independent period-by-period" (SIPP) answer staffs every half hour
with Erlang A's ``required_servers`` for that half hour alone, as if each were a steady
state, and ignores shifts (no real rota can be cheaper). The optimizer (``simsvc.optimize``)
staffs real shifts (4 or 8 hours, with breaks) on the same Erlang A curves, then simulates
the plan and adds staff where the simulation misses the target with confidence, round
after round. Both are
then simulated as the two design points of one sweep (same seed: common random numbers);
the table and figures show which half hours each misses, and what each costs.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from common import SCENARIOS, arguments, markdown, save, sweep, write_report

import simsvc
from simsvc import queueing
from simsvc.experiments import load, summarize
from simsvc.scenario.dump import scenario_mapping
from simsvc.sim.capacity import arrivals_per_minute

TARGET = 0.8


def sipp_staff(scenario: simsvc.Scenario) -> list[int]:
    """Erlang A staffing of each interval on its own (the stationary answer)."""
    cls = scenario.customer_classes[0]
    rates = arrivals_per_minute(scenario)[0, :, 0]
    mu = 1.0 / cls.service_time.mean
    theta = 1.0 / cls.patience.mean
    within = scenario.targets.service_level.within
    return [queueing.required_servers(lam, mu, within, TARGET, theta) for lam in rates]


PLANS = ("stationary (SIPP)", "optimizer")


def _plain(team) -> dict:
    return team.model_dump(mode="json", exclude_none=True, by_alias=True)


def experiment(base: simsvc.Scenario, teams: list[tuple], reps: int) -> dict:
    """Both staffings as the two levels of one factor (the front-line teams), same seed."""
    mapping, _ = scenario_mapping(base)
    return {
        "name": "Stationary staffing against the optimizer's plan",
        "base": mapping,
        "factors": [{"name": "teams", "path": "teams", "levels": [[_plain(t) for t in ts] for ts in teams]}],
        "replications": reps,
        "replications_per_task": 5,
        "seed": base.simulation.seed,
        "outputs": {"groups": ["overall", "interval"], "kpis": ["service_level", "abandonment_rate", "cost_wages"]},
    }  # fmt: skip


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    reps = 5 if args.quick else 30
    base = simsvc.load_scenario(SCENARIOS / "call_centre.yaml")
    spec = base.optimizer.model_copy(update={"training_levels": (0,), "iterations": 2 if args.quick else 5})
    if args.quick:  # one batch of replications per verification, no sequential additions
        spec = spec.model_copy(update={"verify": spec.verify.model_copy(update={"max_replications": reps})})
    base = base.model_copy(update={"optimizer": spec})

    staff = sipp_staff(base)
    stationary = base.teams[0].model_copy(update={"staff": tuple(staff), "shifts": None})
    plan = simsvc.optimize(base, replications=reps)
    # Same complaint desk for both: only the front line differs.
    exp = experiment(base, [(stationary,), plan.to_scenario().teams], reps)
    overall = summarize(sweep(exp, args), ["service_level", "abandonment_rate", "cost_wages"])
    intervals = summarize(load(args.out / "store", group="interval"), ["service_level"])
    h = base.horizon
    plan_staff = plan.staffing[plan.staffing["team"] == base.teams[0].name]["staff"].to_numpy()

    rows = []
    for point, (name, agents) in enumerate(zip(PLANS, [np.array(staff, float), plan_staff], strict=True)):
        o = overall[overall["point"] == point].iloc[0]
        per = intervals[intervals["point"] == point]
        rows.append(
            {
                "staffing": name,
                "agent hours on duty": float(agents.sum() * h.interval_minutes / 60),
                "agent wages": o["cost_wages"],
                "service level": f"{o['service_level']:.3f} [{o['service_level_ci_low']:.3f}, "
                f"{o['service_level_ci_high']:.3f}]",
                "abandonment": o["abandonment_rate"],
                "half hours missing 80 % (with confidence)": int((per["service_level_ci_high"] < TARGET).sum()),
                "half hours below 80 % (mean)": int((per["service_level"] < TARGET).sum()),
            }
        )
    table = pd.DataFrame(rows)
    rounds = pd.DataFrame(
        [{"round": it.number, "cost": it.cost, "missed with confidence": "; ".join(it.misses) or "none"}
         for it in plan.iterations]
    )  # fmt: skip
    curve = pd.DataFrame({"interval": intervals[intervals["point"] == 0]["interval"].to_numpy()})
    for point, name in enumerate(PLANS):
        per = intervals[intervals["point"] == point]
        for suffix, column in (("", "service_level"), ("_low", "service_level_ci_low"),
                               ("_high", "service_level_ci_high")):  # fmt: skip
            curve[name + suffix] = per[column].to_numpy()

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    x = np.arange(len(curve))
    for name, colour in zip(PLANS, ("tab:orange", "tab:blue"), strict=True):
        top.plot(x, curve[name], marker="o", color=colour, label=name)
        top.fill_between(x, curve[f"{name}_low"], curve[f"{name}_high"], color=colour, alpha=0.2)
    top.axhline(TARGET, color="black", linestyle="--", linewidth=1, label="target 80 % within 20 s")
    top.set_ylabel("service level (95 % CI)")
    top.legend(fontsize=8)
    bottom.step(x, staff, where="mid", color="tab:orange", label="stationary (SIPP) agents")
    bottom.step(x, plan_staff, where="mid", color="tab:blue", label="optimizer agents on duty")
    demand = bottom.twinx()
    demand.plot(x, arrivals_per_minute(base)[0, :, 0] * 60, color="gray", alpha=0.5, label="calls per hour")
    demand.set_ylabel("calls per hour")
    bottom.set_ylabel("agents")
    bottom.set_xticks(x[::2], curve["interval"][::2], rotation=45)
    bottom.legend(fontsize=8, loc="upper left")
    save(fig, args, "service_level_by_interval.png")

    write_report(
        args,
        "Stationary per-interval staffing against the optimizer's simulate-and-correct plan",
        [
            ("Summary", markdown(table)),
            ("Optimizer rounds", markdown(rounds)),
            ("Service level per half hour (mean)", markdown(curve[["interval", *PLANS]])),
        ],
    )


if __name__ == "__main__":
    main()
