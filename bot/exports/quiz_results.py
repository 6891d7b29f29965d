"""The `quiz-results` export: one row per assignee of a quiz (every version, every
project, or the one `--project` names), with attempts used, best score and passed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.catalog import text
from bot.exports.sheets import ExportRequest, Sheet, exporter
from bot.quiz_view import rows_of
from storage.models import Project
from storage.quizzes import QuizAssignment, QuizBank

COLUMNS = ("project", "quiz", "version", "name", "department", "due", "attempts", "best",
           "passed", "completed_at")


@exporter("quiz-results", needs_project=False)
def quiz_results_sheet(db: Session, request: ExportRequest) -> Sheet:
    from bot.exports.run import ExportError

    if not request.quiz:
        raise ExportError("--quiz <key> is needed for quiz-results")
    key = request.quiz.strip().lower()
    query = (
        select(QuizAssignment, QuizBank)
        .join(QuizBank, col(QuizBank.id) == col(QuizAssignment.bank_id))
        .where(QuizBank.key == key)
    )
    if request.project is not None:
        query = query.where(QuizAssignment.project_id == request.project.id)
    pairs = list(db.exec(query.order_by(QuizAssignment.id)).all())
    if not pairs and db.exec(select(QuizBank).where(QuizBank.key == key)).first() is None:
        raise ExportError(f"there is no quiz {request.quiz}")
    found = {p.id: p for p in db.exec(
        select(Project).where(col(Project.id).in_({a.project_id for a, _ in pairs}))
    ).all()}
    sheet = Sheet(
        title=text(request.locale, "export.quiz_results.sheet"),
        headers=[text(request.locale, f"export.quiz_results.{c}") for c in COLUMNS],
    )
    for row in rows_of(db, pairs):
        project = found[row.assignment.project_id]
        submitted = [t.submitted_at for t in row.submitted if t.submitted_at]
        last = max(submitted) if submitted else None
        sheet.rows.append([
            project.key,
            row.bank.key,
            row.bank.version,
            row.person.display_name if row.person else None,
            row.department,
            row.assignment.due_date,
            len(row.tries),
            row.best,
            text(request.locale, "quiz_text.yes" if row.assignee.passed else "quiz_text.no"),
            last.astimezone(ZoneInfo(project.timezone)) if last else None,
        ])
    return sheet
