"""`project readiness`, the gate of `project phase rollout [force "<reason>"]`, and
`policy readiness quiz <percent>%` (COMMANDS.md, Pilot and rollout)."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace as Args

from bot.context import Context
from bot.errors import CommandError
from bot.jobs.schedule import early_until, first_at, next_digest
from bot.messages import Label, Reply
from bot.permissions import authorize_process_owner
from bot.readiness_view import checklist_data
from bot.registry import command
from bot.tokens import Token
from storage import digests, readiness
from storage.delivery_tables import DigestSchedule

PERCENT = re.compile(r"^(\d{1,3})\s*[%％]?$")


@command("project readiness", permission="read", scope="reads-all")
def show(ctx: Context, args: Args) -> list[Reply]:
    return [
        ctx.reply_about(project, "readiness", **checklist_data(ctx.db, ctx.clock, project))
        for project in ctx.projects_in_scope()
    ]


def to_rollout(ctx: Context, reason: str | None) -> Reply:
    """Switch to rollout when every checklist line is met; with a reason, the process
    owner switches anyway and the override is kept in history. Refused: what is missing."""
    project = ctx.project
    if project.phase == "rollout":
        raise CommandError("readiness.already", project=project.key)
    if reason is not None:
        authorize_process_owner(ctx.membership)
    data = checklist_data(ctx.db, ctx.clock, project)
    if not data["ready"] and reason is None:
        return ctx.reply("readiness", refused=True, **data)
    old, project.phase = project.phase, "rollout"
    ctx.db.add(project)
    ctx.record("project", project.id, "phase", old, "rollout")
    if reason is not None:
        missing = ", ".join(str(line["name"]) for line in data["lines"] if not line["met"])
        ctx.record("project", project.id, "rollout_forced", missing or None, reason)
    row = readiness.get_or_new(ctx.db, project.id)
    row.rollout_at, row.rollout_on = ctx.now(), ctx.today()
    row.rollout_forced, row.review_reminded_at = reason is not None, None
    readiness.save(ctx.db, row)
    _daily_digests(ctx, row.rollout_on)
    forced = reason is not None and not data["ready"]
    return ctx.reply(
        "rollout_switched", "channel", forced=forced, reason=reason,
        until=early_until(row.rollout_on), **data,
    )


def _daily_digests(ctx: Context, rollout_on: date) -> None:
    """The next digest is the first early-rollout one (the schedule itself is kept)."""
    schedule = digests.get(ctx.db, ctx.project.id) or DigestSchedule(
        project_id=ctx.project.id, next_at=first_at(ctx.project), since=ctx.project.created_at
    )
    schedule.next_at = next_digest(schedule, ctx.project, ctx.now(), rollout_on)
    digests.save(ctx.db, schedule)


def _percent(tokens: list[Token]) -> dict[str, object]:
    text = "".join(t.text for t in tokens).strip()
    if not text:
        raise CommandError("parse.missing", name=Label("field", "percent"))
    return {"percent": text}


@command("policy readiness quiz", "<percent:word>", permission="manage", parse=_percent)
def quiz_threshold(ctx: Context, args: Args) -> Reply:
    found = PERCENT.match(args.percent)
    if not found or not 1 <= int(found.group(1)) <= 100:
        raise CommandError("readiness.bad_percent", value=args.percent)
    row = readiness.get_or_new(ctx.db, ctx.project.id)
    old, row.quiz_percent = readiness.quiz_percent(ctx.db, ctx.project.id), int(found.group(1))
    row.updated_at, row.updated_by = ctx.now(), ctx.actor.id
    readiness.save(ctx.db, row)
    ctx.record("project", ctx.project.id, "readiness_quiz", f"{old}%", f"{row.quiz_percent}%")
    return ctx.say("readiness.policy_set", "channel", percent=row.quiz_percent)
