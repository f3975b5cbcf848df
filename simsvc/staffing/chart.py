"""The staffing-versus-demand chart of an optimized plan (``staffing.png``)."""

from __future__ import annotations

from pathlib import Path

from simsvc.staffing.plan import Plan

__all__ = ["save_staffing_chart"]


def save_staffing_chart(plan: Plan, path: Path) -> None:
    """Staff on duty and required per interval for each team, with the demand on a second axis."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    frame = plan.staffing
    teams = list(dict.fromkeys(frame["team"]))
    fig = Figure(figsize=(max(8.0, 0.12 * len(frame) / max(1, len(teams))), 2.8 * len(teams)), layout="constrained")
    axes = fig.subplots(len(teams), 1, squeeze=False)[:, 0]
    for ax, team in zip(axes, teams, strict=True):
        rows = frame[frame["team"] == team]
        days = rows["day"].max() > 1
        labels = [f"{d} {i}" if days else i for d, i in zip(rows["day"], rows["interval"], strict=True)]
        x = range(len(rows))
        ax.step(x, rows["staff"], where="post", label="staff on duty", color="tab:blue")
        ax.step(x, rows["required"].astype(float), where="post", label="required (curves)", color="tab:orange",
                linestyle="--")  # fmt: skip
        ax.set_ylabel(f"{team}: staff")
        demand = ax.twinx()
        demand.plot(x, rows["demand_per_hour"], color="tab:gray", alpha=0.6, label="demand per hour")
        demand.set_ylabel("arrivals per hour")
        step = max(1, len(labels) // 16)
        ax.set_xticks(list(x)[::step], labels[::step], rotation=45, ha="right", fontsize=7)
        ax.legend(loc="upper left", fontsize=7)
        demand.legend(loc="upper right", fontsize=7)
    fig.suptitle(f"{plan.scenario.name}: staffing against demand")
    fig.savefig(path, dpi=110)
