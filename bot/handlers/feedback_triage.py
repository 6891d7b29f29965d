"""Triage of the feedback log, by the leads and the process owner.

The state machine: new → accepted | rejected | duplicate | acted; accepted → rejected |
duplicate | acted | closed; acted → closed. Rejected, duplicate and closed reports are
done with. Each step is kept in the history, and the reporter is told by DM.
"""

from __future__ import annotations

from types import SimpleNamespace as Args

from bot.context import Context
from bot.errors import CommandError
from bot.feedback_view import notice, ref
from bot.handlers.actions import create_item
from bot.messages import Label, Reply
from bot.registry import command
from storage import feedback
from storage.feedback import Feedback

# the states each triage step may start from, and the state it leads to
STEPS = {
    "accept": (("new",), "accepted"),
    "reject": (("new", "accepted"), "rejected"),
    "duplicate": (("new", "accepted"), "duplicate"),
    "act": (("new", "accepted"), "acted"),
    "close": (("accepted", "acted"), "closed"),
}
NOTED = ("accept", "reject")  # the steps whose text is the triage note
TITLE_LIMIT = 200


def _check(report: Feedback, step: str) -> None:
    """Refuse a step the report's state does not allow, saying why."""
    allowed, _ = STEPS[step]
    if report.state not in allowed:
        raise CommandError(
            f"feedback.cannot_{step}",
            id=f"F{report.seq}",
            state=Label("feedback_state", report.state),
        )


def _move(ctx: Context, report: Feedback, step: str, text: str | None, **data: object) -> None:
    """Record the step on the report and in its history; queue the reporter's notice."""
    old, new = report.state, STEPS[step][1]
    report.state = new
    if step == "close":
        report.resolution, report.closed_at = text, ctx.now()
    else:
        report.triaged_by, report.triaged_at = ctx.actor.id, ctx.now()
    if step in NOTED:  # act and duplicate keep an earlier acceptance's note
        report.note = text
    feedback.save(ctx.db, report)
    ctx.record("feedback", report.id, new, old, text)
    ctx.notices.extend(notice(ctx.db, ctx.project, report, new, ctx.actor, note=text, **data))


def _done(ctx: Context, key: str, report: Feedback, **params: object) -> Reply:
    return ctx.say(key, "channel", id=f"F{report.seq}", text=report.text, **params)


@command("feedback accept", "<feedback:feedback> [<note:text>]", permission="manage")
def accept(ctx: Context, args: Args) -> Reply:
    _check(args.feedback, "accept")
    _move(ctx, args.feedback, "accept", args.note)
    return _done(ctx, "feedback.accepted", args.feedback, note=args.note or "-")


@command("feedback reject", "<feedback:feedback> <why:text>", permission="manage")
def reject(ctx: Context, args: Args) -> Reply:
    _check(args.feedback, "reject")
    _move(ctx, args.feedback, "reject", args.why)
    return _done(ctx, "feedback.rejected", args.feedback, why=args.why)


@command("feedback duplicate", "<feedback:feedback> <original:feedback>", permission="manage")
def duplicate(ctx: Context, args: Args) -> Reply:
    report: Feedback = args.feedback
    original: Feedback = args.original
    _check(report, "duplicate")
    if original.id == report.id:
        raise CommandError("feedback.duplicate_self", id=f"F{report.seq}")
    if original.duplicate_of is not None:
        root = feedback.by_ids(ctx.db, [original.duplicate_of])[original.duplicate_of]
        raise CommandError("feedback.duplicate_chain", id=f"F{original.seq}",
                           original=f"F{root.seq}")
    report.duplicate_of = original.id
    _move(ctx, report, "duplicate", f"F{original.seq}", original=ref(ctx.project, original))
    return _done(ctx, "feedback.duplicated", report, original=f"F{original.seq}")


@command(
    "feedback act",
    "<feedback:feedback> owner <owner:member> due <due:date>",
    permission="manage",
)
def act(ctx: Context, args: Args) -> list[Reply]:
    report: Feedback = args.feedback
    _check(report, "act")
    title = report.text if len(report.text) <= TITLE_LIMIT else report.text[: TITLE_LIMIT - 1] + "…"
    item, replies = create_item(ctx, title, args.owner, args.due, None)
    report.item_id = item.id
    _move(ctx, report, "act", f"A{item.seq}", item=f"{ctx.project.key}/A{item.seq}",
          owner=args.owner.display_name, due=item.due_date)
    acted = _done(ctx, "feedback.acted", report, item=f"A{item.seq}")
    return [acted, *replies]


@command("feedback close", "<feedback:feedback> <resolution:text>", permission="manage")
def close(ctx: Context, args: Args) -> Reply:
    _check(args.feedback, "close")
    _move(ctx, args.feedback, "close", args.resolution)
    return _done(ctx, "feedback.closed", args.feedback, resolution=args.resolution)
