"""``simsvc roster``: from a plan (``simsvc optimize --out``) to who works which shift on which day."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from simsvc.cli_common import INFEASIBLE, INVALID_INPUT, err
from simsvc.cli_common import out as console

__all__ = ["register"]

ROSTER_EXAMPLES = (
    "simsvc optimize demo/scenarios/call_centre.yaml --no-simulate --out results/plan",
    "simsvc roster results/plan --weeks 2 --out results/roster",
)
"""Example command lines of ``simsvc roster --help`` (run by tests/test_cli.py in a folder of the bundled examples)."""


def roster(
    plan: Annotated[Path, typer.Argument(help="A `simsvc optimize --out` folder, or its plan.csv.")],
    weeks: Annotated[int, typer.Option(min=1, max=52, help="Weeks to roster (the plan's days repeat).")] = 1,
    people: Annotated[
        Optional[Path],
        typer.Option(help="roster.yaml (contracts:, people:) or a people CSV; default: anonymous full-timers."),
    ] = None,
    out: Annotated[
        Optional[Path],
        typer.Option(help="Folder for roster.csv, cover.csv, roster.xlsx and scenario.yaml (the roster, to simulate)."),
    ] = None,
    time_limit: Annotated[float, typer.Option(min=1, help="Seconds the solver may take.")] = 60.0,
    gap: Annotated[float, typer.Option(min=0, max=0.5, help="Relative MIP gap to stop at.")] = 0.01,
) -> None:
    """Roster people onto a plan's shifts: days off, weekly hours, rest, start bands, availability, preferences."""
    from simsvc.errors import InfeasibleError, ScenarioError
    from simsvc.roster import default_pool, load_people, read_plan, solve_roster
    from simsvc.roster.output import print_roster, write_roster
    from simsvc.roster.rules import team_problems
    from simsvc.terminal import labelled, plain

    folder = plan if plan.is_dir() else plan.parent
    if out is not None and out.resolve() == folder.resolve():
        message = f"--out {out}: the plan's folder (its scenario.yaml would become the roster's): give another"
        err.print(labelled("error:", "bold red", message), highlight=False, soft_wrap=True)
        raise typer.Exit(INVALID_INPUT)
    try:
        demand = read_plan(plan, 7 * weeks)
        planned = _plan_scenario(plan) if out is not None else None
        if people is not None:
            spec = load_people(people)
            problems = team_problems(spec, demand)
            if problems:
                raise ScenarioError(str(people), problems)
        else:
            week = range(min(7, demand.days))
            shifts = sum(demand.required(t, s) for t in week for s in range(len(demand.shifts)))
            hours = sum(demand.required(t, s) * sh.paid_hours for t in week for s, sh in enumerate(demand.shifts))
            spec = default_pool(shifts, hours, demand.wage_per_hour)
    except ScenarioError as exc:
        err.print(labelled("error:", "bold red", str(exc)), highlight=False, soft_wrap=True)
        raise typer.Exit(INVALID_INPUT) from None
    try:
        result = solve_roster(demand, spec, time_limit=time_limit, gap=gap)
    except InfeasibleError as exc:
        err.print(labelled("infeasible:", "bold red", f"{plan}: {exc}"), highlight=False, soft_wrap=True)
        raise typer.Exit(INFEASIBLE) from None
    print_roster(result, console)
    if out is not None:
        written = write_roster(result, out)
        if planned is not None:
            from simsvc.roster.scenario import write_roster_scenario

            written += write_roster_scenario(result, planned, out)
        else:
            err.print(plain(f"no scenario.yaml beside {plan}: the roster's scenario is not written"), highlight=False)
        err.print(plain(f"wrote {len(written)} files to {out}"), highlight=False)
    if result.breaches:
        shown = result.breaches[:20]
        lines = "\n  ".join(b.sentence() for b in shown)
        more = f"\n  … and {len(result.breaches) - 20} more" if len(result.breaches) > 20 else ""
        message = f"{plan}: the rules cannot all hold with these people ({len(result.breaches)} rule(s) give):"
        err.print(labelled("infeasible:", "bold red", f"{message}\n  {lines}{more}"), highlight=False, soft_wrap=True)
        raise typer.Exit(INFEASIBLE)


def _plan_scenario(plan: Path):  # -> Scenario | None
    """The plan's ``scenario.yaml`` (beside its ``plan.csv``), or None if there is none."""
    from simsvc.scenario import load_scenario

    path = (plan if plan.is_dir() else plan.parent) / "scenario.yaml"
    return load_scenario(path) if path.is_file() else None


def register(app: typer.Typer, examples: dict[str, tuple[str, ...]]) -> None:
    """Add ``simsvc roster`` to ``app``, and its help's example lines to ``examples`` (the CLI's table of them)."""
    examples["roster"] = ROSTER_EXAMPLES
    epilog = "Examples (`simsvc examples demo` writes the demo/ folder):\n\b\n" + "\n".join(
        f"  {x}" for x in ROSTER_EXAMPLES
    )
    app.command(name="roster", epilog=epilog)(roster)
