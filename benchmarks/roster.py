"""Benchmark the rostering MILP: 4 weeks, 80 people (issue 15's target: under 60 s to a 1 % gap on 2 cores).

The instance: a week's plan of a contact centre repeated over 4 weeks: 10 shifts (starts
from 07:00 to 14:00, 8-hour shifts with an unpaid 30-minute break and 4-hour ones), staff per
shift and weekday following a weekday profile (busier Monday and Friday, quieter weekend),
about 330 person-shifts a week. 80 people: 60 full-timers (at most 38 h, at least 30 h a week,
two consecutive days off, 11 h rest, a week's starts within 2 h), 20 part-timers (12-20 h a
week, three days off), a few unavailable days, weekend-off and shift preferences for a third
of them.

Run from the repository root::

    python -m benchmarks.roster               # full run
    python -m benchmarks.roster --quick       # one week, 24 people (smoke run, used by the tests)
    python -m benchmarks.roster --out roster.json

Reported: the whole roster's model size, the wall time of ``solve_roster`` (building and
solving its week models with HiGHS, and the whole roster's linear relaxation for the bound),
the gap against that bound, the cost, any rule that gave, and the cover against the plan.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from simsvc.roster.model import build_roster_model, solve_roster  # noqa: E402
from simsvc.roster.output import cover_frame  # noqa: E402
from simsvc.roster.people import Contract, Person, Preferences, RosterSpec  # noqa: E402
from simsvc.roster.plan_shifts import read_plan  # noqa: E402

SHIFTS = [  # start, end, break, staff on an average weekday
    ("07:00", "15:00", "11:00-11:30", 6), ("07:30", "11:30", "", 2), ("08:00", "16:00", "12:00-12:30", 8),
    ("09:00", "17:00", "12:30-13:00", 8), ("09:30", "13:30", "", 3), ("10:00", "18:00", "13:30-14:00", 6),
    ("11:00", "19:00", "14:30-15:00", 5), ("12:00", "20:00", "15:30-16:00", 5), ("14:00", "18:00", "", 3),
    ("14:00", "22:00", "17:30-18:00", 4),
]  # fmt: skip
WEEKDAY = [1.15, 1.0, 0.95, 1.0, 1.2, 0.7, 0.5]  # Monday ... Sunday
TARGET_SECONDS, TARGET_GAP = 60.0, 0.01


def write_plan(folder: Path, scale: float = 1.0) -> Path:
    """The week's plan.csv (one row per shift and day, as ``simsvc optimize`` writes with ``days: each``)."""
    lines = ["team,shift,start,end,break,days,training_level,staff,cost"]
    for start, end, brk, staff in SHIFTS:
        label = f"{start}-{end}" + (f" break {brk}" if brk else "")
        for d, w in enumerate(WEEKDAY):
            lines.append(f"agents,{label},{start},{end},{brk},{d + 1},0,{round(staff * w * scale)},0")
    (folder / "plan.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def people(n_full: int, n_part: int) -> RosterSpec:
    """The staff: full-timers and part-timers, some unavailable days and preferences."""
    contracts = (
        Contract(name="full_time", max_hours_per_week=38, min_hours_per_week=30, consecutive_days_off=True,
                 start_band_minutes=120, wage_per_hour=21),
        Contract(name="part_time", max_hours_per_week=20, min_hours_per_week=12, min_days_off_per_week=3,
                 wage_per_hour=17),
    )  # fmt: skip
    staff = []
    for i in range(n_full + n_part):
        prefs = Preferences()
        if i % 3 == 0:
            prefs = Preferences(days_off=("Sat", "Sun"), weight=4)
        elif i % 3 == 1:
            prefs = Preferences(shifts=("08:00-16:00 break 12:00-12:30", "09:00-17:00 break 12:30-13:00"), weight=2)
        unavailable = (1 + (i * 5) % 28,) if i % 4 == 0 else ()
        contract = "full_time" if i < n_full else "part_time"
        staff.append(Person(name=f"P{i + 1:03d}", contract=contract, unavailable_days=unavailable, preferences=prefs))
    return RosterSpec(contracts=contracts, people=tuple(staff))


def run(weeks: int, n_full: int, n_part: int, scale: float, time_limit: float) -> dict:
    """Build and solve the instance; the figures as a mapping."""
    with tempfile.TemporaryDirectory() as tmp:
        demand = read_plan(write_plan(Path(tmp), scale), 7 * weeks)
    spec = people(n_full, n_part)
    whole, _ = build_roster_model(demand, spec)  # its size (solve_roster builds its own models)
    t0 = time.perf_counter()
    roster = solve_roster(demand, spec, time_limit=time_limit, gap=TARGET_GAP)
    seconds = time.perf_counter() - t0
    info = roster.solve
    assert info is not None
    cover = cover_frame(roster)
    hours = demand.interval_minutes / 60
    return {
        "weeks": weeks, "people": len(spec.people), "shifts": len(demand.shifts),
        "person_shifts": sum(demand.required(t, s) for t in range(demand.days) for s in range(len(demand.shifts))),
        "variables": len(whole.variables()), "constraints": len(whole.constraints),
        "seconds": round(seconds, 2), "solve_seconds": round(info.seconds, 2), "status": info.status,
        "gap": info.gap, "objective": info.objective, "bound": info.bound, "wages": roster.wages,
        "wishes": roster.wishes, "breaches": [b.sentence() for b in roster.breaches],
        "under_person_hours": float(cover["under"].sum() * hours),
        "over_person_hours": float(cover["over"].sum() * hours),
    }  # fmt: skip


def report(r: dict) -> None:
    """Print the figures and the target's verdict."""
    print(f"instance: {r['weeks']} week(s), {r['people']} people, {r['shifts']} shifts, {r['person_shifts']} "
          f"person-shifts; {r['variables']} variables, {r['constraints']} constraints")  # fmt: skip
    gap = "–" if r["gap"] is None else f"{100 * r['gap']:.2f} %"
    print(f"solve_roster {r['seconds']:.2f} s (models built and solved, bound included); {r['status']}, gap {gap}; "
          f"objective {r['objective']:,.0f} (wages {r['wages']:,.0f}, preferences {r['wishes']:,.0f})")  # fmt: skip
    print(f"cover against the plan: {r['under_person_hours']:.1f} person-hours under, "
          f"{r['over_person_hours']:.1f} over; rules that gave: {len(r['breaches'])}")  # fmt: skip
    for b in r["breaches"][:10]:
        print(f"  {b}")
    total = r["seconds"]
    ok = total < TARGET_SECONDS and r["gap"] is not None and r["gap"] <= TARGET_GAP + 1e-9
    print(
        f"target: under {TARGET_SECONDS:g} s to a {100 * TARGET_GAP:g} % gap: {total:.1f} s, gap {gap}: "
        + ("PASS" if ok else "MISS")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one week, 24 people (smoke run)")
    parser.add_argument("--time-limit", type=float, default=120.0, help="solver seconds (the target is 60)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        result = run(1, 18, 6, 0.3, args.time_limit)
    else:
        result = run(4, 60, 20, 1.0, args.time_limit)
    report(result)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
