"""Lessons: a bundled scenario, a question, two settings to compare, what to look at, and why it happens.

A lesson is one YAML file in ``lessons/`` (shipped as ``simsvc/examples/lessons/``), every text in
English and Chinese::

    scenario: teaching                      # a bundled scenario's name (its file's stem)
    title: {en: ..., zh: ...}
    question: {en: ..., zh: ...}            # asked before the run
    setting_a: {t0: 3}                      # levers: the app's control keys (core.controls) -> values;
    setting_b: {t0: 2}                      # every other control stays at the scenario's value
    observe: {en: ..., zh: ...}             # what to look at
    explanation: {en: ..., zh: ...}         # shown after the run
    claims:                                 # what the explanation says, checkable: B against A
      - {kpi: mean_wait, b: higher, ratio: 3}

The claims are shown after the run as a table of A and B, and ``tests/test_lessons.py`` checks each one
against a run at the app's replications, so an explanation cannot drift from what the model does.
Everything here is framework-free; :mod:`simsvc.app.lesson_view` draws it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simsvc.app import core
from simsvc.bundled import examples_root
from simsvc.errors import ScenarioError
from simsvc.i18n import Lang, kpi_label
from simsvc.metrics import KPI_NAMES
from simsvc.scenario.problems import Problem, pydantic_problems
from simsvc.scenario.yaml_safe import YamlProblem, parse_yaml

if TYPE_CHECKING:
    from simsvc.scenario.models import Scenario

__all__ = [
    "STATION_KPIS", "Claim", "Lesson", "LessonError", "Text", "bundled_lessons", "claim_label", "claim_value",
    "lesson_problems", "lesson_settings", "lessons_folder", "load_lesson", "scenario_of",
]  # fmt: skip

STATION_KPIS = ("served", "abandoned", "mean_wait_served", "mean_service_time", "utilization")
"""The KPIs ``SimResult.by_station()`` has per station."""
SIMILAR_RATIO = 1.5
"""A ``similar`` claim without a ratio: neither value more than this factor of the other."""


class LessonError(ScenarioError):
    """A lesson file is invalid: its message names the file and every bad field."""

    kind = "lesson"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Frozen):
    """A text in both languages."""

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)

    def __call__(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


class Claim(_Frozen):
    """What the explanation says of one KPI: B against A (higher, lower or about the same).

    ``ratio``: for ``higher``, B is at least ``ratio`` × A; for ``lower``, at most A / ``ratio``; for
    ``similar``, neither is more than ``ratio`` × the other (default :data:`SIMILAR_RATIO`).
    """

    kpi: str
    b: Literal["higher", "lower", "similar"]
    ratio: float | None = Field(None, gt=1, le=100)
    customer_class: str | None = None
    """The KPI of this class only (``SimResult.by_class``)."""
    station: str | None = None
    """The KPI of this station only (``SimResult.by_station``: a front-line team)."""


class Lesson(_Frozen):
    """One lesson (see the module's docstring for the file)."""

    scenario: str
    title: Text
    question: Text
    setting_a: dict[str, float] = Field(default_factory=dict)
    setting_b: dict[str, float] = Field(default_factory=dict)
    observe: Text
    explanation: Text
    claims: list[Claim] = Field(min_length=1)
    name: str = ""
    """The file's stem (set on loading, not written in the file)."""


def lessons_folder() -> Path:
    """The bundled lessons (``simsvc/examples/lessons``, a link to the repository's ``lessons/``)."""
    return Path(str(examples_root().joinpath("lessons")))


def load_lesson(path: str | Path, scenarios: Mapping[str, Path] | None = None) -> Lesson:
    """Read and validate one lesson file against the bundled scenarios (or ``scenarios``: name -> file).

    Raises:
        LessonError: the file cannot be read, or a field is wrong (each named by its path, e.g.
            ``setting_b.t0: 9 is above the control's range 0-7``).
    """
    path = Path(path)
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, YamlProblem) as exc:
        raise LessonError(str(path), [("", str(exc))]) from None
    if not isinstance(data, dict):
        raise LessonError(str(path), [("", "a lesson file is a mapping (scenario, title, question, ...)")])
    try:
        lesson = Lesson.model_validate({**data, "name": path.stem})
    except ValidationError as exc:
        raise LessonError(str(path), pydantic_problems(exc)) from None
    files = core.bundled_scenarios() if scenarios is None else scenarios
    if lesson.scenario not in files:
        raise LessonError(str(path), [("scenario", f"{lesson.scenario!r} is not a bundled scenario "
                                                   f"(bundled: {', '.join(files)})")])  # fmt: skip
    problems = lesson_problems(lesson, _scenario(files[lesson.scenario]))
    if problems:
        raise LessonError(str(path), problems)
    return lesson


_LOADED: dict[Path, Scenario] = {}


def _scenario(path: Path) -> Scenario:
    import simsvc

    if path not in _LOADED:
        _LOADED[path] = simsvc.load_scenario(path)
    return _LOADED[path]


