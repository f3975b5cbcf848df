"""Promise level vs expectation gap and satisfaction at the bank branch.

    python experiments/promise_level.py --out results/promise_level [--quick]

Bolder marketing (``quality.promise_level`` from 0 to 1) raises every expectation, shrinks
the wait customers find adequate, and brings more new customers. The same staff then serve
more people who expect more: the gaps (perceived − expected, per SERVQUAL dimension) widen and
satisfaction falls. Differences against no promises are paired by replication (common random
numbers), so small effects show.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from common import SCENARIOS, arguments, ci, markdown, save, sweep, write_report

from simsvc.experiments import paired_differences, summarize

GAPS = ["gap_reliability", "gap_responsiveness", "gap_assurance", "gap_empathy", "gap_tangibles"]
KPIS = ["arrivals", "mean_wait", "satisfaction", "dissatisfied_share", "complaint_rate", *GAPS]


def experiment(quick: bool) -> dict:
    return {
        "name": "Bank branch: promise level",
        "base": str(SCENARIOS / "bank_branch.yaml"),
        "factors": [
            {
                "name": "promise",
                "path": "quality.promise_level",
                "levels": [0.0, 1.0] if quick else [0.0, 0.25, 0.5, 0.75, 1.0],
            },
        ],
        "replications": 3 if quick else 30,
        "replications_per_task": 3 if quick else 10,
        "outputs": {"groups": ["overall"], "kpis": KPIS},
    }


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    frame = sweep(experiment(args.quick), args)
    frame["mean_gap"] = frame[GAPS].mean(axis=1)  # unweighted mean over the five dimensions
    kpis = ["arrivals", "mean_wait", "mean_gap", "gap_responsiveness", "satisfaction", "dissatisfied_share"]
    s = summarize(frame, [*kpis, *GAPS[:1], *GAPS[2:]])
    table = pd.DataFrame({"promise": s["promise"], **{k: ci(s, k) for k in kpis}})
    rows = []
    for kpi in ("mean_gap", "satisfaction", "dissatisfied_share"):
        d = paired_differences(frame, "promise", 0.0, kpi).reset_index()
        rows += [{"KPI": kpi, "promise": p, "change vs 0 [95 % CI]": f"{m:+.3f} [{lo:+.3f}, {hi:+.3f}]"}
                 for p, m, lo, hi in zip(d["promise"], d["mean"], d["ci_low"], d["ci_high"], strict=True)]  # fmt: skip
    write_report(
        args,
        "Promise level: expectation gap and satisfaction",
        [
            ("Per promise level (95 % CI over replications; gaps on the 1-7 scale)", markdown(table)),
            ("Paired differences against no promises", markdown(pd.DataFrame(rows))),
        ],
    )

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for gap in GAPS:
        axes[0].plot(s["promise"], s[gap], marker="o", label=gap.removeprefix("gap_"))
    axes[0].axhline(0, color="grey", lw=0.8)
    axes[0].set(xlabel="promise level", ylabel="gap (perceived − expected)", title="SERVQUAL gaps")
    axes[0].legend(fontsize=8)
    for kpi in ("satisfaction", "dissatisfied_share"):
        err = [s[kpi] - s[f"{kpi}_ci_low"], s[f"{kpi}_ci_high"] - s[kpi]]
        axes[1].errorbar(s["promise"], s[kpi], yerr=err, marker="o", capsize=3, label=kpi)
    axes[1].set(xlabel="promise level", ylabel="share / score (0-1)", title="Satisfaction")
    axes[1].legend(fontsize=8)
    save(fig, args, "promise_level.png")


if __name__ == "__main__":
    main()
