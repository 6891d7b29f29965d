"""The weekly meeting: `meeting set|off|start|end|history` and the check-in (`here` / `到`)."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace as Args
from typing import Any

from bot.context import Context
from bot.dates import weekday_number
from bot.errors import CommandError
from bot.meeting_flow import channel_posts, close, drop_unstarted
from bot.meeting_time import GRACE, current, next_due, upcoming, zone_of
from bot.meeting_view import is_over, meeting_row
from bot.messages import Label, Reply
from bot.registry import command
from storage import meetings as store
from storage import people
from storage.meetings import ENDED, RUNNING, SCHEDULED, MeetingSlot

AGENDA_HOURS = re.compile(r"^(\d{1,3})h(?:-before)?$")
MAX_AGENDA_HOURS = 168
MAX_MINUTES = 480
HISTORY_DEFAULT, HISTORY_MAX = 5, 20


def whole(value: float | None, default: int, low: int, high: int, field: str) -> int:
    """A whole number of minutes (or hours) within [low, high]."""
    if value is None:
        return default
    if value != int(value) or not low <= value <= high:
        raise CommandError(
            "meeting.bad_number", field=Label("field", field), value=f"{value:g}", low=low,
            high=high,
        )
    return int(value)


def require_slot(ctx: Context) -> MeetingSlot:
    found = store.slot(ctx.db, ctx.project.id)
    if found is None:
        raise CommandError("meeting.no_slot")
    return found


def here_channel(ctx: Context) -> tuple[str, str] | None:
    """(platform, channel) when the command was typed in a channel of the project."""
    if ctx.inbound.is_dm:
        return None
    return (ctx.inbound.platform, ctx.inbound.channel_id)


def post(ctx: Context, template: str, data: dict[str, Any], key: str) -> Reply:
    """A message for the whole project: the reply here, a post in every other channel."""
    skip = here_channel(ctx)
    ctx.notices.extend(channel_posts(ctx.db, ctx.project, template, data, key, skip))
    return ctx.reply(template, "channel" if skip else "private", **data)


@command(
    "meeting set",
    "<weekday:word> <at:time> [tz <tz:zone>] [post-agenda <agenda:word>] [mins <mins:number>]",
    permission="manage",
)
def meeting_set(ctx: Context, args: Args) -> Reply:
    weekday = weekday_number(args.weekday)
    if weekday is None:
        raise CommandError("meeting.bad_weekday", value=args.weekday)
    hours = 24
    if args.agenda is not None:
        found = AGENDA_HOURS.match(args.agenda.lower())
        if not found:
            raise CommandError("meeting.bad_agenda_hours", value=args.agenda)
        hours = whole(float(found.group(1)), 24, 1, MAX_AGENDA_HOURS, "agenda")
    minutes = whole(args.mins, 60, 5, MAX_MINUTES, "mins")
    slot = store.slot(ctx.db, ctx.project.id)
    old = f"{slot.weekday} {slot.at} {slot.tz or ''}".strip() if slot else None
    if slot is None:
        slot = MeetingSlot(
            project_id=ctx.project.id, weekday=weekday, at=args.at, next_at=ctx.now()
        )
    slot.weekday, slot.at, slot.tz = weekday, args.at, args.tz
    slot.agenda_hours, slot.minutes = hours, minutes
    slot.next_at = ctx.now()  # the job works out the next meeting on its next tick
    if store.running(ctx.db, ctx.project.id) is None:
        drop_unstarted(ctx.db, ctx.project.id)
    store.save(ctx.db, slot)
    ctx.record("project", ctx.project.id, "meeting", old, f"{weekday} {args.at} {args.tz or ''}")
    held = is_over(ctx.db, ctx.project.id)  # today's meeting may be over already
    coming = upcoming(slot, ctx.project, ctx.calendar, ctx.now(), held)
    return ctx.reply(
        "meeting_set",
        "channel",
        weekday_label=Label("meeting_weekday", str(weekday)),
        at=args.at,
        tz=zone_of(slot, ctx.project),
        minutes=minutes,
        agenda_hours=hours,
        next=meeting_row(coming),
    )


@command("meeting off", permission="manage")
def meeting_off(ctx: Context, args: Args) -> Reply:
    if not store.remove_slot(ctx.db, ctx.project.id):
        raise CommandError("meeting.no_slot")
    if store.running(ctx.db, ctx.project.id) is None:
        drop_unstarted(ctx.db, ctx.project.id)
    ctx.record("project", ctx.project.id, "meeting", "on", "off")
    return ctx.say("meeting.off", "channel")


@command("meeting start", permission="manage")
def meeting_start(ctx: Context, args: Args) -> Reply:
    slot = require_slot(ctx)
    if store.running(ctx.db, ctx.project.id) is not None:
        raise CommandError("meeting.already_running")
    now = ctx.now()
    occurrence = current(slot, ctx.project, ctx.calendar, now)
    meeting = store.ensure_meeting(ctx.db, occurrence.row(ctx.project.id))
    if meeting.state != SCHEDULED:
        raise CommandError("meeting.already_held", date=meeting.occurs_on.isoformat())
    meeting.state, meeting.started_at, meeting.started_by = RUNNING, now, ctx.actor.id
    meeting.close_at = max(meeting.close_at, now + timedelta(minutes=meeting.minutes) + GRACE)
    store.save(ctx.db, meeting)
    slot.next_at = min(slot.next_at, next_due(occurrence, now))
    store.save(ctx.db, slot)
    ctx.record("meeting", meeting.id, "state", SCHEDULED, RUNNING)
    data = {
        "project": {"key": ctx.project.key, "name": ctx.project.name},
        "meeting": meeting_row(meeting),
        "by": ctx.actor.display_name,
    }
    return post(ctx, "meeting_checkin", data, f"checkin:{meeting.id}")


@command("here", permission="contribute")
def check_in(ctx: Context, args: Args) -> Reply:
    meeting = store.running(ctx.db, ctx.project.id)
    if meeting is None:
        raise CommandError("meeting.not_running")
    if not store.check_in(ctx.db, meeting.id, ctx.actor.id, ctx.now()):
        return ctx.say("meeting.already_here", name=ctx.actor.display_name)
    return ctx.say("meeting.here", name=ctx.actor.display_name)


@command("meeting end", permission="manage")
def meeting_end(ctx: Context, args: Args) -> Reply:
    meeting = store.running(ctx.db, ctx.project.id)
    if meeting is None:
        raise CommandError("meeting.not_running")
    data = close(ctx.db, ctx.clock, ctx.project, meeting, ENDED, ctx.now())
    ctx.record("meeting", meeting.id, "state", RUNNING, ENDED)
    return post(ctx, "meeting_minutes", data, f"minutes:{meeting.id}")


@command("meeting history", "[<n:number>]", permission="read")
def meeting_history(ctx: Context, args: Args) -> Reply:
    limit = whole(args.n, HISTORY_DEFAULT, 1, HISTORY_MAX, "count")
    past = store.history(ctx.db, ctx.project.id, limit)
    rows = []
    for meeting in past:
        present = people.by_ids(ctx.db, store.attendees(ctx.db, meeting.id))
        rows.append(
            meeting_row(meeting)
            | {
                "state": meeting.state,
                "attendees": [p.display_name for p in present.values()],
                "decisions": [d.text for d in store.decisions_of(ctx.db, meeting.id)],
                "covered": [f"T{t.seq}" for t in store.topics_done_in(ctx.db, meeting.id)],
            }
        )
    return ctx.reply("meeting_history", project=ctx.project.key, meetings=rows)
