"""`digest now` and `digest set`: the project's progress digest."""

from __future__ import annotations

from types import SimpleNamespace as Args

from bot import options
from bot.context import Context
from bot.dates import weekday_number
from bot.errors import CommandError
from bot.jobs.schedule import first_at, next_digest
from bot.messages import Label, Reply
from bot.progress_view import digest_data
from bot.registry import command
from bot.tokens import Token
from storage import digests, readiness
from storage.delivery_tables import DigestSchedule

CADENCES = ("daily", "weekly")  # option.* spells them per locale
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _schedule(ctx: Context) -> DigestSchedule:
    found = digests.get(ctx.db, ctx.project.id)
    if found is None:
        found = DigestSchedule(
            project_id=ctx.project.id, next_at=first_at(ctx.project), since=ctx.project.created_at
        )
    return found


@command("digest now", permission="contribute")
def digest_now(ctx: Context, args: Args) -> Reply:
    """Posts here at once; the scheduled digest's "since last" mark stays where it is."""
    schedule = _schedule(ctx)
    data = digest_data(ctx.db, ctx.clock, ctx.project, schedule.since, "now")
    return ctx.reply("digest", "channel", **data)


def _parse_set(tokens: list[Token]) -> dict[str, object]:
    words = [t.word or t.text for t in tokens]
    if not words:
        raise CommandError("parse.missing", name=Label("field", "cadence"))
    cadence = options.canonical(words[0], CADENCES)
    if cadence is None:
        choices = tuple(Label("option", c) for c in CADENCES)
        raise CommandError("parse.bad_choice", value=tokens[0].text, choices=choices)
    if len(words) < 2:
        raise CommandError("parse.missing", name=Label("field", "time"))
    if len(words) > 3:
        raise CommandError("parse.unexpected", value=tokens[3].text)
    weekday = words[1] if len(words) == 3 else None
    return {"cadence": cadence, "weekday": weekday, "at": tokens[-1].text}


@command(
    "digest set",
    "<cadence:daily|weekly> [<weekday:word>] <at:time>",
    permission="manage",
    parse=_parse_set,
)
def digest_set(ctx: Context, args: Args) -> Reply:
    weekday = None
    if args.cadence == "daily" and args.weekday:
        raise CommandError("digest.daily_weekday", value=args.weekday)
    if args.cadence == "weekly":
        weekday = weekday_number(args.weekday) if args.weekday else 4
        if weekday is None:
            raise CommandError("digest.bad_weekday", value=args.weekday)
    schedule = _schedule(ctx)
    old = f"{schedule.cadence} {schedule.weekday} {schedule.at}" if schedule.cadence else None
    schedule.cadence, schedule.weekday, schedule.at = args.cadence, weekday, args.at
    # (during the first two weeks of rollout the next one is that day's early digest)
    rollout_on = readiness.rollout_day(ctx.db, ctx.project.id)
    schedule.next_at = next_digest(schedule, ctx.project, ctx.now(), rollout_on)
    digests.save(ctx.db, schedule)
    ctx.record("project", ctx.project.id, "digest", old, f"{args.cadence} {weekday} {args.at}")
    local = schedule.next_at.astimezone(ctx.clock.local(ctx.project.timezone).tzinfo)
    key = "digest.set_daily" if args.cadence == "daily" else "digest.set_weekly"
    return ctx.reply(
        "digest_set",
        "channel",
        key=key,
        at=args.at,
        weekday=weekday,
        weekday_name=Label("weekday", WEEKDAY_KEYS[weekday]) if weekday is not None else "",
        next_at=local,
        tz=ctx.project.timezone,
    )
