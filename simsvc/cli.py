"""The ``simsvc`` command.

Exit codes: 0 success, 2 invalid input (the message names the file and the field),
3 targets infeasible (the message says which and by how much), 1 anything else,
130 interrupted (finished replications, or sweep tasks, are still printed and saved).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from simsvc.cli_common import INFEASIBLE, INTERRUPTED, INVALID_INPUT, err, out
from simsvc.cli_log import register as register_log_commands
from simsvc.cli_roster import register as register_roster
from simsvc.errors import ScenarioError
from simsvc.terminal import labelled, plain

__all__ = ["app", "main"]


def _examples(*lines: str) -> str:
    """A help epilog of example command lines (shown verbatim, one per line)."""
    return "Examples (`simsvc examples demo` writes the demo/ folder):\n\b\n" + "\n".join(f"  {x}" for x in lines)


# The examples use the files `simsvc examples demo` writes, so they work for anyone who
# installed simsvc (from a wheel too); tests/test_cli.py runs them.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "simsvc": (
        "simsvc examples demo",
        "simsvc run demo/scenarios/bank_branch.yaml",
        "simsvc run --help",
    ),
    "examples": ("simsvc examples", "simsvc examples demo"),
    "validate": ("simsvc validate demo/scenarios/call_centre.yaml",),
    "schema": ("simsvc schema > scenario.schema.json",),
    "run": (
        "simsvc run demo/scenarios/bank_branch.yaml",
        "simsvc run demo/scenarios/call_centre.yaml -r 50 --seed 1 -w 2 -f json",
        "simsvc run demo/scenarios/bank_branch.yaml -f csv --table interval",
        "simsvc run demo/scenarios/bank_branch.yaml --out results/bank",
    ),
    "report": (
        "simsvc run demo/scenarios/bank_branch.yaml --out results/bank",
        "simsvc report results/bank",
    ),
    "optimize": (
        "simsvc optimize demo/scenarios/call_centre.yaml --no-simulate",
        "simsvc optimize demo/scenarios/call_centre.yaml --out results/plan",
    ),
    "sweep": (
        "simsvc sweep demo/experiments/staffing_small.yaml --out results/small",
        "simsvc sweep demo/experiments/staffing_small.yaml --out results/small --resume",
    ),
    "app": ("simsvc app --port 8501 --browser",),
}
"""Example command lines of each command's ``--help`` (``simsvc``: the top-level help)."""

