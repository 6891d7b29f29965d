"""Notices about items that more than one place sends: DMs, and the grouped overdue post.

The channels hear of overdue items only in the morning's grouped post (one per
channel and working morning, `overdue_post`); the owner gets a DM per item.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.grouped import channel_posts, mention_id
from bot.messages import Notice, Target
from bot.views import item_label, item_row
from bot.workdays import WorkCalendar
from storage.models import ActionItem, ChannelBinding, Person, Project


def dm(person: Person, template: str, locale: str, key: str | None = None, **data: Any) -> Notice:
    target = Target(person.platform, user_id=person.user_id)  # type: ignore[arg-type]
    return Notice(target, template, data, locale=locale, dedupe_key=key)


def to_channels(
    channels: Sequence[ChannelBinding],
    template: str,
    data: dict[str, Any],
    locale: str,
    key: str | None,
) -> list[Notice]:
    """One post per channel bound to the project."""
    return [
        Notice(
            Target(b.platform, channel_id=b.channel_id),  # type: ignore[arg-type]
            template,
            data,
            locale=locale,
            dedupe_key=key,
        )
        for b in channels
    ]


def item_notices(
    kind: str,
    item: ActionItem,
    project: Project,
    owner: Person | None,
    morning: date,
    today: date,
    calendar: WorkCalendar,
) -> list[Notice]:
    """The owner's DM for `item`: its overdue alert or a reminder (the channels get the
    grouped post, `overdue_post_notices`).

    Keyed `<kind>:<item>:<due>`, so it goes out once per due date whoever queues it; the
    escalation ladder takes the overdue DM as its day-1 owner notice.
    """
    data: dict[str, Any] = {
        "item": item_row(item, owner, today, calendar=calendar),
        "project": project.key,
        "project_name": project.name,
        "working_days": calendar.working_days_after(item.due_date, morning),
    }
    key = alert_key(kind, item)
    return [dm(owner, f"{kind}_dm", project.locale, key, **data)] if owner is not None else []


def alert_key(kind: str, item: ActionItem) -> str:
    return f"{kind}:{item.id}:{item.due_date.isoformat()}"


def overdue_entry(
    item: ActionItem, owner: Person | None, platform: str, morning: date, calendar: WorkCalendar
) -> dict[str, Any]:
    """One line of the grouped overdue post: the owner by name and by platform id."""
    return {
        "id": item_label(item),
        "title": item.title,
        "owner": owner.display_name if owner else "?",
        "uid": mention_id(owner, platform),
        "due": item.due_date,
        "days": calendar.working_days_after(item.due_date, morning),
    }


def overdue_post_notices(
    project: Project,
    channels: Sequence[ChannelBinding],
    listed: Sequence[tuple[ActionItem, Person | None]],
    older: int,
    morning: date,
    calendar: WorkCalendar,
) -> list[Notice]:
    """The morning's grouped overdue post of one project, to each of its channels:
    `listed` items, then the count of `older` ones still overdue. None without items."""
    if not listed:
        return []
    data = {"project": project.key, "project_name": project.name, "total": len(listed)}
    key = f"overdue_post:{morning.isoformat()}"  # + the channel: one per (channel, day, kind)
    notices: list[Notice] = []
    for binding in channels:
        rows = [overdue_entry(i, o, binding.platform, morning, calendar) for i, o in listed]
        notices += channel_posts(
            binding, "overdue_post", rows, data, project.locale, key, {"more": older}
        )
    return notices
