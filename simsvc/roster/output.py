"""A roster's tables (person × day, cover per interval) and files (CSV, ``.xlsx``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from simsvc.excel import write_xlsx
from simsvc.output import atomic_write
from simsvc.roster.model import Roster
from simsvc.roster.rules import weekday, weeks
from simsvc.staffing.patterns import clock
from simsvc.terminal import plain, plain_row

__all__ = ["OFF", "cover_frame", "print_roster", "roster_frame", "write_roster"]

OFF = "off"


def _day_column(t: int) -> str:
    return f"{t + 1} {weekday(t)}"


def roster_frame(roster: Roster) -> pd.DataFrame:
    """One row per person: contract, the shift (team and label) or ``"off"`` each day, paid hours per week."""
    d = roster.demand
    rows = []
    for p, person in enumerate(roster.spec.people):
        row: dict[str, object] = {"person": person.name, "contract": person.contract}
        for t in range(d.days):
            s = roster.assign.get((p, t))
            row[_day_column(t)] = OFF if s is None else _shift_name(roster, s)
        for w, week in enumerate(weeks(d.days)):
            hours = sum(d.shifts[roster.assign[p, t]].paid_hours for t in week if (p, t) in roster.assign)
            row[f"hours week {w + 1}"] = round(hours, 2)
        rows.append(row)
    return pd.DataFrame(rows)


def _shift_name(roster: Roster, s: int) -> str:
    sh = roster.demand.shifts[s]
    return sh.label if len(roster.demand.teams) <= 1 else f"{sh.team} {sh.label}"


def cover_frame(roster: Roster) -> pd.DataFrame:
    """Per day, interval and team: people on duty by the plan and by the roster, and the difference."""
    d = roster.demand
    starts = d.interval_starts()
    duty = np.array([sh.on_duty(starts, d.interval_minutes) for sh in d.shifts])  # (shifts, intervals)
    worked = np.zeros((d.days, len(d.shifts)))
    for (_, t), s in roster.assign.items():
        worked[t, s] += 1
    planned = np.array([[d.required(t, s) for s in range(len(d.shifts))] for t in range(d.days)], dtype=float)
    rows = []
    for team in d.teams:
        mine = np.array([sh.team == team for sh in d.shifts])
        plan_cover, roster_cover = planned[:, mine] @ duty[mine], worked[:, mine] @ duty[mine]
        for t in range(d.days):
            for j, start in enumerate(starts):
                a, b = round(float(plan_cover[t, j]), 6), round(float(roster_cover[t, j]), 6)
                rows.append({"day": t + 1, "weekday": weekday(t), "interval": clock(start), "team": team,
                             "plan": a, "roster": b, "under": max(0.0, a - b), "over": max(0.0, b - a)})  # fmt: skip
    return pd.DataFrame(rows, columns=["day", "weekday", "interval", "team", "plan", "roster", "under", "over"])


def print_roster(roster: Roster, console: Console) -> None:
    """The person × day table, the cover summary and the solve (user text printed as text)."""
    frame = roster_frame(roster)
    table = Table(title="Roster: shift per person and day", title_justify="left")
    for col in frame.columns:
        table.add_column(plain(col), justify="right" if str(col).startswith("hours") else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*plain_row(*row))  # names are user text: shown as written
    console.print(table)
    cover = cover_frame(roster)
    length = roster.demand.interval_minutes / 60.0
    working = len({p for p, _ in roster.assign})
    hours = sum(roster.demand.shifts[s].paid_hours for s in roster.assign.values())
    console.print(
        f"{working} of {len(roster.spec.people)} people work {len(roster.assign):,} shifts "
        f"({hours:,.1f} paid hours) over {roster.demand.days} days",
        markup=False, highlight=False,
    )  # fmt: skip
    console.print(
        f"Cover against the plan: {cover['under'].sum() * length:.1f} person-hours under, "
        f"{cover['over'].sum() * length:.1f} over, in {int((cover['under'] > 1e-9).sum())} interval(s) under and "
        f"{int((cover['over'] > 1e-9).sum())} over (of {len(cover)})",
        markup=False, highlight=False,
    )  # fmt: skip
    info = roster.solve
    if info is not None:
        gap = "–" if info.gap is None else f"{100 * info.gap:.2f} %"
        console.print(
            f"Cost {roster.cost:,.2f} (wages {roster.wages:,.2f}, unmet preferences {roster.wishes:,.2f}); "
            f"{info.solver} {info.status.lower()}, gap {gap}, {info.seconds:.1f} s",
            markup=False, highlight=False,
        )  # fmt: skip


def write_roster(roster: Roster, folder: Path) -> list[Path]:
    """Write ``roster.csv``, ``cover.csv`` and ``roster.xlsx`` (sheets roster and cover) to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    frame, cover = roster_frame(roster), cover_frame(roster)
    written = []
    for name, table in (("roster.csv", frame), ("cover.csv", cover)):
        atomic_write(folder / name, lambda p, table=table: table.to_csv(p, index=False))
        written.append(folder / name)
    write_xlsx(folder / "roster.xlsx", {"roster": frame, "cover": cover}, frozen_columns={"roster": 2, "cover": 4})
    written.append(folder / "roster.xlsx")
    return written
