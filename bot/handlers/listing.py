"""`action list` with its filters, and `status` (the digest's content, privately)."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace as Args

from bot import options
from bot.context import Context
from bot.errors import CommandError
from bot.mentions import resolve
from bot.messages import Reply
from bot.progress_view import progress
from bot.registry import command
from bot.tokens import Token
from bot.views import item_rows
from storage import items, people
from storage.items import ItemFilter
from storage.models import Project

LIST_LIMIT = 30
FILTER_WORDS = ("mine", "overdue", "blocked", "all")  # option.* spells them per locale
ALL_STATUSES = ("open", "in_progress", "blocked", "done", "cancelled")


PAGE = re.compile(r"^(?:第)?(\d{1,4})页?$")


def _page(tokens: list[Token]) -> tuple[list[Token], int]:
    """The filter's tokens without a trailing `page 2` / `第2页`, and the page number."""
    if len(tokens) >= 2 and tokens[-2].word in ("page", "页") and tokens[-1].text.isdigit():
        return tokens[:-2], max(1, int(tokens[-1].text))
    if tokens and tokens[-1].word.startswith("第") and (found := PAGE.match(tokens[-1].word)):
        return tokens[:-1], max(1, int(found.group(1)))
    return tokens, 1


def _parse_filter(tokens: list[Token]) -> dict[str, object]:
    tokens, page = _page(tokens)
    typed = " ".join(t.text if not t.mention else f"@{t.text}" for t in tokens)
    return {**_parse_filter_words(tokens), "page": page, "typed": typed}


def _parse_filter_words(tokens: list[Token]) -> dict[str, object]:
    if not tokens:
        return {"filter": None}
    first = tokens[0]
    if first.mention and len(tokens) == 1:
        return {"filter": "user", "who": first}
    if first.word in ("dept", "部门") and len(tokens) > 1:
        return {"filter": "dept", "dept_name": " ".join(t.text for t in tokens[1:])}
    chosen = options.canonical(first.word, FILTER_WORDS) if len(tokens) == 1 else None
    if chosen:
        return {"filter": chosen}
    raise CommandError("list.bad_filter", value=" ".join(t.text for t in tokens))


def _todays(ctx: Context, scope: list[Project]) -> dict[int, date]:
    return {p.id: ctx.clock.today(p.timezone) for p in scope}


def _filter(ctx: Context, args: Args, scope: list[Project]) -> ItemFilter:
    flt = ItemFilter(project_ids=[p.id for p in scope], today=_todays(ctx, scope))
    match args.filter:
        case "mine":
            flt.owner_id = ctx.actor.id
        case "overdue":
            flt.overdue_only = True
        case "blocked":
            flt.statuses = ("blocked",)
        case "all":
            flt.statuses = ALL_STATUSES
        case "user":
            flt.owner_id = resolve(ctx.db, args.who, ctx.inbound, create=False).id
        case "dept":
            dept = people.department(ctx.db, args.dept_name)
            if dept is None:
                raise CommandError(
                    "dept.unknown",
                    value=args.dept_name,
                    known=", ".join(d.name for d in people.departments(ctx.db)),
                )
            flt.department_id = dept.id
    return flt


@command("action list", permission="read", scope="reads-all", parse=_parse_filter)
def action_list(ctx: Context, args: Args) -> Reply:
    scope = ctx.projects_in_scope()
    flt = _filter(ctx, args, scope)
    offset = (args.page - 1) * LIST_LIMIT
    rows, total = items.listing(ctx.db, flt, LIST_LIMIT, offset)
    keys = {p.id: p.key for p in scope} if ctx.project is None and len(scope) > 1 else None
    visibility = "private" if args.filter == "mine" or ctx.inbound.is_dm else "channel"
    return ctx.reply(
        "action_list",
        visibility,
        items=item_rows(ctx.db, rows, flt.today, keys),
        total=total,
        more=max(0, total - offset - len(rows)),
        next_page=args.page + 1,
        typed=f"{args.typed} " if args.typed else "",
        filter=args.filter or "open",
        projects=[p.key for p in scope],
    )


@command("status", permission="read", scope="reads-all")
def status(ctx: Context, args: Args) -> list[Reply]:
    return [
        ctx.reply_about(project, "status", **progress(ctx.db, ctx.clock, project))
        for project in ctx.projects_in_scope()
    ]
