"""Runs simulated side by side: all but the last in a worker process while the last runs here.

A lesson's Run, or a Run after moving both settings, simulates A and B; on two cores that halves
the wait (the fortnight lesson's two runs: about 1.7 s one after the other, 0.9 s side by side).
The worker is one process kept for the server's life, forked from the forkserver with the app's
modules loaded (:func:`simsvc.workers.process_pool`), so a Run starts no process; a run is the
same call with the same random streams wherever it runs, so its numbers are the same. A run comes
back pickled (the fortnight's 10 replications with records: about 5 MB, 10 ms).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

from simsvc.app import core
from simsvc.errors import ScenarioError
from simsvc.i18n import Lang
from simsvc.workers import default_workers, process_pool

if TYPE_CHECKING:
    from simsvc.scenario.models import Scenario

__all__ = ["Job", "run_side_by_side", "start"]

Job = tuple["Scenario", core.Setting, Lang, "Path | None"]
"""The arguments of :func:`simsvc.app.core.run_setting`."""

_pool: ProcessPoolExecutor | None = None


def _worker() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = process_pool(1, preload=["simsvc.app.core"])
    return _pool


def start() -> None:
    """Start the worker now (the server's start), so that the first Run does not wait for it."""
    if default_workers() > 1:
        _worker().submit(int).result()


def _attempt(
    scenario: Scenario, setting: core.Setting, lang: Lang, base_dir: Path | None
) -> core.AppRun | ScenarioError:
    """The run, or the error that made the setting invalid (returned, so that it comes back from the worker)."""
    try:
        return core.run_setting(scenario, setting, lang, base_dir)
    except ScenarioError as exc:
        return exc


def run_side_by_side(jobs: list[Job]) -> list[core.AppRun | ScenarioError]:
    """:func:`~simsvc.app.core.run_setting` of each job (or its ScenarioError), in order.

    On one core, or for a single job, they run here one after the other.
    """
    global _pool
    if len(jobs) < 2 or default_workers() < 2:
        return [_attempt(*job) for job in jobs]
    futures = [_worker().submit(_attempt, *job) for job in jobs[:-1]]
    last = _attempt(*jobs[-1])
    done = []
    for future, job in zip(futures, jobs, strict=False):
        try:
            done.append(future.result())
        except BrokenProcessPool:  # the worker died (killed, out of memory): run here, and a new one next time
            _pool = None
            done.append(_attempt(*job))
    return [*done, last]
