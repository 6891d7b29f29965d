"""Quiz reminders and the deadline message to department heads, at 09:00 project time.

Per timezone/calendar group, once a morning (job `quiz`, period the date):
- a DM two working days and one working day before the due date to every assignee
  who has not passed (on that morning only, never late);
- on the first working day after the due date, one message per (assignment,
  department) to the department's head listing who has not passed (the process
  owner when the department has no head, saying why), and a summary to the process
  owner. Missed mornings are caught up once, like the overdue sweep. Each head's
message is an escalation record (bot/quiz_escalations.py), resolved once all of that
department have passed: when the last of them passes, and by the job (every run for the
records of the last day, every morning for the group's).
Keys `quiz-remind:<assignee>:<due>:<n>`, `quiz-head:<assignment>:<dept>` and
`quiz-owner:<assignment>` make each go out once. Open attempts past their time limit
are graded as they stand on every run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot import quiz_attempts, quiz_escalations
from bot.jobs.groups import backing_off, claim_day, each_group
from bot.jobs.morning import first_previous
from bot.jobs.periods import ONE_DAY, morning_day, overdue_cutoff
from bot.jobs.registry import JobEnv, job
from bot.messages import Notice
from bot.outbox.enqueue import enqueue_many
from bot.quiz_view import Row, quiz_dm, rows_of
from bot.workdays import WorkCalendar, calendar_for
from storage import people, projects, quizzes, reviews
from storage.engine import transaction
from storage.models import Department, Person, Project
from storage.quizzes import QuizAssignment

log = logging.getLogger(__name__)
JOB = "quiz"
CHUNK = 100  # assignments whose assignees are read (and held) at once
GRADE_BATCH = 500
REMIND_BEFORE = (1, 2)  # working days before the due date
LOOKAHEAD_DAYS = 30
RECHECK = timedelta(days=1)  # quiz records re-checked on every run for this long


@job(JOB)
def quiz_sweep(env: JobEnv) -> int:
    _grade_expired(env)
    now = env.clock.now()
    with transaction(env.engine) as db:  # records raised lately; each group's every morning
        quiz_escalations.settle_all(db, now, created_since=now - RECHECK)
    return each_group(env, JOB, _sweep_group)


def _grade_expired(env: JobEnv) -> None:
    """Attempts whose time limit passed are graded as they stand."""
    now = env.clock.now()
    with transaction(env.engine) as db:
        for attempt in quizzes.expired_open(db, now, GRADE_BATCH):
            found = quizzes.assignee_context(db, attempt.assignee_id)
            if found is not None:
                quiz_attempts.finish(db, attempt, found[0], found[1], now)


def reminder_dates(calendar: WorkCalendar, day: date) -> dict[date, int]:
    """Due dates that are 1 or 2 working days after `day` (`day` counting as the first)."""
    found = {}
    for offset in range(1, LOOKAHEAD_DAYS):
        due = day + timedelta(days=offset)
        left = calendar.working_days_after(day - ONE_DAY, due - ONE_DAY)
        if left in REMIND_BEFORE:
            found[due] = left
        if left > max(REMIND_BEFORE):
            break
    return found


def _sweep_group(env: JobEnv, zone: str, calendar_name: str, scope: str) -> int:
    now = env.clock.now()
    waiting, failed = backing_off(env, JOB, scope)
    if waiting:
        return 0
    calendar = calendar_for(calendar_name)
    local_now = env.clock.local(zone)
    day = morning_day(local_now)
    with transaction(env.engine) as db:
        claimed = claim_day(db, env, JOB, scope, day, failed)
        if claimed is None:
            return 0
        previous, first = claimed
        quiz_escalations.settle_all(db, now, group=(zone, calendar_name))
        queued = 0
        if local_now.date() == day and calendar.is_working(day):
            dates = reminder_dates(calendar, day)
            due = quizzes.due_between(db, zone, calendar_name, dates)
            for chunk in _chunks(due):
                queued += enqueue_many(db, _reminders(db, chunk, dates), now, env.settings.timezone)
        since = first_previous(calendar, day) if first else previous
        late = quizzes.due_in_range(
            db, zone, calendar_name, overdue_cutoff(calendar, since), overdue_cutoff(calendar, day)
        )
        for chunk in _chunks(late):
            queued += enqueue_many(db, _deadline_messages(db, chunk, now), now,
                                   env.settings.timezone)
        return queued


def _chunks(assignments: list[QuizAssignment]) -> Iterator[list[QuizAssignment]]:
    """CHUNK assignments at a time: their assignees and notices are held one chunk at once."""
    for start in range(0, len(assignments), CHUNK):
        yield assignments[start : start + CHUNK]


def _load(db: Session, assignments: list[QuizAssignment]) -> tuple[list[Row], dict[int, Project]]:
    banks = quizzes.banks_by_ids(db, (a.bank_id for a in assignments))
    rows = rows_of(db, [(a, banks[a.bank_id]) for a in assignments])
    return rows, reviews.projects_by_ids(db, {a.project_id for a in assignments})


def _data(row: Row, project: Project) -> dict[str, Any]:
    return {"key": row.bank.key, "title": row.bank.title, "project": project.key,
            "due": row.assignment.due_date}


def _reminders(db: Session, due: list[QuizAssignment], dates: dict[date, int]) -> list:
    rows, found = _load(db, due)
    notices = []
    for row in rows:
        if row.assignee.passed or row.person is None:
            continue
        project = found[row.assignment.project_id]
        n = dates[row.assignment.due_date]
        key = f"quiz-remind:{row.assignee.id}:{row.assignment.due_date.isoformat()}:{n}"
        notices.append((quiz_dm(row.person, "quiz_remind_dm", project.locale, key,
                                _data(row, project)), project.id))
    return notices


def _deadline_messages(db: Session, late: list[QuizAssignment], now: datetime) -> list:
    """The heads' lists and the owners' summaries of every late assignment, their records
    and the people they name read and written by set."""
    rows, found = _load(db, late)
    owners = projects.process_owners(db, found)
    by_assignment: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_assignment[row.assignment.id].append(row)
    depts = people.departments_by_ids(db, {r.assignee.department_id for r in rows})
    heads = people.by_ids(db, (d.head_id for d in depts.values() if d.head_id))
    plans = [
        (members, _head_lists(members, found[members[0].assignment.project_id],
                              owners.get(members[0].assignment.project_id), depts, heads))
        for members in by_assignment.values()
    ]
    records = quiz_escalations.raise_records(
        db, [h.wanted for _, lists in plans for h in lists], now)
    notices = []
    for members, lists in plans:
        project = found[members[0].assignment.project_id]
        notices += [(_head_notice(h, project, records), project.id) for h in lists]
        owner = owners.get(project.id)
        if owner is not None:
            notices.append((_owner_summary(members, project, owner), project.id))
    return notices


def _by_department(members: list[Row]) -> dict[int | None, list[Row]]:
    groups: dict[int | None, list[Row]] = defaultdict(list)
    for row in members:
        groups[row.assignee.department_id].append(row)
    return groups


@dataclass(frozen=True)
class HeadList:
    """One department's list of an assignment: who has not passed, and to whom it goes."""

    wanted: quiz_escalations.Wanted
    rows: list[Row]
    missing: list[str]
    department: Department | None


