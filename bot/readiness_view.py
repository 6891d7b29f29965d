"""The readiness gate's own checklist lines (quizzes, reviews) and the checklist as data.

`project readiness` shows `checklist_data`; `project phase rollout` refuses while any
line has a gap. Other features register their lines in their own modules (see
bot.readiness.CHECK_MODULES).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import Session

from bot.clock import Clock
from bot.messages import Label
from bot.quiz_view import rows_of
from bot.readiness import Gap, checklist, readiness_check
from storage import quizzes, readiness, reviews
from storage.models import Project

SHOWN = 15  # gaps listed per line; the rest are counted ("… and 3 more")


@readiness_check("quizzes", 10)
def quizzes_passed(db: Session, clock: Clock, project: Project) -> list[Gap]:
    """Each quiz of the project passed by at least the threshold in every department it
    was assigned to (a person assigned a quiz twice counts once; any pass counts)."""
    threshold = readiness.quiz_percent(db, project.id)
    passed: dict[tuple[str, str | None], dict[int, bool]] = defaultdict(dict)
    titles: dict[str, str] = {}
    for row in rows_of(db, quizzes.project_assignments(db, project.id)):
        people = passed[(row.bank.key, row.department)]
        person = row.assignee.person_id
        people[person] = people.get(person, False) or row.assignee.passed
        titles[row.bank.key] = row.bank.title
    gaps = []
    for (key, department), people in sorted(passed.items(), key=_quiz_order):
        passes, assigned = sum(people.values()), len(people)
        if 100 * passes < threshold * assigned:  # shown rounded down: 89.6% is "89%"
            gaps.append(Gap("readiness.gap_quiz", {
                "key": key, "title": titles[key], "threshold": threshold,
                "rate": 100 * passes // assigned, "passed": passes, "assigned": assigned,
                "dept": department if department else Label("readiness_text", "no_dept"),
            }))
    return gaps


def _quiz_order(entry: tuple[tuple[str, str | None], dict[int, bool]]) -> tuple:
    (key, department), _ = entry
    return key, department is None, department or ""


@readiness_check("reviews", 20)
def reviews_closed(db: Session, clock: Clock, project: Project) -> list[Gap]:
    """Every review decided: none open, none waiting for a resubmission after changes."""
    waiting = reviews.of_project(db, project.id, [reviews.OPEN, "changes"])
    return [
        Gap("readiness.gap_review", {
            "id": f"R{r.seq}", "title": r.title, "state": Label("readiness_text", r.state),
            "due": r.due_date,
        })
        for r in waiting
    ]


def checklist_data(db: Session, clock: Clock, project: Project) -> dict[str, Any]:
    """The checklist as a template shows it: each line met, or its gaps (the first SHOWN)."""
    lines = [
        {
            "name": Label("readiness_line", name),
            "met": not gaps,
            "gaps": gaps[:SHOWN],
            "more": max(0, len(gaps) - SHOWN),
        }
        for name, gaps in checklist(db, clock, project)
    ]
    return {
        "project": project.key,
        "project_name": project.name,
        "phase": Label("phase", project.phase),
        "lines": lines,
        "ready": all(line["met"] for line in lines),
        "threshold": readiness.quiz_percent(db, project.id),
    }
