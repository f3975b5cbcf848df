"""The staffing optimizer: performance curves, the PuLP model, simulate-and-correct.

``simsvc.optimize`` (:func:`~simsvc.staffing.optimize.optimize`) is the public entry point;
:func:`cover_shifts` solves the classic shift-covering problem for users who bring their
own requirements.
"""

from simsvc.staffing.covering import cover_shifts
from simsvc.staffing.optimize import optimize
from simsvc.staffing.plan import Iteration, Plan, TargetCheck

__all__ = ["Iteration", "Plan", "TargetCheck", "cover_shifts", "optimize"]
