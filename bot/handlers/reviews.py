"""Parallel reviews (会签/或签): open one, and the reviewers' decisions.

`approve` and `changes` follow the slot, not the project role (COMMANDS.md): they are
registered with scope "target", so `P2/R3` works from anywhere and a bare `R3` in a DM
finds the review sent to the caller; the handler then checks that the caller decides a
slot of it (its reviewer or delegate).
"""

from __future__ import annotations

from types import SimpleNamespace as Args

from bot import targets
from bot.context import Context
from bot.converters import convert
from bot.errors import CommandError
from bot.handlers import review_flow as flow
from bot.handlers.review_parse import parse_open
from bot.ladder import close_for_review
from bot.mentions import resolve
from bot.messages import Label, Reply
from bot.registry import command
from bot.reviews_view import deciders, ref, request_notices, review_row, slot_rows
from storage import people, projects, reviews
from storage.reviews import Review, ReviewDecision, ReviewSlot
from storage.sequences import next_seq


@targets.sent_to("R")
def _sent(db, person_id: int, seq: int):  # noqa: ANN001, ANN202
    return reviews.projects_sent(db, person_id, seq)


def _slots(ctx: Context, args: Args) -> list[ReviewSlot]:
    owner = projects.with_role(ctx.db, ctx.project.id, "process-owner")
    fallback = owner[0].person_id if owner else ctx.actor.id
    slots = []
    for name in dict.fromkeys(args.depts):
        dept = people.department(ctx.db, name)
        if dept is None:
            known = ", ".join(d.name for d in people.departments(ctx.db)) or "-"
            raise CommandError("dept.unknown", value=name, known=known)
        slots.append(ReviewSlot(review_id=0, project_id=ctx.project.id, department_id=dept.id,
                                reviewer_id=dept.head_id or fallback, no_head=dept.head_id is None))
    seen: set[int] = set()
    for token in args.people:
        person = resolve(ctx.db, token, ctx.inbound, create=True)
        if person.id not in seen:
            seen.add(person.id)
            slots.append(ReviewSlot(review_id=0, project_id=ctx.project.id, person_id=person.id,
                                    reviewer_id=person.id))
    return slots


@command("review", permission="contribute", id="review.open", parse=parse_open)
def open_review(ctx: Context, args: Args) -> Reply:
    if len(args.title) > 200:
        raise CommandError("input.too_long", name=Label("field", "title"), limit=200,
                           length=len(args.title))
    if args.link and len(args.link) > 500:
        raise CommandError("input.too_long", name=Label("field", "link"), limit=500,
                           length=len(args.link))
    item = convert(ctx, "item", "item", args.item) if args.item else None
    slots = _slots(ctx, args)
    today = ctx.today()
    review = reviews.add(
        ctx.db,
        Review(
            project_id=ctx.project.id,
            seq=next_seq(ctx.db, ctx.project.id, "R"),
            title=args.title,
            link=args.link,
            item_id=item.id if item else None,
            mode=args.mode or "all",
            within_days=args.within,
            opened_at=ctx.now(),
            round_opened_on=today,
            due_date=ctx.calendar.add_working_days(today, args.within),
            requester_id=ctx.actor.id,
        ),
        slots,
    )
    flow.log(ctx, review, "opened", None, f"{review.mode} {review.within_days}wd")
    ctx.notices.extend(request_notices(ctx.db, ctx.project, review, slots, ctx.actor, today))
    return ctx.reply(
        "review_opened",
        "channel",
        review=review_row(ctx.project, review, slots, today),
        slots=slot_rows(ctx.db, review, slots, ctx.project, today),
        item=f"A{item.seq}" if item else None,
    )


def _my_slot(ctx: Context, review: Review, slots: list[ReviewSlot]) -> ReviewSlot:
    mine = [s for s in slots if ctx.actor.id in deciders(s)]
    if not mine:
        raise CommandError("review.not_reviewer", id=f"R{review.seq}")
    pending = [s for s in mine if s.state == "pending"]
    return (pending or mine)[0]


def _decide(ctx: Context, raw: str, kind: str, text: str | None) -> Reply:
    review = flow.find(ctx, raw)
    slots = reviews.slots_of(ctx.db, [review.id])[review.id]
    slot = _my_slot(ctx, review, slots)
    flow.require_open(review)
    if slot.state != "pending":
        raise CommandError("review.already_decided", id=f"R{review.seq}",
                           state=Label("review_slot", slot.state))
    today = ctx.today()
    slot.state, slot.decided_at, slot.decided_by = kind, ctx.now(), ctx.actor.id
    slot.comment = text
    slot.working_days = ctx.calendar.working_days_after(review.round_opened_on, today)
    ctx.db.add(slot)
    reviews.decide(ctx.db, ReviewDecision(
        review_id=review.id, project_id=review.project_id, slot_id=slot.id,
        department_id=slot.department_id or ctx.actor.department_id, round=review.round,
        kind=kind, actor_id=ctx.actor.id,
        at=ctx.now(), text=text, working_days=slot.working_days,
    ))
    ctx.record("review", review.id, kind, None, text)
    flow.log_decision(ctx, review, slot, kind, text)
    outcome = flow.settle(ctx, review, slots)
    close_for_review(ctx.db, review, slots, ctx.now(), ctx.actor.id)
    return ctx.say(
        f"review.decided_{kind}", "channel", id=ref(ctx.project, review), title=review.title,
        days=slot.working_days, outcome=Label("review_state", outcome),
    )


@command("approve", "<review:word> [<comment:text>]", permission="none", scope="target",
         target="review", id="approve")
def approve(ctx: Context, args: Args) -> Reply:
    return _decide(ctx, args.review, "approved", args.comment)


@command("changes", "<review:word> <reason:text>", permission="none", scope="target",
         target="review", id="changes")
def changes(ctx: Context, args: Args) -> Reply:
    return _decide(ctx, args.review, "changes", args.reason)
