"""The experiment file format: a base scenario, factors over its fields, a design, replications.

```yaml
name: Staffing × training
base: ../scenarios/bank_branch.yaml        # relative to this file (within its folder's parent), or a mapping
factors:
  - {name: morning, path: "teams[0].shifts[0].staff", levels: [4, 5, 6]}
  - {name: training, path: "teams[0].training_level", levels: [0, 1, 2]}
design: grid                               # or {type: list, points: [...]}, {type: lhs, samples: 20}
replications: 20
seed: 42                                   # the same for every design point (common random numbers)
replications_per_task: 5
outputs: {groups: [overall, class]}
```
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import Field, ValidationError, field_validator, model_validator

from simsvc.bounds import MAX_SEED, Between
from simsvc.errors import ExperimentError
from simsvc.metrics import GROUPS, KPI_NAMES
from simsvc.scenario.base import Frozen
from simsvc.scenario.load import read_yaml
from simsvc.scenario.paths import PathError, parse_path
from simsvc.scenario.problems import pydantic_problems

__all__ = ["DEFAULT_BLOCK", "Design", "Experiment", "Factor", "Outputs", "read_experiment"]

DEFAULT_BLOCK = 5
"""Replications per task by default: a task is then long enough (≥ tens of ms) that its
scheduling and pickling cost little, and a sweep still splits into many tasks."""


class Factor(Frozen):
    """One scenario field (or several set together) and the values it takes."""

    name: Optional[Annotated[str, Field(min_length=1)]] = Field(None, description="Default: the path.")
    path: Union[str, tuple[str, ...]] = Field(description="Field path(s), e.g. teams[0].shifts[1].staff.")
    levels: Optional[tuple[Any, ...]] = Field(None, description="The values (grid and list designs).")
    range: Optional[tuple[float, float]] = Field(None, description="[low, high] (Latin hypercube designs).")
    integer: bool = Field(False, description="Round sampled values to integers.")

    @field_validator("path")
    @classmethod
    def _paths(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        paths = (value,) if isinstance(value, str) else value
        if not paths:
            raise ValueError("must list at least one field path")
        for p in paths:
            try:
                parse_path(p)
            except PathError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("levels")
    @classmethod
    def _some_levels(cls, value: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
        if value is not None and not value:
            raise ValueError("a factor needs at least one level")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Factor:
        if (self.levels is None) == (self.range is None):
            raise ValueError("give exactly one of levels or range")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range: low (={self.range[0]}) must be below high (={self.range[1]})")
        return self

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if isinstance(self.path, str) else self.path

    @property
    def label(self) -> str:
        """The factor's column name in results."""
        return self.name or self.paths[0]


class Design(Frozen):
    """How factor values combine into design points."""

    type: Literal["grid", "list", "lhs"] = "grid"
    points: Optional[tuple[dict[str, Any], ...]] = Field(None, description="list: factor name → value, per point.")
    samples: Optional[Annotated[int, Between(1, 100_000)]] = Field(None, description="lhs: number of points.")
    seed: Annotated[int, Between(0, MAX_SEED)] = Field(
        0, description="lhs: seed of the sample (not of the simulation)."
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"type": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _complete(self) -> Design:
        if self.type == "list" and not self.points:
            raise ValueError("a list design needs points: [{factor: value, ...}, ...]")
        if self.type == "lhs" and self.samples is None:
            raise ValueError("a Latin hypercube design needs samples")
        if self.type != "list" and self.points is not None:
            raise ValueError(f"points belong to a list design, not {self.type}")
        return self


class Outputs(Frozen):
    """Which KPI rows each task keeps (all groups cost space; overall and class suffice mostly)."""

    groups: tuple[Literal["overall", "class", "interval", "day"], ...] = ("overall", "class")
    kpis: Optional[tuple[str, ...]] = Field(None, description="Default: every KPI.")

    @field_validator("kpis")
    @classmethod
    def _known(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        unknown = [k for k in value or () if k not in KPI_NAMES]
        if unknown:
            raise ValueError(f"unknown KPI(s) {unknown}; known: {', '.join(KPI_NAMES)}")
        return value

    @field_validator("groups")
    @classmethod
    def _some(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError(f"must list at least one of {', '.join(GROUPS)}")
        return value


class Experiment(Frozen):
    """A sweep: design points over a base scenario, each simulated with the same seed."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    base: Union[str, dict[str, Any]] = Field(
        description="Scenario file (relative to this file; in its folder's parent or below, or --allow-dir) or mapping."
    )
    factors: tuple[Factor, ...]
    design: Design = Design()
    replications: Annotated[int, Between(1, 100_000)]
    seed: Optional[Annotated[int, Between(0, MAX_SEED)]] = Field(None, description="Default: the base scenario's.")
    replications_per_task: Optional[Annotated[int, Between(1, 100_000)]] = Field(
        None, description=f"Replications simulated by one task (default {DEFAULT_BLOCK})."
    )
    outputs: Outputs = Outputs()

    @field_validator("factors")
    @classmethod
    def _factors(cls, value: tuple[Factor, ...]) -> tuple[Factor, ...]:
        if not value:
            raise ValueError("must list at least one factor")
        labels = [f.label for f in value]
        dupes = sorted({n for n in labels if labels.count(n) > 1})
        if dupes:
            raise ValueError(f"factor names must be unique; repeated: {dupes}")
        return value

    @property
    def block(self) -> int:
        """Replications per task."""
        return min(self.replications, self.replications_per_task or DEFAULT_BLOCK)


def read_experiment(
    source: str | Path | Mapping[str, Any], base_dir: str | Path | None = None
) -> tuple[Experiment, str, Path]:
    """Read and validate an experiment file or mapping.

    Returns:
        The experiment, the name to report errors against and the folder its relative paths start from.

    Raises:
        ExperimentError: every problem, as ``field.path: what is wrong``.
    """
    if isinstance(source, Mapping):
        name, raw, folder = "<experiment>", dict(source), Path(base_dir or ".")
    else:
        path = Path(source)
        try:
            raw = read_yaml(path)
        except ExperimentError:
            raise
        except ValueError as exc:  # ScenarioError from the shared YAML reader
            raise ExperimentError(str(path), getattr(exc, "problems", [("", str(exc))])) from None
        name, folder = str(path), Path(base_dir or path.parent)
    if not isinstance(raw, Mapping):
        raise ExperimentError(name, [("", "the file must hold a mapping (name:, base:, factors:, ...)")])
    try:
        return Experiment.model_validate(raw), name, folder
    except ValidationError as exc:
        raise ExperimentError(name, pydantic_problems(exc)) from None
