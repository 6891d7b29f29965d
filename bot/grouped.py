"""Grouped channel posts: many lines for one channel as one post, paged to fit.

`channel_posts` is the one helper every grouped morning post uses (overdue
items here; the escalation ladder's `lead` lines the same way): given the rows
for ONE bound channel, it builds one notice, or several pages when the rows do
not fit the platform's limits (Slack: 50 blocks, 3,000 characters a section;
DingTalk: 20,000 bytes as sent). Whether a page fits is asked of the platform's
outbox renderer (`fits`), so the check is made on what will really be sent.
Pages are keyed `<key>`, `<key>:2`, `<key>:3`…, the outbox adds the target:
one post per (channel, day, kind), whoever queues it and however often.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.messages import Notice, Target
from bot.outbox.enqueue import renderer
from storage.models import ChannelBinding, Person


def mention_id(person: Person | None, platform: str) -> str | None:
    """The platform user id to mention `person` by in a post to `platform` (the bot's own
    record of who they are, never text a user typed); None on another platform."""
    if person is None or person.platform != platform:
        return None
    return person.user_id


def _fits(platform: str, template: str, data: dict[str, Any], locale: str) -> bool:
    check = getattr(renderer(platform), "fits", None)
    try:
        return True if check is None else bool(check(template, data, locale))
    except Exception:  # rendering it fails: the outbox logs and skips it when it renders
        return True


def channel_posts(
    binding: ChannelBinding,
    template: str,
    rows: Sequence[dict[str, Any]],
    data: dict[str, Any],
    locale: str,
    key: str,
    last_page: dict[str, Any] | None = None,
) -> list[Notice]:
    """One post of `rows` to the channel of `binding`, paged to fit its platform.

    The template gets `items` (this page's rows), `page` (1, 2, …) and `data`;
    `last_page` is merged into the last page's data only (a closing count line);
    its keys are None on the other pages.
    """
    target = Target(binding.platform, channel_id=binding.channel_id)  # type: ignore[arg-type]
    tail = last_page or {}

    def page_data(start: int, count: int, page: int) -> dict[str, Any]:
        final = start + count >= len(rows)
        chosen = list(rows[start : start + count])
        closing = tail if final else dict.fromkeys(tail)  # None on the other pages
        return {**data, **closing, "items": chosen, "page": page}

    notices: list[Notice] = []
    start = 0
    while start < len(rows):
        page = len(notices) + 1
        count = _largest(
            len(rows) - start,
            lambda n: _fits(target.platform, template, page_data(start, n, page), locale),  # noqa: B023
        )
        page_key = key if page == 1 else f"{key}:{page}"
        notices.append(
            Notice(target, template, page_data(start, count, page), locale, dedupe_key=page_key)
        )
        start += count
    return notices


def _largest(most: int, fits: Any) -> int:
    """The largest n in 1..most with fits(n) (fits is monotone); 1 when none does."""
    if fits(most):
        return most
    low, high = 1, most - 1  # low: a page always holds at least one row
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low
