"""The ranges numeric fields may take: meaningful for a service operation, and simulable.

A value outside its range is refused when a scenario or experiment is validated, with
the field's path and the range (``must be between 0.01 and 100 (got 1e-200)``), rather
than failing later inside NumPy or SimPy (a gamma ``cv`` of 1e-200 divides by zero, a
rate of 1e308 is too large for a Poisson draw). :class:`Between` is the one place such a
check is written; the JSON schema shows each range as ``minimum``/``maximum``
(``exclusiveMinimum``/``exclusiveMaximum`` for open ends). NaN and infinity are refused by
the models' configuration (``allow_inf_nan=False``), before any range is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

__all__ = [
    "MAX_COUNT",
    "MAX_CUSTOMERS",
    "MAX_DAYS",
    "MAX_LEVEL",
    "MAX_MINUTES",
    "MAX_MONEY",
    "MAX_RATE_PER_HOUR",
    "MAX_SEED",
    "MAX_STAFF",
    "PRIORITY_RANGE",
    "Between",
]

MAX_MINUTES = 1e7
"""Longest duration (minutes, about 19 years): longer than any horizon (3,660 days)."""
MAX_DAYS = 3660
"""Longest horizon (days, ten years)."""
MAX_RATE_PER_HOUR = 1e6
"""Highest arrival rate (per hour): beyond any one operation; more would only hit ``max_customers``."""
MAX_STAFF = 100_000
"""Most staff of one team on duty at once."""
MAX_LEVEL = 1000
"""Highest training level number."""
MAX_MONEY = 1e9
"""Largest amount of money in one field (a wage per hour, a cost per item): sums stay finite."""
MAX_CUSTOMERS = 100_000_000
"""Most customers per replication (``simulation.max_customers``)."""
MAX_COUNT = 1_000_000_000
"""Largest count of customers in one field (``balk_at``)."""
MAX_SEED = 2**63 - 1
"""Largest seed: stored as a 64-bit integer in results."""


@dataclass(frozen=True)
class Between:
    """``Annotated`` metadata: the number lies between ``low`` and ``high``.

    Args:
        low: smallest value (excluded with ``low_open``).
        high: largest value (excluded with ``high_open``).
        why: a reason appended to the message where the range is not obvious.
    """

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False
    why: str = ""

    def describe(self) -> str:
        """The range in words: ``between 0.01 and 100``, ``above 0 and at most 1e+07``."""
        low, high = _show(self.low), _show(self.high)
        if not self.low_open and not self.high_open:
            return f"between {low} and {high}"
        lower = f"above {low}" if self.low_open else f"at least {low}"
        upper = f"below {high}" if self.high_open else f"at most {high}"
        return f"{lower} and {upper}"

    def check(self, value: Any) -> Any:
        """``value`` if it lies in the range, else ``ValueError`` saying the range."""
        below = value <= self.low if self.low_open else value < self.low
        above = value >= self.high if self.high_open else value > self.high
        if below or above:
            shown = _show(value) if isinstance(value, float) or abs(value) <= MAX_SEED else "a larger number"
            raise ValueError(f"must be {self.describe()} (got {shown}){': ' + self.why if self.why else ''}")
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        out["exclusiveMinimum" if self.low_open else "minimum"] = self.low
        out["exclusiveMaximum" if self.high_open else "maximum"] = self.high
        return out


def _show(x: float) -> str:
    """A bound or value as a user typed it: integers in full, other numbers short (``1e+07``)."""
    return str(x) if isinstance(x, int) else f"{x:g}"


PRIORITY_RANGE = Between(-1_000_000, 1_000_000)
"""A class's priority and a team's skill priorities (smaller first)."""
