"""English and Simplified Chinese text for everything a person reads in figures, reports and the app.

One table, :data:`TEXT`, maps a key to its two translations; :func:`tr` looks one up and
:func:`kpi_label` names a KPI. SERVQUAL dimensions use the standard Chinese terms
(有形性, 可靠性, 响应性, 保证性, 移情性).
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["LANGS", "TEXT", "Lang", "check_lang", "column_label", "cost_label", "kpi_label", "tr"]

Lang = Literal["en", "zh"]
LANGS: tuple[str, ...] = get_args(Lang)

# key: (English, 简体中文)
_PAIRS: dict[str, tuple[str, str]] = {
    # KPIs
    "kpi.arrivals": ("arrivals", "到达人数"),
    "kpi.served": ("served", "已服务"),
    "kpi.abandoned": ("abandoned", "放弃等待"),
    "kpi.balked": ("balked", "见队即走"),
    "kpi.mean_wait": ("mean wait (min)", "平均等待（分钟）"),
    "kpi.mean_wait_served": ("mean wait of served (min)", "已服务者平均等待（分钟）"),
    "kpi.p95_wait": ("95th percentile wait (min)", "95% 分位等待（分钟）"),
    "kpi.service_level": ("service level", "服务水平"),
    "kpi.abandonment_rate": ("abandonment rate", "放弃率"),
    "kpi.balk_rate": ("balk rate", "见队即走率"),
    "kpi.utilization": ("utilization", "员工利用率"),
    "kpi.max_queue": ("longest queue", "最长队列"),
    "kpi.mean_queue": ("mean queue (time average)", "平均队长（时间平均）"),
    "kpi.mean_service_time": ("mean service time (min)", "平均服务时间（分钟）"),
    "kpi.satisfaction": ("satisfaction", "满意度"),
    "kpi.delighted_share": ("delighted share", "惊喜顾客比例"),
    "kpi.dissatisfied_share": ("dissatisfied share", "不满意顾客比例"),
    "kpi.complaint_rate": ("complaint rate", "投诉率"),
    "kpi.recovery_rate": ("recovery rate", "服务补救成功率"),
    "kpi.complaints_within_sla": ("complaints resolved within SLA", "按时处理的投诉比例"),
    "kpi.mean_resolution_time": ("mean resolution time (min)", "平均投诉处理时间（分钟）"),
    "kpi.retention": ("retention", "顾客保留率"),
    "kpi.lost_customers": ("lost customers", "流失顾客"),
    "kpi.returning_share": ("returning customers (share of arrivals)", "回头客占到达顾客的比例"),
    "kpi.demand_change": ("demand vs declared", "需求相对申报值的变化"),
    "kpi.gap_reliability": ("gap: reliability", "差距：可靠性"),
    "kpi.gap_responsiveness": ("gap: responsiveness", "差距：响应性"),
    "kpi.gap_assurance": ("gap: assurance", "差距：保证性"),
    "kpi.gap_empathy": ("gap: empathy", "差距：移情性"),
    "kpi.gap_tangibles": ("gap: tangibles", "差距：有形性"),
    "kpi.complaint_team_utilization": ("complaint team utilization", "投诉团队利用率"),
    "kpi.deferred_within_target": ("deferred work answered within target", "在响应时限内答复的延后工作比例"),
    "kpi.deferred_response_hours": ("mean response time (h)", "平均响应时间（小时）"),
    "kpi.backlog_at_opening": ("backlog at opening (mean)", "开门时积压量（平均）"),
    "kpi.max_backlog_at_opening": ("backlog at opening (max)", "开门时积压量（最大）"),
    "kpi.deferred_open_at_end": ("still open at the horizon's end", "期末仍未答复"),
    "ui.deferred": ("deferred work", "延后处理的工作"),
    # Money (the names agreed for issue 12): the operating cost is what the firm pays; the value
    # of customers lost is not paid and never part of it; their sum has its own name.
    "kpi.cost": ("operating cost", "运营成本"),
    "kpi.cost_wages": ("wages", "工资"),
    "kpi.cost_wages_front_line": ("front-line wages", "一线员工工资"),
    "kpi.cost_wages_complaint_teams": ("complaint team wages", "投诉团队工资"),
    "kpi.cost_training": ("training", "培训"),
    "kpi.cost_complaints": ("complaint handling", "投诉处理"),
    "kpi.lost_customer_value": ("value of customers lost", "流失客户价值"),
    "kpi.cost_and_lost_value": ("operating cost + value of customers lost", "运营成本 + 流失客户价值"),
    "kpi.complaints_per_day": ("complaints per day", "每日投诉数"),
    "cost.per_day": ("per day", "每日"),
    # SERVQUAL dimensions
    "dim.reliability": ("reliability", "可靠性"),
    "dim.responsiveness": ("responsiveness", "响应性"),
    "dim.assurance": ("assurance", "保证性"),
    "dim.empathy": ("empathy", "移情性"),
    "dim.tangibles": ("tangibles", "有形性"),
    # outcome funnel
    "funnel.arrivals": ("arrived", "到达"),
    "funnel.served": ("served", "已服务"),
    "funnel.dissatisfied": ("dissatisfied", "不满意"),
    "funnel.complained": ("complained", "投诉"),
    "funnel.recovered": ("recovered", "补救成功"),
    "funnel.returned": ("will return", "将再次光顾"),
    # figure titles and axes
    "fig.waits.title": ("Waiting times", "等待时间分布"),
    "fig.waits.x": ("wait in queue (min)", "排队等待（分钟）"),
    "fig.waits.y": ("customers who queued, per replication", "每次重复中排队的顾客人数"),
    "fig.waits.target": ("target: {target:g} min", "目标：{target:g} 分钟"),
    "fig.waits.within": ("service level {share}: served within target", "服务水平 {share}：目标时间内开始服务"),
    "fig.waits.over": ("over {top:.3g} min: {share} of those who queued", "超过 {top:.3g} 分钟：排队者的 {share}"),
    "fig.day.title": ("Across the day", "全天变化"),
    "fig.day.x": ("interval start", "时段开始"),
    "fig.day.demand": ("arrivals per hour", "每小时到达人数"),
    "fig.day.staff": ("staff on duty", "在岗员工"),
    "fig.day.queue": ("customers waiting (mean over replications)", "排队人数（各次重复的平均）"),
    "fig.day.mean_queue": ("mean queue (time average in the interval)", "平均队长（时段内的时间平均）"),
    "fig.day.max_queue": ("longest queue in the interval", "时段内最长队列"),
    "fig.staffing.title": ("Staffing against demand", "人员配置与需求"),
    "fig.staffing.required": ("staff required", "所需员工"),
    "fig.staffing.y": ("staff", "员工人数"),
    "fig.gaps.title": ("SERVQUAL gap per dimension", "各维度 SERVQUAL 差距"),
    "fig.gaps.y": ("perceived − expected (1-7 scale)", "感知 − 期望（1-7 分）"),
    "fig.radar.title": ("SERVQUAL gap profile", "SERVQUAL 差距雷达图"),
    "fig.funnel.title": ("What happened to customers", "顾客结果漏斗"),
    "fig.funnel.x": ("customers per replication", "每次重复的顾客人数"),
    "fig.cost.title": ("Cost breakdown", "成本构成"),
    "fig.cost.x": ("money per replication", "每次重复的金额"),
    "fig.cost.not_paid": ("not paid by the firm", "非企业实际支出"),
    "fig.pareto.title": ("Cost against satisfaction", "成本与满意度的权衡"),
    "fig.pareto.front": ("Pareto frontier", "帕累托前沿"),
    "fig.pareto.points": ("design points", "方案"),
    "fig.ci": ("95 % confidence interval", "95% 置信区间"),
    # issue 17, charts and speed (simsvc.app.charts, simsvc.app.chart_view, simsvc.app.runs)
    "chart.section": ("Charts: the settings on shared axes", "图表：各方案共用坐标轴"),
    "chart.setting": ("setting", "方案"),
    "chart.interval": ("interval start", "时段开始"),
    "chart.ci_low": ("95 % CI from", "95% 置信区间下限"),
    "chart.ci_high": ("95 % CI to", "95% 置信区间上限"),
    "chart.threshold": ("service-level threshold: {minutes:g} min", "服务水平阈值：{minutes:g} 分钟"),
    "chart.target_share": ("target: {share}", "目标：{share}"),
    "chart.waits_title": ("Mean wait per interval", "各时段平均等待"),
    "chart.service_level_title": (
        "Service level per interval (service starts within {minutes:g} min)",
        "各时段服务水平（{minutes:g} 分钟内开始服务）",
    ),
    "chart.station": ("station", "服务站"),
    "chart.stations_title": ("Mean wait per station (served visits)", "各服务站平均等待（已服务）"),
    "chart.money": ("money per replication", "每次重复的金额"),
    "chart.cost_title": (
        "Operating cost | value of customers lost (not added)",
        "运营成本 | 流失客户价值（不相加）",
    ),
    "chart.curve_wait": ("Mean wait", "平均等待"),
    "chart.curve_money": ("Operating cost and value of customers lost", "运营成本与流失客户价值"),
    "chart.curve_button": ("Staff vs wait and cost: {lever}", "人数与等待和成本：{lever}"),
    "chart.curve_help": (
        "Simulates a few staffing levels of this slider (few replications each) and draws mean wait and cost",
        "以较少的重复次数仿真该滑块的几个人数水平，绘制平均等待和成本",
    ),
    "chart.curve_running": ("Simulating the staffing levels…", "正在仿真各人数水平…"),
    "chart.curve_caption": (
        "{levels} levels of «{lever}», {replications} replications each, the other sliders as in setting A "
        "({seconds:.1f} s); dashed lines: the settings run",
        "«{lever}»的 {levels} 个水平，各 {replications} 次重复，其他滑块同方案 A（用时 {seconds:.1f} 秒）；"
        "虚线：已运行的方案",
    ),
    "chart.simulated": ("simulation {number} of this session", "本次会话第 {number} 次仿真"),
    "chart.reused": (
        "simulation {number} of this session, reused: this setting was not simulated again",
        "本次会话第 {number} 次仿真，直接复用：该方案未重新仿真",
    ),
    # report and app
    "ui.title": ("simsvc — service simulation", "simsvc — 服务运营仿真"),
    "ui.report": ("Simulation report", "仿真报告"),
    "ui.opt_report": ("Staffing optimization report", "人员配置优化报告"),
    "ui.scenario": ("Scenario", "场景"),
    "ui.kpis": ("Key performance indicators", "关键绩效指标"),
    "ui.kpi": ("KPI", "指标"),
    "ui.mean": ("mean", "均值"),
    "ui.ci": ("95 % CI", "95% 置信区间"),
    "ui.targets": ("Targets", "目标"),
    "ui.target": ("target", "目标值"),
    "ui.value": ("value", "数值"),
    "ui.value_ci": ("value (95 % CI)", "数值（95% 置信区间）"),
    "ui.met": ("met", "达成"),
    "ui.missed": ("missed", "未达成"),
    "ui.unresolved": ("unresolved (the target lies inside the CI)", "未定（目标落在置信区间内）"),
    "ui.unverified": ("unverified (not simulated)", "未验证（未模拟）"),
    "ui.status": ("status", "状态"),
    "ui.figures": ("Figures", "图表"),
    "ui.replications": ("replications", "重复次数"),
    "ui.seed": ("seed", "随机种子"),
    "ui.days": ("days", "天数"),
    "ui.hours": ("opening hours", "营业时间"),
    "ui.interval": ("interval (min)", "统计时段（分钟）"),
    "ui.classes": ("customer classes", "顾客类别"),
    "ui.teams": ("teams", "团队"),
    "ui.team": ("team", "团队"),
    "ui.shift": ("shift", "班次"),
    "ui.break": ("break", "休息"),
    "ui.complaint_team": ("complaint team", "投诉团队"),
    "ui.start": ("start", "开始"),
    "ui.end": ("end", "结束"),
    "ui.staff": ("staff", "人数"),
    "ui.training_level": ("training level", "培训等级"),
    "ui.cost": ("cost", "成本"),
    "ui.plan": ("Staffing plan", "排班方案"),
    "ui.costs": ("Cost", "成本"),
    "ui.operating_cost": ("Operating cost (what the firm pays)", "运营成本（企业实际支出）"),
    "ui.lost_value": (
        "Value of customers lost (not paid, not part of the operating cost)",
        "流失客户价值（非实际支出，不计入运营成本）",
    ),
    "ui.component": ("component", "项目"),
    "ui.predicted": ("predicted", "预测值"),
    "ui.simulated": ("simulated (95 % CI)", "仿真值（95% 置信区间）"),
    "ui.warnings": ("Warnings", "警告"),
    "ui.sl_target": (
        "service level: {fraction:.0%} within {within:g} min",
        "服务水平：{within:g} 分钟内 {fraction:.0%}",
    ),
    "ui.abandon_target": ("abandonment at most {value:.0%}", "放弃率不超过 {value:.0%}"),
    "ui.generated": ("Generated by simsvc from {folder}", "由 simsvc 根据 {folder} 生成"),
    "app.language": ("Language / 语言", "Language / 语言"),
    "app.source": ("Scenario source", "场景来源"),
    "app.bundled": ("bundled scenario", "内置场景"),
    "app.upload": ("upload a YAML file", "上传 YAML 文件"),
    "app.upload_label": ("Scenario file (YAML) with the CSV files it reads", "场景文件（YAML）及其读取的 CSV 文件"),
    "app.invalid": ("This scenario is invalid:", "该场景无效："),
    "app.setting": ("Setting {name}", "方案 {name}"),
    "app.compare": ("Compare two settings side by side", "并排比较两个方案"),
    "app.shift_staff": ("{team}: staff {start}-{end}", "{team}：{start}-{end} 人数"),
    "app.team_staff": ("{team}: staff", "{team}：人数"),
    "app.staff_delta": ("{team}: staff added in every interval", "{team}：每个时段增减人数"),
    "app.no_scenario": ("Choose a bundled scenario or upload one.", "请选择内置场景或上传场景文件。"),
    "app.results": ("Results", "结果"),
    "app.error": ("Something went wrong: {error}", "出错了：{error}"),
    "app.plan_cost": ("cost of the plan", "方案成本"),
    "app.training": ("{team}: training level", "{team}：培训等级"),
    "app.complaint_staff": ("complaint team size", "投诉团队人数"),
    "app.promise": ("promise level (0 modest … 1 bold)", "承诺水平（0 保守 … 1 大胆）"),
    "app.replications": ("replications (more: narrower intervals, slower)", "重复次数（越多区间越窄，越慢）"),
    "app.run": ("Run", "运行仿真"),
    "app.optimize": ("Optimize staffing", "优化人员配置"),
    "app.optimizing": ("Optimizing…", "正在优化…"),
    "app.running": ("Simulating…", "正在仿真…"),
    "app.press_run": ("Move the sliders, then press Run.", "调整滑块，然后点击“运行仿真”。"),
    "app.took": ("{seconds:.1f} s, {replications} replications", "用时 {seconds:.1f} 秒，{replications} 次重复"),
    # the priority lever (issue 17, lessons: premium customers vs everyone else)
    "app.priority": ("{name}: priority (smaller is served first)", "{name}：优先级（数字越小越先服务）"),
    "app.no_complaints": ("(the scenario has no complaint team)", "（该场景没有投诉团队）"),
    # warnings before and after simulating (simsvc.sim.capacity, simsvc.run): the CLI and result files
    # carry the English text, the app shows them in its language
    "warn.overload": (
        "overloaded: offered load exceeds the staff on duty in {over} of {total} intervals (worst: day {day} "
        "{time}, {worst}); queues grow until demand falls",
        "超负荷：{total} 个时段中有 {over} 个的工作量超过在岗员工的能力（最严重：第 {day} 天 {time}，{worst}）；"
        "需求回落之前队列持续增长",
    ),
    "warn.overload.no_staff": ("no staff", "无人在岗"),
    "warn.deferred_overload": (
        "deferred work overloaded: the work arriving over the horizon exceeds its teams' time on duty ({worst}); "
        "its backlog grows from day to day",
        "延后工作超负荷：整个周期内到达的工作量超过其团队的在岗时间（{worst}）；积压量逐日增长",
    ),
    "warn.overload.ratio": ("{ratio:.2f}x the staff on duty", "在岗员工能力的 {ratio:.2f} 倍"),
    "warn.unstaffed": (
        "no staff on duty: {notes}: these customers are not served, they leave at closing (counted as abandoned)",
        "无人在岗：{notes}：这些顾客得不到服务，在关门时离开（计为放弃）",
    ),
    "warn.unstaffed.note": (
        "{what} on day(s) {days} of {total} (team(s) {teams})",
        "{what}在第 {days} 天（共 {total} 天；团队 {teams}）",
    ),
    "warn.unstaffed.class": ("class {name}", "类别 {name}"),
    "warn.unstaffed.step": ("class {name} at step {step}", "类别 {name} 的步骤 {step}"),
    "warn.trace_order": (
        "{path}: arrivals are not in time order (first at {where}, {places} place(s) in all); "
        "they are replayed in time order",
        "{path}：到达时间未按时间顺序排列（首处在{where}，共 {places} 处）；按时间顺序重放",
    ),
    "warn.trace_order.item": ("item {n}", "第 {n} 项"),
    "warn.trace_order.row": ("row {n}", "第 {n} 行"),
    "warn.interrupted": (
        "interrupted: {finished} of {total} replications finished",
        "已中断：{total} 次重复中完成了 {finished} 次",
    ),
    "warn.truncated": (
        "truncated: arrivals stopped at simulation.max_customers={limit} in at least one replication; "
        "KPIs describe the truncated run",
        "已截断：至少一次重复中到达在 simulation.max_customers={limit} 处停止；指标描述的是截断后的运行",
    ),
    # the optimizer's plan: finer cost split and the verification's status
    "cost.cost_wages_front_line": ("wages: front line", "工资：一线员工"),
    "cost.cost_wages_complaint_teams": ("wages: complaint teams", "工资：投诉团队"),
    "plan.status.confirmed": ("confirmed by simulation: every target met", "仿真验证通过：所有目标均达成"),
    "plan.status.missed": ("the simulation misses a target with confidence", "仿真显示有目标明确未达成"),
    "plan.status.unresolved": ("unresolved: some targets lie inside their 95 % confidence interval ({places})",
                               "未定：部分目标落在 95% 置信区间内（{places}）"),
    "plan.status.unverified": ("unverified (not simulated)", "未验证（未仿真）"),
    # a target the plan's final simulation misses (simsvc.plan_output.plan_shortfalls: the CLI's English)
    "plan.shortfall": (
        "{name} {where}: target {sense} {goal}, simulated {mean} (95 % CI [{low}, {high}], {replications} "
        "replications), short by {short}",
        "{name}（{where}）：目标 {sense} {goal}，仿真值 {mean}（95% 置信区间 [{low}, {high}]，{replications} 次重复），"
        "差距 {short}",
    ),
    "plan.where.overall": ("overall", "总体"),
    "plan.where.in": ("in {where}", "{where} 时段"),
    "plan.where.day": ("in day {day}", "第 {day} 天"),
    # input analysis and forecasting from a contact log (simsvc fit, simsvc forecast)
    "fig.qq.title": (
        "Handling times against fitted families (n = {n:,})",
        "处理时长与拟合分布的分位数对比（n = {n:,}）",
    ),
    "fig.qq.family": ("{family} (ΔAIC {aic:,.0f})", "{family}（ΔAIC {aic:,.0f}）"),
    "fig.qq.diagonal": ("perfect fit", "完全吻合"),
    "fig.qq.x": ("fitted quantile (min)", "拟合分位数（分钟）"),
    "fig.qq.y": ("observed quantile (min)", "观测分位数（分钟）"),
    "fig.km.title": (
        "Patience: {events:,} abandonments among {calls:,} calls",
        "耐心：{calls:,} 个来电中 {events:,} 个放弃",
    ),
    "fig.km.curve": ("Kaplan–Meier", "Kaplan–Meier 估计"),
    "fig.km.band": ("95 % pointwise interval", "95% 逐点置信区间"),
    "fig.km.exponential": (
        "exponential, mean {mean:.2f} min (censored MLE)",
        "指数分布，均值 {mean:.2f} 分钟（删失极大似然）",
    ),
    "fig.km.x": ("minutes waited", "已等待分钟数"),
    "fig.km.y": ("share still willing to wait", "仍愿意等待的比例"),
    "fig.fc.title": (
        "Calls per day: history, back-test and forecast ({model})",
        "每日来电：历史、回测与预测（{model}）",
    ),
    "fig.fc.history": ("calls in the log", "日志中的来电"),
    "fig.fc.backtest": (
        "back-test forecast (daily WAPE {wape:.1%})",
        "回测预测（日 WAPE {wape:.1%}）",
    ),
    "fig.fc.band": ("{level:.0%} prediction interval", "{level:.0%} 预测区间"),
    "fig.fc.forecast": ("forecast", "预测"),
    "fig.fc.daily_y": ("calls per day", "每日来电"),
    "fig.fc.interval_y": ("calls per {minutes} min", "每 {minutes} 分钟来电"),
    # issue 17, lessons (simsvc.app.lesson_view; the lessons' own texts are in lessons/*.yaml)
    "lesson.choose": ("Lesson", "课程"),
    "lesson.none": ("free play (no lesson)", "自由练习（不选课程）"),
    "lesson.heading": ("Lesson: {title}", "课程：{title}"),
    "lesson.question": ("Question", "问题"),
    "lesson.observe": ("What to observe", "观察什么"),
    "lesson.explanation": ("What happened, and why", "发生了什么，为什么"),
    "lesson.table": ("This lesson's numbers (means over the replications)", "本课的数字（各次重复的平均值）"),
    "lesson.changed": (
        "The sliders differ from the lesson's settings; its explanation is for those.",
        "滑块与本课的方案不同；本课的讲解针对的是原方案。",
    ),
    "lesson.reset": ("Set the lesson's settings again", "恢复本课的方案"),
    "lesson.invalid": ("A bundled lesson is invalid:", "内置课程无效："),
    # issue 17, the glossary and tooltips of every KPI (simsvc.app.glossary holds the definitions)
    "glossary.title": ("Glossary: what every number means", "术语表：每个数字的含义"),
    "glossary.hint": (
        "Hover a tile's question mark or a table's value for its definition.",
        "将鼠标悬停在指标卡的问号或表格数值上可查看定义。",
    ),
    "glossary.delta": ("difference to setting A", "与方案 A 的差值"),
    # issue 17, the living queue (simsvc.app.living_queue_view and the page's expander)
    "lq.title": ("Living queue: one replication, customer by customer", "动态队列：逐个顾客回放一次重复"),
    "lq.caption": (
        "Each dot is a customer of this run's own records: it joins a station's queue, is served in a "
        "server slot, moves on along its journey and leaves, coloured by how it left. Counters count the "
        "customers who arrived in the chosen window, as the KPIs do.",
        "每个圆点都是本次运行记录中的一位顾客：在服务台排队、在服务位接受服务、沿服务旅程前进后离开，"
        "离开时的颜色表示结果。计数器统计所选时段内到达的顾客，与指标口径一致。",
    ),
    "lq.replication": ("replication", "重复编号"),
    "lq.day": ("day", "第几天"),
    "lq.hour": ("hour", "时段"),
    "lq.whole_day": ("whole day", "全天"),
    "lq.show": ("Show the living queue", "显示动态队列"),
    "lq.arrived": ("arrived", "已到达"),
    "lq.waiting": ("waiting", "等待中"),
    "lq.in_service": ("in service", "服务中"),
    "lq.served": ("served", "已服务"),
    "lq.abandoned": ("abandoned", "放弃等待"),
    "lq.balked": ("balked", "见队即走"),
    "lq.dissatisfied": ("left dissatisfied", "不满意离开"),
    "lq.complaints": ("complaints", "投诉"),
    "lq.delighted": ("left delighted", "惊喜离开"),
    "lq.satisfied": ("left satisfied", "满意离开"),
    "lq.complaint": ("complaint (square: at the complaint desk)", "投诉（方块：在投诉处理台）"),
    "lq.faded": ("faded: other customers still there (not counted)", "半透明：其他时段仍在场的顾客（不计入）"),
    "lq.play": ("play", "播放"),
    "lq.pause": ("pause", "暂停"),
    "lq.to_end": ("end", "跳到结尾"),
    "lq.speed": ("speed", "速度"),
    "lq.per_second": ("min/s", "分钟/秒"),
    "lq.queue": ("queue", "排队"),
    "lq.busy": ("busy", "忙碌"),
    "lq.left": ("left", "已离开"),
    "lq.lanes": ("queue → servers", "排队 → 服务位"),
}

TEXT: dict[str, dict[str, str]] = {key: {"en": en, "zh": zh} for key, (en, zh) in _PAIRS.items()}


def check_lang(lang: str) -> Lang:
    """Return ``lang`` if it is a supported language, else raise a ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"lang(={lang!r}) must be one of {', '.join(LANGS)}")
    return lang  # type: ignore[return-value]


def tr(key: str, lang: str = "en", **values: object) -> str:
    """The text for ``key`` in ``lang``, formatted with ``values``."""
    text = TEXT[key][check_lang(lang)]
    return text.format(**values) if values else text


def column_label(column: str, lang: str = "en") -> str:
    """A table column's heading (``team``, ``shift``, ``staff``, ...), or the column name itself."""
    return tr(f"ui.{column}", lang) if f"ui.{column}" in TEXT else column


def cost_label(key: str, lang: str = "en") -> str:
    """A cost component's readable name: ``per_day``, a ``cost_*`` key, or a bare part such as ``wages``."""
    if f"cost.{key}" in TEXT:
        return tr(f"cost.{key}", lang)
    return kpi_label(key if f"kpi.{key}" in TEXT else f"cost_{key}", lang)


def kpi_label(kpi: str, lang: str = "en") -> str:
    """A KPI's readable name (its code name if there is no translation)."""
    key = f"kpi.{kpi}"
    return tr(key, lang) if key in TEXT else kpi
