"""`quiz list`, `quiz show` (meta only, never answers) and `quiz assign`."""

from __future__ import annotations

from types import SimpleNamespace as Args
from typing import Any

from bot import catalog
from bot.context import Context
from bot.errors import CommandError
from bot.messages import Label, Reply
from bot.quiz_view import quiz_dm
from bot.registry import command
from bot.tokens import Token
from storage import people, projects, quizzes
from storage.models import Department, Person
from storage.names import name_key
from storage.quizzes import QuizAssignee, QuizAssignment, QuizBank, QuizQuestion

TO_WORDS = ("to", "给")
ALL_WORDS = ("all", "全部", "所有人")
DEPT_WORDS = ("dept", "部门")
DUE_WORDS = ("due", "截止")


def bank_or_error(ctx: Context, key: str) -> QuizBank:
    bank = quizzes.latest_bank(ctx.db, key)
    if bank is None:
        known = ", ".join(b.key for b in quizzes.latest_banks(ctx.db)) or "-"
        raise CommandError("quiz.unknown", quiz=key, known=known)
    return bank


def bank_meta(db: Any, bank: QuizBank) -> dict[str, Any]:
    found = quizzes.questions(db, bank.id)
    kinds = {k: sum(1 for q in found if q.type == k) for k in ("single", "multiple", "true_false")}
    return {
        "key": bank.key,
        "title": bank.title,
        "version": bank.version,
        "questions": len(found),
        "kinds": kinds,
        "pass_mark": bank.pass_mark,
        "time_limit": bank.time_limit_minutes,
        "attempts": bank.attempts,
        "shuffle": bank.shuffle,
    }


@command("quiz list", permission="none", scope="optional")
def quiz_list(ctx: Context, args: Args) -> Reply:
    banks = [bank_meta(ctx.db, b) for b in quizzes.latest_banks(ctx.db)]
    mine = [
        {"key": bank.key, "title": bank.title, "due": assignment.due_date,
         "passed": assignee.passed}
        for assignee, assignment, bank in quizzes.mine(ctx.db, ctx.actor.id)
    ]
    return ctx.reply("quiz_list", banks=banks, mine=mine)


@command("quiz show", "<quiz:word>", permission="none", scope="optional")
def quiz_show(ctx: Context, args: Args) -> Reply:
    return ctx.reply("quiz_show", **bank_meta(ctx.db, bank_or_error(ctx, args.quiz)))


def _parse_assign(tokens: list[Token]) -> dict[str, object]:
    if not tokens:
        raise CommandError("parse.missing", name=Label("field", "quiz"))
    values: dict[str, object] = {"quiz": tokens[0].text}
    rest = tokens[1:]
    if rest and rest[0].word in TO_WORDS:
        rest = rest[1:]
    due_at = next((i for i, t in enumerate(rest) if t.word in DUE_WORDS), None)
    if due_at is None or due_at + 1 >= len(rest):
        raise CommandError("parse.missing", name=Label("field", "due"))
    who, when = rest[:due_at], rest[due_at + 1 :]
    values["due"] = " ".join(t.text for t in when)
    if len(who) == 1 and who[0].mention:
        values["person"] = who[0]
    elif len(who) == 1 and who[0].word in ALL_WORDS:
        values["everyone"] = True
    elif len(who) >= 2 and who[0].word in DEPT_WORDS:
        values["dept"] = " ".join(t.text for t in who[1:])
    else:
        raise CommandError("quiz.bad_target", value=" ".join(t.text for t in who) or "-")
    return values


def _targets(ctx: Context, args: Args) -> tuple[list[Person], str, str]:
    """The people, the target as stored, and as the project's language says it."""
    locale = ctx.project.locale
    if args.person is not None:
        return [args.person], f"@{args.person.display_name}", f"@{args.person.display_name}"
    if args.dept is not None:
        dept: Department = args.dept
        shown = catalog.text(locale, "quiz_text.target_dept", name=dept.name)
        return quizzes.people_in_department(ctx.db, dept.id), f"dept {dept.name}", shown
    members = [p for _, p in projects.members(ctx.db, ctx.project.id)]
    return members, "all", catalog.text(locale, "quiz_text.target_all")


def _questions_for(found: list[QuizQuestion], dept: str | None, role: str | None) -> list[int]:
    chosen = []
    for q in found:
        depts = [name_key(d) for d in quizzes.loads(q.departments) or []]
        roles = quizzes.loads(q.roles) or []
        if depts and (dept is None or name_key(dept) not in depts):
            continue
        if roles and role not in roles:
            continue
        chosen.append(q.id)
    return chosen


@command(
    "quiz assign",
    "<quiz:word> [<person:newuser>] [dept <dept:dept>] due <due:date>",
    permission="manage",
    parse=_parse_assign,
)
def quiz_assign(ctx: Context, args: Args) -> Reply:
    bank = bank_or_error(ctx, args.quiz)
    targets, stored, label = _targets(ctx, args)
    if not targets:
        raise CommandError("quiz.nobody", target=label)
    found = quizzes.questions(ctx.db, bank.id)
    already = {
        a.person_id
        for a in quizzes.assignees(
            ctx.db, [x.id for x, b in quizzes.assignments_of(ctx.db, ctx.project.id, bank.key)
                     if b.id == bank.id]
        )
    }
    depts = people.departments_by_ids(ctx.db, (p.department_id for p in targets))
    roles = {m.person_id: m.role for m, _ in projects.members(ctx.db, ctx.project.id)}
    assignment = QuizAssignment(
        project_id=ctx.project.id, bank_id=bank.id, target=stored[:120], due_date=args.due,
        created_by=ctx.actor.id, created_at=ctx.now(),
    )
    ctx.db.add(assignment)
    ctx.db.flush()
    sent, skipped, empty = [], 0, 0
    for person in targets:
        if person.id in already:
            skipped += 1
            continue
        dept = depts.get(person.department_id) if person.department_id else None
        ids = _questions_for(found, dept.name if dept else None, roles.get(person.id))
        if not ids:
            empty += 1
            continue
        assignee = QuizAssignee(assignment_id=assignment.id, person_id=person.id,
                                department_id=person.department_id,
                                questions=quizzes.dumps(ids))
        ctx.db.add(assignee)
        ctx.db.flush()
        ctx.notices.append(quiz_dm(
            person, "quiz_invite", ctx.project.locale, f"quiz-invite:{assignee.id}",
            {"key": bank.key, "title": bank.title, "due": args.due, "project": ctx.project.key,
             "project_name": ctx.project.name, "questions": len(ids),
             "pass_mark": bank.pass_mark, "time_limit": bank.time_limit_minutes,
             "attempts": bank.attempts},
        ))
        sent.append(person.display_name)
    if not sent:
        raise CommandError("quiz.nobody_new", target=label, already=skipped, empty=empty)
    ctx.record("quiz", assignment.id, "assigned", None, f"{bank.key} v{bank.version} {stored}")
    return ctx.say("quiz.assigned", "channel", quiz=bank.key, version=bank.version,
                   count=len(sent), target=label, due=args.due, already=skipped, empty=empty)
