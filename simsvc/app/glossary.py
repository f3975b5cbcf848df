"""What every KPI and term the app shows means, in English and Chinese (issue 17: glossary and tooltips).

One definition per KPI (its code name, as :func:`simsvc.i18n.kpi_label` names it) or term
(``term.*``: the mean, the confidence interval, replications, targets and their verdicts), written
for a trainer and true to the model: :mod:`simsvc.metrics` computes each KPI, :mod:`simsvc.quality`
the satisfaction score, :mod:`simsvc.costs` the money, :mod:`simsvc.targets` the verdicts. The page
shows them as tooltips (``help=`` of a metric, Styler tooltips on a table's cells) and in a glossary.
Definitions are plain text: no double quote or backslash (a table's tooltip is CSS ``content``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from simsvc.i18n import TEXT, Lang, check_lang, cost_label, kpi_label, tr
from simsvc.scenario.quality_models import DIMENSIONS

if TYPE_CHECKING:
    import pandas as pd
    from pandas.io.formats.style import Styler

    from simsvc.scenario.models import Scenario

__all__ = ["DEFINITIONS", "TERMS", "definition", "entries", "label", "target_tips", "with_tooltips"]

# key: (English, 简体中文). Every count, share, time and cost is one replication's (all its days,
# customers arriving after any warm-up); the table shows its mean over replications.
DEFINITIONS: dict[str, tuple[str, str]] = {
    # service
    "arrivals": (
        "Customers who arrived in one replication (all its days, after any warm-up).",
        "一次重复中到达的顾客人数（全部天数，不含预热期）。",
    ),
    "demand_change": (
        "Arrivals against the demand the scenario declares: arrivals ÷ expected arrivals − 1. Promises, word of "
        "mouth and returning customers move it; without them it is random variation only.",
        "实际到达与场景申报需求的比较：到达人数 ÷ 预期到达人数 − 1。承诺、口碑和回头客会改变它；"
        "没有这些因素时只是随机波动。",
    ),
    "served": ("Customers who were served, per replication.", "每次重复中得到服务的顾客人数。"),
    "abandoned": (
        "Customers who joined a queue and left it before service because their patience ran out, per replication.",
        "每次重复中排队后因失去耐心、在开始服务前离开的顾客人数。",
    ),
    "balked": (
        "Customers who saw a queue too long for them and left without joining it, per replication.",
        "每次重复中看到队伍太长、未排队就离开的顾客人数。",
    ),
    "mean_wait": (
        "Mean time in queue of the customers who joined it, served or not: for one who gave up, the time until "
        "giving up. Customers served at once count with 0 min.",
        "排队顾客（无论是否得到服务）的平均排队时间；放弃者按其放弃前的等待计。立即得到服务的顾客按 0 分钟计。",
    ),
    "mean_wait_served": (
        "Mean time in queue of the customers who were served (the average speed of answer); per station: of the "
        "visits that station served.",
        "得到服务的顾客的平均排队时间（平均应答速度）；按服务站统计时为该服务站所服务的访问。",
    ),
    "p95_wait": (
        "95 % of the customers who joined the queue waited at most this long; 5 % waited longer.",
        "排队顾客中 95% 的等待不超过此时长，5% 的等待更长。",
    ),
    "service_level": (
        "Share of all arriving customers whose service started within the target wait (the service-level "
        "target's threshold, or a class's own). Customers who gave up or left without queuing count as missed.",
        "在目标等待时间（服务水平目标的阈值，或该类别自己的阈值）内开始服务的顾客占全部到达顾客的比例。"
        "放弃等待或未排队即离开的顾客计为未达标。",
    ),
    "abandonment_rate": (
        "Share of arriving customers who left the queue before service (patience ran out).",
        "开始服务前离开队伍（失去耐心）的顾客占到达顾客的比例。",
    ),
    "balk_rate": (
        "Share of arriving customers who left without joining the queue (it was too long).",
        "因队伍太长而未排队就离开的顾客占到达顾客的比例。",
    ),
    "utilization": (
        "Share of the front-line staff's on-duty time spent serving customers: busy staff-minutes ÷ on-duty "
        "staff-minutes. High means long queues are likely; low means idle staff.",
        "一线员工在岗时间中用于服务顾客的比例：忙碌人·分钟 ÷ 在岗人·分钟。越高越容易排长队，越低说明员工空闲。",
    ),
    "max_queue": (
        "The most customers waiting at the same time in a replication.",
        "一次重复中同时排队的最多顾客人数。",
    ),
    "mean_queue": (
        "Customers waiting, averaged over the opening time: customer-minutes spent waiting ÷ minutes.",
        "营业时间内的平均排队人数：顾客排队的总分钟数 ÷ 分钟数。",
    ),
    "mean_service_time": (
        "Mean time a served customer spent being served (for a journey: all its steps together).",
        "得到服务的顾客的平均服务时长（多步骤服务旅程为各步骤之和）。",
    ),
    # quality
    "satisfaction": (
        "Mean satisfaction score of all arriving customers, from 0 to 1: a logistic function of the expectation "
        "gap (perceived minus expected service, weighted over the five SERVQUAL dimensions). 0.5 means "
        "expectations exactly met, above 0.5 exceeded, below 0.5 not met. A recovered complaint raises it again.",
        "全部到达顾客的平均满意度得分（0 到 1）：期望差距（感知服务减去期望，"
        "按五个 SERVQUAL 维度加权）的 logistic 函数。"
        "0.5 表示恰好符合期望，高于 0.5 超出期望，低于 0.5 未达期望。投诉得到成功补救后得分会回升。",
    ),
    "delighted_share": (
        "Share of arriving customers whose weighted expectation gap is at or above the delighted line "
        "(quality.delighted_above): expectations clearly exceeded.",
        "加权期望差距达到或高于惊喜线（quality.delighted_above）的顾客占到达顾客的比例：明显超出期望。",
    ),
    "dissatisfied_share": (
        "Share of arriving customers whose weighted expectation gap is below the dissatisfied line "
        "(quality.dissatisfied_below), judged before any complaint handling. The target on satisfied customers "
        "bounds it: at most 1 − the satisfied share asked.",
        "加权期望差距低于不满意线（quality.dissatisfied_below）的顾客占到达顾客的比例，在投诉处理之前判定。"
        "满意顾客目标即对它设上限：不超过 1 − 要求的满意比例。",
    ),
    "complaint_rate": (
        "Complaints per arriving customer: dissatisfied customers who voice it (each with the scenario's voice "
        "probability), served or not.",
        "每位到达顾客的投诉数：不满意并提出投诉的顾客（按场景的投诉意愿概率），无论是否得到服务。",
    ),
    "recovery_rate": (
        "Share of complaints recovered: handled well enough that the customer's expectations count as met again. "
        "The chance falls the longer the resolution takes; without a complaint team it is 0.",
        "得到成功补救的投诉比例：处理得当，顾客的期望重新被视为已满足。处理越慢成功率越低；没有投诉团队时为 0。",
    ),
    "complaints_within_sla": (
        "Share of complaints resolved within the resolution-time target (complaints.sla_minutes), counted from "
        "filing; only with a complaint team.",
        "在处理时限（complaints.sla_minutes）内解决的投诉比例，从提出投诉起计时；仅在有投诉团队时适用。",
    ),
    "mean_resolution_time": (
        "Mean time from filing a complaint to its resolution, over the complaints handled.",
        "已处理投诉从提出到解决的平均时长。",
    ),
    "retention": (
        "Share of arriving customers who will come back (each outcome has its return probability); n/a without "
        "a loyalty block.",
        "将再次光顾的顾客占到达顾客的比例（每种结果有各自的回访概率）；场景没有 loyalty 配置时不适用。",
    ),
    "lost_customers": (
        "Customers who leave dissatisfied (without complaining, or with a complaint not recovered) and will not "
        "come back, per replication; n/a without a loyalty block.",
        "每次重复中不满意离开（未投诉，或投诉未得到补救）且不再光顾的顾客人数；场景没有 loyalty 配置时不适用。",
    ),
    "returning_share": (
        "Share of arriving customers who are returning customers of earlier visits; n/a without a loyalty block.",
        "到达顾客中属于早先光顾后回访的顾客比例；场景没有 loyalty 配置时不适用。",
    ),
    "complaint_team_utilization": (
        "Share of the complaint team's on-duty time spent handling complaints.",
        "投诉团队在岗时间中用于处理投诉的比例。",
    ),
    "deferred_within_target": (
        "Deferred work (email, letters): share of contacts whose reply was sent within the team's target_hours "
        "of arrival, among those answered or already past their deadline at the horizon's end.",
        "延后工作（邮件、信函）：在到达后 target_hours 小时内发出答复的比例，分母为已答复的以及期末已超过时限的工作。",
    ),
    "deferred_response_hours": (
        "Deferred work: mean time from arrival to the reply (end of handling), in hours, over the contacts answered.",
        "延后工作：从到达到答复（处理结束）的平均时间（小时），按已答复的工作计算。",
    ),
    "backlog_at_opening": (
        "Deferred work waiting just before an opening (left over from the day before plus arrived overnight), "
        "averaged over the openings after a night.",
        "开门前一刻等待处理的延后工作（前一天遗留加夜间到达），按每个夜间之后的开门时刻平均。",
    ),
    "max_backlog_at_opening": (
        "The largest backlog of deferred work at an opening after a night.",
        "夜间之后开门时刻延后工作积压量的最大值。",
    ),
    "deferred_open_at_end": (
        "Deferred work still unanswered when the simulated horizon ends.",
        "模拟周期结束时仍未答复的延后工作数量。",
    ),
    **{
        f"gap_{d}": (
            f"Mean of perceived minus expected {d} over served customers, on the 1-7 SERVQUAL scale "
            "(−6 to +6): below 0 the service falls short of expectations.",
            f"已服务顾客在{tr(f'dim.{d}', 'zh')}上的感知减去期望的平均值，1-7 分 SERVQUAL 量表（−6 到 +6）："
            "低于 0 表示未达期望。",
        )
        for d in DIMENSIONS
    },
    # money: the operating cost is what the firm pays; the value of customers lost is not paid and never part of it
    "cost": (
        "What the firm pays in a replication: wages + training + complaint handling. The value of customers lost "
        "is not paid and is never part of it.",
        "一次重复中企业实际支出的费用：工资 + 培训 + 投诉处理。流失客户价值并非实际支出，从不计入其中。",
    ),
    "cost_wages": (
        "Wages of the front line and the complaint teams: wage per hour (by training level) × paid hours, the "
        "shifts plus any time spent finishing customers after them.",
        "一线员工和投诉团队的工资：时薪（按培训等级）× 计薪小时，即班次时间加上班后继续服务顾客的时间。",
    ),
    "cost_wages_front_line": ("Wages of the front-line teams.", "一线团队的工资。"),
    "cost_wages_complaint_teams": ("Wages of the complaint teams.", "投诉团队的工资。"),
    "cost_training": (
        "A one-off cost per person and training level, spread over the training amortization days and charged "
        "for the days run.",
        "按人和培训等级计的一次性培训费用，在培训摊销天数内分摊，按运行天数计入。",
    ),
    "cost_complaints": (
        "Material cost of handling complaints: cost per complaint × complaints.",
        "投诉处理的物料成本：每件投诉成本 × 投诉数。",
    ),
    "lost_customer_value": (
        "The scenario's value of a lost customer × lost customers. Not money the firm pays, so shown apart "
        "from the operating cost and never added into it.",
        "场景设定的单个流失客户价值 × 流失顾客人数。并非企业实际支出，因此与运营成本分开显示，从不计入其中。",
    ),
    "cost_and_lost_value": (
        "Operating cost plus value of customers lost, under this name only: a total for comparing settings.",
        "运营成本加流失客户价值，仅以此名称出现：用于比较方案的合计。",
    ),
    # the optimizer's plan
    "complaints_per_day": (
        "Complaints per day the optimizer predicts for its plan (dissatisfied customers × voice probability).",
        "优化器为其方案预测的每日投诉数（不满意顾客 × 投诉意愿概率）。",
    ),
    "per_day": ("The plan's cost per day.", "方案每天的成本。"),
}

# key: (label key in simsvc.i18n, English, 简体中文): what the tables and targets are made of
TERMS: dict[str, tuple[str, str, str]] = {
    "term.mean": (
        "ui.mean",
        "The mean over replications of each replication's value: what the setting gives on average.",
        "各次重复取值的平均：该方案平均而言的结果。",
    ),
    "term.ci": (
        "ui.ci",
        "The 95 % confidence interval of the mean over the replications (Student t): run the same setting "
        "again with new random numbers, and 95 of 100 such intervals would contain its long-run mean. More "
        "replications make it narrower; it covers the randomness of the simulation, not errors in the scenario.",
        "重复之间均值的 95% 置信区间（Student t）：用新的随机数再次运行同一方案，"
        "100 个这样的区间中约有 95 个包含其长期均值。"
        "重复次数越多区间越窄；它只反映仿真的随机性，不反映场景设定的误差。",
    ),
    "term.replications": (
        "ui.replications",
        "Independent runs of the same days with different random numbers (from the scenario's seed, so the "
        "same setting gives the same numbers again). Each KPI is measured in each, then averaged.",
        "用不同随机数对相同天数的独立运行（由场景的随机种子生成，同一方案再次运行结果相同）。每个指标在每次重复中测量后取平均。",
    ),
    "term.targets": (
        "ui.targets",
        "The scenario's targets (service level, abandonment, satisfied customers, complaints within SLA), each "
        "judged by where the whole 95 % CI of its KPI lies: met when all of it is on the right side, missed when "
        "all of it is on the wrong side, unresolved when the target lies inside it.",
        "场景设定的目标（服务水平、放弃率、满意顾客、按时处理的投诉），按其指标的整个 95% 置信区间所在位置判定："
        "全部在达标一侧为达成，全部在另一侧为未达成，目标落在区间内为未定。",
    ),
    "term.delta": (
        "glossary.delta",
        "Under a tile of setting B: B's value minus A's, in the KPI's unit.",
        "方案 B 指标卡下方：B 的数值减去 A 的数值，单位同该指标。",
    ),
    "term.met": ("ui.met", "All of the CI is on the right side of the target.", "整个置信区间都在目标的达标一侧。"),
    "term.missed": (
        "ui.missed",
        "All of the CI is on the wrong side of the target.",
        "整个置信区间都在目标的未达标一侧。",
    ),
    "term.unresolved": (
        "ui.unresolved",
        "The target lies inside the CI: this many replications cannot tell; more could decide it.",
        "目标落在置信区间内：现有重复次数无法判定，增加重复次数可能判定。",
    ),
}


def label(key: str, lang: Lang = "en") -> str:
    """A glossary entry's name: a KPI's label, or a term's (``term.ci``: ``95 % CI``)."""
    if key in TERMS:
        return tr(TERMS[key][0], lang)
    return kpi_label(key, lang) if f"kpi.{key}" in TEXT else cost_label(key, lang)  # per_day: a plan's


