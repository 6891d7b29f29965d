"""`calendar show|holiday|workday`: the organisation's working-day calendar (COMMANDS.md).

Overrides are organisation-wide: they work in a DM or any channel, need no
project, and are kept in the history (entity "calendar", no project).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace as Args

from bot.calendar_view import cn_calendar, year_data
from bot.context import Context
from bot.dates import parse_due
from bot.errors import CommandError
from bot.messages import Label, Reply
from bot.permissions import authorize_org_admin
from bot.registry import command
from bot.tokens import Token
from bot.workdays import reload_overrides
from storage import calendar as overrides
from storage import history

MAX_RANGE_DAYS = 60
MAX_NAME = 80
YEARS = (1950, 2100)  # what the holiday packages can speak of
RANGE = re.compile(r"\s*(?:\.\.|~|～|至|到)\s*")
SEPARATORS = ("..", "~", "～", "至", "到", "-")


def _parse_override(tokens: list[Token]) -> dict[str, object]:
    """`<date>[..<date>] ["<name>"]`: the date text (range kept whole) and the name."""
    if not tokens or tokens[0].quoted:
        raise CommandError("parse.missing", name=Label("field", "date"))
    dates, rest = tokens[0].text, tokens[1:]
    if len(rest) >= 2 and not rest[0].quoted and rest[0].text in SEPARATORS:
        dates, rest = f"{dates}..{rest[1].text}", rest[2:]
    elif rest and not rest[0].quoted and rest[0].text[:2] == "..":
        dates, rest = dates + rest[0].text, rest[1:]
    name = " ".join(t.text for t in rest).strip()
    return {"dates": dates, "name": name or None}


def _parse_show(tokens: list[Token]) -> dict[str, object]:
    if tokens and not tokens[0].text.rstrip("年").isdigit():  # `calendar holidays 2027`
        raise CommandError("calendar.bad_year", value=tokens[0].text, low=YEARS[0], high=YEARS[1])
    if len(tokens) > 1:
        raise CommandError("parse.unexpected", value=tokens[1].text)
    return {"year": tokens[0].text if tokens else None}


def _date(ctx: Context, text: str) -> date:
    return parse_due(text, ctx.today(), ctx.calendar, allow_past=True)


def _span(ctx: Context, text: str) -> tuple[date, date]:
    parts = RANGE.split(text.strip(), maxsplit=1)
    if len(parts) == 2 and not all(parts):
        raise CommandError("calendar.bad_range", value=text)
    start = _date(ctx, parts[0])
    end = _date(ctx, parts[1]) if len(parts) == 2 else start
    if end < start:
        raise CommandError("calendar.reversed", start=start, end=end)
    days = (end - start).days + 1
    if days > MAX_RANGE_DAYS:
        raise CommandError("calendar.too_long", days=days, limit=MAX_RANGE_DAYS)
    for d in (start, end):
        if not YEARS[0] <= d.year <= YEARS[1]:
            raise CommandError("calendar.bad_year", value=d.year, low=YEARS[0], high=YEARS[1])
    return start, end


def _name(raw: str | None) -> str:
    name = (raw or "").strip()
    if len(name) > MAX_NAME:
        raise CommandError(
            "input.too_long", name=Label("field", "name"), limit=MAX_NAME, length=len(name)
        )
    return name


def _may_override(ctx: Context) -> None:
    authorize_org_admin(ctx.db, ctx.settings.admin_ids(), ctx.inbound.user_id, ctx.actor.id)


def _put(ctx: Context, day: date, kind: str, name: str) -> None:
    row, old = overrides.put(ctx.db, day, kind, name, ctx.actor.id, ctx.now())
    history.record(
        ctx.db,
        entity="calendar",
        entity_id=row.id,
        field=kind,
        at=ctx.now(),
        actor_id=ctx.actor.id,
        project_id=None,
        old=f"{old.day} {old.kind} {old.name}".strip() if old else None,
        new=f"{row.day} {row.kind} {row.name}".strip(),
    )


@command(
    "calendar holiday",
    "<dates:word> [<name:text>]",
    permission="none",
    scope="optional",
    parse=_parse_override,
)
def calendar_holiday(ctx: Context, args: Args) -> Reply:
    _may_override(ctx)
    start, end = _span(ctx, args.dates)
    name = _name(args.name)
    day = start
    while day <= end:
        _put(ctx, day, "holiday", name)
        day += timedelta(days=1)
    reload_overrides(ctx.db)
    cn = cn_calendar()
    shown = name or cn.holiday_name(start, ctx.locale) or Label("calendar_kind", "holiday")
    key = "calendar.holiday_set" if start == end else "calendar.holidays_set"
    return ctx.say(
        key, start=start, end=end, days=(end - start).days + 1, name=shown,
        next=cn.next_working_day(end + timedelta(days=1)),
    )


@command(
    "calendar workday",
    "<dates:word> [<name:text>]",
    permission="none",
    scope="optional",
    parse=_parse_override,
)
def calendar_workday(ctx: Context, args: Args) -> Reply:
    _may_override(ctx)
    if len(RANGE.split(args.dates.strip(), maxsplit=1)) > 1:
        raise CommandError("calendar.workday_range", value=args.dates)
    day, _ = _span(ctx, args.dates)
    name = _name(args.name)
    _put(ctx, day, "workday", name)
    reload_overrides(ctx.db)
    info = cn_calendar().day_info(day)
    shown = (info.name(ctx.locale) if info else "") or Label("calendar_kind", "workday")
    return ctx.say("calendar.workday_set", day=day, name=shown)


def calendar_show(ctx: Context, args: Args) -> Reply:
    year = ctx.today().year
    if args.year is not None:
        text = str(args.year).strip().rstrip("年")
        if not text.isdigit():
            raise CommandError("calendar.bad_year", value=args.year, low=YEARS[0], high=YEARS[1])
        year = int(text)
    if not YEARS[0] <= year <= YEARS[1]:
        raise CommandError("calendar.bad_year", value=year, low=YEARS[0], high=YEARS[1])
    return ctx.reply("calendar_show", **year_data(year, ctx.locale))


for words in ("calendar show", "calendar"):
    command(
        words,
        "[<year:word>]",
        permission="none",
        scope="optional",
        id="calendar.show",
        parse=_parse_show,
    )(calendar_show)
