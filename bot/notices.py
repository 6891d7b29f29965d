"""Notices about one item that more than one place sends: DMs and the overdue alert."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.messages import Notice, Target
from bot.views import item_row
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
    channels: Sequence[ChannelBinding],
    morning: date,
    today: date,
    calendar: WorkCalendar,
) -> list[Notice]:
    """An overdue alert (the channels and the owner) or a reminder (the owner) for `item`.

    Keyed `<kind>:<item>:<due>`, so it goes out once per due date whoever queues it.
    """
    data: dict[str, Any] = {
        "item": item_row(item, owner, today, calendar=calendar),
        "project": project.key,
        "project_name": project.name,
        "working_days": calendar.working_days_after(item.due_date, morning),
    }
    key = f"{kind}:{item.id}:{item.due_date.isoformat()}"
    notices = []
    if kind == "overdue":
        notices = to_channels(channels, "overdue_alert", data, project.locale, key)
    if owner is not None:
        notices.append(dm(owner, f"{kind}_dm", project.locale, key, **data))
    return notices
