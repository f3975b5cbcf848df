"""The app's run function and settings, without the browser: what the Run button does."""

from __future__ import annotations

import pytest

import simsvc
from simsvc.app import core
from tests.helpers import SCENARIOS


@pytest.fixture(scope="module")
def bank():
    return simsvc.load_scenario(SCENARIOS / "bank_branch.yaml")


def test_bundled_scenarios_start_with_teaching():
    files = core.bundled_scenarios()
    assert next(iter(files)) == "teaching"
    assert {"bank_branch", "call_centre", "service_desk_fortnight"} <= set(files)


def test_controls_cover_shifts_training_complaints_and_promise(bank):
    kinds = [(c.kind, c.team) for c in core.controls(bank)]
    assert kinds.count(("shift", "tellers")) == 3
    assert ("training", "premium_desk") in kinds and ("complaints", "complaints_desk") in kinds
    assert ("promise", "") in kinds
    setting = core.default_setting(bank)
    assert core.apply_setting(bank, setting) == bank  # the scenario's own values change nothing


def test_apply_setting_changes_what_the_sliders_say(bank):
    setting = core.default_setting(bank)
    setting.values.update({"t0s1": 6, "t0l": 2, "complaints": 3, "promise": 0.5})
    changed = core.apply_setting(bank, setting)
    assert [s.staff for s in changed.teams[0].shifts] == [5, 6, 1]
    assert changed.teams[0].training_level == 2
    assert changed.complaints.teams[0].shifts[0].staff == 3
    assert changed.quality.promise_level == 0.5
    assert changed.teams[1] == bank.teams[1]


def test_a_complaint_team_is_added_when_the_scenario_has_none():
    teaching = simsvc.load_scenario(SCENARIOS / "teaching.yaml")
    setting = core.default_setting(teaching)
    setting.values["complaints"] = 2
    team = core.apply_setting(teaching, setting).complaints.teams[0]
    assert (team.shifts[0].start, team.shifts[0].end, team.shifts[0].staff) == ("09:00", "12:00", 2)


def test_per_interval_staff_moves_by_a_delta():
    centre = simsvc.load_scenario(SCENARIOS / "call_centre.yaml")
    setting = core.default_setting(centre)
    (delta,) = [c.key for c in core.controls(centre) if c.kind == "staff_delta"]
    setting.values[delta] = 2
    changed = core.apply_setting(centre, setting, SCENARIOS)
    assert [a - b for a, b in zip(changed.teams[0].staff, centre.teams[0].staff, strict=True)] == [2] * len(
        centre.teams[0].staff
    )


def test_run_setting_simulates_with_the_setting_and_keeps_it():
    teaching = simsvc.load_scenario(SCENARIOS / "teaching.yaml")
    setting = core.Setting(core.default_setting(teaching).values, replications=3)
    three = core.run_setting(teaching, setting)
    setting.values["t0"] = 2
    two = core.run_setting(teaching, setting, "zh")
    assert three.result.replications == 3
    assert (three.setting.values["t0"], two.setting.values["t0"]) == (3, 2)  # each run keeps a copy of its setting
    # Same customers (common random numbers), one clerk fewer: every replication waits longer.
    waits = [r.result.kpis.query("group == 'overall' and kpi == 'mean_wait'")["value"].to_numpy() for r in (three, two)]
    assert (waits[1] > waits[0]).all()


def test_an_invalid_upload_names_the_file_and_the_fields():
    with pytest.raises(simsvc.ScenarioError) as err:
        core.load_upload("../../mine.yaml", b"name: x\ncustomer_classes: []\nteams: 3\n")
    message = str(err.value)
    assert message.startswith("mine.yaml: invalid scenario")
    assert "teams" in message and "/tmp" not in message


def test_a_valid_upload_loads_as_the_file_would():
    data = (SCENARIOS / "teaching.yaml").read_bytes()
    assert core.load_upload("teaching.yaml", data) == simsvc.load_scenario(SCENARIOS / "teaching.yaml")


def test_complaint_team_at_zero_means_nobody_handles_complaints(bank):
    """The lever at 0 removes the team (a file declaring a team without staff stays an error)."""
    setting = core.Setting(core.default_setting(bank).values, replications=2)
    setting.values["complaints"] = 0
    run = core.run_setting(bank, setting)
    assert run.scenario.complaints.teams == ()
    s = run.summary["mean"]
    assert s["complaint_rate"] > 0 and s["recovery_rate"] == 0  # every complaint unresolved
    assert "complaints_within_sla" not in s.dropna().index


def test_complaint_team_at_zero_leaves_the_optimizer_candidates():
    """A candidate shift family naming only the removed team goes; the others stay."""
    centre = simsvc.load_scenario(SCENARIOS / "call_centre.yaml")
    setting = core.default_setting(centre)
    setting.values["complaints"] = 0
    changed = core.apply_setting(centre, setting, SCENARIOS)
    assert changed.complaints.teams == ()
    assert [f.teams for f in changed.optimizer.shifts] == [("agents",)]


