"""What the app has simulated already: runs and staffing curves kept by what determines them.

A run is fixed by the scenario (its key: the bundled file or the upload's digest), the slider
values and the replications (the seed is the scenario's). Pressing Run with setting A unchanged
and B moved simulates B only; a change of language simulates nothing. One :class:`RunCache`
lives in each browser session (``st.session_state``); it counts its simulations, which the page
shows, so a reused result says so.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simsvc.app import core
from simsvc.errors import ScenarioError
from simsvc.i18n import Lang

if TYPE_CHECKING:
    import pandas as pd

    from simsvc.scenario.models import Scenario

__all__ = ["CURVE_KINDS", "CURVE_REPLICATIONS", "Curve", "RunCache", "curve_levels", "lever", "run_key"]

CURVE_KINDS = ("shift", "team_staff", "staff_delta")
"""The staff sliders a staffing curve can move."""
CURVE_REPLICATIONS = 3
"""Replications per level of a staffing curve: few, for an answer in seconds (common random numbers keep
the curve's shape steady even so)."""


def run_key(scenario_key: str, setting: core.Setting) -> str:
    """A short digest of what fixes a run: the scenario's key, the slider values and the replications."""
    values = {k: float(v) for k, v in sorted(setting.values.items())}
    text = json.dumps([scenario_key, values, int(setting.replications)], sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


@dataclass
class Curve:
    """A staffing curve: per level of the lever, ``staff``, ``mean_wait``, ``cost`` and ``lost_customer_value``."""

    control: core.Control
    table: pd.DataFrame
    replications: int
    seconds: float


@dataclass
class RunCache:
    """The session's runs, and what is made from them (curves, charts), at most ``size`` of each.

    The least recently used go first.
    """

    size: int = 8
    simulations: int = 0
    """Runs simulated so far (a reused run does not count)."""
    _runs: OrderedDict[str, core.AppRun] = field(default_factory=OrderedDict, repr=False)
    _made: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict, repr=False)

    def run(
        self, scenario_key: str, scenario: Scenario, setting: core.Setting, lang: Lang = "en",
        base_dir: Path | None = None,
    ) -> tuple[core.AppRun, bool]:  # fmt: skip
        """The run of ``setting``, simulated unless kept; and whether it was kept (reused).

        Raises:
            ScenarioError: the setting makes the scenario invalid (nothing is kept).
        """
        run, kept = self.run_many(scenario_key, scenario, {"": setting}, lang, base_dir)[""]
        if isinstance(run, ScenarioError):
            raise run
        return run, kept

    def run_many(
        self, scenario_key: str, scenario: Scenario, settings: dict[str, core.Setting], lang: Lang = "en",
        base_dir: Path | None = None,
    ) -> dict[str, tuple[core.AppRun | ScenarioError, bool]]:  # fmt: skip
        """:meth:`run` of each named setting, those not kept simulated side by side (:mod:`.side_by_side`).

        Returns, by name, the run (or the ScenarioError that made the setting invalid) and whether
        it was kept. Runs are numbered in the order of ``settings``; equal settings simulate once
        (the later ones count as kept).
        """
        from simsvc.app.side_by_side import run_side_by_side

        keys = {name: run_key(scenario_key, setting) for name, setting in settings.items()}
        kept = {}
        for name, k in keys.items():  # taken now: keeping the new runs may push them out
            if k in self._runs:
                self._runs.move_to_end(k)
                kept[name] = self._runs[k]
        missing = list(dict.fromkeys(k for k in keys.values() if k not in self._runs))
        first = {k: next(n for n in settings if keys[n] == k) for k in missing}
        jobs = [(scenario, settings[first[k]], lang, base_dir) for k in missing]
        made = dict(zip(missing, run_side_by_side(jobs), strict=True))
        for k in missing:
            if not isinstance(made[k], ScenarioError):
                self.simulations += 1
                made[k].number = self.simulations
                self._put(self._runs, k, made[k])
        out, shown = {}, set()
        for name, k in keys.items():  # a setting equal to an earlier one reuses its run, and says so
            out[name] = (kept[name], True) if name in kept else (made[k], k in shown)
            shown.add(k)
        return out

    def kept(self, key: Hashable) -> Any:
        """What was made under ``key`` (:meth:`keep`), or None."""
        return self._made.get(key)

    def keep(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """What was made under ``key``, else ``make()`` (kept under it)."""
        kept = self._made.get(key)
        if kept is None:
            kept = make()
            self._put(self._made, key, kept)
        else:
            self._made.move_to_end(key)
        return kept

    def _put(self, store: OrderedDict, key: Hashable, value: Any) -> None:
        store[key] = value
        while len(store) > self.size:
            store.popitem(last=False)


def lever(scenario: Scenario, settings: Sequence[core.Setting]) -> core.Control | None:
    """The staff slider to draw a curve for: the first that differs between the settings, else the first one.

    None when the scenario has no staff slider.
    """
    staff = [c for c in core.controls(scenario) if c.kind in CURVE_KINDS]
    for c in staff:
        if len({s.values.get(c.key, c.default) for s in settings}) > 1:
            return c
    return staff[0] if staff else None


def curve_levels(control: core.Control, values: Sequence[float], span: int = 2) -> list[int]:
    """Levels of ``control`` around the settings' ``values``: the first ± ``span``, and each other value.

    Within the slider's range; at least one person for a shift or a team (0 leaves its customers unserved).
    """
    low = control.low if control.kind == "staff_delta" else max(1, control.low)
    first = int(values[0])
    wanted = set(range(first - span, first + span + 1)) | {int(v) for v in values}
    return sorted(v for v in wanted if low <= v <= control.high)


def staff_curve(
    scenario: Scenario, base: core.Setting, control: core.Control, levels: Sequence[int],
    replications: int = CURVE_REPLICATIONS, base_dir: Path | None = None,
) -> Curve:  # fmt: skip
    """Simulate ``base`` with ``control`` at each level (``replications`` each, no records).

    A level that makes the scenario invalid is left out.
    """
    import pandas as pd

    import simsvc
    from simsvc.errors import ScenarioError

    start = time.perf_counter()
    rows = []
    for level in levels:
        setting = core.Setting({**base.values, control.key: level}, replications)
        try:
            applied = core.apply_setting(scenario, setting, base_dir)
        except ScenarioError:
            continue
        s = simsvc.simulate(applied, replications, keep_records=False).summary()["mean"]
        rows.append({"staff": level, **{k: float(s.get(k, float("nan"))) for k in (
            "mean_wait", "cost", "lost_customer_value")}})  # fmt: skip
    table = pd.DataFrame(rows, columns=["staff", "mean_wait", "cost", "lost_customer_value"])
    return Curve(control, table, replications, time.perf_counter() - start)
