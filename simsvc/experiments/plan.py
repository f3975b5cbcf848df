"""A validated sweep: every design point's scenario, the tasks, and a digest of the content.

Everything that can be wrong with an experiment is found here, before anything runs or
is written: the file, the base scenario, each factor path, and each design point's
scenario (a value that makes it invalid is reported with the point and the field path).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simsvc.errors import ExperimentError, ScenarioError
from simsvc.scenario.confine import OutsideFolder, confine, file_folders, resolved_dirs
from simsvc.scenario.load import load_scenario, read_yaml
from simsvc.scenario.models import Scenario
from simsvc.scenario.paths import PathError, parse_path, set_path

from .design import Point, design_points
from .spec import Experiment, read_experiment

__all__ = ["SweepPlan", "Task", "plan_sweep"]


@dataclass(frozen=True)
class Task:
    """One design point × a block of consecutive replications: the unit of work and of storage."""

    point: int
    first: int
    count: int

    @property
    def id(self) -> str:
        """Stable name, also the results file's stem."""
        return f"p{self.point:05d}-r{self.first:05d}"


@dataclass(frozen=True)
class SweepPlan:
    """An experiment resolved into design points, their scenarios and tasks."""

    experiment: Experiment
    source: str
    points: list[Point]
    scenarios: list[Scenario]
    seed: int
    digest: str
    """SHA-256 of the normalized experiment, base scenario, referenced files and points."""

    @property
    def factors(self) -> list[str]:
        return [f.label for f in self.experiment.factors]

    @property
    def tasks(self) -> list[Task]:
        """Point by point, replications in blocks of ``experiment.block``."""
        n, block = self.experiment.replications, self.experiment.block
        return [Task(p, first, min(block, n - first)) for p in range(len(self.points)) for first in range(0, n, block)]


def _base(
    experiment: Experiment, source: str, folder: Path, parents: tuple[Path, ...], allowed: tuple[Path, ...]
) -> tuple[dict[str, Any], Path, str, tuple[Path, ...]]:
    """The base scenario's raw mapping, the folder its CSV paths start from, its name and further allowed folders.

    A base file must lie in one of ``parents`` (the experiment's folder's parent) or below, or in ``allowed``.
    """
    if isinstance(experiment.base, Mapping):
        return dict(experiment.base), folder, f"{source} (base)", allowed
    path = folder / experiment.base
    try:
        confine(path, parents, allowed, owner="the experiment's parent")
    except OutsideFolder as exc:
        raise ExperimentError(source, [("base", str(exc))]) from None
    try:
        raw = read_yaml(path)
    except ScenarioError as exc:
        raise ExperimentError(source, [("base", str(exc))]) from None
    if not isinstance(raw, Mapping):
        raise ExperimentError(source, [("base", f"{path} must hold a scenario mapping")])
    return dict(raw), path.parent, str(path), resolved_dirs((*file_folders(path), *allowed))


def _referenced_files(raw: Mapping[str, Any], folder: Path) -> dict[str, str]:
    """SHA-256 of the CSV files the base scenario reads, so editing one changes the digest."""
    out = {}
    for cls in raw.get("customer_classes") or []:
        arrivals = cls.get("arrivals") if isinstance(cls, Mapping) else None
        for key in ("csv", "trace_csv"):
            name = arrivals.get(key) if isinstance(arrivals, Mapping) else None
            if isinstance(name, str) and (folder / name).is_file():
                out[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    return out


def _point_label(point: Point) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in point.items())


def _apply(experiment: Experiment, raw: dict[str, Any], point: Point) -> dict[str, Any]:
    for factor in experiment.factors:
        for path in factor.paths:
            raw = set_path(raw, parse_path(path), point[factor.label])
    return raw


def plan_sweep(
    source: str | Path | Mapping[str, Any] | Experiment,
    base_dir: str | Path | None = None,
    allowed_dirs: Iterable[str | Path] = (),
) -> SweepPlan:
    """Validate an experiment completely and resolve it into a :class:`SweepPlan`.

    Args:
        source: an experiment file, a mapping, or an :class:`Experiment`.
        base_dir: where a relative ``base`` path starts (default: the file's folder, or the
            current folder for a mapping).
        allowed_dirs: further folders the base scenario and its CSV files may lie in; without
            them the base lies in the experiment's folder's parent and its CSV files beside
            it (see :mod:`simsvc.scenario.confine`).

    Raises:
        ExperimentError: every problem found, as ``field.path: what is wrong``.
    """
    if isinstance(source, Experiment):
        experiment, name, folder = source, "<experiment>", Path(base_dir or ".")
    else:
        experiment, name, folder = read_experiment(source, base_dir)
    own = file_folders(Path(source)) if isinstance(source, (str, Path)) and base_dir is None else (folder,)
    parents = resolved_dirs(Path(f).resolve().parent for f in own)
    base_raw, base_folder, base_name, allowed = _base(experiment, name, folder, parents, resolved_dirs(allowed_dirs))
    try:
        base = load_scenario(base_raw, base_dir=base_folder, allowed_dirs=allowed)
    except ScenarioError as exc:
        problems = [(f"base ({base_name}): {p}" if p else f"base ({base_name})", w) for p, w in exc.problems]
        raise ExperimentError(name, problems) from None

    # Each path must lead into the base scenario and name a real field: set it to the value it
    # already has (or its first level) and let the scenario models judge.
    problems: list[tuple[str, str]] = []
    for i, factor in enumerate(experiment.factors):
        probe = factor.levels[0] if factor.levels is not None else factor.range[0]  # type: ignore[index]
        for j, path in enumerate(factor.paths):
            where = f"factors[{i}].path" + (f"[{j}]" if not isinstance(factor.path, str) else "")
            try:
                probed = set_path(base_raw, parse_path(path), probe)
            except PathError as exc:
                problems.append((where, f"unknown field path {path!r}: {exc}"))
                continue
            try:
                load_scenario(probed, base_dir=base_folder, allowed_dirs=allowed)
            except ScenarioError as exc:
                unknown = [p for p, w in exc.problems if w.startswith("unknown field") and path.startswith(p)]
                if unknown:
                    problems.append((where, f"unknown field path {path!r}: the scenario has no field {unknown[0]!r}"))
    points, design_problems = design_points(experiment)
    problems.extend(design_problems)
    if problems:
        raise ExperimentError(name, problems)

    scenarios = []
    for k, point in enumerate(points):
        try:
            raw = _apply(experiment, base_raw, point)
            scenarios.append(load_scenario(raw, base_dir=base_folder, allowed_dirs=allowed))
        except ScenarioError as exc:
            problems.extend((f"design point {k} ({_point_label(point)}): {p}", w) for p, w in exc.problems)
    if problems:
        raise ExperimentError(name, problems)

    seed = base.simulation.seed if experiment.seed is None else experiment.seed
    content = {
        "experiment": experiment.model_dump(mode="json", exclude={"description"}),
        "base": base_raw,
        "files": _referenced_files(base_raw, base_folder),
        "points": points,
        "seed": seed,
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
    return SweepPlan(experiment, name, points, scenarios, seed, digest)
