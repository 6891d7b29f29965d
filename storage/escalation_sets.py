"""Escalation records the every-tick jobs look at, read by set: plain columns for the
candidates, whole rows only for those that have work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from storage.escalations import OPEN_STATES, Escalation, EscalationPolicy
from storage.models import Project
from storage.quizzes import QuizAssignee

Candidate = tuple[int, datetime, str, str, int]  # id, last notified, zone, calendar, hours


def renotify_candidates(db: Session) -> Sequence[Candidate]:
    """Open, unacknowledged records of projects that renotify: (id, last notified at, the
    project's timezone and calendar, the interval in hours), in one query."""
    query = (
        select(Escalation.id, Escalation.last_notified_at, Project.timezone, Project.calendar,
               EscalationPolicy.renotify_hours)
        .join(Project, col(Project.id) == col(Escalation.project_id))
        .join(EscalationPolicy, col(EscalationPolicy.project_id) == col(Escalation.project_id))
        .where(Escalation.state == "open", col(EscalationPolicy.renotify_hours).is_not(None))
    )
    return db.exec(query.order_by(Escalation.id)).all()  # type: ignore[return-value]


def with_projects(db: Session, ids: Sequence[int]) -> Sequence[tuple[Escalation, Project]]:
    """The records of `ids` with their projects, by id."""
    if not ids:
        return []
    query = (
        select(Escalation, Project)
        .join(Project, col(Project.id) == col(Escalation.project_id))
        .where(col(Escalation.id).in_(set(ids)))
    )
    return db.exec(query.order_by(Escalation.id)).all()


def quiz_records_all_passed(db: Session) -> Sequence[Escalation]:
    """Open quiz-deadline records whose department (of their assignment) has nobody left
    who has not passed, in one query (the other open records are not read)."""
    same_dept = or_(
        col(QuizAssignee.department_id) == col(Escalation.target_dept_id),
        and_(col(QuizAssignee.department_id).is_(None), col(Escalation.target_dept_id).is_(None)),
    )
    waiting = (
        select(QuizAssignee.id)
        .where(col(QuizAssignee.assignment_id) == col(Escalation.subject_id), same_dept,
               col(QuizAssignee.passed).is_(False))
        .exists()
    )
    query = select(Escalation).where(
        Escalation.subject_kind == "quiz", col(Escalation.state).in_(OPEN_STATES), ~waiting
    )
    return db.exec(query.order_by(Escalation.id)).all()