def definition(key: str, lang: Lang = "en") -> str:
    """What the KPI or term ``key`` means, in ``lang``; KeyError for a key without a definition."""
    i = ("en", "zh").index(check_lang(lang))
    return TERMS[key][1 + i] if key in TERMS else DEFINITIONS[key][i]


def entries(kpis: Iterable[str], lang: Lang = "en") -> list[tuple[str, str]]:
    """``(label, definition)`` of each of ``kpis`` (once, in order), then of every term."""
    keys = [*dict.fromkeys(kpis), *TERMS]
    return [(label(k, lang), definition(k, lang)) for k in keys]


TOOLTIP_CSS = (
    "visibility: hidden; position: fixed; top: 0; left: 0; position-anchor: --simsvc-tip; "
    "top: anchor(bottom, 0px); left: anchor(left, 0px); position-try-fallbacks: flip-block, flip-inline; "
    "z-index: 1000; width: max-content; max-width: 24rem; white-space: normal; padding: 0.4rem 0.6rem; "
    "border-radius: 0.4rem; background-color: #31333f; color: #ffffff; font-size: 0.85rem; line-height: 1.35; "
    "font-weight: normal; pointer-events: none"
)
"""A table cell's tooltip box, fixed below (or above) the hovered cell by CSS anchor positioning, so the
table's scrolling frame never clips it (a browser without anchors shows it in the window's corner)."""


def with_tooltips(frame: pd.DataFrame, tips: Sequence[str]) -> Styler:
    """``frame`` styled so that hovering any cell of row ``i`` shows ``tips[i]`` (for ``st.table``).

    pandas' :meth:`~pandas.io.formats.style.Styler.set_tooltips` (index labels cannot carry one).
    """
    import pandas as pd

    texts = pd.DataFrame([[tip] * len(frame.columns) for tip in tips], index=frame.index, columns=frame.columns)
    styler = frame.style.set_tooltips(texts, props=TOOLTIP_CSS)
    return styler.set_table_styles([{"selector": "td:hover", "props": "anchor-name: --simsvc-tip"}], overwrite=False)


def target_tips(scenario: Scenario, summary: pd.DataFrame, lang: Lang = "en") -> list[str]:
    """Each target row's tooltip (:func:`simsvc.output.target_rows`): its KPI's definition and the verdict rule."""
    from simsvc.output import target_rows

    rule = definition("term.targets", lang)
    return [f"{definition(row.goal.kpi, lang)} {rule}" for row in target_rows(scenario, summary, lang)]
