"""Trial (issue 15, permissions): every command of the permission table under every role,
compared with the table (bot/permission_table.py, COMMANDS.md's table as data) cell by cell.

A project LA is seeded once: olivia process owner, lena lead, max member, ivy member who
owns A1, vic viewer, wendy who owns A2 and was then made a viewer (an owner's rights follow
the item), nora who is no member, ada an organisation administrator who is no member.
Each (command, person) runs on a fresh copy of that database; "allowed" means the answer
is no refusal (another error — an unknown quiz, a meeting not running — is not a refusal).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_chat
from sqlmodel import Session, select

from bot.messages import Inbound, Reply
from bot.permission_table import COLUMNS, NO, ROWS, Y, markdown
from storage.delivery_tables import OutboxMessage
from storage.models import History

ROOT = Path(__file__).resolve().parents[2]
REFUSALS = (
    "perm.", "dept.head_needs_", "escalation.not_target", "review.not_", "quiz.not_assigned"
)
PEOPLE = {"viewer": "vic", "member": "max", "item owner": "ivy", "lead": "lena",
          "process-owner": "olivia"}
OUTSIDERS = ("nora", "ada")  # no member: every project command is refused them
SEED = [
    ("olivia", 'project create "Launch approval" key LA'),
    ("olivia", "dept add Marketing head @mona"),
    ("olivia", "dept add Legal head @leo"),
    ("olivia", "member add @olivia dept Marketing"),
    ("olivia", "member add @lena dept Legal role lead"),
    ("olivia", "member add @max dept Marketing"),
    ("olivia", "member add @ivy dept Marketing"),
    ("olivia", "member add @vic dept Legal role viewer"),
    ("olivia", "member add @wendy dept Legal"),
    ("olivia", 'action add "Draft the checklist" owner @ivy due 2026-12-04'),
    ("olivia", 'action add "Legal template" owner @wendy due 2026-12-04'),
    ("olivia", 'action add "Budget" owner @olivia due 2026-12-04'),
    ("olivia", "member role @wendy viewer"),
    ("olivia", 'agenda add "Pilot scope"'),
    ("max", 'escalate A1 "waiting for legal"'),
    ("vic", 'feedback "The form asks twice for the budget" severity high'),
    ("olivia", 'project kpi "Lead time" baseline 15 target 7'),
    ("olivia", 'announce "Form v3" "Use the new form from Monday" to dept Marketing required'),
]
# one line per command of the walk; own-item rows act on A1 (ivy's), any-item rows on A3
EXAMPLES = {
    "action.list": "action list", "action.show": "action show A1", "project.info": "project info",
    "status": "status", "agenda.show": "agenda show", "policy.show": "policy show",
    "review.list": "review list", "review.stats": "review stats",
    "escalation.list": "escalation list", "quiz.status": "quiz status nosuchquiz",
    "member.list": "member list", "meeting.history": "meeting history",
    "decision.search": "decision search scope", "use": "use LA",
    "action.add": 'action add "Form" owner @max due 2026-12-10',
    "add": "add Form @max 2026-12-10", "agenda.add": 'agenda add "Budget"',
    "escalate": 'escalate A1 "stuck"', "decision": 'decision "Pilot in Q1"',
    "digest.now": "digest now", "review.open": 'review "Form" by dept Legal within 3wd',
    "here": "here",
    "action.start": "action start {item}", "start": "start {item}",
    "action.done": "action done {item}", "done": "done {item}",
    "action.block": 'action block {item} "waiting"', "action.note": 'action note {item} "ok"',
    "action.reopen": "action reopen {item}", "action.cancel": "action cancel {item}",
    "action.due": "action due {item} 2026-12-11", "action.reassign": "action reassign {item} @max",
    "agenda.remove": "agenda remove T1", "agenda.done": "agenda done T1",
    "meeting.set": "meeting set mon 10:00", "meeting.off": "meeting off",
    "meeting.start": "meeting start", "meeting.end": "meeting end",
    "digest.set": "digest set weekly fri 16:00", "quiz.assign": "quiz assign nosuch to all due +5d",
    "escalation.resolve": 'escalation resolve E1 "sorted"',
    "policy.overdue": "policy overdue 1:owner 3:lead 5:dept-head",
    "policy.renotify": "policy renotify 4h", "project.phase": "project phase pilot",
    "project.kpi": 'project kpi "Cycle time" baseline 15 target 7',
    "member.add": "member add @zed dept Legal", "member.role": "member role @max viewer",
    "project.unbind": "project unbind", "project.bind": "project bind LA",
    "dept.add": "dept add Finance head @fred",
    "project.readiness": "project readiness", "policy.readiness.quiz": "policy readiness quiz 80%",
    "announce.send": 'announce "Form v3" "From Monday" to all',
    "announce.status": "announce status N1",
    "feedback.list": "feedback list", "feedback.show": "feedback show F1",
    "feedback.stats": "feedback stats", "feedback.report": 'feedback "Too many fields"',
    "feedback.accept": "feedback accept F1", "feedback.reject": 'feedback reject F1 "no"',
    "feedback.duplicate": "feedback duplicate F1 F1",
    "feedback.act": "feedback act F1 owner @max due 2026-12-10",
    "feedback.close": 'feedback close F1 "fixed"',
}
# commands whose rights differ by form (the handler decides): one line per row
BY_ROW = {
    ("read anything", "project.kpi"): 'project kpi "Lead time" history',
    ("feedback triage", "project.kpi"): 'project kpi "Lead time" every week owner @max',
    ("project kpi … record", "project.kpi"): 'project kpi "Lead time" record 12',
    ("policy, project phase", "project.kpi"): 'project kpi "Cycle time" baseline 15 target 7',
}
WALKED_BY_HANDLER = {"dept.add", "project.kpi"}  # rule "none", yet decided by role
ITEM = {"start, done, block, note, reopen, cancel — own item": "A1",
        "due — own item (recorded as a slip when later; not once overdue)": "A1"}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    path = tmp_path_factory.mktemp("perm") / "seed.db"
    shutil.copy(sqlite_template, path)
    chat = make_chat(f"sqlite:///{path}", admins="ada")
    for user, line in SEED:
        answer = chat(user, line)
        assert "not" not in answer.lower() or "escalat" in answer.lower(), (line, answer)
    chat.runtime.engine.dispose()
    return path


def answer(seeded: Path, tmp_path: Path, user: str, line: str) -> Reply:
    """The first reply to `line` from `user`, on a fresh copy of the seeded database."""
    path = tmp_path / f"{user}-{abs(hash(line))}.db"
    shutil.copy(seeded, path)
    chat = make_chat(f"sqlite:///{path}", admins="ada")
    try:
        [reply, *_] = chat.runtime.dispatcher.handle(
            Inbound("console", user, line, channel_id="launch", user_name=user)
        )
    finally:
        chat.runtime.engine.dispose()
    return reply


def refused(seeded: Path, tmp_path: Path, user: str, line: str) -> bool:
    reply = answer(seeded, tmp_path, user, line)
    key = str(reply.data.get("key") or "") if reply.template == "error" else ""
    assert key != "error.internal", (user, line)
    return key.startswith(REFUSALS)


def walk() -> Iterator[tuple[str, str, str]]:
    """(row label, command id, line) for every command of a row with role columns."""
    for row in ROWS:
        if len(row.cells) != len(COLUMNS):
            continue
        for command_id, rule in row.commands.items():
            if rule == "none" and command_id not in WALKED_BY_HANDLER:
                continue  # rights by target or org: their own trials below
            item = ITEM.get(row.label, "A3")
            line = next(
                (v for (start, cid), v in BY_ROW.items()
                 if cid == command_id and row.label.startswith(start)),
                EXAMPLES.get(command_id, ""),
            )
            yield row.label, command_id, line.format(item=item)


@pytest.mark.parametrize(("label", "command_id", "line"), list(walk()))
def test_each_cell_of_the_table(seeded, tmp_path, trial, label, command_id, line) -> None:  # noqa: ANN001
    row = next(r for r in ROWS if r.label == label)
    for column, cell in zip(COLUMNS, row.cells, strict=True):
        person = PEOPLE[column]
        trial.tried(f"{line!r} as {column} ({person})")
        assert refused(seeded, tmp_path, person, line) == (cell == NO), (column, line)
        trial.held(f"{'refused' if cell == NO else 'allowed'}, as the table says ({cell})")
    for person in OUTSIDERS:
        trial.tried(f"{line!r} as {person}, no member")
        assert refused(seeded, tmp_path, person, line), (person, line)
        trial.held("refused")


def test_an_owner_made_viewer_keeps_the_rights_of_their_item(seeded, tmp_path, trial) -> None:  # noqa: ANN001
    for line in ("action done A2", 'action note A2 "still mine"', "action due A2 2026-12-11"):
        trial.tried(f"{line!r} as wendy, a viewer who owns A2")
        assert not refused(seeded, tmp_path, "wendy", line)
        trial.held("allowed")
    trial.tried("action done A1 as wendy (not hers)")
    assert refused(seeded, tmp_path, "wendy", "action done A1")
    trial.held("refused")


def test_only_the_process_owner_forces_the_rollout(seeded, tmp_path, trial) -> None:  # noqa: ANN001
    line = 'project phase rollout force "the board decided"'
    row = next(r for r in ROWS if r.label == "project phase rollout force")
    for column, cell in zip(COLUMNS, row.cells, strict=True):
        trial.tried(f"{line!r} as {column} ({PEOPLE[column]})")
        assert refused(seeded, tmp_path, PEOPLE[column], line) == (cell == NO), column
        trial.held(f"{'refused' if cell == NO else 'allowed'}, as the table says ({cell})")


def test_rights_by_target(seeded, tmp_path, trial) -> None:  # noqa: ANN001
    trial.tried("escalation ack E1 as max (member, not a target) and as lena (lead)")
    ack = "escalation ack E1 eta 2026-12-07"
    assert refused(seeded, tmp_path, "max", ack)
    assert not refused(seeded, tmp_path, "lena", ack)
    trial.held("the member is refused, the lead may")
    trial.tried("project create as nora, who is in no project")
    assert not refused(seeded, tmp_path, "nora", 'project create "Purchasing" key PU')
    trial.held("anyone may")


def test_an_announcement_is_confirmed_by_its_recipients_only(seeded, tmp_path, trial) -> None:  # noqa: ANN001
    trial.tried("read N1 as max (Marketing, a recipient) and as mona (Marketing's head, no member)")
    assert not refused(seeded, tmp_path, "max", "read N1")
    assert not refused(seeded, tmp_path, "mona", "read N1")
    trial.held("both may: rights follow the announcement")
    trial.tried("read N1 as lena (Legal, not a recipient)")
    reply = answer(seeded, tmp_path, "lena", "read N1")
    assert reply.template == "error" or "not sent" in str(reply.data).lower()
    trial.held("told it was not sent to her")


def test_a_department_head_is_changed_by_the_organisation(seeded, tmp_path, trial) -> None:  # noqa: ANN001
    line = "dept add Legal head @lena"
    trial.tried(f"{line!r} as lena (a lead; administrators are configured)")
    assert refused(seeded, tmp_path, "lena", line)
    trial.held("refused: only an administrator or the current head")
    for who in ("ada", "leo"):
        trial.tried(f"{line!r} as {who}")
        assert not refused(seeded, tmp_path, who, line)
        trial.held("allowed")


def test_with_no_administrator_a_lead_changes_the_head_and_the_old_head_is_told(
    seeded, tmp_path, trial  # noqa: ANN001
) -> None:
    path = tmp_path / "noadmin.db"
    shutil.copy(seeded, path)
    chat = make_chat(f"sqlite:///{path}")
    trial.tried("dept add Legal head @lena as max (member) then as lena (lead), no admins")
    assert "head" in chat("max", "dept add Legal head @lena").lower()
    assert "Legal now has head lena" in chat("lena", "dept add Legal head @lena")
    trial.held("the member refused, the lead allowed")
    with Session(chat.runtime.engine) as db:
        told = db.exec(select(OutboxMessage).where(OutboxMessage.user_id == "leo")).all()
        query = select(History).where(History.field == "head", History.new == "lena")
        change = db.exec(query).one()
    assert any("no longer its head" in row.payload for row in told)
    assert change.old == "leo"
    trial.held("the change is in history (leo → lena) and leo got a DM")
    chat.runtime.engine.dispose()


def test_readme_and_commands_md_print_the_table_the_code_enforces(trial) -> None:  # noqa: ANN001
    table = markdown()
    for document in ("README.md", "docs/commands.md"):
        trial.tried(f"{document}'s permission table against bot/permission_table.py")
        assert table in (ROOT / document).read_text(encoding="utf-8"), document
        trial.held("identical")
    assert Y in table
