"""Reviews after they open: resubmit, delegate, cancel; list, show and stats."""

from __future__ import annotations

from types import SimpleNamespace as Args

from bot.context import Context
from bot.errors import CommandError
from bot.handlers import review_flow as flow
from bot.ladder import close_for_review
from bot.messages import Label, Reply
from bot.notices import dm
from bot.permissions import MANAGERS
from bot.registry import command
from bot.reviews_view import (
    deciders,
    history_rows,
    ref,
    request_notices,
    review_row,
    slot_rows,
    stats,
)
from bot.tokens import Token
from storage import people, reviews
from storage.reviews import Review

ALL_WORDS = ("all", "全部")


def _manager(ctx: Context) -> bool:
    return ctx.membership is not None and ctx.membership.role in MANAGERS


def _requester_or_manager(ctx: Context, review: Review) -> None:
    if review.requester_id != ctx.actor.id and not _manager(ctx):
        raise CommandError("review.not_requester", id=f"R{review.seq}")


def _parse_resubmit(tokens: list[Token]) -> dict[str, object]:
    if not tokens:
        raise CommandError("parse.missing", name=Label("field", "review"))
    rest = tokens[1:]
    every = bool(rest) and rest[-1].word in ALL_WORDS
    rest = rest[:-1] if every else rest
    text = " ".join(t.text for t in rest).strip()
    return {"review": tokens[0].text, "what": text or None, "all": every}


@command("review resubmit", permission="none", scope="target", target="review",
         parse=_parse_resubmit)
def resubmit(ctx: Context, args: Args) -> Reply:
    review = flow.find(ctx, args.review)
    _requester_or_manager(ctx, review)
    if review.state not in (reviews.OPEN, "changes"):
        flow.require_open(review)
    if args.what and len(args.what) > 1000:
        raise CommandError("input.too_long", name=Label("field", "text"), limit=1000,
                           length=len(args.what))
    slots = reviews.slots_of(ctx.db, [review.id])[review.id]
    today = ctx.today()
    review.round += 1
    review.state = reviews.OPEN
    review.round_opened_on = today
    review.due_date = ctx.calendar.add_working_days(today, review.within_days)
    asked = [s for s in slots if args.all or s.state != "approved"]
    for slot in asked:
        slot.state, slot.round = "pending", review.round
        slot.decided_at = slot.decided_by = slot.comment = slot.working_days = None
        ctx.db.add(slot)
    ctx.db.add(review)
    flow.log(ctx, review, "resubmitted", None, args.what)
    requester = people.by_ids(ctx.db, [review.requester_id])[review.requester_id]
    ctx.notices.extend(request_notices(ctx.db, ctx.project, review, asked, requester, today,
                                       what_changed=args.what))
    return ctx.say("review.resubmitted", "channel", id=ref(ctx.project, review),
                   title=review.title, round=review.round, count=len(asked), due=review.due_date)


@command("review delegate", "<review:word> <person:newuser> [dept <dept:dept>]",
         permission="none", scope="target", target="review")
def delegate(ctx: Context, args: Args) -> Reply:
    review = flow.find(ctx, args.review)
    if review.state not in (reviews.OPEN, "changes"):
        flow.require_open(review)
    slots = reviews.slots_of(ctx.db, [review.id])[review.id]
    depts = people.departments_by_ids(ctx.db, (s.department_id for s in slots))
    candidates = [
        s for s in slots
        if s.department_id is not None and s.state == "pending"
        and (args.dept is None or s.department_id == args.dept.id)
        and (_manager(ctx) or ctx.actor.id in (s.reviewer_id, depts[s.department_id].head_id))
    ]
    if not candidates:
        raise CommandError("review.not_head", id=f"R{review.seq}")
    if len(candidates) > 1:
        names = ", ".join(depts[s.department_id].name for s in candidates)
        raise CommandError("review.delegate_which", id=f"R{review.seq}", depts=names)
    slot = candidates[0]
    if args.person.id in deciders(slot):
        raise CommandError("review.same_delegate", name=args.person.display_name)
    slot.delegate_id = args.person.id
    ctx.db.add(slot)
    flow.log(ctx, review, "delegated", slot, args.person.display_name)
    requester = people.by_ids(ctx.db, [review.requester_id])[review.requester_id]
    ctx.notices.extend(request_notices(ctx.db, ctx.project, review, [slot], requester,
                                       ctx.today(), delegated_by=ctx.actor.display_name))
    return ctx.say("review.delegated", "channel", id=ref(ctx.project, review),
                   dept=depts[slot.department_id].name, name=args.person.display_name)


