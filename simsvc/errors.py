"""simsvc's own exceptions: each names the culprit so a user can fix it."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ExperimentError", "InfeasibleError", "ScenarioError", "SolverError"]


class ScenarioError(ValueError):
    """A scenario (or a file it refers to) is invalid.

    Attributes:
        source: the file the scenario came from, or ``"<mapping>"``.
        problems: ``(field path, what is wrong)`` pairs, every problem found.
    """

    kind = "scenario"
    """What was invalid, as the message names it."""

    def __init__(self, source: str, problems: Sequence[tuple[str, str]]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = [f"{path}: {what}" if path else what for path, what in self.problems]
        noun = "problem" if len(lines) == 1 else "problems"
        super().__init__(f"{source}: invalid {self.kind} ({len(lines)} {noun})\n  " + "\n  ".join(lines))

    def __reduce__(self) -> tuple:
        """Pickled by its fields, so that it crosses to and from worker processes whole."""
        return type(self), (self.source, self.problems)


class ExperimentError(ScenarioError):
    """An experiment file (or its results store) is invalid; a :class:`ScenarioError` so callers catch both."""

    kind = "experiment"


class InfeasibleError(ValueError):
    """Targets or requirements that no plan within the bounds can meet.

    Attributes:
        target: the target or requirement that cannot be met (``None`` if not one in particular).
        periods: the periods or intervals where it fails (labels or indices).
        best: the best value reachable there, when known.
    """

    def __init__(
        self, message: str, *, target: str | None = None, periods: Sequence[object] = (), best: float | None = None
    ) -> None:
        self.target, self.periods, self.best = target, list(periods), best
        super().__init__(message)


class SolverError(RuntimeError):
    """A MILP solver stopped without proving its answer optimal (e.g. at its time limit).

    Attributes:
        status: the solver's status (PuLP's name, e.g. ``"Not Solved"``, or ``"Optimal"`` for an
            integer solution found but not proven optimal).
        gap: the relative MIP gap of the best solution found (None when the solver does not say).
        solution: the best solution found (for :func:`simsvc.staffing.cover_shifts`: staff per shift).
    """

    def __init__(self, message: str, *, status: str, gap: float | None, solution: Sequence[int] = ()) -> None:
        self.status, self.gap, self.solution = status, gap, list(solution)
        super().__init__(message)
