"""Staffing × training level at the bank branch: cost–satisfaction frontier; training as a substitute for headcount.

    python experiments/staffing_training.py --out results/staffing_training [--quick]

Factors: tellers on the morning shift, on the afternoon shift, and the tellers' training level
(0 = untrained, 1 = the branch's standard, 2 = advanced), all other settings as in
``scenarios/bank_branch.yaml``. Every plan sees the same customers (common random numbers).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from common import SCENARIOS, arguments, ci, markdown, save, sweep, write_report

from simsvc.experiments import pareto_frontier, summarize


def experiment(quick: bool) -> dict:
    return {
        "name": "Bank branch: staffing × training",
        "base": str(SCENARIOS / "bank_branch.yaml"),
        "factors": [
            {"name": "morning", "path": "teams[0].shifts[0].staff", "levels": [4, 6] if quick else [3, 4, 5, 6]},
            {"name": "afternoon", "path": "teams[0].shifts[1].staff", "levels": [3, 5] if quick else [2, 3, 4, 5]},
            {"name": "training", "path": "teams[0].training_level", "levels": [0, 2] if quick else [0, 1, 2]},
        ],
        "replications": 3 if quick else 20,
        "replications_per_task": 3 if quick else 5,
        "outputs": {
            "groups": ["overall"],
            "kpis": ["cost", "cost_wages", "cost_training", "lost_customer_value", "cost_and_lost_value",
                     "satisfaction", "service_level", "mean_wait"],
        },
    }


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    frame = sweep(experiment(args.quick), args)
    # What the plan pays for staff (wages and training); the operating cost `cost` adds complaint
    # handling; the value of customers lost is apart, and `cost_and_lost_value` adds the two.
    frame["staff_cost"] = frame["cost_wages"] + frame["cost_training"]
    s = summarize(frame, ["staff_cost", "cost", "lost_customer_value", "cost_and_lost_value", "satisfaction",
                          "service_level", "mean_wait"])  # fmt: skip
    s["tellers"] = s["morning"] + s["afternoon"]
    front = pareto_frontier(s, cost="staff_cost")
    columns = ["morning", "afternoon", "training", "staff_cost", "satisfaction", "cost", "lost_customer_value",
               "cost_and_lost_value", "service_level", "mean_wait"]  # fmt: skip
    frontier = front[columns].assign(satisfaction=ci(front, "satisfaction"))

    # Where training substitutes for headcount: per satisfaction threshold, the fewest
    # tellers (and the cheapest such plan) at each training level.
    rows = []
    for goal in (0.6, 0.65, 0.7, 0.75):
        for level, part in s.groupby("training"):
            ok = part[part["satisfaction_ci_low"] >= goal]
            best = ok.sort_values(["tellers", "cost"]).head(1)
            rows.append(
                {
                    "satisfaction ≥ (CI low)": goal,
                    "training": level,
                    "fewest tellers": int(best["tellers"].iloc[0]) if len(best) else "none",
                    "cheapest staff cost": float(ok["staff_cost"].min()) if len(ok) else float("nan"),
                }
            )
    substitution = pd.DataFrame(rows)
    write_report(args, "Staffing × training: cost vs satisfaction", [
        ("Pareto frontier: staff cost (wages + training, per day) vs satisfaction (0-1, 95 % CI); "
         "`cost` = operating cost (wages + training + complaint handling); `lost_customer_value` = value of "
         "customers lost (not paid); `cost_and_lost_value` = their sum", markdown(frontier)),
        ("Training vs headcount", markdown(substitution)),
        ("All plans (means)", markdown(s[["tellers", *columns]].sort_values("staff_cost"))),
    ])  # fmt: skip

    fig, ax = plt.subplots(figsize=(7, 5))
    for level, part in s.groupby("training"):
        ax.scatter(
            part["staff_cost"], part["satisfaction"], s=12 + 6 * part["tellers"], alpha=0.7, label=f"training {level}"
        )
    ax.plot(front["staff_cost"], front["satisfaction"], "k--", lw=1, label="Pareto frontier")
    ax.set(xlabel="staff cost per day (wages + training)", ylabel="mean satisfaction (0-1)",
           title="Bank branch: staffing × training (marker size = tellers)")  # fmt: skip
    ax.legend()
    save(fig, args, "cost_satisfaction_frontier.png")


if __name__ == "__main__":
    main()
