"""`project kpi … every/record/history` through the console: who may do what, backfill,
history with its trend, paging, bad input in both locales (nothing changes), and the
`kpis` export checked cell by cell."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from conftest import Chat
from openpyxl import load_workbook

from bot.exports.run import export


@pytest.fixture
def kpi(team: Chat) -> Chat:
    team("olivia", "project kpi cycle baseline 15 target 7 unit days")
    return team


def test_only_leads_set_the_cadence_and_the_owner_records_without_a_role(kpi: Chat) -> None:
    assert "Only a lead" in kpi("max", "project kpi cycle every week owner @max")
    assert "Only a lead" in kpi("max", "project kpi cycle record 12")
    assert "records it every week on Monday" in kpi(
        "lena", "project kpi cycle every week owner @vic")
    assert "KPI cycle recorded: 12 days" in kpi("vic", "project kpi cycle record 12")  # a viewer
    assert "KPI cycle recorded: 11 days" in kpi("vic", "project kpi cycle record 11", channel="dm")
    assert "Only a lead" in kpi("max", "project kpi cycle record 10")
    assert "not a member" in kpi("zed", "project kpi LA/cycle record 10", channel="dm")


def test_an_owner_outside_the_project_records_from_a_dm(kpi: Chat) -> None:
    kpi("olivia", "project kpi cycle every month on 15 owner @zed")
    assert "KPI cycle recorded: 9 days" in kpi("zed", "project kpi cycle record 9", channel="dm")
    assert "KPI cycle (LA)" in kpi("zed", "project kpi cycle history", channel="dm")
    assert "There is no KPI" in kpi("zed", "project kpi LA/other record 9", channel="dm")


def test_backfill_history_and_trend(kpi: Chat) -> None:
    kpi("olivia", "project kpi cycle every week owner @max")
    assert "recorded for Mon 2026-11-09: 14 days" in kpi(
        "max", "project kpi cycle record 14 on 2026-11-09")
    kpi("max", "project kpi cycle record 12 on 11-16")
    kpi.at("2026-11-18T11:00:00+08:00")
    kpi("lena", "project kpi cycle record 13")
    history = kpi("vic", "project kpi cycle history").splitlines()
    assert history[0] == "KPI cycle (LA): baseline 15 → target 7 days"
    assert history[1] == "Recorded every week on Monday by max"
    assert history[2:] == [
        "  Wed 2026-11-18 · 13 days ↑ · -2 vs baseline · 25% of the way · by lena",
        "  Mon 2026-11-16 · 12 days ↓ · -3 vs baseline · 38% of the way · by max",
        "  Mon 2026-11-09 · 14 days → · -1 vs baseline · 12% of the way · by max",
    ]
    assert "cycle: 15 → 13 → 7 days (25% of the way) · as of Wed 2026-11-18" in kpi(
        "olivia", "status")


def test_history_is_paged(kpi: Chat) -> None:
    for day in range(1, 18):
        kpi("olivia", f"project kpi cycle record {day} on 2026-11-{day:02d}")
    first = kpi("olivia", "project kpi cycle history")
    assert "Tue 2026-11-17 · 17 days" in first and "Mon 2026-11-02" not in first
    assert "2 older values: project kpi cycle history page 2" in first
    second = kpi("olivia", "project kpi cycle history page 2")
    assert "Mon 2026-11-02 · 2 days ↑" in second and "Sun 2026-11-01 · 1 days →" in second
    assert "older values" not in second
    assert "Mon 2026-11-02" in kpi("olivia", "项目 指标 cycle 历史 第2页")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("project kpi cycle every fortnight owner @max", '"fortnight" is not a cadence'),
        ("project kpi cycle every week on someday owner @max", '"someday" is not a weekday'),
        ("project kpi cycle every month on 32 owner @max", '"32" is not a day of the month'),
        ("project kpi cycle every week", "Say how often and who records it"),
        ("project kpi nope every week owner @max", 'There is no KPI "nope"'),
        ("project kpi cycle record 12 on 2026-12-01", '"2026-12-01" is in the future'),
        ("project kpi cycle record 12 on 2026-02-30", "2026-02-30"),
        ("project kpi cycle record twelve", '"twelve" is not a number'),
        ("project kpi cycle baseline 1 target 2 every week owner @max", "One form at a time"),
        ("project kpi cycle record 12 hours", "not in this KPI's unit"),
        ("项目 指标 cycle 频率 每两周 负责人 @max", "「每两周」不是有效的频率"),
        ("项目 指标 cycle 每两周 负责人 @max", "请说明频率和负责人"),
        ("项目 指标 cycle 每周 在 某天 负责人 @max", "「某天」不是星期几"),
        ("项目 指标 cycle 每月 在 40号 负责人 @max", "「40号」不是有效的日期"),
        ("项目 指标 cycle 记录 12 在 12-01", "「12-01」是将来的日期"),
        ("项目 指标 cycle 记录 很多", "「很多」不是数字"),
        ("项目 指标 cycle 记录 5 每周 负责人 @max", "每次只用一种写法"),
    ],
)
def test_bad_input_changes_nothing(kpi: Chat, line: str, expected: str) -> None:
    channel = "zh" if line.startswith("项目") else "launch"  # a zh-CN project answers in Chinese
    if channel == "zh":
        kpi("olivia", "project create 试点 key ZH locale zh-cn", channel="zh")
        kpi("olivia", "项目 指标 cycle 基线 15 目标值 7 单位 天", channel="zh")
    before = kpi.snapshot()
    reply = kpi("olivia", line, channel=channel)
    assert expected in reply, reply
    assert kpi.snapshot() == before


def test_kpis_export_cell_by_cell(kpi: Chat, tmp_path: Path) -> None:
    kpi("olivia", "project kpi 满意度 baseline 70 target 90 unit %")
    kpi("olivia", "project kpi cycle record 12 on 2026-11-16")
    kpi("lena", "project kpi 满意度 record 75%")
    kpi("olivia", "project kpi cycle record 11")
    out = tmp_path / "kpis.xlsx"
    assert export(kpi.runtime.engine, ["kpis"], out, "LA", None, "en") == 3
    sheet = load_workbook(out)["KPI values"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("KPI", "Unit", "Baseline", "Target", "Value", "Date", "Recorded by")
    assert rows[1] == ("cycle", "days", 15, 7, 12, datetime(2026, 11, 16), "olivia")
    assert rows[2] == ("cycle", "days", 15, 7, 11, datetime(2026, 11, 18), "olivia")
    assert rows[3] == ("满意度", "%", 70, 90, 75, datetime(2026, 11, 18), "lena")
    assert sheet["F2"].number_format == "yyyy-mm-dd"


def test_kpis_export_headers_in_the_projects_language(chat: Chat, tmp_path: Path) -> None:
    chat("li", "project create 试点 key ZH locale zh-cn", channel="zh")
    chat("li", "项目 指标 周期 基线 15 目标值 7 单位 天", channel="zh")
    chat("li", "项目 指标 周期 记录 12", channel="zh")
    out = tmp_path / "zh.xlsx"
    assert export(chat.runtime.engine, ["kpis"], out, "ZH", None, "en") == 1
    sheet = load_workbook(out)["指标数值"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("指标", "单位", "基线", "目标", "数值", "日期", "记录人")
    assert rows[1] == ("周期", "天", 15, 7, 12, datetime(2026, 11, 18), "li")
