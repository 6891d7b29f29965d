"""`project kpi`: define a KPI, set who records it and how often, record a value
(also a backfill), and read its history.

The command runs wherever its KPI is: a `P2/<name>` names the project outright; in a DM
the KPI's owner (named by `every … owner`) reaches a KPI of a project they are not a
member of, by name. Rights are checked here, per form (COMMANDS.md's table): define and
`every` need a lead; `record` a lead or the KPI's owner; `history` any member or the owner.
"""

from __future__ import annotations

from datetime import UTC, date
from types import SimpleNamespace as Args

from bot.context import Context
from bot.dates import parse_due
from bot.errors import CommandError
from bot.grammar import match, parse_spec
from bot.kpi_values import (
    page_of,
    parse_on_day,
    past_month_day,
    same_unit,
    start_of_day,
    value_and_unit,
)
from bot.kpi_view import cadence_data, history_data
from bot.messages import Reply
from bot.permissions import authorize
from bot.registry import command
from bot.tokens import Token
from bot.views import kpi_row, number
from storage import kpis, projects
from storage.models import Kpi, Project

SPEC = (
    "<name:text> [baseline <baseline:number>] [target <target:number>] [unit <unit:text>] "
    "[record <value:text>] [every <every:word>] [on <on:text>] [owner <owner:newuser>]"
)
EVERY_WORDS = {"week": "week", "weekly": "week", "每周": "week", "周": "week",
               "month": "month", "monthly": "month", "每月": "month", "月": "month"}
HISTORY_WORDS = ("history", "历史")
HISTORY_LIMIT = 15


def _parse(tokens: list[Token]) -> dict[str, object]:
    """The spec's values, plus `history` (a trailing `history [page <n>]`) and a bare
    `每周`/`每月` standing for `every week`/`every month`."""
    paged, page = page_of(tokens)
    history = bool(paged) and not paged[-1].quoted and paged[-1].word in HISTORY_WORDS
    if history:
        tokens = paged[:-1]
    spaced: list[Token] = []
    for token in tokens:
        if not token.quoted and token.word in ("每周", "每月") and (
            not spaced or spaced[-1].word not in ("every", "频率")
        ):
            spaced.append(Token("every"))
        spaced.append(token)
    return {**match(parse_spec(SPEC), spaced), "history": history, "page": page}


@command("project kpi", SPEC, permission="none", scope="optional", parse=_parse)
def kpi(ctx: Context, args: Args) -> Reply:
    _in_project(ctx, args)
    if args.history:
        return _history(ctx, args)
    if args.value is not None:
        return _record(ctx, args)
    if args.every is not None or args.owner is not None or args.on is not None:
        return _cadence(ctx, args)
    return _define(ctx, args)


def _in_project(ctx: Context, args: Args) -> None:
    """Settle the project the KPI is in (see the module's docstring) and its name."""
    key, _, rest = args.name.partition("/")
    named = projects.by_key(ctx.db, key) if rest.strip() else None
    if named is not None:
        args.name = rest.strip()
        if not ctx.inbound.is_dm and ctx.project and ctx.project.id != named.id:
            raise CommandError("scope.other_project", value=named.key, project=ctx.project.key)
        return _use(ctx, named)
    if not ctx.inbound.is_dm:
        if ctx.project is None:
            raise CommandError("scope.no_project")
        return None
    if ctx.project is not None and projects.kpi(ctx.db, ctx.project.id, args.name):
        return None
    owned = [
        pid for pid in kpis.owned_project_ids(ctx.db, ctx.actor.id)
        if projects.kpi(ctx.db, pid, args.name)
    ]
    if len(owned) == 1:
        return _use(ctx, ctx.db.get(Project, owned[0]))
    if ctx.project is not None:
        return None
    mine = [p for p, _ in projects.projects_of(ctx.db, ctx.actor.id)]
    keys = sorted({p.key for p in mine} | {
        p.key for p in (ctx.db.get(Project, pid) for pid in owned) if p})
    if not keys:
        raise CommandError("scope.no_projects")
    raise CommandError("scope.ambiguous_project", projects=", ".join(keys))


def _use(ctx: Context, project: Project | None) -> None:
    assert project is not None
    ctx.project, ctx.locale = project, project.locale
    ctx.membership = projects.membership(ctx.db, project.id, ctx.actor.id)


def _known(ctx: Context, name: str) -> Kpi:
    found = projects.kpi(ctx.db, ctx.project.id, name)
    if found is None:
        raise CommandError("kpi.unknown", name=name)
    return found


