"""The optimizer in the app, without any web framework: plans kept per scenario, applied and simulated.

:func:`simsvc.optimize` takes tens of seconds, mostly its verification by simulation; a
:class:`PlanCache` in each browser session keeps each plan by the scenario's key and the
verification chosen (:data:`VERIFICATIONS`), so pressing Optimize again, or switching
language, optimizes nothing. The plan is optimized for the scenario as loaded (its file),
not for the sliders. Applying it makes setting B the plan: :func:`run_plan` simulates
``Plan.to_scenario()`` exactly (no slider is applied to it) through the page's own run path,
:meth:`simsvc.app.runs.RunCache.run`, so its results have the cache, charts and targets of any run.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from simsvc.app import core
from simsvc.i18n import Lang

if TYPE_CHECKING:
    import pandas as pd

    from simsvc.app.runs import RunCache
    from simsvc.scenario.models import Scenario
    from simsvc.staffing.plan import Iteration, Plan

__all__ = [
    "QUICK_MAX_REPLICATIONS", "VERIFICATIONS", "PlanCache", "Verification", "plan_key", "plan_warnings",
    "run_plan", "verification_table", "verified_scenario",
]  # fmt: skip

Verification = Literal["scenario", "quick", "none"]
VERIFICATIONS: tuple[Verification, ...] = ("scenario", "quick", "none")
"""How the plan is verified: as the scenario's ``optimizer.verify`` says; with its ``max_replications``
capped at :data:`QUICK_MAX_REPLICATIONS`; or not at all (``simulate_plan=False``: predicted KPIs only)."""
QUICK_MAX_REPLICATIONS = 100
"""The quick verification's most replications (the sequential verification's cap, a real optimizer setting)."""


def verified_scenario(scenario: Scenario, verification: Verification) -> Scenario:
    """The scenario the optimizer is given: for ``quick``, ``optimizer.verify.max_replications`` capped."""
    spec = scenario.optimizer
    if verification != "quick" or spec is None or spec.verify.max_replications <= QUICK_MAX_REPLICATIONS:
        return scenario
    verify = spec.verify.model_copy(update={"max_replications": QUICK_MAX_REPLICATIONS})
    return scenario.model_copy(update={"optimizer": spec.model_copy(update={"verify": verify})})


def plan_key(scenario_key: str, verification: Verification) -> str:
    """A short digest of what fixes a plan: the scenario's key and the verification chosen."""
    text = json.dumps([scenario_key, verification])
    return hashlib.sha1(text.encode()).hexdigest()[:16]


@dataclass
class PlanCache:
    """The session's plans by :func:`plan_key`, at most ``size``; it counts its optimizations."""

    size: int = 4
    optimizations: int = 0
    """Plans optimized so far (a kept plan does not count)."""
    workers: int | None = None
    """Processes verifying a plan (None: all cores; the numbers are the same for any count)."""
    _plans: OrderedDict[str, Plan] = field(default_factory=OrderedDict, repr=False)
    _about: dict[str, tuple[int, float]] = field(default_factory=dict, repr=False)

    def about(self, scenario_key: str, verification: Verification) -> tuple[int, float]:
        """Which optimization of the session made the kept plan (1, 2, ...), and its seconds."""
        return self._about.get(plan_key(scenario_key, verification), (0, float("nan")))

    def kept(self, scenario_key: str, verification: Verification) -> Plan | None:
        """The plan kept for the scenario and verification, or None."""
        return self._plans.get(plan_key(scenario_key, verification))

    def optimize(
        self, scenario_key: str, scenario: Scenario, verification: Verification = "scenario",
        progress: Callable[[Iteration], None] | None = None,
    ) -> tuple[Plan, bool]:  # fmt: skip
        """The plan for the scenario, optimized unless kept; and whether it was kept.

        Raises:
            simsvc.ScenarioError, simsvc.InfeasibleError, simsvc.errors.SolverError: as
                :func:`simsvc.optimize` (nothing is kept).
        """
        import simsvc

        key = plan_key(scenario_key, verification)
        kept = self._plans.get(key)
        if kept is not None:
            self._plans.move_to_end(key)
            return kept, True
        start = time.perf_counter()
        plan = simsvc.optimize(verified_scenario(scenario, verification), simulate_plan=verification != "none",
                               progress=progress, workers=self.workers)  # fmt: skip
        self.optimizations += 1
        self._plans[key] = plan
        self._about[key] = (self.optimizations, time.perf_counter() - start)
        while len(self._plans) > self.size:
            self._plans.popitem(last=False)
        return plan, False