def test_run_warnings_are_the_results_in_either_language():
    """One clerk for the teaching demand: overloaded, in English as the result says it, and in Chinese."""
    teaching = simsvc.load_scenario(SCENARIOS / "teaching.yaml")
    setting = core.Setting({**core.default_setting(teaching).values, "t0": 1}, replications=2)
    run = core.run_setting(teaching, setting)
    assert run.warnings == run.result.warnings and run.warnings[0].startswith("overloaded:")
    (zh,) = core.run_warnings(run, "zh")
    assert zh.startswith("超负荷") and "1.75" in zh
    assert core.run_setting(teaching, core.Setting(setting.values | {"t0": 3}, 2)).warnings == []


def test_plan_table_says_breaks_in_the_language_and_money_to_the_cent():
    """The plan's rows (in ``Plan.to_frame()``'s shape) as the page shows them."""
    import pandas as pd

    rows = [
        ("agents", "08:00-16:00 break 11:00-11:30", "08:00", "16:00", "11:00-11:30", "1", 1, 7, 1365.0),
        ("agents", "14:00-18:00", "14:00", "18:00", "", "1 2", 1, 1, 96.0),
    ]
    frame = pd.DataFrame(rows, columns=["team", "shift", "start", "end", "break", "days", "training_level", "staff",
                                        "cost"])  # fmt: skip
    en, zh = core.plan_table(frame, "en"), core.plan_table(frame, "zh")
    assert en["shift"].tolist() == frame["shift"].tolist()  # English: the plan's own labels
    assert zh["班次"].tolist() == ["08:00-16:00 休息 11:00-11:30", "14:00-18:00"]
    assert zh["成本"].tolist() == en["cost"].tolist() == ["1,365.00", "96.00"]
    assert zh["休息"].tolist() == ["11:00-11:30", "-"]
    assert list(zh.columns) == ["团队", "班次", "开始", "结束", "休息", "天数", "培训等级", "人数", "成本"]


def test_target_table_shows_each_target_its_estimate_and_verdict(bank):
    """The bank's two targets after a run, judged by their CIs as the command line judges them, in en and zh."""
    from simsvc.targets import goals, verdict

    run = core.run_setting(bank, core.Setting(core.default_setting(bank).values, replications=4))
    s = run.summary
    expected = [verdict(g, s.loc[g.kpi, "ci_low"], s.loc[g.kpi, "ci_high"]) for g in goals(bank)]
    en, zh = core.target_table(run, "en"), core.target_table(run, "zh")
    md = core.markdown_text
    assert list(en.index) == [md("service level: 80% within 5 min"), md("abandonment at most 5%")]
    assert list(zh.index) == [md("服务水平：5 分钟内 80%"), md("放弃率不超过 5%")]
    colours = {"met": "green", "missed": "red", "unresolved": "orange"}
    words = {"met": "达成", "missed": "未达成", "unresolved": "未定"}
    for i, v in enumerate(expected):
        assert en["status"].iloc[i].startswith(f"**:{colours[v]}[{v}")  # bold, in the verdict's colour
        assert zh["状态"].iloc[i].startswith(f"**:{colours[v]}[{words[v]}")
    sl = s.loc["service_level"]
    assert en["value (95 % CI)"].iloc[0] == md(
        f"{100 * sl['mean']:.1f} % ({100 * sl['ci_low']:.1f} % – {100 * sl['ci_high']:.1f} %)"
    )
    teaching = simsvc.load_scenario(SCENARIOS / "teaching.yaml")  # its one target: the service level
    assert len(core.target_table(core.run_setting(teaching, core.Setting(replications=2)), "en")) == 1


def test_priority_lever_serves_the_chosen_class_first(bank):
    """With several classes each has a priority lever; premium at retail's priority waits longer, retail less."""
    levers = {c.team: c for c in core.controls(bank) if c.kind == "priority"}
    assert set(levers) == {"retail", "premium"} and levers["premium"].options == (1, 2)
    assert [c.kind for c in core.controls(simsvc.load_scenario(SCENARIOS / "teaching.yaml"))].count("priority") == 0
    busy = {"t0s0": 4, "t0s1": 3}  # one teller fewer on each shift: queues to be jumped
    first = core.apply_setting(bank, core.Setting({**busy, levers["premium"].key: 1}, 10))
    equal = core.apply_setting(bank, core.Setting({**busy, levers["premium"].key: 2}, 10))
    assert [c.priority for c in equal.customer_classes] == [2, 2]
    waits = {}
    for name, scenario in (("first", first), ("equal", equal)):
        by_class = simsvc.simulate(scenario, 10).by_class()["mean"]
        waits[name] = {k: by_class[(k, "mean_wait")] for k in ("retail", "premium")}
    assert waits["first"]["premium"] < 0.6 * waits["equal"]["premium"]
    assert waits["first"]["retail"] > waits["equal"]["retail"]
