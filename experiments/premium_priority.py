"""Priority for a premium segment at the bank branch: who gains, who pays.

    python experiments/premium_priority.py --out results/premium_priority [--quick]

The same tellers serve retail and premium customers. With equal priority a free teller takes
whoever has waited longest; with premium priority it takes a waiting premium customer first
(non-preemptive). Premium demand is 8 or 16 an hour. Per class, the change in waiting,
abandonment and satisfaction is paired by replication: the same customers arrive in both
policies (common random numbers), so the gains and costs are measured, not guessed.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from common import SCENARIOS, arguments, markdown, save, sweep, write_report

from simsvc.experiments import paired_differences, summarize

KPIS = ["arrivals", "mean_wait", "service_level", "abandonment_rate", "satisfaction"]
POLICY = {2: "equal", 1: "premium first"}


def experiment(quick: bool) -> dict:
    return {
        "name": "Bank branch: premium priority",
        "base": str(SCENARIOS / "bank_branch.yaml"),
        "factors": [
            {"name": "premium_priority", "path": "customer_classes[1].priority", "levels": [2, 1]},
            {
                "name": "premium_per_hour",
                "path": "customer_classes[1].arrivals.per_hour",
                "levels": [16] if quick else [8, 16],
            },
        ],
        "replications": 4 if quick else 40,
        "replications_per_task": 4 if quick else 10,
        "outputs": {"groups": ["class"], "kpis": KPIS},
    }


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    frame = sweep(experiment(args.quick), args, group="class")
    s = summarize(frame, KPIS)
    s["policy"] = s["premium_priority"].map(POLICY)
    means = s[["premium_per_hour", "policy", "class", "mean_wait", "service_level", "abandonment_rate", "satisfaction"]]
    rows = []
    for kpi in ("mean_wait", "service_level", "abandonment_rate", "satisfaction"):
        d = paired_differences(frame, "premium_priority", 2, kpi).reset_index()
        for _, r in d.iterrows():
            better = r["ci_high"] < 0 if kpi in ("mean_wait", "abandonment_rate") else r["ci_low"] > 0
            verdict = "no clear change" if r["ci_low"] <= 0 <= r["ci_high"] else "gains" if better else "pays"
            change = f"{r['mean']:+.3f} [{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]"
            rows.append({"KPI": kpi, "class": r["class"], "change [95 % CI]": change, "verdict": verdict})
    write_report(
        args,
        "Premium priority: who gains, who pays",
        [
            ("Means per policy and class", markdown(means.sort_values(["premium_per_hour", "class", "policy"]))),
            (
                "Premium first minus equal priority (paired by replication, all premium demand levels)",
                markdown(pd.DataFrame(rows)),
            ),
        ],
    )

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, kpi, label in ((axes[0], "mean_wait", "mean wait (min)"), (axes[1], "satisfaction", "satisfaction (0-1)")):
        labels, x = [], 0
        for (cls, rate), part in s.groupby(["class", "premium_per_hour"]):
            for policy, colour in (("equal", "tab:blue"), ("premium first", "tab:orange")):
                row = part[part["policy"] == policy].iloc[0]
                err = [[row[kpi] - row[f"{kpi}_ci_low"]], [row[f"{kpi}_ci_high"] - row[kpi]]]
                ax.bar(x, row[kpi], yerr=err, color=colour, capsize=3, label=policy if x < 2 else None)
                x += 1
            labels.append((x - 1.5, f"{cls}\n{rate:g}/h premium"))
            x += 0.5
        ax.set_xticks([p for p, _ in labels], [t for _, t in labels], fontsize=8)
        ax.set(ylabel=label, title=label.split(" (")[0])
        ax.legend(fontsize=8)
    save(fig, args, "premium_priority.png")


if __name__ == "__main__":
    main()
