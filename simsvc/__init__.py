"""simsvc: simulate service operations and recommend staffing.

Public entry points: :func:`load_scenario`, :func:`simulate`, :mod:`simsvc.queueing`,
:mod:`simsvc.experiments` (sweeps; imported on demand).
"""

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
    "simulate",
]
