"""Renotify: an unacknowledged escalation reminds its current targets every N working hours.

Working hours are 09:00-18:00 project time on working days of the project calendar,
counted from the record's last notice; a slot is only sent inside working hours. Each
(timezone, calendar, interval) group turns "N working hours since the last notice" into
one instant, so the database returns only the records that are due (index on state and
last notice): a tick with nothing due reads no records.
DM only. Each slot is taken by a compare-and-set on the record (so one process of
several sends it; the due records' slots are taken in one statement a chunk) and keyed
`esc:<record>:<level>:r<slot>` in the outbox. A renotify that falls in a target's quiet
hours is dropped, not delivered late.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.escalation_view import review_slots_of
from bot.jobs.registry import JobEnv, job
from bot.ladder import REVIEW_SLOT, dm_data
from bot.messages import Notice
from bot.notices import dm
from bot.outbox.enqueue import enqueue_many
from bot.outbox.quiet import quiet_until
from bot.workdays import WorkCalendar, calendar_for
from storage import escalation_sets, escalations, people
from storage.engine import transaction
from storage.escalations import EscalationEvent
from storage.models import ActionItem

JOB = "escalation-renotify"
DAY_START, DAY_END = time(9, 0), time(18, 0)
MAX_LOOKBACK_DAYS = 3660  # a calendar with no working day in ten years renotifies nothing


def in_working_hours(moment: datetime, zone: str, calendar: WorkCalendar) -> bool:
    local = moment.astimezone(ZoneInfo(zone))
    return calendar.is_working(local.date()) and DAY_START <= local.time() < DAY_END


def cutoff(now: datetime, zone: str, calendar: WorkCalendar, hours: int) -> datetime | None:
    """The latest last-notice instant from which `hours` working hours (09:00-18:00 on
    working days) have passed by `now`: a record is due when notified at or before it.
    None when `now` is outside working hours (nothing is sent then)."""
    if not in_working_hours(now, zone, calendar):
        return None
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    left = timedelta(hours=hours)
    day = local.date()
    for _ in range(MAX_LOOKBACK_DAYS):
        if calendar.is_working(day):
            opens = datetime.combine(day, DAY_START, tzinfo=tz)
            closes = min(local, datetime.combine(day, DAY_END, tzinfo=tz))
            if closes - opens >= left:
                return (closes - left).astimezone(UTC)  # as stored: UTC
            left -= max(timedelta(0), closes - opens)
        day -= timedelta(days=1)
    return None


def due_groups(
    groups: Sequence[tuple[str, str, int]], now: datetime
) -> list[escalation_sets.RenotifyCutoff]:
    """(zone, calendar, hours, cutoff) of each group of projects inside its working hours."""
    found = []
    for zone, calendar_name, hours in groups:
        moment = cutoff(now, zone, calendar_for(calendar_name), hours)
        if moment is not None:
            found.append((zone, calendar_name, hours, moment))
    return found


@job(JOB)
def renotify(env: JobEnv) -> int:
    now = env.clock.now()
    with transaction(env.engine) as db:
        cutoffs = due_groups(escalation_sets.renotify_groups(db), now)
        due = escalation_sets.renotify_due(db, cutoffs)
        if not due:
            return 0
        ids = [r.id for r, _ in due]
        query = select(EscalationEvent).where(
            col(EscalationEvent.escalation_id).in_(ids), EscalationEvent.kind == "notified"
        )
        told: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for event in db.exec(query).all():
            if event.person_id is not None:
                told[event.escalation_id][event.level or ""].add(event.person_id)
        wanted = {pid for levels in told.values() for s in levels.values() for pid in s}
        item_ids = {r.item_id for r, _ in due if r.item_id}
        found = db.exec(select(ActionItem).where(col(ActionItem.id).in_(item_ids))).all()
        items = {i.id: i for i in found}
        everyone = people.by_ids(db, wanted | {i.owner_id for i in items.values()})
        slots = review_slots_of(db, [r for r, _ in due])
        taken = escalations.take_renotify_slots(db, [r for r, _ in due], now)
        notices: list[tuple[Notice, int]] = []
        events: list[dict] = []
        for record, project in due:
            slot = record.renotified + 1
            if record.id not in taken:
                continue  # another process took this slot
            escalations.event(db, record, "renotify", now, events, level=record.level,
                              note=str(slot))
            item = items.get(record.item_id or 0)
            owner = everyone.get(item.owner_id) if item else None
            today = now.astimezone(ZoneInfo(project.timezone)).date()
            data = dm_data(record, project, item, owner, today, kind="renotify", why=None,
                           review=slots.get(record.subject_id or 0)
                           if record.subject_kind == REVIEW_SLOT else None)
            for person_id in sorted(told[record.id][record.level]):
                person = everyone.get(person_id)
                if person is None or quiet_until(
                    person.quiet_start, person.quiet_end, env.settings.timezone, now
                ):
                    continue  # in quiet hours: dropped, not delivered late
                key = f"esc:{record.id}:{record.level}:r{slot}"
                notices.append((dm(person, "escalation_dm", project.locale, key, **data),
                                project.id))
        escalations.add_events(db, events)
        return enqueue_many(db, notices, now, env.settings.timezone)