@command("review cancel", "<review:word> <reason:text>", permission="none", scope="target",
         target="review")
def cancel(ctx: Context, args: Args) -> Reply:
    review = flow.find(ctx, args.review)
    _requester_or_manager(ctx, review)
    if review.state not in (reviews.OPEN, "changes"):
        flow.require_open(review)
    slots = reviews.slots_of(ctx.db, [review.id])[review.id]
    review.state, review.closed_at = "cancelled", ctx.now()
    ctx.db.add(review)
    flow.log(ctx, review, "cancelled", None, args.reason)
    close_for_review(ctx.db, review, slots, ctx.now(), ctx.actor.id)
    flow.tell_requester(ctx, review, slots, "cancelled", reason=args.reason)
    row = review_row(ctx.project, review, slots, ctx.today())
    told = {ctx.actor.id, review.requester_id}
    names = people.by_ids(ctx.db, [p for s in slots if s.state == "pending" for p in deciders(s)])
    for person in names.values():
        if person.id not in told:
            key = f"review-outcome:{review.id}:{review.round}:cancelled:{person.id}"
            ctx.notices.append(dm(person, "review_outcome", ctx.project.locale, key, review=row,
                                  outcome="cancelled", project=ctx.project.key, reasons=[],
                                  actor=ctx.actor.display_name, reason=args.reason))
    return ctx.say("review.cancelled", "channel", id=ref(ctx.project, review),
                   title=review.title, reason=args.reason)


@command("review list", "[<filter:open|mine|all>]", permission="read")
def review_list(ctx: Context, args: Args) -> Reply:
    which = args.filter or "open"
    found = reviews.with_slots(ctx.db, [ctx.project.id], None if which != "open" else ["open"])
    if which == "mine":
        found = [(r, slots) for r, slots in found if r.requester_id == ctx.actor.id
                 or any(ctx.actor.id in deciders(s) for s in slots)]
    today = ctx.today()
    rows = [review_row(ctx.project, r, slots, today) for r, slots in found]
    return ctx.reply("review_list", filter=which, reviews=rows, project=ctx.project.key)


@command("review show", "<review:word>", permission="none", scope="target", target="review")
def review_show(ctx: Context, args: Args) -> Reply:
    review = flow.find(ctx, args.review)
    slots = reviews.slots_of(ctx.db, [review.id])[review.id]
    if ctx.membership is None and not any(ctx.actor.id in deciders(s) for s in slots):
        raise CommandError("perm.not_member")
    today = ctx.today()
    requester = people.by_ids(ctx.db, [review.requester_id])[review.requester_id]
    return ctx.reply(
        "review_show",
        review=review_row(ctx.project, review, slots, today),
        requester=requester.display_name,
        opened_on=review.opened_at.astimezone(ctx.clock.local(ctx.project.timezone).tzinfo),
        slots=slot_rows(ctx.db, review, slots, ctx.project, today),
        history=history_rows(ctx.db, reviews.history(ctx.db, review.id), ctx.project),
    )


@command("review stats", "[dept <dept:dept>]", permission="read")
def review_stats(ctx: Context, args: Args) -> Reply:
    return ctx.reply("review_stats", **stats(ctx.db, ctx.project, args.dept))