def _head_lists(members: list[Row], project: Project, owner: Any,
                depts: dict[int, Department], heads: dict[int, Person]) -> list[HeadList]:
    """One message per department of the assignment to its head, listing who has not
    passed (the process owner when there is no head). This is the quiz deadline's
    `dept-head` level: each message carries its escalation record (one per assignment
    and department), so the head can acknowledge or resolve it."""
    found = []
    for dept_id, rows in _by_department(members).items():
        missing = [r.person.display_name for r in rows if not r.assignee.passed and r.person]
        if not missing:
            continue
        dept = depts.get(dept_id) if dept_id is not None else None
        head = heads.get(dept.head_id) if dept and dept.head_id else None
        target = head or owner
        if target is None:
            continue
        wanted = quiz_escalations.Wanted(project.id, rows[0].assignment.id, dept_id, target,
                                         None if head else "no_head")
        found.append(HeadList(wanted, rows, missing, dept))
    return found


def _head_notice(h: HeadList, project: Project, records: dict[str, Any]) -> Notice:
    record = records[quiz_escalations.ladder_key(h.wanted.assignment_id, h.wanted.dept_id)]
    data = {**_data(h.rows[0], project), "department": h.department.name if h.department else None,
            "names": ", ".join(sorted(h.missing)), "no_head": h.wanted.why is not None,
            "id": f"E{record.seq}", "ref": f"{project.key}/E{record.seq}"}
    key = f"quiz-head:{h.wanted.assignment_id}:{h.wanted.dept_id or 0}"
    return quiz_dm(h.wanted.target, "quiz_overdue_head", project.locale, key, data)


def _owner_summary(members: list[Row], project: Project, owner: Any) -> Notice:
    groups = _by_department(members).values()
    lines = []
    for rows in sorted(groups, key=lambda rows: (rows[0].department is None,
                                                 rows[0].department or "")):
        lines.append({
            "department": rows[0].department,
            "passed": sum(r.assignee.passed for r in rows),
            "assigned": len(rows),
            "names": ", ".join(sorted(r.person.display_name for r in rows
                                      if r.person and not r.assignee.passed)),
        })
    data = {**_data(members[0], project), "departments": lines,
            "passed": sum(r.assignee.passed for r in members), "assigned": len(members)}
    return quiz_dm(owner, "quiz_overdue_owner", project.locale,
                   f"quiz-owner:{members[0].assignment.id}", data)
