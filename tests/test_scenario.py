"""A whole session through the console adapter: project, people, items, lifecycle."""

from sqlmodel import Session, select

from storage.models import ActionItem, History, Membership, Project


def rows(chat, model):  # noqa: ANN001, ANN201
    with Session(chat.runtime.engine) as db:
        return db.exec(select(model)).all()


def test_setup_creates_project_departments_and_members(team):
    project = rows(team, Project)[0]
    assert (project.key, project.name, project.timezone, project.calendar, project.locale) == (
        "LA",
        "Launch approval",
        "Asia/Shanghai",
        "cn",
        "en",
    )
    roles = {m.role for m in rows(team, Membership)}
    assert roles == {"process-owner", "lead", "member", "viewer"}
    listing = team("vic", "member list")
    assert "olivia · process owner · Marketing" in listing
    assert "lena · lead · Legal" in listing
    assert "vic · viewer · Legal" in listing


def test_item_lifecycle_with_history(team):
    out = team("max", 'action add "Draft the SOP" owner @max due fri deliverable "SOP v1"')
    assert "Added A1: Draft the SOP" in out and "Fri 2026-11-20" in out
    assert "Added A2" in team("max", "add Map the current flow @lena next fri")
    assert "in progress" in team("max", "start A1")
    assert "blocked: waiting for legal" in team("max", "action block A1 waiting for legal")
    assert "note" in team("max", 'action note A1 "asked Leo again"').lower()
    assert "now due Mon 2026-11-23 (slip 1)" in team("max", "action due A1 mon")
    assert "is done" in team("max", "done A1")
    shown = team("vic", "action show A1")
    assert "moved 1× (originally Fri 2026-11-20)" in shown
    assert "asked Leo again" in shown
    assert "status open → in progress" in shown
    assert "due 2026-11-20 → 2026-11-23" in shown
    item = rows(team, ActionItem)[0]
    assert (item.status, item.original_due.isoformat(), item.slips) == ("done", "2026-11-20", 1)
    fields = [h.field for h in rows(team, History) if h.entity == "item" and h.entity_id == item.id]
    assert fields == ["created", "status", "status", "blocked_reason", "note", "due", "status"]


def test_reopen_cancel_and_reassign(team):
    team("max", "add Budget check @max tomorrow")
    assert "A1 is open, so action reopen does not apply" in team("max", "action reopen A1")
    team("max", "done A1")
    assert "open again" in team("max", "action reopen A1")
    assert "now belongs to lena" in team("lena", "action reassign A1 @lena")
    assert "cancelled" in team("lena", "action cancel A1")
    assert "All items (1)" in team("vic", "action list all")
    assert "No open items." in team("vic", "action list")


def test_list_filters(team):
    team("max", "add One @max fri")
    team("max", "add Two @lena fri")
    team("max", "add Three @olivia +1d")
    team("lena", "action block A2 legal review")
    assert "A1" in team("max", "action list mine") and "A2" not in team("max", "action list mine")
    assert "A2" in team("max", "action list blocked") and "A1" not in team(
        "max", "action list blocked"
    )
    by_user = team("max", "action list @lena")
    assert "A2" in by_user and "A1" not in by_user
    marketing = team("max", "action list dept Marketing")
    assert "A1" in marketing and "A3" in marketing and "A2" not in marketing
    team.at("2026-11-21T10:00:00+08:00")  # Saturday: A3 (due Thu) and A1, A2 (due Fri) overdue
    overdue = team("max", "action list overdue")
    assert "Overdue items (3)" in overdue and "1 working day late" in overdue


def test_chinese_verbs_and_quotes(team):
    out = team("max", "待办 新增 「起草新流程」 负责人 @max 截止 下周五")
    assert "Added A1: 起草新流程" in out and "Fri 2026-11-27" in out
    assert "is done" in team("max", "完成 A1")
    assert "Project LA" not in team("max", "项目 信息") and "LA · Launch approval" in team(
        "max", "项目 信息"
    )


def test_kpis_and_phase(team):
    assert "baseline 15 → target 7 days" in team(
        "olivia", "project kpi cycle baseline 15 target 7 unit days"
    )
    assert "recorded: 11 days" in team("lena", "project kpi cycle record 11")
    assert "cycle: 15 → 11 → 7 days (50% of the way)" in team("vic", "project info")
    assert "pilot phase" in team("olivia", "project phase pilot")
    status = team("vic", "status")
    assert "LA Launch approval — progress on Wed 2026-11-18" in status
