"""A customer class's journey in the file format: the steps it takes through the stations.

A station is a team (a staffed pool of servers). A step names its station (one team, a pool
of teams tried in order, or a random choice between teams), may give its own service time
and patience (default: the class's) and says where the customer goes next. The checks that
need the rest of the scenario (known teams and steps, an exit that can be reached) live in
:mod:`simsvc.scenario.journeys`, which also compiles journeys for the engine.
"""

from __future__ import annotations

from typing import Annotated, Optional, Union

from pydantic import Discriminator, Field, Tag, field_validator

from simsvc.bounds import Between
from simsvc.distributions import DistributionSpec
from simsvc.scenario.base import Frozen

__all__ = ["EXIT", "Step", "StepName"]

EXIT = "exit"
"""The name ``next`` uses for leaving the journey (no step may be called so)."""

StepName = Annotated[str, Field(min_length=1)]
Share = Annotated[float, Between(0, 1)]
"""A routing probability."""


def _form(value: object) -> str:
    """Which form a union field was given in, so that only that form is checked (and named in no path)."""
    if isinstance(value, dict):
        return "union-shares"
    return "union-list" if isinstance(value, (list, tuple)) else "union-name"


_OneOrShares = Discriminator(_form)


class Step(Frozen):
    """One step of a journey: where it is served, how long it takes, where the customer goes next."""

    step: Optional[StepName] = Field(
        None, description="The step's name (default: its station's name; required for a pool or a choice)."
    )
    station: Annotated[
        Union[
            Annotated[StepName, Tag("union-name")],
            Annotated[tuple[StepName, ...], Tag("union-list")],
            Annotated[dict[StepName, Share], Tag("union-shares")],
        ],
        _OneOrShares,
    ] = Field(
        description="The team that serves this step; a list of teams (a pool: the first idle in order, "
        "else one shared queue); or teams with probabilities (a random choice on entry, each its own queue)."
    )
    service_time: Optional[DistributionSpec] = Field(
        None, description="Service time of this step at speed 1 (minutes); default the class's."
    )
    patience: Optional[DistributionSpec] = Field(
        None, description="Patience at this step (minutes); default the class's."
    )
    next: Optional[
        Annotated[
            Union[Annotated[StepName, Tag("union-name")], Annotated[dict[StepName, Share], Tag("union-shares")]],
            _OneOrShares,
        ]
    ] = Field(
        None,
        description="The next step's name, or step names (and 'exit') with probabilities; default the "
        "following step, and 'exit' after the last one.",
    )

    @field_validator("station")
    @classmethod
    def _some_station(cls, value: str | tuple | dict) -> str | tuple | dict:
        if not isinstance(value, str) and not value:
            raise ValueError("must name at least one team")
        return value

    @field_validator("step")
    @classmethod
    def _not_exit(cls, value: str | None) -> str | None:
        if value == EXIT:
            raise ValueError(f"{EXIT!r} is reserved for leaving the journey; call the step otherwise")
        return value

    @property
    def name(self) -> str | None:
        """The step's name: given, else its station's when that is one team (None: must be given)."""
        if self.step is not None:
            return self.step
        return self.station if isinstance(self.station, str) else None
