"""simsvc: simulate service operations and recommend staffing.

Public entry points: :func:`load_scenario`, :func:`simulate`, :func:`optimize`,
:mod:`simsvc.queueing`, :mod:`simsvc.experiments` (sweeps). The optimizer (and PuLP with it)
and the experiments are imported on first use.
"""

from typing import Any

from simsvc.errors import ExperimentError, InfeasibleError, ScenarioError
from simsvc.result import SimResult
from simsvc.scenario import Scenario, load_scenario
from simsvc.sim.replicate import simulate

__version__ = "0.1.0"

__all__ = [
    "ExperimentError",
    "InfeasibleError",
    "Scenario",
    "ScenarioError",
    "SimResult",
    "__version__",
    "load_scenario",
    "optimize",
    "simulate",
]


def __getattr__(name: str) -> Any:
    # Lazy: `import simsvc` must not import PuLP and the solver.
    if name == "optimize":
        from simsvc.staffing import optimize

        return optimize
    raise AttributeError(f"module 'simsvc' has no attribute {name!r}")
