"""`quiet`: a person's daily hours without DMs (held in the outbox until they end)."""

from __future__ import annotations

import re
from types import SimpleNamespace as Args

from bot import options
from bot.context import Context
from bot.errors import CommandError
from bot.messages import Label, Reply
from bot.registry import command
from bot.tokens import Token

QUIET = re.compile(r"^(\d{1,2}:\d{2})\s*[-–~～至到]\s*(\d{1,2}:\d{2})$")


def _parse_quiet(tokens: list[Token]) -> dict[str, object]:
    text = " ".join(t.text for t in tokens).strip()
    if not text:
        raise CommandError("parse.missing", name=Label("field", "hours"))
    return {"hours": text}


@command("quiet", "<hours:word>", permission="none", scope="optional", parse=_parse_quiet)
def quiet(ctx: Context, args: Args) -> Reply:
    person = ctx.actor
    if options.canonical(args.hours, ("off",)):
        person.quiet_start = person.quiet_end = None
        ctx.db.add(person)
        return ctx.say("quiet.off")
    found = QUIET.match(args.hours)
    if not found:
        raise CommandError("quiet.bad_range", value=args.hours)
    start, end = (_hhmm(found.group(i)) for i in (1, 2))
    if start == end:
        raise CommandError("quiet.empty", value=args.hours)
    person.quiet_start, person.quiet_end = start, end
    ctx.db.add(person)
    return ctx.say("quiet.set", start=start, end=end, tz=ctx.settings.timezone)


def _hhmm(text: str) -> str:
    hour, minute = (int(part) for part in text.split(":"))
    if hour > 23 or minute > 59:
        raise CommandError("parse.time", value=text)
    return f"{hour:02d}:{minute:02d}"
