"""The compiled fast path of the SimPy model (numba; the optional extra ``simsvc[fast]``).

:func:`unsupported` says why a built engine cannot run on the kernel (None: it can); then
:class:`~simsvc.sim.kernel.driver.KernelRun` runs it with the same records as the SimPy model.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simsvc.sim.engine import Engine

__all__ = ["available", "unsupported"]


def available() -> bool:
    """Whether numba is installed."""
    return importlib.util.find_spec("numba") is not None


def unsupported(engine: Engine) -> str | None:
    """The first feature of ``engine``'s scenario the kernel does not run, or None."""
    if not available():
        return "numba is not installed (pip install 'simsvc[fast]')"
    if engine.scenario.quality.enabled:
        return "the quality model"
    if engine.planner:
        return "journeys of several steps or a choice of stations"
    if any(p is not None for p in engine.pick) or any(t.pick_customer is not None for t in engine.teams):
        return "routing rules other than first_idle and priority"
    if any(t.back_office for t in engine.teams):
        return "back-office stations"
    return None
