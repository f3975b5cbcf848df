"""Complaint-handling speed vs recovery, retention and demand over 30 days at the service desk.

    python experiments/complaint_speed.py --out results/complaint_speed [--quick]

The service desk of ``scenarios/service_desk_fortnight.yaml`` run for 30 days, with 1, 2 or 4
back-office clerks (09:00-17:00). More clerks resolve complaints sooner; recovery chances decay
with the resolution time, recovered customers come back more often and tell others, and the
next days' demand follows. Common random numbers: the first day's customers are the same in
every plan; later demand differs because outcomes differ, which is the point.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from common import SCENARIOS, arguments, ci, markdown, save, sweep, write_report

from simsvc.experiments import load, paired_differences, summarize

KPIS = ["arrivals", "mean_resolution_time", "complaints_within_sla", "recovery_rate", "retention", "satisfaction"]


def experiment(quick: bool) -> dict:
    return {
        "name": "Service desk: complaint handling speed",
        "base": str(SCENARIOS / "service_desk_fortnight.yaml"),
        "factors": [
            {"name": "days", "path": "horizon.days", "levels": [10 if quick else 30]},
            {"name": "clerks", "path": "complaints.teams[0].shifts[0].staff", "levels": [1, 4] if quick else [1, 2, 4]},
        ],
        "replications": 2 if quick else 10,
        "replications_per_task": 1 if quick else 2,
        "outputs": {"groups": ["overall", "day"], "kpis": KPIS},
    }


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    frame = sweep(experiment(args.quick), args)
    s = summarize(frame, KPIS)
    table = pd.DataFrame({"back-office clerks": s["clerks"], **{k: ci(s, k) for k in KPIS}})
    diff = paired_differences(frame, "clerks", 1, "arrivals").reset_index()
    diff_table = pd.DataFrame(
        {
            "clerks (vs 1)": diff["clerks"],
            "extra arrivals over the run [95 % CI]": [
                f"{m:+.0f} [{lo:+.0f}, {hi:+.0f}]"
                for m, lo, hi in zip(diff["mean"], diff["ci_low"], diff["ci_high"], strict=True)
            ],
        }
    )
    days = load(args.out / "store", group="day")
    days["day"] = days["day"].astype(int)
    daily = days.groupby(["clerks", "day"])["arrivals"].mean().unstack("clerks")
    last = daily.tail(7).mean().rename("mean arrivals per day, last 7 days").reset_index()
    write_report(
        args,
        "Complaint handling speed: recovery, retention and demand",
        [
            ("Per plan, whole run (95 % CI over replications)", markdown(table)),
            ("Demand won by faster handling (paired by replication)", markdown(diff_table)),
            ("Demand at the end of the run", markdown(last)),
        ],
    )

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for clerks in daily.columns:
        axes[0].plot(daily.index, daily[clerks], marker=".", label=f"{clerks} clerk(s)")
    axes[0].set(xlabel="day", ylabel="arrivals per day (mean)", title="Demand over the run")
    axes[0].legend()
    x = range(len(s))
    for offset, kpi in zip((-0.2, 0.0, 0.2), ("recovery_rate", "retention", "complaints_within_sla"), strict=True):
        err = [s[kpi] - s[f"{kpi}_ci_low"], s[f"{kpi}_ci_high"] - s[kpi]]
        axes[1].bar([i + offset for i in x], s[kpi], width=0.2, yerr=err, capsize=3, label=kpi)
    axes[1].set_xticks(list(x), [f"{c} clerk(s)" for c in s["clerks"]])
    axes[1].set(ylabel="share", title="Recovery, retention, complaints within SLA")
    axes[1].legend(fontsize=8)
    save(fig, args, "complaint_speed.png")


if __name__ == "__main__":
    main()
