"""simsvc: simulate service operations and recommend staffing.

Public entry points: :func:`load_scenario`, :func:`simulate`, :func:`optimize` (both take a
:class:`Scenario` or the path of a scenario file), :meth:`Scenario.replace` and
:meth:`Scenario.to_dict`, :mod:`simsvc.queueing`, :mod:`simsvc.experiments` (sweeps). The
optimizer (and PuLP with it) and the experiments are imported on first use.
"""

from importlib.metadata import PackageNotFoundError, version

from simsvc.api import optimize, simulate
from simsvc.errors import ExperimentError, InfeasibleError, ScenarioError, SolverError
from simsvc.result import SimResult
from simsvc.scenario import Scenario, load_scenario

try:
    __version__ = version("simsvc")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "ExperimentError",
    "InfeasibleError",
    "Scenario",
    "ScenarioError",
    "SimResult",
    "SolverError",
    "__version__",
    "load_scenario",
    "optimize",
    "simulate",
]