def run_plan(
    cache: RunCache, scenario_key: str, verification: Verification, plan: Plan, replications: int,
    lang: Lang = "en", base_dir: Path | None = None,
) -> tuple[core.AppRun, bool]:  # fmt: skip
    """Simulate the plan's scenario (``Plan.to_scenario()``, no slider applied) as the page's Run does.

    Kept in ``cache`` under its own scenario key (the scenario's and the plan's), so a plan run
    is never confused with a slider setting of the same scenario.
    """
    key = f"{scenario_key}:plan:{plan_key(scenario_key, verification)}"
    return cache.run(key, plan.to_scenario(), core.Setting({}, replications), lang, base_dir)


def plan_warnings(plan: Plan, lang: Lang) -> list[str]:
    """What the optimizer warns of, in ``lang``: targets its final simulation missed, then that simulation's warnings.

    The verification's warnings (``Plan.warnings``, English) are said again from their sources (the
    plan's scenario; truncation), as the page does for a run; one that cannot be is shown as it is.
    """
    from simsvc.i18n import tr
    from simsvc.plan_output import plan_shortfalls
    from simsvc.sim.capacity import capacity_warnings

    def derived(language: Lang) -> list[str]:
        notes = capacity_warnings(plan.scenario, language)
        limit = plan.scenario.simulation.max_customers
        if tr("warn.truncated", "en", limit=limit) in plan.warnings:
            notes.append(tr("warn.truncated", language, limit=limit))
        return notes

    english = derived("en")
    notes = derived(lang) if plan.simulated is not None else []
    notes += [w for w in plan.warnings if w not in english]
    return plan_shortfalls(plan, lang) + notes


def verification_table(plan: Plan, lang: Lang) -> pd.DataFrame | None:
    """The plan's targets overall: what each asks, predicted, simulated with its 95 % CI, the verdict.

    Markdown cells as :func:`simsvc.app.core.target_table` (verdicts bold in their colour); None when
    the scenario sets no target.
    """
    import pandas as pd

    from simsvc.i18n import kpi_label, tr
    from simsvc.output import NOT_APPLICABLE, format_interval, format_kpi

    if not plan.checks:
        return None
    md = core.markdown_text

    def verdict(v: str | None) -> str:
        return f"**:{core.VERDICT_COLOURS[v]}[{md(tr(f'ui.{v}', lang))}]**" if v else md(NOT_APPLICABLE)

    def value(kpi: str, x: float | None) -> str:
        return md(NOT_APPLICABLE if x is None else format_kpi(kpi, x, lang))

    rows = {
        tr("ui.target", lang): [md(f"{kpi_label(c.name, lang)} {c.sense} {format_kpi(c.name, c.goal, lang)}")
                                for c in plan.checks],
        tr("ui.predicted", lang): [value(c.name, c.predicted) for c in plan.checks],
        tr("ui.simulated", lang): [
            value(c.name, c.mean) if c.mean is None else md(
                f"{format_kpi(c.name, c.mean, lang)} ({format_interval(c.name, c.ci_low, c.ci_high, lang)})")
            for c in plan.checks
        ],
        tr("ui.status", lang): [verdict(c.verdict) for c in plan.checks],
    }  # fmt: skip
    return pd.DataFrame(rows).set_index(tr("ui.target", lang))
