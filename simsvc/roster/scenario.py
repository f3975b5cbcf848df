"""The roster as a scenario: ``simsvc roster --out`` writes ``scenario.yaml`` so ``simsvc run`` simulates it.

The plan's scenario (``scenario.yaml`` of the ``simsvc optimize --out`` folder) is kept as it
is, except:

* each rostered team's shifts are the people the roster puts on each shift and day, one
  scenario shift per plan shift and head count, with the days it has that count (each made
  by :meth:`simsvc.staffing.patterns.Pattern.shift`, as the optimizer writes its plan);
* the horizon is the roster's days: roster day ``t`` is the plan's day ``t mod D`` (as
  :mod:`simsvc.roster.plan_shifts` reads the plan), so demand given per day of the plan, a
  replayed trace and the shifts of teams the plan did not staff repeat the same way;
* the ``optimizer`` block is dropped (the scenario simulates a roster; it plans nothing).

So the simulation answers whether the people actually rostered, who may cover more than the
plan (minimum hours, contracts), meet the scenario's targets.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from simsvc.output import atomic_write
from simsvc.roster.model import Roster
from simsvc.scenario.dump import scenario_mapping
from simsvc.scenario.load import load_scenario
from simsvc.scenario.models import Scenario
from simsvc.staffing.patterns import Pattern

__all__ = ["roster_scenario", "roster_shifts", "write_roster_scenario"]


def roster_shifts(roster: Roster, team: str) -> list[dict[str, Any]]:
    """``team``'s scenario shifts (file format): per plan shift, the days with each head count rostered."""
    d = roster.demand
    counts: dict[tuple[int, int], int] = {}
    for (_, t), s in roster.assign.items():
        counts[s, t] = counts.get((s, t), 0) + 1
    shifts = []
    for s, sh in enumerate(d.shifts):
        if sh.team != team:
            continue
        by_count: dict[int, list[int]] = {}
        for t in range(d.days):
            if counts.get((s, t), 0):
                by_count.setdefault(counts[s, t], []).append(t)
        for n, days in sorted(by_count.items()):
            pattern = Pattern(team, sh.start, sh.end, sh.break_, tuple(days))
            shift = pattern.shift(n, every_day=len(days) == d.days)
            shifts.append(shift.model_dump(mode="json", exclude_none=True))
    return shifts


def _repeat_days(days: list[int] | None, period: int, total: int) -> list[int] | None:
    """Days ``d``, ``d + period``, ... below ``total`` (``None``, every day, stays)."""
    if days is None:
        return None
    return sorted(d + k for k in range(0, total, period) for d in days if d + k < total)


def _repeat_rates(rates: list[float], n: int, period: int, total: int) -> list[float]:
    """Rates per interval of each of ``period`` days, repeated over ``total`` days (one day's list stays)."""
    if period in (1, total) or len(rates) != period * n:
        return rates
    return [rates[(t % period) * n + j] for t in range(total) for j in range(n)]


def _repeat_trace(text: str, period: int, total: int) -> str:
    """A trace CSV (``day``, ``time``, ...) with its days repeated every ``period`` days over ``total`` days."""
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    for k in range(0, total, period):
        writer.writerows([str(int(r[0]) + k), *r[1:]] for r in rows[1:] if int(r[0]) + k < total)
    return out.getvalue()


def roster_scenario(roster: Roster, plan: Scenario, folder: Path) -> Scenario:
    """The plan's scenario staffed by ``roster`` over its days.

    ``folder`` is where the scenario will be saved: a replayed trace is written there, repeated, and read back.
    """
    data, files = scenario_mapping(plan, "scenario")
    period, total, n = plan.horizon.days, roster.demand.days, plan.horizon.n_intervals
    rostered = set(roster.demand.teams)
    teams = data["teams"] + data.get("complaints", {}).get("teams", [])
    for team in teams:
        if team["name"] in rostered:
            team.pop("staff", None)
            team["shifts"] = roster_shifts(roster, team["name"])
        else:
            for shift in team.get("shifts") or ():
                if "days" in shift:
                    shift["days"] = _repeat_days(shift["days"], period, total)
    for cls in data["customer_classes"]:
        if "per_hour" in cls["arrivals"]:
            cls["arrivals"]["per_hour"] = _repeat_rates(cls["arrivals"]["per_hour"], n, period, total)
    if total != period:
        files = {name: _repeat_trace(text, period, total) for name, text in files.items()}
    data["horizon"]["days"] = total
    data.pop("optimizer", None)
    weeks = f"{total // 7} week(s)" if total % 7 == 0 else f"{total} days"
    data["name"] = f"{plan.name} — roster of {weeks}"
    data["description"] = (
        f"The plan's scenario staffed by the people of `simsvc roster` ({len(roster.spec.people)} in the pool), "
        f"over the roster's {total} days (plan day = roster day mod {period})."
    )
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        atomic_write(folder / name, lambda p, text=text: p.write_text(text, encoding="utf-8"))
    return load_scenario(data, base_dir=folder)


def write_roster_scenario(roster: Roster, plan: Scenario, folder: Path) -> list[Path]:
    """Write ``scenario.yaml`` (and any trace CSV) of :func:`roster_scenario` to ``folder``; return the files."""
    from simsvc.scenario.dump import scenario_yaml

    return scenario_yaml(roster_scenario(roster, plan, folder), folder / "scenario.yaml")