app = typer.Typer(
    name="simsvc",
    help="Simulate service operations, their waiting times and service quality, and recommend staffing.",
    epilog=_examples(*EXAMPLES["simsvc"]),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_out, _err = out, err


class PlanFormat(str, Enum):
    """How ``simsvc optimize`` prints its plan."""

    table = "table"
    json = "json"


class Language(str, Enum):
    """Language of figures, reports and the app."""

    en = "en"
    zh = "zh"


class OutputFormat(str, Enum):
    """How ``simsvc run`` prints its KPIs."""

    table = "table"
    json = "json"
    csv = "csv"


class EngineChoice(str, Enum):
    """Which engine ``simsvc run`` simulates on (see ``simulate(engine=...)``)."""

    auto = "auto"
    simpy = "simpy"
    kernel = "kernel"


class CsvTable(str, Enum):
    """Which KPI table ``simsvc run --format csv`` prints."""

    overall = "overall"
    class_ = "class"
    interval = "interval"
    day = "day"
    station = "station"


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("simsvc")
        except PackageNotFoundError:  # a source checkout on the path, not installed
            from simsvc import __version__ as number
        _out.print(f"simsvc {number}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Simulate service operations, their waiting times and service quality, and recommend staffing."""


def _fail_invalid(exc: ScenarioError) -> None:
    _err.print(labelled("error:", "bold red", str(exc)), highlight=False, soft_wrap=True)
    raise typer.Exit(INVALID_INPUT)


def _check_destinations(folders: dict[str, Optional[Path]], files: Optional[dict[str, Optional[Path]]] = None) -> None:
    """Exit 2 naming the option if a destination cannot be written: checked before any work."""
    from simsvc.destinations import DestinationError, check_destinations

    try:
        check_destinations(folders, files)
    except DestinationError as exc:
        _fail_invalid(exc)


ScenarioFile = Annotated[Path, typer.Argument(help="Scenario file (YAML).", show_default=False)]
AllowDirs = Annotated[
    Optional[list[Path]],
    typer.Option(
        "--allow-dir",
        help="A folder the scenario's (or experiment's) files may also be read from; repeatable. "
        "Default: only the scenario's own folder (an experiment's base: its folder's parent).",
        show_default=False,
    ),
]


@app.command(epilog=_examples(*EXAMPLES["examples"]))
def examples(
    folder: Annotated[
        Optional[Path], typer.Argument(help="Folder to write them into; without it, list them.", show_default=False)
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files that exist.")] = False,
) -> None:
    """Write the bundled example scenarios and sweep experiment into FOLDER (or list them)."""
    from simsvc.bundled import bundled_examples, write_examples

    if folder is None:
        for example in bundled_examples():
            _out.print(f"{example.path:40} {example.title}", highlight=False)
        return
    _check_destinations({"FOLDER": folder})
    try:
        written = write_examples(folder, overwrite=force)
    except FileExistsError as exc:
        _err.print(labelled("error:", "bold red", str(exc)), highlight=False, soft_wrap=True)
        raise typer.Exit(INVALID_INPUT) from None
    _err.print(f"wrote {len(written)} files to {folder}", highlight=False)
    for path in written:
        _out.print(str(path), highlight=False)


@app.command(epilog=_examples(*EXAMPLES["validate"]))
def validate(file: ScenarioFile, allow_dir: AllowDirs = None) -> None:
    """Check a scenario file and say what is wrong with it, field by field."""
    from simsvc.scenario import load_scenario
    from simsvc.sim.capacity import capacity_warnings

    try:
        scenario = load_scenario(file, allowed_dirs=allow_dir or ())
    except ScenarioError as exc:
        _fail_invalid(exc)
        return
    h = scenario.horizon
    _out.print(
        labelled(
            "ok", "green",
            f"{file}: {scenario.name!r}, {len(scenario.customer_classes)} class(es), "
            f"{len(scenario.teams)} team(s), {h.days} day(s) {h.open}-{h.close}, "
            f"{h.n_intervals} intervals of {h.interval_minutes:g} min",
        ),
        highlight=False,
    )  # fmt: skip
    for warning in capacity_warnings(scenario):
        _err.print(labelled("warning:", "yellow", warning), highlight=False)


@app.command(epilog=_examples(*EXAMPLES["schema"]))
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion and checks)."""
    from simsvc.scenario import scenario_json_schema

    sys.stdout.write(scenario_json_schema() + "\n")


@app.command(epilog=_examples(*EXAMPLES["run"]))
def run(
    file: ScenarioFile,
    replications: Annotated[
        Optional[int], typer.Option("--replications", "-r", min=1, help="Default: the scenario's.")
    ] = None,
    seed: Annotated[Optional[int], typer.Option(min=0, help="Default: the scenario's.")] = None,
    workers: Annotated[
        Optional[int],
        typer.Option("--workers", "-w", min=1, help="Processes running replications. Default: all cores."),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="How to print the KPIs.")
    ] = OutputFormat.table,
    table: Annotated[
        Optional[CsvTable],
        typer.Option("--table", "-t", help="With --format csv: which KPI table to print. Default: overall."),
    ] = None,
    out: Annotated[
        Optional[Path],
        typer.Option(help="Folder for the customer records (Parquet) and every KPI table (CSV)."),
    ] = None,
    no_records: Annotated[
        bool, typer.Option("--no-records", help="Stream KPIs only: bounded memory, no customer table.")
    ] = False,
    plots: Annotated[Optional[Path], typer.Option(help="Folder for the figures (PNG).")] = None,
    lang: Annotated[Language, typer.Option(help="Language of the figures.")] = Language.en,
    allow_dir: AllowDirs = None,
    engine: Annotated[
        EngineChoice,
        typer.Option(help="auto: the compiled kernel (simsvc[fast]) where it runs the scenario, else SimPy."),
    ] = EngineChoice.auto,
) -> None:
    """Simulate a scenario; print its KPIs with 95 % CIs and its targets met or missed.

    Replications run side by side on --workers processes, with the same numbers
    for any number of workers (replication r draws from the streams of seed, r).
    --out writes summary.csv, by_class.csv, by_interval.csv, by_day.csv, by_station.csv (the
    --table choices), result.json and customers.parquet.
    """
    from simsvc.output import csv_table, print_result, write_result
    from simsvc.run import simulate
    from simsvc.scenario import load_scenario
    from simsvc.sim.kernel import KernelUnsupported

    if table is not None and output_format is not OutputFormat.csv:
        raise typer.BadParameter("applies to --format csv only (--out writes every table)", param_hint="--table")
    _check_destinations({"--out": out, "--plots": plots})
    try:
        scenario = load_scenario(file, allowed_dirs=allow_dir or ())
    except ScenarioError as exc:
        _fail_invalid(exc)
        return
    keep = False if no_records else (True if out is not None or plots is not None else scenario.simulation.keep_records)
    with _progress() as bar:
        task = bar.add_task("replications", total=replications or scenario.simulation.replications)
        try:
            result = simulate(
                scenario, replications, seed, keep_records=keep, workers=workers, engine=engine.value,
                progress=lambda done, total: bar.update(task, completed=done),
            )  # fmt: skip
        except KernelUnsupported as exc:  # --engine kernel on a scenario it does not run
            _err.print(labelled("error:", "bold red", str(exc)), highlight=False)
            raise typer.Exit(INVALID_INPUT) from None
    for warning in result.warnings:
        _err.print(labelled("warning:", "yellow", warning), highlight=False)
    if output_format is OutputFormat.csv:
        _out.file.write(csv_table(result, (table or CsvTable.overall).value))
    else:
        print_result(result, output_format.value, _out)
    if out is not None:
        written = write_result(result, out)
        _err.print(f"wrote {len(written)} files to {out}", highlight=False)
    if plots is not None:
        from simsvc.plots import run_figures, write_figures

        customers = result.customers if result.has_records else None
        figures = run_figures(result.summary(), result.by_interval(), customers, scenario, lang.value)
        written = write_figures(figures, plots)
        _err.print(f"wrote {len(written)} figures to {plots}", highlight=False)
    if result.interrupted:
        raise typer.Exit(INTERRUPTED)


@app.command(epilog=_examples(*EXAMPLES["optimize"]))
def optimize(
    file: ScenarioFile,
    out: Annotated[
        Optional[Path], typer.Option(help="Folder for plan.csv, scenario.yaml, optimization.json and the chart.")
    ] = None,
    replications: Annotated[
        Optional[int], typer.Option("--replications", "-r", min=2, help="Per verification; default the scenario's.")
    ] = None,
    seed: Annotated[Optional[int], typer.Option(min=0, help="Default: the scenario's.")] = None,
    iterations: Annotated[
        Optional[int], typer.Option(min=1, max=50, help="Most solve-and-simulate rounds; default the scenario's.")
    ] = None,
    no_simulate: Annotated[
        bool, typer.Option("--no-simulate", help="Solve once on the queueing curves; do not verify by simulation.")
    ] = False,
    output_format: Annotated[PlanFormat, typer.Option("--format", "-f", help="How to print the plan.")] = (
        PlanFormat.table
    ),
    lang: Annotated[Language, typer.Option(help="Language of the staffing chart.")] = Language.en,
    workers: Annotated[
        Optional[int],
        typer.Option("--workers", "-w", min=1, help="Processes verifying the plan. Default: all cores."),
    ] = None,
    allow_dir: AllowDirs = None,
) -> None:
    """Staff shifts and choose training levels that meet the targets at least cost, proven by simulation."""
    from simsvc.errors import InfeasibleError, SolverError
    from simsvc.plan_output import plan_shortfalls, print_plan, write_plan
    from simsvc.scenario import load_scenario
    from simsvc.staffing import optimize as run_optimizer

    _check_destinations({"--out": out})
    try:
        scenario = load_scenario(file, allowed_dirs=allow_dir or ())
        if scenario.optimizer is None:
            raise ScenarioError(str(file), [("optimizer", "missing: add candidate shifts to optimize (see README)")])
    except ScenarioError as exc:
        _fail_invalid(exc)
        return

    def report(it) -> None:
        misses = "; ".join(it.misses) or "none"
        _err.print(plain(f"round {it.number}: cost {it.cost:,.2f}, missed with confidence: {misses}"), highlight=False)

    try:
        plan = run_optimizer(
            scenario, replications=replications, seed=seed, iterations=iterations,
            simulate_plan=not no_simulate, progress=report, workers=workers,
        )  # fmt: skip
    except InfeasibleError as exc:
        _err.print(labelled("infeasible:", "bold red", f"{file}: {exc}"), highlight=False, soft_wrap=True)
        raise typer.Exit(INFEASIBLE) from None
    except SolverError as exc:  # not infeasible: the solver gave up before it knew
        limit = scenario.optimizer.time_limit
        _err.print(
            labelled("no plan yet:", "bold red", f"{file}: {exc}. That is not a proof that no plan exists: "
                     f"give a larger optimizer.time_limit (now {limit:g} s per solve)"),
            highlight=False, soft_wrap=True,
        )  # fmt: skip
        raise typer.Exit(INFEASIBLE) from None
    print_plan(plan, output_format.value, _out)
    if out is not None:
        from simsvc.staffing.chart import save_staffing_chart

        written = write_plan(plan, out, chart=lambda p, path: save_staffing_chart(p, path, lang.value))
        _err.print(f"wrote {len(written)} files to {out}", highlight=False)
    missed = plan_shortfalls(plan)
    if missed:
        _err.print(
            labelled("infeasible:", "bold red", f"{file}: after {len(plan.iterations)} round(s) the simulation "
                     "still misses " + "; ".join(missed)),
            highlight=False, soft_wrap=True,
        )  # fmt: skip
        raise typer.Exit(INFEASIBLE)


@app.command(epilog=_examples(*EXAMPLES["report"]))
def report(
    folder: Annotated[Path, typer.Argument(help="Output folder of `simsvc run --out` or `simsvc optimize --out`.")],
    lang: Annotated[Language, typer.Option(help="Language of the report.")] = Language.en,
    out: Annotated[
        Optional[Path], typer.Option(help="HTML file to write (default: FOLDER/report.html, report.zh.html).")
    ] = None,
) -> None:
    """Turn a run's or an optimization's output folder into one self-contained HTML report."""
    from simsvc.report import ReportError, write_report

    _check_destinations({"FOLDER": folder} if out is None else {}, {"--out": out})  # the default is in FOLDER
    try:
        path = write_report(folder, out, lang.value)
    except ReportError as exc:
        _err.print(labelled("error:", "bold red", str(exc)), highlight=False, soft_wrap=True)
        raise typer.Exit(INVALID_INPUT) from None
    _err.print(f"wrote {path}", highlight=False)


@app.command("app", epilog=_examples(*EXAMPLES["app"]))
def web_app(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on localhost.")] = 8501,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "localhost",
    browser: Annotated[bool, typer.Option(help="Open a browser tab.")] = False,
) -> None:
    """Start the web app for training courses (Streamlit) on http://HOST:PORT."""
    from simsvc.app.launch import serve

    serve(port=port, host=host, open_browser=browser)


@app.command(epilog=_examples(*EXAMPLES["sweep"]))
def sweep(
    experiment: Annotated[Path, typer.Argument(help="Experiment file (YAML).", show_default=False)],
    out: Annotated[Path, typer.Option(help="Results folder (Parquet store).", show_default=False)],
    workers: Annotated[
        Optional[int], typer.Option("--workers", "-w", min=1, help="Local processes. Default: all cores.")
    ] = None,
    scheduler: Annotated[Optional[str], typer.Option(help="Run on this Dask scheduler (tcp://host:8786).")] = None,
    dask_local: Annotated[
        bool, typer.Option("--dask-local", help="Start a local Dask cluster of --workers processes.")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish an interrupted sweep: compute only the missing tasks.")
    ] = False,
    allow_dir: AllowDirs = None,
    connect_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait for the --scheduler to answer.")
    ] = 5.0,
) -> None:
    """Simulate every design point of an experiment; each finished task is stored at once."""
    from contextlib import nullcontext

    from simsvc.experiments import Store, dask_executor, plan_sweep, run_sweep

    if scheduler and dask_local:
        _fail_invalid(ScenarioError("--scheduler/--dask-local", [("", "give one of --scheduler or --dask-local")]))
    _check_destinations({"--out": out})
    try:
        plan = plan_sweep(experiment, allowed_dirs=allow_dir or ())
        Store(out).check_free()  # before starting or reaching a cluster
        use_dask = scheduler is not None or dask_local
        executor_context = dask_executor(scheduler, workers, connect_timeout) if use_dask else nullcontext()
        with executor_context as executor, _progress() as bar:
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


EXAMPLES.update(register_log_commands(app))  # history generate, fit, forecast (simsvc/cli_log.py)
register_roster(app, EXAMPLES)  # simsvc roster (simsvc/cli_roster.py)


def main() -> None:
    """Entry point of the console script."""
    try:
        app()
    except KeyboardInterrupt:
        _err.print("interrupted")
        sys.exit(INTERRUPTED)


if __name__ == "__main__":  # pragma: no cover
    main()
