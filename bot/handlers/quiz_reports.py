"""`quiz status` (per department) and `quiz results` (one's own; leads and the process
owner everyone's)."""

from __future__ import annotations

from types import SimpleNamespace as Args

from bot.context import Context
from bot.errors import CommandError
from bot.handlers.quizzes import bank_or_error
from bot.messages import Reply
from bot.permissions import MANAGERS
from bot.quiz_view import department_status, result_rows, rows_of
from bot.registry import command
from bot.tokens import Token
from storage import quizzes


@command("quiz status", "<quiz:word>", permission="read")
def quiz_status(ctx: Context, args: Args) -> Reply:
    bank = bank_or_error(ctx, args.quiz)
    pairs = quizzes.assignments_of(ctx.db, ctx.project.id, bank.key)
    if not pairs:
        raise CommandError("quiz.not_assigned_here", quiz=bank.key, project=ctx.project.key)
    rows = rows_of(ctx.db, pairs)
    return ctx.reply("quiz_status", key=bank.key, title=bank.title, project=ctx.project.key,
                     departments=department_status(ctx.db, rows))


def _parse_results(tokens: list[Token]) -> dict[str, object]:
    values: dict[str, object] = {}
    for token in tokens:
        if token.mention and "who" not in values:
            values["who"] = token
        elif not token.mention and "quiz" not in values:
            values["quiz"] = token.text
        else:
            raise CommandError("parse.unexpected", value=token.text)
    return values


@command("quiz results", "[<quiz:word>] [<who:user>]", permission="none", scope="optional",
         parse=_parse_results)
def quiz_results(ctx: Context, args: Args) -> Reply:
    manager = ctx.membership is not None and ctx.membership.role in MANAGERS
    key = bank_or_error(ctx, args.quiz).key if args.quiz else None
    someone_else = args.who is not None and args.who.id != ctx.actor.id
    if someone_else or (key and manager and args.who is None):
        if not manager:
            raise CommandError("quiz.results_own")
        pairs = (quizzes.assignments_of(ctx.db, ctx.project.id, key) if key
                 else quizzes.project_assignments(ctx.db, ctx.project.id))
        rows = rows_of(ctx.db, pairs)
        if args.who is not None:
            rows = [r for r in rows if r.assignee.person_id == args.who.id]
        return ctx.reply("quiz_results", rows=result_rows(rows), project=ctx.project.key)
    mine = quizzes.mine(ctx.db, ctx.actor.id, key)
    rows = rows_of(ctx.db, list({a.id: (a, b) for _, a, b in mine}.values()))
    rows = [r for r in rows if r.assignee.person_id == ctx.actor.id]
    return ctx.reply("quiz_results", rows=result_rows(rows), project=None)
