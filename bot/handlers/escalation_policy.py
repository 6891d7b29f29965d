"""`policy overdue|renotify|show`: a project's escalation ladder (COMMANDS.md, Escalations)."""

from __future__ import annotations

import re
from types import SimpleNamespace as Args

from bot.context import Context
from bot.errors import CommandError
from bot.ladder import format_levels, levels_of, parse_levels
from bot.messages import Label, Reply
from bot.registry import command
from bot.tokens import Token
from storage import escalations, readiness
from storage.escalations import EscalationPolicy

HOURS = re.compile(r"^(\d{1,3})\s*(?:h|小时)?$", re.IGNORECASE)
OFF = ("off", "none", "关闭", "关")
MAX_HOURS = 72


def _policy(ctx: Context) -> EscalationPolicy:
    found = escalations.policy(ctx.db, ctx.project.id)
    if found is None:
        found = EscalationPolicy(project_id=ctx.project.id, started_on=ctx.today(),
                                 updated_at=ctx.now())
    return found


def _words(tokens: list[Token]) -> dict[str, object]:
    return {"levels": " ".join(t.text for t in tokens)}


@command("policy overdue", "<levels:text>", permission="manage", parse=_words)
def overdue(ctx: Context, args: Args) -> Reply:
    levels = parse_levels(args.levels.split())
    policy = _policy(ctx)
    old, new = policy.levels, format_levels(levels)
    policy.levels = new
    # a new policy: items already overdue start counting today, nobody is flooded
    policy.started_on, policy.updated_at, policy.updated_by = ctx.today(), ctx.now(), ctx.actor.id
    ctx.db.add(policy)
    ctx.record("project", ctx.project.id, "policy", old, new)
    return ctx.say("escalation.policy_set", "channel", levels=new)


def _hours(tokens: list[Token]) -> dict[str, object]:
    text = " ".join(t.text for t in tokens).strip()
    if not text:
        raise CommandError("parse.missing", name=Label("field", "hours"))
    return {"hours": text}


@command("policy renotify", "<hours:word>", permission="manage", parse=_hours)
def renotify(ctx: Context, args: Args) -> Reply:
    policy = _policy(ctx)
    old = policy.renotify_hours
    if args.hours.lower() in OFF:
        policy.renotify_hours = None
    else:
        found = HOURS.match(args.hours)
        if not found or not 1 <= int(found.group(1)) <= MAX_HOURS:
            raise CommandError("escalation.bad_hours", value=args.hours, limit=MAX_HOURS)
        policy.renotify_hours = int(found.group(1))
    policy.updated_at, policy.updated_by = ctx.now(), ctx.actor.id
    ctx.db.add(policy)
    ctx.record("project", ctx.project.id, "renotify", old, policy.renotify_hours)
    if policy.renotify_hours is None:
        return ctx.say("escalation.renotify_off", "channel")
    return ctx.say("escalation.renotify_set", "channel", hours=policy.renotify_hours)


@command("policy show", permission="read")
def show(ctx: Context, args: Args) -> Reply:
    policy = escalations.policy(ctx.db, ctx.project.id)
    levels = levels_of(policy)
    return ctx.reply(
        "policy_show",
        project=ctx.project.key,
        levels=[{"days": lv.days, "level": Label("esc_level", lv.name)} for lv in levels],
        renotify=policy.renotify_hours if policy else None,
        default=policy is None or policy.levels == escalations.DEFAULT_LEVELS,
        started_on=policy.started_on if policy else None,
        readiness_quiz=readiness.quiz_percent(ctx.db, ctx.project.id),
        readiness_default=_readiness_default(ctx),
    )


def _readiness_default(ctx: Context) -> bool:
    row = readiness.get(ctx.db, ctx.project.id)
    return row is None or row.quiz_percent is None
