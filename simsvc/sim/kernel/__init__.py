"""The compiled fast path of the SimPy model (numba; the optional extra ``simsvc[fast]``).

The only fast path of the model: :func:`run_engine` runs a built
:class:`~simsvc.sim.engine.Engine` either as SimPy does (``engine.run()``) or on the compiled
loop (:class:`~simsvc.sim.kernel.driver.KernelRun`), which gives the same records to the last
bit (``tests/test_kernel_differential.py``). :func:`unsupported` names the first feature of a
scenario the kernel does not run; ``auto`` then falls back to SimPy and says why.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from simsvc.sim.engine import Engine

__all__ = ["ENGINES", "KernelUnsupported", "available", "run_engine", "unsupported"]

ENGINES = ("auto", "simpy", "kernel")
"""The choices of ``simulate(engine=...)``: the kernel where it supports the scenario, SimPy, the kernel."""


class KernelUnsupported(ValueError):
    """``engine="kernel"`` was asked for a scenario the kernel does not run; the message names the feature."""


def available() -> bool:
    """Whether numba is installed (without importing it: that takes half a second)."""
    try:
        return importlib.util.find_spec("numba") is not None
    except ValueError:  # in sys.modules without a spec (e.g. blocked as None)
        return False


def unsupported(engine: Engine) -> str | None:
    """The first feature of ``engine``'s scenario the kernel does not run, or None."""
    if any(t.concurrent for t in engine.scenario.teams):
        return "chat concurrency"
    if engine.scenario.quality.enabled and engine.planner:
        return "journeys of several steps with the quality model"
    if engine.channels is not None:
        return "channel choice"
    if any(t.overflow for t in engine.scenario.teams):
        return "overflow to secondary groups"
    if any(t.self_service is not None for t in engine.scenario.teams):
        return "self-service stations"
    if any(t.deferred is not None for t in engine.scenario.teams):
        return "deferred work"
    if any(p is not None for p in engine.pick) or any(t.pick_customer is not None for t in engine.teams):
        return "routing rules other than first_idle and priority"
    if not available():
        return "numba is not installed (pip install 'simsvc[fast]')"
    return None


def run_engine(engine: Engine, choice: Literal["auto", "simpy", "kernel"] = "auto") -> tuple[str, str | None]:
    """Run ``engine``'s replication on the engine ``choice`` asks for.

    Returns:
        The engine that ran (``"kernel"`` or ``"simpy"``) and, when ``auto`` fell back to
        SimPy, the feature that made it (None otherwise).

    Raises:
        ValueError: ``choice`` is not one of :data:`ENGINES`.
        KernelUnsupported: ``kernel`` was asked for a scenario the kernel does not run.
    """
    if choice not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {choice!r}")
    reason = None if choice == "simpy" else unsupported(engine)
    if choice == "kernel" and reason is not None:
        raise KernelUnsupported(f"the kernel cannot run this scenario: {reason}")
    if choice == "simpy" or reason is not None:
        engine.run()
        return "simpy", reason
    from simsvc.sim.kernel.driver import KernelRun

    KernelRun(engine).run()
    return "kernel", None
