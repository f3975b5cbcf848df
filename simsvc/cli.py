"""The ``simsvc`` command.

Exit codes: 0 success, 2 invalid input (the message names the file and the field),
1 anything else, 130 interrupted (finished replications, or sweep tasks, are still printed and saved).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from simsvc.errors import ScenarioError

__all__ = ["app", "main"]

app = typer.Typer(
    name="simsvc",
    help="Simulate service operations and their waiting times; see README.md.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped or redirected output keeps whole tables (rich would wrap them at 80 columns).
_out = Console(width=None if sys.stdout.isatty() else 150)
_err = Console(stderr=True)

INVALID_INPUT = 2
INTERRUPTED = 130


class OutputFormat(str, Enum):
    """How ``simsvc run`` prints its KPIs."""

    table = "table"
    json = "json"
    csv = "csv"


def _fail_invalid(exc: ScenarioError) -> None:
    _err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(INVALID_INPUT)


ScenarioFile = Annotated[Path, typer.Argument(help="Scenario file (YAML).", show_default=False)]


@app.command()
def validate(file: ScenarioFile) -> None:
    """Check a scenario file and say what is wrong with it, field by field."""
    from simsvc.scenario import load_scenario
    from simsvc.sim.capacity import overload_warning

    try:
        scenario = load_scenario(file)
    except ScenarioError as exc:
        _fail_invalid(exc)
        return
    h = scenario.horizon
    _out.print(
        f"[green]ok[/] {file}: {scenario.name!r}, {len(scenario.customer_classes)} class(es), "
        f"{len(scenario.teams)} team(s), {h.days} day(s) {h.open}-{h.close}, "
        f"{h.n_intervals} intervals of {h.interval_minutes:g} min",
        highlight=False,
    )
    warning = overload_warning(scenario)
    if warning:
        _err.print(f"[yellow]warning:[/] {warning}", highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion and checks)."""
    from simsvc.scenario import scenario_json_schema

    sys.stdout.write(scenario_json_schema() + "\n")


@app.command()
def run(
    file: ScenarioFile,
    replications: Annotated[
        Optional[int], typer.Option("--replications", "-r", min=1, help="Default: the scenario's.")
    ] = None,
    seed: Annotated[Optional[int], typer.Option(min=0, help="Default: the scenario's.")] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="How to print the KPIs.")
    ] = OutputFormat.table,
    out: Annotated[
        Optional[Path], typer.Option(help="Folder for the customer records (Parquet) and KPI tables.")
    ] = None,
    no_records: Annotated[
        bool, typer.Option("--no-records", help="Stream KPIs only: bounded memory, no customer table.")
    ] = False,
) -> None:
    """Simulate a scenario and print its KPIs with 95 % confidence intervals."""
    from simsvc.output import print_result, write_result
    from simsvc.scenario import load_scenario
    from simsvc.sim.replicate import simulate

    try:
        scenario = load_scenario(file)
    except ScenarioError as exc:
        _fail_invalid(exc)
        return
    keep = False if no_records else (True if out is not None else scenario.simulation.keep_records)
    with _progress() as bar:
        task = bar.add_task("replications", total=replications or scenario.simulation.replications)
        result = simulate(
            scenario, replications, seed, keep_records=keep,
            progress=lambda done, total: bar.update(task, completed=done),
        )  # fmt: skip
    for warning in result.warnings:
        _err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    print_result(result, output_format.value, _out)
    if out is not None:
        written = write_result(result, out)
        _err.print(f"wrote {len(written)} files to {out}", highlight=False)
    if result.interrupted:
        raise typer.Exit(INTERRUPTED)


@app.command()
def sweep(
    experiment: Annotated[Path, typer.Argument(help="Experiment file (YAML).", show_default=False)],
    out: Annotated[Path, typer.Option(help="Results folder (Parquet store).", show_default=False)],
    workers: Annotated[
        Optional[int], typer.Option("--workers", "-w", min=1, help="Local processes. Default: all cores.")
    ] = None,
    scheduler: Annotated[
        Optional[str], typer.Option(help="Run on this Dask scheduler (tcp://host:8786).")
    ] = None,
    dask_local: Annotated[
        bool, typer.Option("--dask-local", help="Start a local Dask cluster of --workers processes.")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish an interrupted sweep: compute only the missing tasks.")
    ] = False,
) -> None:
    """Simulate every design point of an experiment; each finished task is stored at once."""
    from contextlib import nullcontext

    from simsvc.experiments import dask_executor, plan_sweep, run_sweep

    if scheduler and dask_local:
        _fail_invalid(ScenarioError("--scheduler/--dask-local", [("", "give one of --scheduler or --dask-local")]))
    try:
        plan = plan_sweep(experiment)
        use_dask = scheduler is not None or dask_local
        with dask_executor(scheduler, workers) if use_dask else nullcontext() as executor, _progress() as bar:
            task = bar.add_task("tasks", total=len(plan.tasks))
            done = run_sweep(
                plan, out, executor, resume=resume, workers=workers,
                progress=lambda finished, total: bar.update(task, completed=finished),
            )  # fmt: skip
    except ScenarioError as exc:
        _fail_invalid(exc)
        return
    _err.print(
        f"{done.ran} task(s) run, {done.skipped} already stored, {done.total} in all "
        f"({len(plan.points)} design points × {plan.experiment.replications} replications) "
        f"in {done.seconds:.1f} s → {out}",
        highlight=False,
    )
    if done.interrupted:
        _err.print("interrupted: the finished tasks are stored; run again with --resume to finish", highlight=False)
        raise typer.Exit(INTERRUPTED)


def _progress():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=_err, transient=True, disable=not _err.is_terminal,
    )  # fmt: skip


def main() -> None:
    """Entry point of the console script."""
    try:
        app()
    except KeyboardInterrupt:
        _err.print("interrupted")
        sys.exit(INTERRUPTED)


if __name__ == "__main__":  # pragma: no cover
    main()