def _is_owner(ctx: Context, found: Kpi) -> bool:
    cadence = kpis.cadence_of(ctx.db, found.id)
    return cadence is not None and cadence.owner_id == ctx.actor.id


def _define(ctx: Context, args: Args) -> Reply:
    authorize("manage", ctx.membership, None, ctx.today())
    if args.baseline is None or args.target is None:
        raise CommandError("kpi.usage")
    if args.baseline == args.target:
        raise CommandError("kpi.no_change", value=number(args.baseline))
    found = projects.kpi(ctx.db, ctx.project.id, args.name)
    if found is None:
        found = Kpi(project_id=ctx.project.id, name=args.name, baseline=args.baseline,
                    target=args.target, unit=args.unit)
    old = f"{found.name}: {found.baseline:g}→{found.target:g}" if found.id else None
    found.baseline, found.target, found.unit = args.baseline, args.target, args.unit or found.unit
    ctx.db.add(found)
    ctx.db.flush()
    new = f"{found.name}: {found.baseline:g}→{found.target:g}"
    ctx.record("project", ctx.project.id, "kpi", old, new)
    return ctx.say("kpi.defined", "channel", name=found.name, baseline=number(found.baseline),
                   target=number(found.target), unit=found.unit or "")


def _cadence(ctx: Context, args: Args) -> Reply:
    authorize("manage", ctx.membership, None, ctx.today())
    if args.baseline is not None or args.target is not None or args.unit is not None:
        raise CommandError("kpi.usage")
    if args.every is None or args.owner is None:
        raise CommandError("kpi.cadence_usage")
    every = EVERY_WORDS.get(str(args.every).lower())
    if every is None:
        raise CommandError("kpi.bad_every", value=args.every)
    found = _known(ctx, args.name)
    day = parse_on_day(every, args.on)
    cadence, before = kpis.set_cadence(
        ctx.db, found, every, day, args.owner.id, ctx.actor.id, ctx.now()
    )
    old = f"{before.every}/{before.day} @{before.owner_id}" if before else None
    ctx.record("kpi", found.id, "cadence", old, f"{every}/{day} @{args.owner.id}")
    return ctx.reply("kpi_cadence", "channel", **cadence_data(
        ctx.db, cadence, found, ctx.project, ctx.today()))


def _record(ctx: Context, args: Args) -> Reply:
    if args.baseline is not None or args.target is not None or args.every is not None:
        raise CommandError("kpi.usage")
    raw = str(args.value)
    value, typed_unit = value_and_unit(ctx, raw)
    found = _known(ctx, args.name)
    if not _is_owner(ctx, found):
        authorize("manage", ctx.membership, None, ctx.today())
    if typed_unit and not same_unit(typed_unit, found.unit):
        raise CommandError("kpi.wrong_unit", value=raw, unit=found.unit or "-")
    on = _backfill_day(ctx, args.on)
    at = ctx.now() if on is None else start_of_day(on, ctx.project.timezone).astimezone(UTC)
    projects.record_kpi(ctx.db, found.id, value, at, ctx.actor.id)
    dated = f" ({on.isoformat()})" if on else ""
    ctx.record("project", ctx.project.id, "kpi_value", None, f"{found.name} = {value:g}{dated}")
    row = kpi_row(found, value)
    params = {"name": found.name, "value": number(value), "unit": found.unit or "",
              "progress": row["progress"]}
    if on is not None:
        return ctx.say("kpi.backfilled", "channel", date=on, **params)
    return ctx.say("kpi.recorded", "channel", **params)


def _backfill_day(ctx: Context, raw: object) -> date | None:
    if raw is None:
        return None
    day = past_month_day(str(raw), ctx.today()) or parse_due(
        str(raw), ctx.today(), ctx.calendar, allow_past=True
    )
    if day > ctx.today():
        raise CommandError("kpi.future_date", value=str(raw))
    return day


def _history(ctx: Context, args: Args) -> Reply:
    if any(getattr(args, f) is not None for f in ("baseline", "target", "value", "every")):
        raise CommandError("kpi.usage")
    found = _known(ctx, args.name)
    if not _is_owner(ctx, found):
        authorize("read", ctx.membership, None, ctx.today())
    data = history_data(ctx.db, found, ctx.project, ctx.today(), args.page, HISTORY_LIMIT)
    return ctx.reply("kpi_history", **data)
