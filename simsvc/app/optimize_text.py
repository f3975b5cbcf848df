"""The optimizer section's texts, English and 简体中文 (issue 17 item 6: the optimizer in the app).

Kept apart from :mod:`simsvc.i18n` (the texts the package shares), as :mod:`simsvc.app.glossary` keeps
its definitions: only :mod:`simsvc.app.optimize_view` says them.
"""

from __future__ import annotations

from simsvc.i18n import check_lang

__all__ = ["TEXT", "say"]

# key: (English, 简体中文)
TEXT: dict[str, tuple[str, str]] = {
    "title": ("Optimizer: least-cost staffing that meets the targets", "优化器：满足目标的最低成本排班"),
    "caption": (
        "Plans shifts and training levels for the scenario as in its file (the sliders are not used), "
        "then verifies the plan by simulation; this takes a while (tens of seconds).",
        "按场景文件中的设定（不使用滑块）规划班次和培训等级，再用仿真验证方案；需要一些时间（数十秒）。",
    ),
    "verify": ("Verification by simulation", "仿真验证"),
    "verify.scenario": (
        "as the scenario sets (replications added while a target is undecided, up to {most})",
        "按场景设定（目标未定时追加重复，最多 {most} 次）",
    ),
    "verify.quick": (
        "quicker: at most {most} replications (wider intervals, more targets may stay undecided)",
        "较快：最多 {most} 次重复（区间更宽，更多目标可能未定）",
    ),
    "verify.none": (
        "none: solve once on queueing formulas (predicted only, not verified)",
        "不验证：仅按排队公式求解一次（只有预测值，未经验证）",
    ),
    "stage_first": (
        "Round 1: solving the staffing model on queueing curves, then verifying the plan by simulation…",
        "第 1 轮：按排队曲线求解排班模型，然后用仿真验证方案…",
    ),
    "stage_solve": ("Solving the staffing model on queueing curves…", "按排队曲线求解排班模型…"),
    "stage_again": (
        "Round {number}: one more person where a target was missed; solving and verifying again…",
        "第 {number} 轮：在目标未达成处增加一人，重新求解并验证…",
    ),
    "round_met": (
        "Round {number} done: operating cost {cost:,.0f}, {replications} replications, no target missed",
        "第 {number} 轮完成：运营成本 {cost:,.0f}，{replications} 次重复，没有目标明确未达成",
    ),
    "round_missed": (
        "Round {number} done: operating cost {cost:,.0f}, {replications} replications, {missed} target(s) "
        "missed somewhere",
        "第 {number} 轮完成：运营成本 {cost:,.0f}，{replications} 次重复，{missed} 个目标在部分时段明确未达成",
    ),
    "round_solved": (
        "Solved: operating cost {cost:,.0f} (not simulated)",
        "求解完成：运营成本 {cost:,.0f}（未仿真）",
    ),
    "done": ("Optimized in {seconds:.0f} s", "优化完成，用时 {seconds:.0f} 秒"),
    "failed": ("The optimizer found no plan", "优化器未找到方案"),
    "optimized": (
        "Plan {number} optimized in this session ({seconds:.0f} s); kept: pressing Optimize again or switching "
        "language reuses it",
        "本次会话优化的第 {number} 个方案（用时 {seconds:.0f} 秒）；已保存：再次点击优化或切换语言会直接复用",
    ),
    "verification": ("Targets: predicted and verified by simulation", "目标：预测值与仿真验证"),
    "verified": (
        "Verified by simulation: {replications} replications in the last of {rounds} round(s).",
        "仿真验证：共 {rounds} 轮，最后一轮 {replications} 次重复。",
    ),
    "unverified": (
        "Not verified by simulation: the values are the queueing formulas' predictions.",
        "未经仿真验证：数值为排队公式的预测。",
    ),
    "apply": ("Apply the plan as setting B and simulate", "将方案设为方案 B 并仿真"),
    "apply_help": (
        "Setting B becomes exactly this plan (its shifts and training levels); A keeps its sliders.",
        "方案 B 变为此排班方案（其班次与培训等级）；方案 A 保留滑块设定。",
    ),
    "b_is_plan": (
        "Setting B is the optimized plan (operating cost {cost:,.0f}; {status}). Its shifts are the "
        "plan's own, which the sliders cannot show; see the staffing plan below.",
        "方案 B 为优化后的排班方案（运营成本 {cost:,.0f}；{status}）。其班次由方案确定，滑块无法表示；"
        "详见下方的排班方案。",
    ),
    "b_back": ("Back to sliders for B", "方案 B 改回滑块设定"),
    "b_title": ("Setting B: the optimized plan", "方案 B：优化后的排班方案"),
}


def say(key: str, lang: str = "en", **values: object) -> str:
    """The text for ``key`` in ``lang``, formatted with ``values``."""
    text = TEXT[key][("en", "zh").index(check_lang(lang))]
    return text.format(**values) if values else text
