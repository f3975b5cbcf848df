"""Simulation against Erlang C (M/M/c) and Erlang A (M/M/c+M) across loads: the validation table.

    python experiments/erlang_validation.py --out results/erlang [--quick]

Ten servers, exponential service (mean 6 min), Poisson arrivals at loads 0.5-0.95, with no
abandonment (Erlang C) or exponential patience of mean 10 min (Erlang A); one long day per
replication after a warm-up. Each simulated KPI comes with a 95 % t interval over replications.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from common import arguments, ci, markdown, save, sweep, write_report

from simsvc import queueing
from simsvc.experiments import summarize

SERVERS, SERVICE_MEAN, PATIENCE_MEAN, TARGET = 10, 6.0, 10.0, 1.0  # minutes
PATIENCE = {"none": None, "exp(10)": {"dist": "exponential", "mean": PATIENCE_MEAN}}


def experiment(quick: bool) -> dict:
    loads = [0.5, 0.8, 0.95] if quick else [0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
    return {
        "name": "Erlang C and A validation",
        "base": {
            "name": "M/M/10 (+M)",
            "horizon": {"days": 1, "open": "00:00", "close": "04:00" if quick else "24:00", "interval_minutes": 60},
            "customer_classes": [
                {
                    "name": "caller",
                    "arrivals": {"per_hour": 50},
                    "service_time": {"dist": "exponential", "mean": SERVICE_MEAN},
                },
            ],
            "teams": [{"name": "agents", "serves": ["caller"], "staff": SERVERS}],
            "quality": {"enabled": False},
            "targets": {"service_level": {"within": TARGET, "fraction": 0.8}},
            "simulation": {"warmup_minutes": 60 if quick else 120},
        },
        "factors": [
            {
                "name": "load",
                "path": "customer_classes[0].arrivals.per_hour",
                "levels": [round(rho * SERVERS * 60 / SERVICE_MEAN, 6) for rho in loads],
            },
            {"name": "patience", "path": "customer_classes[0].patience", "levels": list(PATIENCE.values())},
        ],
        "replications": 3 if quick else 30,
        "replications_per_task": 3 if quick else 5,
        "seed": 2026,
        "outputs": {"groups": ["overall"], "kpis": ["mean_wait", "service_level", "abandonment_rate"]},
    }


def exact(per_hour: float, patience: dict | None) -> dict[str, float]:
    lam, mu = per_hour / 60, 1 / SERVICE_MEAN
    if patience is None:
        return {**queueing.mmc_metrics(lam, mu, SERVERS, TARGET), "p_abandon": 0.0}
    return queueing.erlang_a_metrics(lam, mu, 1 / patience["mean"], SERVERS, TARGET)


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    frame = sweep(experiment(args.quick), args)
    frame["rho"] = frame["load"] * SERVICE_MEAN / 60 / SERVERS
    frame["model"] = frame["patience"].map(lambda p: "Erlang C" if p is None else "Erlang A")
    kpis = ["mean_wait", "service_level", "abandonment_rate"]
    s = summarize(frame, kpis, factors=["load", "patience", "rho", "model"])
    theory = pd.DataFrame([exact(r.load, r.patience) for r in s.itertuples()])
    s["exact_wait"], s["exact_sl"], s["exact_ab"] = theory["mean_wait"], theory["service_level"], theory["p_abandon"]
    s["wait in CI"] = (s["mean_wait_ci_low"] <= s["exact_wait"]) & (s["exact_wait"] <= s["mean_wait_ci_high"])
    s["SL in CI"] = (s["service_level_ci_low"] <= s["exact_sl"]) & (s["exact_sl"] <= s["service_level_ci_high"])
    table = pd.DataFrame({
        "model": s["model"], "load ρ": s["rho"].round(2),
        "mean wait, sim [95 % CI]": ci(s, "mean_wait"), "exact": s["exact_wait"], "in CI": s["wait in CI"],
        "service level, sim": ci(s, "service_level"), "exact SL": s["exact_sl"], "SL in CI": s["SL in CI"],
        "abandon, sim": ci(s, "abandonment_rate"), "exact P(ab)": s["exact_ab"],
    }).sort_values(["model", "load ρ"], ascending=[False, True])  # fmt: skip
    hits = int(s["wait in CI"].sum() + s["SL in CI"].sum())
    note = (f"{hits} of {2 * len(s)} exact values fall inside the simulation's 95 % intervals "
            f"({int(s['n'].iloc[0])} replications per point; ~5 % misses are expected by chance).")  # fmt: skip
    write_report(args, "Simulation vs Erlang C / Erlang A", [("Mean wait, service level, abandonment", markdown(table)),
                                                             ("Agreement", note)])  # fmt: skip

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for model, marker in (("Erlang C", "o"), ("Erlang A", "s")):
        part = s[s["model"] == model].sort_values("rho")
        for ax, kpi, exact_col in ((axes[0], "mean_wait", "exact_wait"), (axes[1], "service_level", "exact_sl")):
            err = [part[kpi] - part[f"{kpi}_ci_low"], part[f"{kpi}_ci_high"] - part[kpi]]
            ax.errorbar(part["rho"], part[kpi], yerr=err, fmt=marker, capsize=3, label=f"simulation ({model})")
            ax.plot(part["rho"], part[exact_col], "-", alpha=0.7, label=f"{model} exact")
    axes[0].set(xlabel="load ρ", ylabel="mean wait (min)", title=f"M/M/{SERVERS}(+M): mean wait")
    axes[1].set(xlabel="load ρ", ylabel=f"share served within {TARGET:g} min", title="service level")
    axes[0].legend(fontsize=8)
    save(fig, args, "erlang_validation.png")


if __name__ == "__main__":
    main()
