"""Every change to one action item: its lifecycle, blocker, owner, due date and notes."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace as Args

from bot import events
from bot.context import Context
from bot.errors import CommandError
from bot.handlers.actions import with_due_note
from bot.ladder import close_for_item
from bot.messages import Label, Reply
from bot.registry import command
from bot.views import item_label
from storage import people
from storage.items import ACTIVE
from storage.models import ActionItem


def _save(ctx: Context, item: ActionItem) -> None:
    item.updated_at = ctx.now()
    ctx.db.add(item)


def _changed(ctx: Context, key: str, item: ActionItem, **params: object) -> Reply:
    return ctx.say(key, "channel", id=item_label(item), title=item.title, **params)


def _set_status(ctx: Context, item: ActionItem, status: str) -> None:
    ctx.record("item", item.id, "status", item.status, status)
    item.status = status
    if status != "blocked" and item.blocked_reason:
        item.blocked_reason = None
    item.done_at = ctx.now() if status == "done" else None
    _save(ctx, item)


def _require(item: ActionItem, allowed: tuple[str, ...], action: str) -> None:
    if item.status not in allowed:
        raise CommandError(
            "item.bad_state",
            id=item_label(item),
            status=Label("status", item.status),
            action=Label("command", f"action.{action}"),
        )


# verb: (the statuses it may leave, the status it sets, its reply)
TRANSITIONS = {
    "start": (("open", "blocked"), "in_progress", "item.started"),
    "done": (ACTIVE, "done", "item.done"),
    "reopen": (("done", "cancelled"), "open", "item.reopened"),
    "cancel": (ACTIVE, "cancelled", "item.cancelled"),
}


def _transition(verb: str) -> Callable[[Context, Args], Reply]:
    allowed, status, reply_key = TRANSITIONS[verb]

    def handler(ctx: Context, args: Args) -> Reply:
        _require(args.item, allowed, verb)
        was_blocked = args.item.status == "blocked"
        _set_status(ctx, args.item, status)
        close_for_item(ctx.db, args.item, verb, ctx.now(), ctx.actor.id)  # its escalations
        if was_blocked and status == "in_progress":
            events.unblocked(ctx, args.item)
        if status == "open":
            events.reopened(ctx, args.item)
        return _changed(ctx, reply_key, args.item)

    handler.__name__ = verb
    return handler


for _verb in TRANSITIONS:
    command(f"action {_verb}", "<item:item>", permission="own-item")(_transition(_verb))


@command("action block", "<item:item> <reason:text>", permission="own-item")
def block(ctx: Context, args: Args) -> Reply:
    item: ActionItem = args.item
    _require(item, ACTIVE, "block")
    if item.status != "blocked":
        _set_status(ctx, item, "blocked")
    ctx.record("item", item.id, "blocked_reason", item.blocked_reason, args.reason)
    item.blocked_reason = args.reason
    _save(ctx, item)
    events.blocked(ctx, item, args.reason)
    return _changed(ctx, "item.blocked", item, reason=args.reason)


@command("action reassign", "<item:item> <owner:member>", permission="manage")
def reassign(ctx: Context, args: Args) -> Reply:
    item: ActionItem = args.item
    _require(item, ACTIVE, "reassign")
    if item.owner_id == args.owner.id:
        raise CommandError("item.same_owner", id=item_label(item), name=args.owner.display_name)
    old = people.by_ids(ctx.db, [item.owner_id]).get(item.owner_id)
    ctx.record("item", item.id, "owner", old.display_name if old else None, args.owner.display_name)
    item.owner_id = args.owner.id
    _save(ctx, item)
    events.assigned(ctx, item, args.owner)
    if old is not None:
        events.unassigned(ctx, item, old, args.owner)
    return _changed(ctx, "item.reassigned", item, name=args.owner.display_name)


@command("action due", "<item:item> <due:date>", permission="due")
def due(ctx: Context, args: Args) -> list[Reply]:
    item: ActionItem = args.item
    _require(item, ACTIVE, "due")
    if item.due_date == args.due:
        raise CommandError("item.same_due", id=item_label(item), due=args.due)
    ctx.record("item", item.id, "due", item.due_date.isoformat(), args.due.isoformat())
    old_due, item.due_date = item.due_date, args.due
    earlier = args.due < old_due  # moving a date earlier is not a slip
    if not earlier:
        item.slips += 1
    _save(ctx, item)
    future = args.due > ctx.today()  # a new due date in the future starts a new ladder
    closed = close_for_item(ctx.db, item, "due", ctx.now(), ctx.actor.id) if future else []
    events.due_moved(ctx, item, old_due, escalated=", ".join(closed))
    key = "item.due_earlier" if earlier else "item.due_moved"
    moved = _changed(ctx, key, item, due=args.due, slips=item.slips)
    return with_due_note(ctx, moved, item)


@command("action note", "<item:item> <text:text>", permission="own-item")
def note(ctx: Context, args: Args) -> Reply:
    ctx.record("item", args.item.id, "note", None, args.text)
    _save(ctx, args.item)
    return _changed(ctx, "item.noted", args.item)


# COMMANDS.md's short forms: `done A3`, `start A3` (完成 A3, 开始 A3).
command("done", "<item:item>", permission="own-item", id="done")(_transition("done"))
command("start", "<item:item>", permission="own-item", id="start")(_transition("start"))
# and the same for the other item verbs, since their Chinese aliases read as commands on
# their own (阻塞 A3 …, 截止 A3 周五): `block A3 …` is `action block A3 …`.
for _verb in ("reopen", "cancel"):
    command(_verb, "<item:item>", permission="own-item", id=f"action.{_verb}")(_transition(_verb))
command("block", "<item:item> <reason:text>", permission="own-item", id="action.block")(block)
command("reassign", "<item:item> <owner:member>", permission="manage", id="action.reassign")(
    reassign
)
command("due", "<item:item> <due:date>", permission="due", id="action.due")(due)
command("note", "<item:item> <text:text>", permission="own-item", id="action.note")(note)