def scenario_of(lesson: Lesson) -> Scenario:
    """The lesson's bundled scenario, loaded once per process."""
    return _scenario(core.bundled_scenarios()[lesson.scenario])


def lesson_problems(lesson: Lesson, scenario: Scenario) -> list[Problem]:
    """What is wrong with a lesson for its scenario: unknown levers, values out of range, unknown claims."""
    controls = {c.key: c for c in core.controls(scenario)}
    problems: list[Problem] = []
    for field in ("setting_a", "setting_b"):
        for key, value in getattr(lesson, field).items():
            c = controls.get(key)
            if c is None:
                problems.append((f"{field}.{key}", f"not a control of scenario {lesson.scenario!r} "
                                                    f"(controls: {', '.join(controls)})"))  # fmt: skip
            else:
                problems += [(f"{field}.{key}", p) for p in _value_problems(c, value)]
    if _values(lesson.setting_a, controls) == _values(lesson.setting_b, controls):
        problems.append(("setting_b", "is the same as setting_a: nothing to compare"))
    classes = [c.name for c in scenario.customer_classes]
    stations = [t.name for t in scenario.teams]
    for i, claim in enumerate(lesson.claims):
        where = f"claims[{i}]"
        if claim.customer_class is not None and claim.station is not None:
            problems.append((where, "give customer_class or station, not both"))
        if claim.station is not None:
            if claim.station not in stations:
                problems.append((f"{where}.station", f"{claim.station!r} is not a team ({', '.join(stations)})"))
            if claim.kpi not in STATION_KPIS:
                problems.append((f"{where}.kpi", f"{claim.kpi!r} is not a station KPI ({', '.join(STATION_KPIS)})"))
        elif claim.kpi not in KPI_NAMES:
            problems.append((f"{where}.kpi", f"{claim.kpi!r} is not a KPI"))
        if claim.customer_class is not None and claim.customer_class not in classes:
            problems.append((f"{where}.customer_class", f"{claim.customer_class!r} is not a class "
                                                        f"({', '.join(classes)})"))  # fmt: skip
    return problems


def _value_problems(c: core.Control, value: float) -> list[str]:
    if not math.isfinite(value):
        return ["must be a finite number"]
    if c.options:
        return [] if value in c.options else [f"{value:g} is not one of {', '.join(map(str, c.options))}"]
    if not c.low <= value <= c.high:
        return [f"{value:g} is outside the control's range {c.low:g}-{c.high:g}"]
    steps = (value - c.low) / c.step
    if abs(steps - round(steps)) > 1e-9:
        return [f"{value:g} is not on the slider's steps of {c.step:g}"]
    return []


def _values(levers: Mapping[str, float], controls: Mapping[str, core.Control]) -> dict[str, float]:
    return {k: float(levers.get(k, c.default)) for k, c in controls.items()}


def lesson_settings(lesson: Lesson, scenario: Scenario, replications: int = core.DEFAULT_REPLICATIONS,
                    ) -> tuple[core.Setting, core.Setting]:  # fmt: skip
    """Settings A and B of a lesson: the scenario's own values (:func:`core.default_setting`) with the levers moved.

    Values are those the sliders hold: whole numbers for staff, levels and priorities.
    """
    out = []
    kinds = {c.key: c.kind for c in core.controls(scenario)}
    for levers in (lesson.setting_a, lesson.setting_b):
        setting = core.default_setting(scenario)
        for key, value in levers.items():
            setting.values[key] = float(value) if kinds[key] == "promise" else int(value)
        setting.replications = replications
        out.append(setting)
    return out[0], out[1]


def bundled_lessons(folder: str | Path | None = None, scenarios: Mapping[str, Path] | None = None,
                    ) -> dict[str, Lesson]:  # fmt: skip
    """Every lesson (``*.yaml`` of ``folder``, by default the bundled ones), by name, in file-name order.

    Raises:
        LessonError: the first invalid lesson file (its message names the file and fields).
    """
    root = lessons_folder() if folder is None else Path(folder)
    return {p.stem: load_lesson(p, scenarios) for p in sorted(root.glob("*.yaml"))}


def claim_value(run: core.AppRun, claim: Claim) -> float:
    """The claim's KPI in a run (mean over replications): overall, of its class or of its station; NaN if absent."""
    if claim.station is not None:
        table, key = run.result.by_station(), (claim.station, claim.kpi)
    elif claim.customer_class is not None:
        table, key = run.result.by_class(), (claim.customer_class, claim.kpi)
    else:
        table, key = run.summary, claim.kpi
    try:
        return float(table.loc[key, "mean"])
    except KeyError:
        return float("nan")


def claim_label(claim: Claim, lang: Lang) -> str:
    """The claim's KPI as the page names it, with its class or station (``premium: mean wait (min)``)."""
    label = kpi_label(claim.kpi, lang)
    who = claim.customer_class or claim.station
    return f"{who}: {label}" if who else label
