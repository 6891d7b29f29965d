"""A review's life after its decisions: finding it by id, recording each step in its
history, and settling a round (approved when the mode is met, closed on changes)."""

from __future__ import annotations

from bot import catalog
from bot.context import Context
from bot.errors import CommandError
from bot.messages import Label
from bot.notices import dm
from bot.reviews_view import ref, review_row
from bot.targets import parse_record_id
from storage import meetings, people, reviews
from storage.items import ACTIVE
from storage.models import ActionItem
from storage.reviews import Review, ReviewDecision, ReviewSlot


def find(ctx: Context, raw: object) -> Review:
    """The review `R3` / `P2/R3` names in the project in scope."""
    parsed = parse_record_id(raw)
    if parsed is None or parsed[1] != "R":
        raise CommandError("review.bad_id", value=raw)
    if ctx.project is None:
        raise CommandError("scope.no_projects")
    if parsed[0] and parsed[0] != ctx.project.key.upper():
        raise CommandError("scope.other_project", value=raw, project=ctx.project.key)
    review = reviews.by_seq(ctx.db, ctx.project.id, parsed[2])
    if review is None:
        raise CommandError("review.unknown", id=f"R{parsed[2]}", project=ctx.project.key)
    return review


def require_open(review: Review) -> None:
    if review.state == "changes":
        raise CommandError("review.round_closed", id=f"R{review.seq}", round=review.round)
    if review.state != reviews.OPEN:
        raise CommandError("review.closed", id=f"R{review.seq}",
                           state=Label("review_state", review.state))


def log(
    ctx: Context, review: Review, kind: str, slot: ReviewSlot | None, text: str | None
) -> None:
    """One entry of the review's append-only history (and the project's change log)."""
    reviews.decide(ctx.db, ReviewDecision(
        review_id=review.id, project_id=review.project_id, slot_id=slot.id if slot else None,
        department_id=slot.department_id if slot else None, round=review.round, kind=kind,
        actor_id=ctx.actor.id, at=ctx.now(), text=text,
    ))
    ctx.record("review", review.id, kind, None, text)


def log_decision(
    ctx: Context, review: Review, slot: ReviewSlot, kind: str, text: str | None
) -> None:
    """A slot's decision also goes into the project's decision log (`decision search`),
    in the project's language, and into the minutes when a meeting is running."""
    department = people.departments_by_ids(ctx.db, [slot.department_id]).get(
        slot.department_id or 0
    )
    who = department.name if department else ctx.actor.display_name
    line = catalog.text(
        ctx.project.locale, f"review.log_{kind}", id=f"R{review.seq}", title=review.title,
        who=who, round=review.round,
    )
    if text:
        line = f"{line} — {text}"
    running = meetings.running(ctx.db, ctx.project.id)
    meetings.record_decision(
        ctx.db, ctx.project.id, line[:1000], ctx.actor.id, ctx.now(),
        meeting_id=running.id if running else None, source="review",
    )


def tell_requester(
    ctx: Context, review: Review, slots: list[ReviewSlot], outcome: str, **data: object
) -> None:
    requester = people.by_ids(ctx.db, [review.requester_id]).get(review.requester_id)
    if requester is None or requester.id == ctx.actor.id:
        return
    reasons = [
        {"by": p.display_name if (p := people.by_ids(ctx.db, [s.decided_by]).get(s.decided_by))
         else "-", "text": s.comment}
        for s in slots if s.state == "changes" and s.round == review.round
    ]
    key = f"review-outcome:{review.id}:{review.round}:{outcome}"
    ctx.notices.append(dm(
        requester, "review_outcome", ctx.project.locale, key,
        review=review_row(ctx.project, review, slots, ctx.today()), outcome=outcome,
        project=ctx.project.key, reasons=reasons, actor=ctx.actor.display_name, **data,
    ))


def _close_item(ctx: Context, review: Review) -> None:
    item = ctx.db.get(ActionItem, review.item_id) if review.item_id else None
    if item is None:
        return
    note = catalog.text(ctx.project.locale, "review_text.item_note", id=ref(ctx.project, review),
                        title=review.title)
    ctx.record("item", item.id, "note", None, note)
    if item.status in ACTIVE:
        ctx.record("item", item.id, "status", item.status, "done")
        item.status, item.blocked_reason = "done", None
        item.done_at = item.updated_at = ctx.now()
    ctx.db.add(item)


def settle(ctx: Context, review: Review, slots: list[ReviewSlot]) -> str:
    """After a decision: approved when the mode is met, the round closed on changes."""
    approved = [s for s in slots if s.state == "approved"]
    if any(s.state == "changes" and s.round == review.round for s in slots):
        review.state = "changes"
    elif (review.mode == "any" and approved) or len(approved) == len(slots):
        review.state = "approved"
        review.closed_at = ctx.now()
        _close_item(ctx, review)
    if review.state != reviews.OPEN:
        ctx.db.add(review)
        log(ctx, review, "outcome", None, review.state)
        tell_requester(ctx, review, slots, review.state)
    return review.state
