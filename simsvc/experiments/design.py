"""Design points from an experiment's factors: a full grid, an explicit list, or a Latin hypercube."""

from __future__ import annotations

import itertools
from typing import Any

from .spec import Experiment

__all__ = ["design_points"]

Point = dict[str, Any]
"""Factor label → value."""


def design_points(experiment: Experiment) -> tuple[list[Point], list[tuple[str, str]]]:
    """The design points, in a fixed order, and any problems as ``(field path, what is wrong)``.

    A grid is the product of the factors' levels (the last factor varies fastest); a list
    is taken as written; a Latin hypercube (``scipy.stats.qmc``) stratifies each factor's
    range into ``samples`` equal slices and takes one value from each.
    """
    factors, design = experiment.factors, experiment.design
    labels = [f.label for f in factors]
    if design.type == "grid":
        problems = [
            (f"factors[{i}].levels", "a grid needs levels (range is for lhs designs)")
            for i, f in enumerate(factors)
            if f.levels is None
        ]
        if problems:
            return [], problems
        return [dict(zip(labels, combo, strict=True)) for combo in itertools.product(*(f.levels for f in factors))], []
    if design.type == "list":
        points, problems = [], []
        for j, given in enumerate(design.points or ()):
            unknown = sorted(set(given) - set(labels))
            missing = [n for n in labels if n not in given]
            if unknown:
                problems.append((f"design.points[{j}]", f"unknown factor(s) {unknown}; factors are {labels}"))
            if missing:
                problems.append((f"design.points[{j}]", f"no value for factor(s) {missing}"))
            points.append({n: given.get(n) for n in labels})
        return points, problems
    problems = [
        (f"factors[{i}].range", "a Latin hypercube needs a numeric range [low, high] (levels are for grid/list)")
        for i, f in enumerate(factors)
        if f.range is None
    ]
    if problems:
        return [], problems
    from scipy.stats import qmc  # lazily: scipy.stats takes most of a second to import

    unit = qmc.LatinHypercube(d=len(factors), seed=design.seed).random(n=design.samples or 1)
    points = []
    for row in unit:
        point: Point = {}
        for f, u in zip(factors, row, strict=True):
            low, high = f.range  # type: ignore[misc]
            value = low + float(u) * (high - low)
            point[f.label] = round(value) if f.integer else value
        points.append(point)
    return points, []
