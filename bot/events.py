"""Event notices: who hears of a change to an item, queued on `ctx.notices`.

The dispatcher writes them to the outbox in the command's transaction. The
actor never gets a notice about their own change. A finished item is news for
the next digest, not a post of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from bot.context import Context
from bot.jobs.periods import morning_day, overdue_cutoff
from bot.notices import alert_key, dm, item_notices
from bot.views import item_row
from storage import grouped, outbox, people, sweeps
from storage.models import ActionItem, Person

LEADS_AND_OWNER = ("lead", "process-owner")


def _tell(ctx: Context, recipients: Iterable[Person], template: str, **data: Any) -> None:
    seen: set[int] = {ctx.actor.id}
    for person in recipients:
        if person.id in seen:
            continue
        seen.add(person.id)
        ctx.notices.append(dm(person, template, ctx.locale, **data))


def _common(ctx: Context, item: ActionItem, owner: Person | None) -> dict[str, Any]:
    return {
        "item": item_row(item, owner, ctx.today(), calendar=ctx.calendar),
        "project": ctx.project.key,
        "project_name": ctx.project.name,
        "actor": ctx.actor.display_name,
    }


def assigned(ctx: Context, item: ActionItem, owner: Person) -> None:
    """A new item or a reassignment: its (new) owner hears, by DM."""
    _tell(
        ctx, [owner], "notice_assigned", deliverable=item.deliverable, **_common(ctx, item, owner)
    )


def unassigned(ctx: Context, item: ActionItem, previous: Person, owner: Person) -> None:
    """A reassignment: the previous owner hears that the item is no longer theirs."""
    _tell(
        ctx,
        [previous],
        "notice_unassigned",
        new_owner=owner.display_name,
        **_common(ctx, item, owner),
    )


def due_moved(ctx: Context, item: ActionItem, old_due: date, escalated: str = "") -> None:
    """The owner and the leads hear of a moved due date (the process owner leads too)."""
    owner = people.by_ids(ctx.db, [item.owner_id]).get(item.owner_id)
    leads = sweeps.people_in_roles(ctx.db, ctx.project.id, LEADS_AND_OWNER)
    recipients = [owner, *leads] if owner else list(leads)
    _tell(
        ctx,
        recipients,
        "notice_due_moved",
        old_due=old_due,
        earlier=item.due_date < old_due,
        escalated=escalated,
        **_common(ctx, item, owner),
    )


def blocked(ctx: Context, item: ActionItem, reason: str) -> None:
    """The item's owner (when someone else blocked it), the leads and the process owner
    hear of a blocker, with its reason."""
    owner = people.by_ids(ctx.db, [item.owner_id]).get(item.owner_id)
    leads = sweeps.people_in_roles(ctx.db, ctx.project.id, LEADS_AND_OWNER)
    recipients = [owner, *leads] if owner else list(leads)
    _tell(ctx, recipients, "notice_blocked", reason=reason, **_common(ctx, item, owner))


def unblocked(ctx: Context, item: ActionItem) -> None:
    """The owner hears when someone else unblocks their item."""
    owner = people.by_ids(ctx.db, [item.owner_id]).get(item.owner_id)
    if owner is not None:
        _tell(ctx, [owner], "notice_unblocked", **_common(ctx, item, owner))


def reopened(ctx: Context, item: ActionItem) -> None:
    """An item reopened after its alert morning: its owner's overdue DM now, and a line in
    the channel's next grouped overdue post (never a second post that morning), unless
    the alert for this due date went out before."""
    project = ctx.project
    morning = morning_day(ctx.clock.local(project.timezone))
    if item.due_date > overdue_cutoff(ctx.calendar, morning):
        return
    if outbox.key_used(ctx.db, alert_key("overdue", item)):
        return  # alerted for this due date already
    owner = people.by_ids(ctx.db, [item.owner_id]).get(item.owner_id)
    ctx.notices.extend(
        item_notices("overdue", item, project, owner, morning, ctx.today(), ctx.calendar)
    )
    grouped.add_pending(ctx.db, item, ctx.clock.now())
