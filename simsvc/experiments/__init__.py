"""Experiments at scale: sweeps of scenario variants × replications, on all cores or a Dask cluster.

An experiment file names a base scenario, factors over its fields and a design; each design
point × block of replications is a task; each finished task is stored at once (Parquet), so an
interrupted sweep resumes where it stopped. See :func:`run_sweep` and :func:`load`.
"""

from simsvc.experiments.analysis import main_effects, paired_differences, pareto_frontier, summarize
from simsvc.experiments.executors import dask_executor, local_executor
from simsvc.experiments.plan import SweepPlan, Task, plan_sweep
from simsvc.experiments.runner import SweepRun, run_sweep, run_task
from simsvc.experiments.spec import Design, Experiment, Factor, Outputs, read_experiment
from simsvc.experiments.store import Store, load

__all__ = [
    "Design",
    "Experiment",
    "Factor",
    "Outputs",
    "Store",
    "SweepPlan",
    "SweepRun",
    "Task",
    "dask_executor",
    "load",
    "local_executor",
    "main_effects",
    "paired_differences",
    "pareto_frontier",
    "plan_sweep",
    "read_experiment",
    "run_sweep",
    "run_task",
    "summarize",
]
