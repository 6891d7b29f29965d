"""Raw argument values -> domain values, one converter per kind (a dispatch table)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.context import Context
from bot.dates import parse_due
from bot.errors import CommandError
from bot.mentions import resolve
from bot.messages import Label
from bot.targets import parse_record_id
from bot.tokens import Token
from storage import feedback, items, people, projects

ITEM_ID = re.compile(r"^(?:(?P<project>[A-Za-z][A-Za-z0-9_-]{0,15})/)?[Aa](?P<seq>\d{1,9})$")
PROJECT_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,15}$")
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
LIMITS = {"title": 200, "name": 80, "topic": 200, "goal": 500, "deliverable": 500, "unit": 16,
          "step": 200}
DEFAULT_LIMIT = 1000
MAX_NUMBER = 1e12  # KPI values; keeps arithmetic on them finite


def _text(ctx: Context, name: str, raw: object) -> str:
    value = str(raw).strip()
    if not value:
        raise CommandError("parse.missing", name=Label("field", name))
    limit = LIMITS.get(name, DEFAULT_LIMIT)
    if len(value) > limit:
        raise CommandError(
            "input.too_long", name=Label("field", name), limit=limit, length=len(value)
        )
    return value


def _word(ctx: Context, name: str, raw: object) -> str:
    return str(raw)


def _number(ctx: Context, name: str, raw: object) -> float:
    try:
        value = float(str(raw).replace(",", ""))
    except ValueError:
        raise CommandError("parse.number", value=raw) from None
    if not math.isfinite(value):
        raise CommandError("parse.number", value=raw)
    if abs(value) > MAX_NUMBER:
        raise CommandError("parse.number_range", value=raw, limit=f"{MAX_NUMBER:g}")
    return value


def _date(ctx: Context, name: str, raw: object):  # noqa: ANN202
    return parse_due(str(raw), ctx.today(), ctx.calendar)


def _user(ctx: Context, name: str, raw: object):  # noqa: ANN202
    return resolve(ctx.db, _token(raw), ctx.inbound, create=False)


def _new_user(ctx: Context, name: str, raw: object):  # noqa: ANN202
    return resolve(ctx.db, _token(raw), ctx.inbound, create=True)


def _member(ctx: Context, name: str, raw: object):  # noqa: ANN202
    within = ctx.project.id if ctx.project else None  # the membership read along
    person = resolve(ctx.db, _token(raw), ctx.inbound, create=False, within=within)
    if ctx.project and projects.membership(ctx.db, ctx.project.id, person.id) is None:
        raise CommandError("user.not_member", name=person.display_name, project=ctx.project.key)
    return person


def _token(raw: object) -> Token:
    return raw if isinstance(raw, Token) else Token(str(raw))


def _item(ctx: Context, name: str, raw: object):  # noqa: ANN202
    found = ITEM_ID.match(str(raw).strip())
    if not found:
        raise CommandError("item.bad_id", value=raw)
    if ctx.project is None:
        raise CommandError("scope.ambiguous_project", projects="")
    key = found.group("project")
    if key and key.upper() != ctx.project.key.upper():
        raise CommandError("scope.other_project", value=raw, project=ctx.project.key)
    item = items.by_seq(ctx.db, ctx.project.id, int(found.group("seq")))
    if item is None:
        raise CommandError("item.unknown", id=f"A{found.group('seq')}", project=ctx.project.key)
    return item


def _feedback(ctx: Context, name: str, raw: object):  # noqa: ANN202
    parsed = parse_record_id(raw)
    if parsed is None or parsed[1] != "F":
        raise CommandError("feedback.bad_id", value=raw)
    if ctx.project is None:
        raise CommandError("scope.ambiguous_project", projects="")
    if parsed[0] and parsed[0] != ctx.project.key.upper():
        raise CommandError("scope.other_project", value=raw, project=ctx.project.key)
    found = feedback.by_seq(ctx.db, ctx.project.id, parsed[2])
    if found is None:
        raise CommandError("feedback.unknown", id=f"F{parsed[2]}", project=ctx.project.key)
    return found


def _dept(ctx: Context, name: str, raw: object):  # noqa: ANN202
    dept = people.department(ctx.db, str(raw))
    if dept is None:
        known = ", ".join(d.name for d in people.departments(ctx.db)) or "-"
        raise CommandError("dept.unknown", value=raw, known=known)
    return dept


def _key(ctx: Context, name: str, raw: object) -> str:
    value = str(raw).strip()
    if not PROJECT_KEY.match(value):
        raise CommandError("project.bad_key", value=value)
    return value.upper()


def _zone(ctx: Context, name: str, raw: object) -> str:
    try:
        ZoneInfo(str(raw))
    except (ZoneInfoNotFoundError, ValueError):
        raise CommandError("parse.timezone", value=raw) from None
    return str(raw)


def _time(ctx: Context, name: str, raw: object) -> str:
    found = TIME.match(str(raw))
    if not found:
        raise CommandError("parse.time", value=raw)
    return f"{int(found.group(1)):02d}:{found.group(2)}"


CONVERTERS: dict[str, Callable[[Context, str, object], object]] = {
    "text": _text,
    "word": _word,
    "number": _number,
    "date": _date,
    "user": _user,
    "newuser": _new_user,
    "member": _member,
    "item": _item,
    "feedback": _feedback,
    "dept": _dept,
    "key": _key,
    "zone": _zone,
    "time": _time,
}


def convert(ctx: Context, kind: str, name: str, raw: object) -> object:
    if "|" in kind:  # a fixed choice, already checked by the grammar
        return raw
    return CONVERTERS[kind](ctx, name, raw)


RECORD_KINDS = {"item": "A", "feedback": "F"}  # kinds whose `P2/…` id names the project


def project_key_in(raw: object, kind: str = "item") -> str | None:
    """The `P2` of a `P2/A12` (or `P2/F3` …) id of `kind`, if `raw` is one."""
    parsed = parse_record_id(raw)
    if parsed is None or parsed[1] != RECORD_KINDS.get(kind):
        return None
    return parsed[0]
