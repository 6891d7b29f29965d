"""COMMANDS.md's permission table as data: the one source of truth.

The dispatcher enforces each command by the rule its row gives it (`rule_for`),
`@command` refuses to register a command the table does not list (or lists with
another rule), README's copy of the table is generated from `markdown()` and checked
by a test, and a trial (tests/trials/test_permission_table.py) runs every command of
the table under every role and compares the outcome with the cells, one by one.

Rules (bot/permissions.py): `read` any project role; `report` the same (feedback, from
viewers too); `contribute` member and up; `own-item` the item's owner (whatever their
role) or lead and up; `due` the same, not once overdue; `manage` lead and up; `none`
decided by the handler — rights by target (review slots, escalations, announcements,
quiz attempts), the process owner alone, or organisation administrators.
"""

from __future__ import annotations

from dataclasses import dataclass

COLUMNS = ("viewer", "member", "item owner", "lead", "process-owner")
Y, NO = "Y", "–"


@dataclass(frozen=True)
class Row:
    label: str  # the table's first column, as COMMANDS.md words it
    cells: tuple[str, ...]  # one per COLUMNS, or one text spanning them all
    commands: dict[str, str]  # command id -> the rule that enforces this row for it


def _all(*ids: str, rule: str) -> dict[str, str]:
    return dict.fromkeys(ids, rule)


OWN_ITEM = ("action.start", "start", "action.done", "done", "action.block", "action.note",
            "action.reopen", "action.cancel")
ROWS: tuple[Row, ...] = (
    Row(
        "read anything of the project (list, show, info, status, agenda show, policy show, "
        "review/feedback/escalation list and show, quiz list/show/status, announce status, "
        "project readiness, kpi history, calendar show, meeting history, decision search)",
        (Y, Y, Y, Y, Y),
        {
            **_all("action.list", "action.show", "project.info", "status", "agenda.show",
                   "policy.show", "review.list", "review.stats", "escalation.list",
                   "quiz.status", "member.list", "meeting.history", "decision.search", "use",
                   "feedback.list", "feedback.show", "feedback.stats", "project.readiness",
                   "announce.status", rule="read"),
            "project.kpi": "none",  # kpi history
            # org-wide or found by target: the handler decides
            **_all("review.show", "escalation.show", "quiz.list", "quiz.show", "calendar.show",
                   rule="none"),
        },
    ),
    Row(
        "action add (any owner), agenda add, escalate, decision, digest now, review (open), "
        "check-in (`到`/`here`)",
        (NO, Y, Y, Y, Y),
        _all("action.add", "add", "agenda.add", "escalate", "decision", "digest.now",
             "review.open", "here", rule="contribute"),
    ),
    Row(
        "feedback (report), read (an announcement sent to you), quiz take (a quiz assigned to "
        "you), quiz results (your own)",
        (Y, Y, Y, Y, Y),
        {
            "feedback.report": "report",  # anyone in the project, viewers too
            **_all("read", "quiz.take", "quiz.answer", "quiz.pick", "quiz.results", rule="none"),
        },
    ),
    Row("start, done, block, note, reopen, cancel — own item", (NO, NO, Y, Y, Y),
        _all(*OWN_ITEM, rule="own-item")),
    Row("due — own item (recorded as a slip when later; not once overdue)", (NO, NO, Y, Y, Y),
        {"action.due": "due"}),
    Row("start, done, block, note, reopen, reassign, cancel, due — any item",
        (NO, NO, NO, Y, Y),
        {**_all(*OWN_ITEM, rule="own-item"), "action.due": "due", "action.reassign": "manage"}),
    Row("agenda remove/done, meeting set/off/start/end, digest set", (NO, NO, NO, Y, Y),
        _all("agenda.remove", "agenda.done", "meeting.set", "meeting.off", "meeting.start",
             "meeting.end", "digest.set", rule="manage")),
    Row("quiz assign, quiz results (everyone's), escalation resolve", (NO, NO, NO, Y, Y),
        {"quiz.assign": "manage", "quiz.results": "none", "escalation.resolve": "manage"}),
    Row(
        "review delegate/cancel (also the slot's department head for delegate, and the "
        "requester for cancel), review resubmit (the requester, leads, process owner)",
        (NO, NO, NO, Y, Y),
        _all("review.delegate", "review.cancel", "review.resubmit", rule="none"),
    ),
    Row("feedback triage (accept/reject/duplicate/act/close), announce, project kpi … every",
        (NO, NO, NO, Y, Y),
        {
            **_all("feedback.accept", "feedback.reject", "feedback.duplicate", "feedback.act",
                   "feedback.close", "announce.send", rule="manage"),
            "project.kpi": "none",  # kpi … every
        }),
    Row("project kpi … record (also the KPI's owner named by `every … owner`)",
        (NO, NO, NO, Y, Y), {"project.kpi": "none"}),
    Row(
        "policy, project phase, project kpi define, member add/role, dept add (a new "
        "department), project bind",
        (NO, NO, NO, Y, Y),
        {
            **_all("policy.overdue", "policy.renotify", "policy.readiness.quiz", "project.phase",
                   "member.add", "member.role", "project.bind", "project.unbind", rule="manage"),
            "project.kpi": "none",  # define; the handler decides each form (see below)
            # a new department: leads in a project, anyone before one exists; a new head of
            # an existing one: organisation administrators (see below the table)
            "dept.add": "none",
        },
    ),
    # `project phase rollout force` is `project.phase` (manage) whose handler asks for the
    # process owner (tests/trials/test_permission_table.py walks it as a line of its own)
    Row("project phase rollout force", (NO, NO, NO, NO, Y), {}),
    Row("approve, changes — your own review slot (rights follow the slot)", (Y, Y, Y, Y, Y),
        _all("approve", "changes", rule="none")),
    Row("escalation ack", ("the escalation's current targets, leads, process owner",),
        {"escalation.ack": "none"}),
    Row("project create", ("anyone (they become its process owner)",),
        {"project.create": "none"}),
)
# commands outside the table: they act on the caller alone, or on the organisation
# (calendar overrides: administrators, see COMMANDS.md under the table)
OUTSIDE = {"help": "none", "quiet": "none", "calendar.holiday": "none", "calendar.workday": "none"}


def rules() -> dict[str, str]:
    """Every command id the table (or OUTSIDE) knows, with its one rule."""
    found: dict[str, str] = dict(OUTSIDE)
    for row in ROWS:
        for command_id, rule in row.commands.items():
            if found.setdefault(command_id, rule) != rule:
                raise ValueError(f"{command_id} has two rules: {found[command_id]} and {rule}")
    return found


RULES = rules()


def rule_for(command_id: str) -> str | None:
    return RULES.get(command_id)


def markdown() -> str:
    """The table as COMMANDS.md and README print it."""
    lines = ["| Command | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for row in ROWS:
        if len(row.cells) == 1:  # one text spanning every column
            lines.append(f"| {row.label} | {row.cells[0]} " + "|" * len(COLUMNS))
        else:
            lines.append(f"| {row.label} | " + " | ".join(row.cells) + " |")
    return "\n".join(lines)
