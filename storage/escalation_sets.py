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

RenotifyCutoff = tuple[str, str, int, datetime]  # zone, calendar, hours, notified by


def renotify_groups(db: Session) -> Sequence[tuple[str, str, int]]:
    """The (timezone, calendar, interval in hours) of projects whose records renotify."""
    query = (
        select(Project.timezone, Project.calendar, EscalationPolicy.renotify_hours)
        .join(EscalationPolicy, col(EscalationPolicy.project_id) == col(Project.id))
        .where(col(EscalationPolicy.renotify_hours).is_not(None))
        .distinct()
    )
    return db.exec(query).all()  # type: ignore[return-value]


def renotify_due(
    db: Session, cutoffs: Sequence[RenotifyCutoff]
) -> Sequence[tuple[Escalation, Project]]:
    """Open records, with their projects, last notified at or before their group's cutoff."""
    if not cutoffs:
        return []
    groups = [
        and_(Project.timezone == zone, Project.calendar == calendar,
             EscalationPolicy.renotify_hours == hours,
             col(Escalation.last_notified_at) <= moment)
        for zone, calendar, hours, moment in cutoffs
    ]
    query = (
        select(Escalation, Project)
        .join(Project, col(Project.id) == col(Escalation.project_id))
        .join(EscalationPolicy, col(EscalationPolicy.project_id) == col(Escalation.project_id))
        .where(Escalation.state == "open", col(Escalation.last_notified_at)
               <= max(c[3] for c in cutoffs), or_(*groups))
    )
    return db.exec(query.order_by(Escalation.id)).all()  # type: ignore[return-value]


def quiz_records_all_passed(
    db: Session, created_since: datetime | None = None, group: tuple[str, str] | None = None
) -> Sequence[Escalation]:
    """Open quiz-deadline records whose department (of their assignment) has nobody left
    who has not passed, in one query; only those created since `created_since`, or of the
    projects of `group` (timezone, calendar), when given."""
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
    if created_since is not None:
        query = query.where(col(Escalation.created_at) >= created_since)
    if group is not None:
        query = query.join(Project, col(Project.id) == col(Escalation.project_id)).where(
            Project.timezone == group[0], Project.calendar == group[1])
    return db.exec(query.order_by(Escalation.id)).all()
