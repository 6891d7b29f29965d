"""`quiz take` and the answers: one question at a time, in the taker's DM.

Rights by target: whoever a quiz was assigned to takes it, member of the project or
not; the assignment is found by the quiz key among the caller's own assignments (in
a bound channel, that project's first). Typed answers (`A`, `A C`, `对`) in a DM
reach `quiz answer` through bot/quiz_hook.py; buttons send `quiz answer`/`quiz pick`.
"""

from __future__ import annotations

from types import SimpleNamespace as Args

from bot import quiz_attempts as taking
from bot.context import Context
from bot.errors import CommandError
from bot.messages import Reply
from bot.quiz_view import quiz_dm
from bot.registry import command
from storage import quizzes
from storage.models import Project
from storage.quizzes import QuizAssignee, QuizAssignment, QuizAttempt, QuizBank

Found = tuple[QuizAssignee, QuizAssignment, QuizBank, list[QuizAttempt]]


def find_mine(ctx: Context, key: str) -> Found:
    """The caller's assignment of `key` to work on: one with an open attempt, else the
    newest not passed, else the newest."""
    rows = quizzes.mine(ctx.db, ctx.actor.id, key)
    if not rows:
        if quizzes.latest_bank(ctx.db, key) is None:
            raise CommandError("quiz.unknown", quiz=key, known="-")
        raise CommandError("quiz.not_assigned", quiz=key)
    if ctx.project is not None and not ctx.inbound.is_dm:
        rows = [r for r in rows if r[1].project_id == ctx.project.id] or rows
    tries: dict[int, list[QuizAttempt]] = {}
    for attempt in quizzes.attempts(ctx.db, [a.id for a, _, _ in rows]):
        tries.setdefault(attempt.assignee_id, []).append(attempt)

    def rank(row: tuple[QuizAssignee, QuizAssignment, QuizBank]) -> tuple[int, int, int]:
        open_ = any(t.submitted_at is None for t in tries.get(row[0].id, []))
        return (open_, not row[0].passed, row[0].id)

    assignee, assignment, bank = max(rows, key=rank)
    return assignee, assignment, bank, tries.get(assignee.id, [])


def _project(ctx: Context, assignment: QuizAssignment) -> Project:
    project = ctx.db.get(Project, assignment.project_id)
    assert project is not None
    return project


def _result(ctx: Context, project: Project, attempt: QuizAttempt, bank: QuizBank,
            time_up: bool = False) -> Reply:
    view = taking.result_view(ctx.db, attempt, bank)
    return ctx.reply_about(project, "quiz_result", time_up=time_up, **view)


def _question(ctx: Context, project: Project, attempt: QuizAttempt, bank: QuizBank,
              note: str | None = None, params: dict[str, object] | None = None) -> Reply:
    view = taking.question_view(ctx.db, attempt, bank, ctx.now())
    return ctx.reply_about(project, "quiz_question", note=note, note_params=params or {},
                           **view)


@command("quiz take", "<quiz:word>", permission="none", scope="optional")
def quiz_take(ctx: Context, args: Args) -> Reply:
    assignee, assignment, bank, tries = find_mine(ctx, args.quiz)
    project = _project(ctx, assignment)
    now = ctx.now()
    current = next((t for t in tries if t.submitted_at is None), None)
    if current is not None and taking.expired(current, now):
        taking.finish(ctx.db, current, assignee, bank, now)
        return _result(ctx, project, current, bank, time_up=True)
    note = "quiz.resumed"
    if current is None:
        best = max((t.score or 0 for t in tries), default=0)
        if assignee.passed:
            return ctx.reply_about(project, "message", key="quiz.already_passed",
                                   params={"quiz": bank.key, "score": best})
        if len(tries) >= bank.attempts:
            return ctx.reply_about(project, "message", key="quiz.no_attempts_left",
                                   params={"quiz": bank.key, "attempts": bank.attempts,
                                           "score": best})
        current = taking.start(ctx.db, assignee, bank, len(tries) + 1, now)
        note = "quiz.started"
    params = {"attempt": current.number, "attempts": bank.attempts, "pass_mark": bank.pass_mark,
              "minutes": bank.time_limit_minutes}
    if ctx.inbound.is_dm:
        return _question(ctx, project, current, bank, note, params)
    view = taking.question_view(ctx.db, current, bank, now)
    ctx.notices.append(quiz_dm(ctx.actor, "quiz_question", project.locale, None,
                               {"note": note, "note_params": params, **view}))
    return ctx.reply_about(project, "message", key="quiz.sent_to_dm", params={"quiz": bank.key})


def _open_attempt(ctx: Context, key: str) -> tuple[Found, QuizAttempt, Project]:
    found = find_mine(ctx, key)
    assignee, assignment, bank, tries = found
    current = next((t for t in tries if t.submitted_at is None), None)
    if current is None:
        raise CommandError("quiz.no_open_attempt", quiz=bank.key)
    locked = quizzes.attempt_for_update(ctx.db, current.id)
    assert locked is not None
    return found, locked, _project(ctx, assignment)


def _position(n: str) -> int:
    if not n.isdigit() or len(n) > 4:
        raise CommandError("quiz.bad_number", value=n)
    return int(n)


def _turn(ctx: Context, quiz: str, raw_n: str) -> Reply | tuple:
    """The open attempt at question `raw_n`, or the reply when it cannot take an answer:
    time is up (the attempt is graded as it stands) or another question is current."""
    found, attempt, project = _open_attempt(ctx, quiz)
    assignee, _, bank, _ = found
    now = ctx.now()
    if taking.expired(attempt, now):
        taking.finish(ctx.db, attempt, assignee, bank, now)
        return _result(ctx, project, attempt, bank, time_up=True)
    n = _position(raw_n)
    if n != attempt.position + 1:
        return _question(ctx, project, attempt, bank, "quiz.not_current",
                         {"asked": n, "current": attempt.position + 1})
    return found, attempt, project, n


@command("quiz answer", "<quiz:word> <n:word> [<answer:text>]", permission="none",
         scope="optional")
def quiz_answer(ctx: Context, args: Args) -> Reply:
    turn = _turn(ctx, args.quiz, args.n)
    if isinstance(turn, Reply):
        return turn
    (assignee, _, bank, _), attempt, project, n = turn
    now = ctx.now()
    order = taking.order_of(attempt)
    qid, _ = order[attempt.position]
    kind = quizzes.questions_by_ids(ctx.db, [qid])[qid].type
    raw = args.answer if args.answer is not None else attempt.picked
    if not raw:
        raise CommandError("quiz.pick_first")
    taking.record(ctx.db, attempt, kind, raw)
    if attempt.position >= len(order):
        taking.finish(ctx.db, attempt, assignee, bank, now)
        return _result(ctx, project, attempt, bank)
    return _question(ctx, project, attempt, bank, "quiz.recorded", {"n": n})


@command("quiz pick", "<quiz:word> <n:word> <letter:word>", permission="none", scope="optional")
def quiz_pick(ctx: Context, args: Args) -> Reply:
    """A multiple-choice button: picks or unpicks one option; Submit sends `quiz answer`."""
    turn = _turn(ctx, args.quiz, args.n)
    if isinstance(turn, Reply):
        return turn
    (_, _, bank, _), attempt, project, _ = turn
    _, indexes = taking.order_of(attempt)[attempt.position]
    taking.toggle(ctx.db, attempt, args.letter, len(indexes))
    return _question(ctx, project, attempt, bank)
