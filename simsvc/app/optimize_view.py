"""The optimizer section of the page: Optimize, the plan with its verification, and "apply to setting B".

Streamlit drawing only; the logic is :mod:`simsvc.app.optimizing`. Shown only for a scenario with
an ``optimizer`` block. Applying the plan makes **setting B the plan** (A stays the sliders, the
comparison is switched on): B's column says so instead of showing sliders, which cannot hold a
plan's own shifts, and both settings are simulated at once through the page's run cache.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import streamlit as st

from simsvc.app import core, glossary, optimizing, runs
from simsvc.app.optimize_text import say
from simsvc.errors import InfeasibleError, ScenarioError, SolverError
from simsvc.i18n import Lang, cost_label, tr
from simsvc.plan_output import plan_status_text
from simsvc.staffing.plan import Iteration, Plan

__all__ = ["plan_in_b", "run_plan_b", "run_requested", "setting_title", "show"]

_md = core.markdown_text


def _plans() -> optimizing.PlanCache:
    return st.session_state.setdefault("plan_cache", optimizing.PlanCache())


def _verification(scenario, lang: Lang) -> optimizing.Verification:
    """The verification radio; its choice kept across languages (one widget per language, as the page's)."""
    spec = scenario.optimizer
    options = list(optimizing.VERIFICATIONS)
    kept = st.session_state.get("keep:opt:verify", options[0])
    most = spec.verify.max_replications
    labels = {
        "scenario": say("verify.scenario", lang, most=most),
        "quick": say("verify.quick", lang, most=min(optimizing.QUICK_MAX_REPLICATIONS, most)),
        "none": say("verify.none", lang),
    }
    choice = st.radio(say("verify", lang), options, index=options.index(kept), format_func=labels.__getitem__,
                      key=f"opt:verify:{lang}")  # fmt: skip
    st.session_state["keep:opt:verify"] = choice
    return choice


def _round_text(it: Iteration, lang: Lang) -> str:
    if not it.replications:
        return say("round_solved", lang, number=it.number, cost=it.cost)
    key = "round_missed" if it.misses else "round_met"
    return say(key, lang, number=it.number, cost=it.cost, replications=it.replications, missed=len(it.misses))


def show(scenario, scenario_key: str, lang: Lang) -> None:
    """The optimizer section: nothing for a scenario without an ``optimizer`` block."""
    if scenario.optimizer is None:
        return
    st.header(say("title", lang))
    st.caption(say("caption", lang))
    verification = _verification(scenario, lang)
    plans = _plans()
    pressed = st.button(tr("app.optimize", lang), key="optimize")
    plan = plans.kept(scenario_key, verification)
    if pressed and plan is None:
        start = time.perf_counter()
        with st.status(tr("app.optimizing", lang), expanded=True) as status:
            first = "stage_solve" if verification == "none" else "stage_first"
            status.write(say(first, lang))

            def progress(it: Iteration) -> None:
                status.write(_round_text(it, lang))
                if it.misses and it.number < scenario.optimizer.iterations:  # another round follows
                    status.write(say("stage_again", lang, number=it.number + 1))

            try:
                plan, _ = plans.optimize(scenario_key, scenario, verification, progress)
            except (InfeasibleError, ScenarioError, SolverError, ValueError) as exc:
                status.update(label=say("failed", lang), state="error")
                st.error(_md(str(exc)))
                return
            status.update(label=say("done", lang, seconds=time.perf_counter() - start), state="complete",
                          expanded=False)  # fmt: skip
    if plan is None:
        return
    _plan(plan, lang, *plans.about(scenario_key, verification))
    st.button(say("apply", lang), key="opt:apply", type="primary", on_click=_apply,
              args=(scenario_key, verification), help=say("apply_help", lang))  # fmt: skip


def _plan(plan: Plan, lang: Lang, number: int, seconds: float) -> None:
    st.subheader(tr("ui.plan", lang))
    st.caption(say("optimized", lang, number=number, seconds=seconds))
    st.markdown(_md(plan_status_text(plan.status, [f"{p.name} {p.where}" for p in plan.unresolved], lang)))
    for warning in optimizing.plan_warnings(plan, lang):
        st.warning(_md(warning), icon="⚠️")
    # st.table reads each cell as markdown: "-" would be an empty bullet and "08:00-12:00" an emoji code
    st.table(core.plan_table(plan.to_frame(), lang).map(lambda v: _md(v) if isinstance(v, str) else v))
    cost = {cost_label(k, lang): f"{v:,.0f}" for k, v in plan.cost.items()}
    st.table(pd.Series(cost, name=tr("ui.cost", lang)))
    table = optimizing.verification_table(plan, lang)
    if table is not None:
        st.markdown(f"**{say('verification', lang)}**")
        st.table(glossary.with_tooltips(table, [_tip(c.name, lang) for c in plan.checks]))
    if plan.simulated is None:
        st.caption(say("unverified", lang))
    else:
        st.caption(say("verified", lang, replications=plan.iterations[-1].replications,
                      rounds=len(plan.iterations)))  # fmt: skip


def _tip(kpi: str, lang: Lang) -> str:
    """A target row's tooltip, as the page's targets table has: the KPI's definition and the verdict rule."""
    known = kpi in glossary.DEFINITIONS
    return (glossary.definition(kpi, lang) + " " if known else "") + glossary.definition("term.targets", lang)


def _apply(scenario_key: str, verification: optimizing.Verification) -> None:
    """Make setting B the plan, show both settings, and run them (the page's next run)."""
    st.session_state["opt:b"] = (scenario_key, verification)
    st.session_state["keep:compare"] = st.session_state["compare"] = True  # the page's checkbox, ticked
    st.session_state["opt:run"] = True


def _back() -> None:
    st.session_state.pop("opt:b", None)


def _plan_b(scenario_key: str) -> tuple[optimizing.Verification, Plan] | None:
    applied = st.session_state.get("opt:b")
    if not applied or applied[0] != scenario_key:
        return None
    plan = _plans().kept(*applied)
    return None if plan is None else (applied[1], plan)


def plan_in_b(scenario_key: str, lang: Lang) -> bool:
    """In setting B's column: whether B is the applied plan, which is then said (no sliders drawn)."""
    applied = _plan_b(scenario_key)
    if applied is None:
        return False
    plan = applied[1]
    status = plan_status_text(plan.status, [f"{p.name} {p.where}" for p in plan.unresolved], lang)
    st.info(_md(say("b_is_plan", lang, cost=plan.cost["cost"], status=status)))
    st.button(say("b_back", lang), key="opt:back", on_click=_back)
    return True


def run_requested() -> bool:
    """Whether "apply and simulate" was pressed (once: the request is taken)."""
    return bool(st.session_state.pop("opt:run", False))


def run_plan_b(
    cache: runs.RunCache, scenario_key: str, replications: int, lang: Lang, base_dir: Path | None
) -> tuple[core.AppRun, bool] | None:
    """Setting B's run when B is the plan (:func:`simsvc.app.optimizing.run_plan`), else None."""
    applied = _plan_b(scenario_key)
    if applied is None:
        return None
    run, kept = optimizing.run_plan(cache, scenario_key, applied[0], applied[1], replications, lang, base_dir)
    st.session_state["opt:b_run"] = run.number
    return run, kept


def setting_title(name: str, run: core.AppRun, lang: Lang) -> str:
    """A result column's title: "Setting B: the optimized plan" for the plan's run."""
    if name == "B" and run.number and st.session_state.get("opt:b_run") == run.number:
        return say("b_title", lang)
    return tr("app.setting", lang, name=name)
