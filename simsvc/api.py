"""The public :func:`simulate` and :func:`optimize`: they take a scenario or the path of its file.

They are :func:`simsvc.run.simulate` and :func:`simsvc.staffing.optimize` after
:func:`~simsvc.scenario.load.as_scenario`, so ``simsvc.simulate("bank_branch.yaml")`` loads the
file and anything else that is not a scenario is refused with a ``TypeError`` saying what is
accepted. The optimizer (and PuLP with it) is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simsvc import run
from simsvc.scenario.load import PathLike, as_scenario
from simsvc.scenario.models import Scenario

if TYPE_CHECKING:
    from simsvc.result import SimResult
    from simsvc.staffing.plan import Plan

__all__ = ["optimize", "simulate"]


def simulate(scenario: Scenario | PathLike, *args: Any, **kwargs: Any) -> SimResult:
    """Simulate replications of a scenario, or of the scenario file at a path.

    The other arguments are those of :func:`simsvc.run.simulate`: ``replications``,
    ``seed``, ``keep_records``, ``progress``, ``first_replication``.

    Raises:
        TypeError: ``scenario`` is neither a :class:`~simsvc.Scenario` nor a path.
        simsvc.ScenarioError: the file is missing or invalid.
    """
    return run.simulate(as_scenario(scenario, "simulate()"), *args, **kwargs)


def optimize(scenario: Scenario | PathLike, *args: Any, **kwargs: Any) -> Plan:
    """Staff and train at least cost for a scenario, or for the scenario file at a path.

    The other arguments are those of :func:`simsvc.staffing.optimize`: ``replications``,
    ``seed``, ``iterations``, ``simulate_plan``, ``progress``.

    Raises:
        TypeError: ``scenario`` is neither a :class:`~simsvc.Scenario` nor a path.
        simsvc.ScenarioError: the file is missing or invalid, or it has no ``optimizer`` block.
        simsvc.InfeasibleError: a target cannot be met within the bounds.
        simsvc.errors.SolverError: a solve stopped at ``optimizer.time_limit`` before finding any plan.
    """
    from simsvc.staffing import optimize as optimize_scenario

    return optimize_scenario(as_scenario(scenario, "optimize()"), *args, **kwargs)
