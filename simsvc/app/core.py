"""What the app does, without any web framework.

The controls a scenario offers, applying a setting to a scenario, and running it. The
Streamlit page only draws these; the benchmark and the tests call :func:`run_setting`
directly, the code path of the page's Run button.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import simsvc
from simsvc.bundled import examples_root
from simsvc.errors import ScenarioError
from simsvc.i18n import Lang
from simsvc.plan_output import plan_table
from simsvc.scenario.confine import ALLOW_HINT

if TYPE_CHECKING:
    import pandas as pd

    from simsvc.scenario.models import Scenario

__all__ = [
    "AppRun", "Control", "Setting", "bundled_scenarios", "controls", "default_setting", "load_upload", "load_uploads",
    "markdown_text",
    "apply_setting", "plan_table", "run_setting", "run_warnings", "target_table",
]  # fmt: skip

DEFAULT_REPLICATIONS = 10
"""Fewer than a study would use: a class sees an answer within seconds, intervals a bit wider."""


def bundled_scenarios() -> dict[str, Path]:
    """The example scenarios (those the package ships, or ``$SIMSVC_SCENARIOS/*.yaml``), teaching first."""
    folder = Path(os.environ.get("SIMSVC_SCENARIOS") or str(examples_root().joinpath("scenarios")))
    files = sorted(folder.glob("*.yaml"), key=lambda p: (p.stem != "teaching", p.stem))
    return {p.stem: p for p in files}


UPLOAD_HINT = "upload it together with the scenario"
"""What an error about a file outside the upload tells the user (instead of ``--allow-dir``)."""


def load_uploads(files: Mapping[str, bytes]) -> Scenario:
    """Load an uploaded scenario with the CSV files uploaded with it; nothing else can be read.

    The files are written into one new temporary folder, the scenario's folder: a reference to
    any other file is refused as outside it. Messages name the files as uploaded, never that folder.

    Args:
        files: file name (as the browser sends it; any folder part is dropped) → content. Exactly
            one is a scenario (``.yaml`` or ``.yml``).

    Raises:
        ScenarioError: no scenario or several among the files, two files of one name, or the
            scenario's problems (naming the file and each bad field).
    """
    named = [(Path(name).name, data) for name, data in files.items()]
    scenarios = [n for n, _ in named if n.lower().endswith((".yaml", ".yml"))]
    if len(scenarios) != 1:
        listed = ", ".join(scenarios) or "none"
        raise ScenarioError(
            "upload", [("", f"upload one scenario file (.yaml) with its CSV files; scenarios: {listed}")]
        )
    if len({n for n, _ in named}) < len(named) or not all(n for n, _ in named):
        raise ScenarioError("upload", [("", "two uploaded files have the same name (or one has none)")])
    with tempfile.TemporaryDirectory(prefix="simsvc-upload-") as tmp:
        folder = Path(tmp)
        for name, data in named:
            (folder / name).write_bytes(data)
        try:
            return simsvc.load_scenario(folder / scenarios[0])
        except ScenarioError as exc:  # name the files as the user knows them, not the temporary folder
            problems = [(p, _uploaded(w, folder)) for p, w in exc.problems]
            raise ScenarioError(scenarios[0], problems) from None


def _uploaded(message: str, folder: Path) -> str:
    for shown in {str(folder.resolve()), str(folder)}:
        message = message.replace(shown + os.sep, "").replace(shown, "(the uploaded files)")
    return message.replace(ALLOW_HINT, UPLOAD_HINT)


def load_upload(name: str, data: bytes) -> Scenario:
    """Load an uploaded scenario file alone (see :func:`load_uploads`)."""
    return load_uploads({name or "scenario.yaml": data})


def markdown_text(text: str) -> str:
    """``text`` for Streamlit's markdown (headers, captions, labels, alerts), shown as written.

    Every markdown character is escaped, so a name such as ``**x**``, ``[a](b)``, ``:smile:``,
    ``:red[x]`` or ``$x$`` appears literally instead of as bold, a link, an emoji, a colour or maths.
    """
    return _MARKDOWN.sub(r"\\\1", text)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:=&^\"'])")


ControlKind = Literal["shift", "team_staff", "staff_delta", "training", "complaints", "promise", "priority"]


@dataclass(frozen=True)
class Control:
    """One slider: which setting key it sets, its label parts, its range and default."""

    key: str
    kind: ControlKind
    team: str
    low: float
    high: float
    default: float
    step: float = 1
    start: str = ""
    end: str = ""
    options: tuple[int, ...] = ()
    team_index: int = -1
    shift_index: int = -1
    class_index: int = -1
    """For ``priority``: the class (its name is in ``team``)."""


@dataclass
class Setting:
    """Values chosen for the controls (by key) and the number of replications."""

    values: dict[str, float] = field(default_factory=dict)
    replications: int = DEFAULT_REPLICATIONS


def controls(scenario: Scenario) -> list[Control]:
    """The sliders a scenario offers.

    Staff per shift (or per team, or a change in every interval for per-interval staff),
    training level per team, complaint-team size, the promise level and, with several classes,
    each class's priority (1 to the number of classes, or as declared; smaller is served first).
    """
    out: list[Control] = []
    levels = tuple(sorted(t.level for t in scenario.training_levels))
    for i, team in enumerate(scenario.teams):
        if team.shifts is not None:
            for j, s in enumerate(team.shifts):
                out.append(Control(f"t{i}s{j}", "shift", team.name, 0, max(2 * s.staff, s.staff + 4), s.staff,
                                   start=s.start, end=s.end, team_index=i, shift_index=j))  # fmt: skip
        elif team.staff is not None and len(team.staff) == 1:
            n = team.staff[0]
            out.append(Control(f"t{i}", "team_staff", team.name, 0, max(2 * n, n + 4), n, team_index=i))
        else:
            out.append(Control(f"t{i}d", "staff_delta", team.name, -3, 5, 0, team_index=i))
        if len(levels) > 1:
            out.append(Control(f"t{i}l", "training", team.name, levels[0], levels[-1], team.training_level,
                               options=levels, team_index=i))  # fmt: skip
    if scenario.quality.enabled:
        teams = scenario.complaints.teams
        size = _complaint_size(scenario)
        out.append(Control("complaints", "complaints", teams[0].name if teams else "", 0, max(5, 2 * size), size))
        out.append(Control("promise", "promise", "", 0.0, 1.0, scenario.quality.promise_level, step=0.05))
    classes = scenario.customer_classes
    if len(classes) > 1:  # who is served first: the premium-segment lever
        ranks = tuple(sorted({*range(1, len(classes) + 1), *(c.priority for c in classes)}))
        out += [Control(f"c{i}p", "priority", c.name, ranks[0], ranks[-1], c.priority, options=ranks, class_index=i)
                for i, c in enumerate(classes)]  # fmt: skip
    return out


def _complaint_size(scenario: Scenario) -> int:
    teams = scenario.complaints.teams
    if not teams:
        return 0
    t = teams[0]
    return max(s.staff for s in t.shifts) if t.shifts else max(t.staff or (0,))


def default_setting(scenario: Scenario) -> Setting:
    """The scenario's own values for every control."""
    return Setting({c.key: c.default for c in controls(scenario)})


def _set_staff(team: dict[str, Any], size: int) -> None:
    if team.get("shifts"):
        for s in team["shifts"]:
            s["staff"] = size
    else:
        team["staff"] = [size]


def apply_setting(scenario: Scenario, setting: Setting, base_dir: Path | None = None) -> Scenario:
    """The scenario with the setting's staff, training levels, complaint team, promise level and priorities.

    Raises:
        ScenarioError: the combination is invalid (e.g. a training level the scenario lacks).
    """
    from simsvc.scenario.dump import scenario_mapping

    data, files = scenario_mapping(scenario)
    v = setting.values
    for c in controls(scenario):
        if c.key not in v:
            continue
        value = v[c.key]
        team = data["teams"][c.team_index] if c.team_index >= 0 else {}
        if c.kind == "shift":
            team["shifts"][c.shift_index]["staff"] = int(value)
        elif c.kind == "team_staff":
            team["staff"] = [int(value)]
        elif c.kind == "staff_delta":
            team["staff"] = [max(0, s + int(value)) for s in team["staff"]]
        elif c.kind == "training":
            team["training_level"] = int(value)
        elif c.kind == "complaints":
            _complaints(data, scenario, int(value))
        elif c.kind == "promise":
            data["quality"]["promise_level"] = float(value)
        elif c.kind == "priority":
            data["customer_classes"][c.class_index]["priority"] = int(value)
    if not files:
        return simsvc.load_scenario(data, base_dir=base_dir)
    with tempfile.TemporaryDirectory(prefix="simsvc-setting-") as tmp:  # replayed traces, written back out
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        return simsvc.load_scenario(data, base_dir=tmp)


def _complaints(data: dict[str, Any], scenario: Scenario, size: int) -> None:
    """Staff the first complaint team with ``size``; 0 removes it: nobody handles complaints.

    A declared team without staff is refused as a likely mistake in a file; the lever at 0 means
    no team (``complaints.teams`` may be empty: every complaint stays unresolved), so the team also
    leaves the optimizer's candidate shifts (a family left without a team goes with it).
    """
    teams = data["complaints"].get("teams") or []
    if teams and size == 0:
        name = teams[0]["name"]
        data["complaints"]["teams"] = teams[1:]
        _drop_from_optimizer(data, name)
    elif teams:
        _set_staff(teams[0], size)
    elif size > 0:
        h = scenario.horizon
        level = min(t.level for t in scenario.training_levels)
        shift = {"start": h.open, "end": h.close, "staff": size}
        data["complaints"]["teams"] = [{"name": "complaints", "training_level": level, "shifts": [shift]}]


def _drop_from_optimizer(data: dict[str, Any], team: str) -> None:
    spec = data.get("optimizer")
    if not spec:
        return
    families = []
    for family in spec.get("shifts") or []:
        named = family.get("teams")
        if named is not None and team in named:
            family["teams"] = [t for t in named if t != team]
            if not family["teams"]:
                continue
        families.append(family)
    if families:
        spec["shifts"] = families
    else:
        data["optimizer"] = None


@dataclass
class AppRun:
    """A finished run: the scenario run, its result, KPI summary, time taken and warnings."""

    scenario: Scenario
    result: simsvc.SimResult
    summary: pd.DataFrame
    seconds: float
    lang: Lang = "en"
    warnings: list[str] = field(default_factory=list)
    """The result's warnings in ``lang`` (overload, days without staff, ...)."""
    setting: Setting = field(default_factory=Setting)
    """The setting run (a copy)."""
    number: int = 0
    """Which simulation of the session this is (:class:`simsvc.app.runs.RunCache` counts; 0: not counted)."""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Language-free chart data, made once (:mod:`simsvc.app.chart_view`): a change of language redraws labels only."""


def run_setting(scenario: Scenario, setting: Setting, lang: Lang = "en", base_dir: Path | None = None) -> AppRun:
    """Apply a setting and simulate it (scenario's seed, the setting's replications).

    The charts are drawn from the result later, in the page's language (:mod:`simsvc.app.charts`).

    Raises:
        ScenarioError: the setting makes the scenario invalid.
    """
    start = time.perf_counter()
    applied = apply_setting(scenario, setting, base_dir)
    result = simsvc.simulate(applied, setting.replications, keep_records=True)
    summary = result.summary()
    run = AppRun(applied, result, summary, 0.0, lang, setting=Setting(dict(setting.values), setting.replications))
    run.warnings = run_warnings(run, lang)
    run.seconds = time.perf_counter() - start
    return run


def run_warnings(run: AppRun, lang: Lang) -> list[str]:
    """The run's warnings (``SimResult.warnings``, in English) in ``lang``.

    They are said again from their sources, the scenario run and whether arrivals were cut at
    ``simulation.max_customers`` (the app is never interrupted), so they read as the result's in English.
    """
    from simsvc.i18n import tr
    from simsvc.sim.capacity import capacity_warnings

    notes = capacity_warnings(run.scenario, lang)
    if run.result.truncated:
        notes.append(tr("warn.truncated", lang, limit=run.scenario.simulation.max_customers))
    return notes


VERDICT_COLOURS = {"met": "green", "missed": "red", "unresolved": "orange"}
"""A verdict's colour (Streamlit markdown's names); the words say it too, for whoever cannot tell colours."""


def target_table(run: AppRun, lang: Lang) -> pd.DataFrame | None:
    """The scenario's targets after a run, in ``lang``: what each asks, the value with its CI, the verdict.

    The rows of the report and the command line (:func:`simsvc.output.target_rows`: met, missed or
    unresolved by where the whole CI lies); None when the scenario sets no target this run measures.
    Texts are markdown, as ``st.table`` draws its cells: each verdict bold in its colour
    (``**:green[met]**``), every other text escaped (:func:`markdown_text`).
    """
    import pandas as pd

    from simsvc.i18n import tr
    from simsvc.output import NOT_APPLICABLE, target_rows

    rows = target_rows(run.scenario, run.summary, lang)
    if not rows:
        return None
    verdicts = [
        f"**:{VERDICT_COLOURS[r.verdict]}[{markdown_text(tr(f'ui.{r.verdict}', lang))}]**" if r.verdict
        else markdown_text(NOT_APPLICABLE)
        for r in rows
    ]  # fmt: skip
    return pd.DataFrame(
        {tr("ui.target", lang): [markdown_text(r.name) for r in rows],
         tr("ui.value_ci", lang): [markdown_text(r.value) for r in rows],
         tr("ui.status", lang): verdicts}
    ).set_index(tr("ui.target", lang))  # fmt: skip
