"""Agenda topics (`agenda add|show|remove|done`) and the decision log (`decision`,
`decision search`)."""

from __future__ import annotations

import re
from types import SimpleNamespace as Args
from zoneinfo import ZoneInfo

from bot.agenda_view import agenda_data
from bot.context import Context
from bot.errors import CommandError
from bot.handlers.meetings import require_slot, whole
from bot.meeting_time import upcoming
from bot.meeting_view import is_over
from bot.messages import Label, Reply
from bot.registry import command
from storage import meetings as store
from storage import people
from storage.meetings import DONE, QUEUED, REMOVED, AgendaTopic

TOPIC_ID = re.compile(r"^[Tt](\d{1,9})$")
DEFAULT_TOPIC_MINUTES = 10
MAX_TOPIC_MINUTES = 240
SEARCH_LIMIT = 20


@command(
    "agenda add", "<topic:text> [mins <mins:number>] [by <by:member>]", permission="contribute"
)
def agenda_add(ctx: Context, args: Args) -> Reply:
    minutes = whole(args.mins, DEFAULT_TOPIC_MINUTES, 1, MAX_TOPIC_MINUTES, "mins")
    presenter = args.by or ctx.actor
    topic = store.add_topic(
        ctx.db,
        AgendaTopic(
            project_id=ctx.project.id,
            seq=0,
            topic=args.topic,
            presenter_id=presenter.id,
            minutes=minutes,
            added_by=ctx.actor.id,
            added_at=ctx.now(),
        ),
    )
    ctx.record("topic", topic.id, "created", None, f"{args.topic} | {minutes}")
    return ctx.say(
        "agenda.added",
        id=f"T{topic.seq}",
        topic=topic.topic,
        presenter=presenter.display_name,
        minutes=minutes,
    )


@command("agenda show", permission="read")
def agenda_show(ctx: Context, args: Args) -> Reply:
    slot = require_slot(ctx)
    held = is_over(ctx.db, ctx.project.id)
    occurrence = upcoming(slot, ctx.project, ctx.calendar, ctx.now(), held)
    return ctx.reply("agenda", **agenda_data(ctx.db, ctx.clock, ctx.project, slot, occurrence))


def _queued_topic(ctx: Context, raw: str) -> AgendaTopic:
    found = TOPIC_ID.match(raw.strip())
    if not found:
        raise CommandError("agenda.bad_id", value=raw)
    topic = store.topic(ctx.db, ctx.project.id, int(found.group(1)))
    if topic is None:
        raise CommandError("agenda.unknown", id=f"T{found.group(1)}", project=ctx.project.key)
    if topic.state != QUEUED:
        raise CommandError("agenda.not_queued", id=f"T{topic.seq}",
                           state=Label("topic_state", topic.state))
    return topic


@command("agenda remove", "<topic:word>", permission="manage")
def agenda_remove(ctx: Context, args: Args) -> Reply:
    topic = _queued_topic(ctx, args.topic)
    topic.state = REMOVED
    store.save(ctx.db, topic)
    ctx.record("topic", topic.id, "state", QUEUED, REMOVED)
    return ctx.say("agenda.removed", id=f"T{topic.seq}", topic=topic.topic)


@command("agenda done", "<topic:word>", permission="manage")
def agenda_done(ctx: Context, args: Args) -> Reply:
    topic = _queued_topic(ctx, args.topic)
    meeting = store.running(ctx.db, ctx.project.id)
    topic.state, topic.done_in = DONE, meeting.id if meeting else None
    store.save(ctx.db, topic)
    ctx.record("topic", topic.id, "state", QUEUED, DONE)
    return ctx.say("agenda.done", id=f"T{topic.seq}", topic=topic.topic)


@command("decision", "<text:text>", permission="contribute")
def decision(ctx: Context, args: Args) -> Reply:
    meeting = store.running(ctx.db, ctx.project.id)
    store.record_decision(
        ctx.db,
        ctx.project.id,
        args.text,
        ctx.actor.id,
        ctx.now(),
        meeting_id=meeting.id if meeting else None,
        source="meeting" if meeting else "chat",
    )
    key = "decision.recorded_meeting" if meeting else "decision.recorded"
    return ctx.say(key, "channel", text=args.text)


@command("decision search", "<text:text>", permission="read")
def decision_search(ctx: Context, args: Args) -> Reply:
    words = args.text.split()
    found = store.search_decisions(ctx.db, ctx.project.id, words, SEARCH_LIMIT)
    names = people.by_ids(ctx.db, (d.by_id for d in found if d.by_id))
    zone = ZoneInfo(ctx.project.timezone)
    return ctx.reply(
        "decision_list",
        query=args.text,
        decisions=[
            {
                "text": d.text,
                "by": names[d.by_id].display_name if d.by_id in names else "-",
                "date": d.at.astimezone(zone).date(),
                "source": d.source,
            }
            for d in found
        ],
    )
