"""Action items: add (and its short form) and show."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace as Args
from zoneinfo import ZoneInfo

from bot import events
from bot.context import Context
from bot.errors import CommandError
from bot.escalation_view import of_item
from bot.grammar import looks_like_date
from bot.messages import Label, Reply
from bot.registry import command
from bot.tokens import Token
from bot.views import item_label, item_row
from storage import feedback, history, items, meetings, people, projects
from storage.models import ActionItem, Person


def with_due_note(ctx: Context, reply: Reply, item: ActionItem) -> list[Reply]:
    """The reply, and a private note when the due date is not a working day."""
    if ctx.calendar.is_working(item.due_date):
        return [reply]
    holiday = ctx.calendar.holiday_name(item.due_date, ctx.locale)
    note = ctx.say(
        "date.non_working_holiday" if holiday else "date.non_working",
        date=item.due_date,
        calendar=Label("option", ctx.calendar.name),
        id=item_label(item),
        holiday=holiday or "",
    )
    return [reply, note]


def create_item(
    ctx: Context, title: str, owner: Person, due: date, deliverable: str | None
) -> tuple[ActionItem, list[Reply]]:
    """A new item, with its owner's notice and its replies (also `feedback act`'s path)."""
    now = ctx.now()
    item = items.add(
        ctx.db,
        ActionItem(
            project_id=ctx.project.id,
            seq=projects.next_item_seq(ctx.db, ctx.project.id),
            title=title,
            owner_id=owner.id,
            due_date=due,
            original_due=due,
            deliverable=deliverable,
            created_by=ctx.actor.id,
            created_at=now,
            updated_at=now,
        ),
    )
    ctx.record(
        "item", item.id, "created", None, f"{title} | @{owner.display_name} | {due.isoformat()}"
    )
    events.assigned(ctx, item, owner)
    meetings.link_item(ctx.db, ctx.project.id, item.id)  # into a running meeting's minutes
    row = item_row(item, owner, ctx.today(), calendar=ctx.calendar)
    added = ctx.reply("action_added", "channel", item=row, deliverable=deliverable)
    return item, with_due_note(ctx, added, item)


@command(
    "action add",
    "<title:text> owner <owner:member> due <due:date> [deliverable <deliverable:text>]",
    permission="contribute",
)
def add(ctx: Context, args: Args) -> list[Reply]:
    return create_item(ctx, args.title, args.owner, args.due, args.deliverable)[1]


def _parse_short(tokens: list[Token]) -> dict[str, object]:
    """`add <title> @user <date>`: the last mention splits title from date."""
    at = max((i for i, t in enumerate(tokens) if t.mention), default=-1)
    if at < 0:
        raise CommandError("parse.missing", name=Label("field", "owner"))
    if at == 0:
        raise CommandError("parse.missing", name=Label("field", "title"))
    if at == len(tokens) - 1 or not looks_like_date(tokens[at + 1]):
        raise CommandError("parse.missing", name=Label("field", "due"))
    return {
        "title": " ".join(t.text for t in tokens[:at]),
        "owner": tokens[at],
        "due": " ".join(t.text for t in tokens[at + 1 :]),
    }


@command(
    "add",
    "<title:text> <owner:member> <due:date>",
    permission="contribute",
    id="add",
    parse=_parse_short,
)
def add_short(ctx: Context, args: Args) -> list[Reply]:
    return create_item(ctx, args.title, args.owner, args.due, None)[1]


@command("show", "<item:item>", permission="read", id="action.show")
@command("action show", "<item:item>", permission="read")
def show(ctx: Context, args: Args) -> Reply:
    item: ActionItem = args.item
    entries = history.of(ctx.db, "item", item.id)
    names = people.by_ids(ctx.db, [item.owner_id, item.created_by, *(h.actor_id for h in entries)])
    zone = ZoneInfo(ctx.project.timezone)
    notes = [h for h in entries if h.field == "note"]
    changes = [h for h in entries if h.field != "note"]
    return ctx.reply(
        "action_show",
        item=item_row(item, names.get(item.owner_id), ctx.today(), calendar=ctx.calendar),
        deliverable=item.deliverable,
        escalations=of_item(ctx.db, ctx.project, item, ctx.today()),
        from_feedback=_source(ctx, item),
        original_due=item.original_due,
        creator=names[item.created_by].display_name,
        created_at=item.created_at.astimezone(zone),
        notes=[
            {"at": h.at.astimezone(zone), "by": _name(names, h.actor_id), "text": h.new}
            for h in notes
        ],
        history=[
            {
                "at": h.at.astimezone(zone),
                "by": _name(names, h.actor_id),
                "field": h.field,
                "old": h.old,
                "new": h.new,
            }
            for h in changes
        ],
    )


def _source(ctx: Context, item: ActionItem) -> dict[str, str] | None:
    """The feedback report the item was created from (`feedback act`), if any."""
    report = feedback.of_item(ctx.db, item.id)
    if report is None:
        return None
    text = report.text if len(report.text) <= 120 else report.text[:119] + "…"
    return {"id": f"F{report.seq}", "text": text}


def _name(names: dict[int, Person], person_id: int | None) -> str:
    return names[person_id].display_name if person_id in names else "-"
