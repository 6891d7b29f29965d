"""`escalate` (a blocker or a conflict) and `escalation list|show|ack|resolve`."""

from __future__ import annotations

import re
from types import SimpleNamespace as Args

from bot import escalation_view
from bot.context import Context
from bot.converters import ITEM_ID
from bot.errors import CommandError
from bot.ladder import Directory, dm_data, notify, record_ref, resolve
from bot.messages import Label, Reply
from bot.notices import to_channels
from bot.registry import command
from bot.targets import parse_record_id, sent_to
from bot.tokens import Token
from storage import escalations, projects
from storage.escalations import Escalation
from storage.models import ActionItem
from storage.sequences import next_seq

LIST_LIMIT = 30
MANAGERS = ("lead", "process-owner")


@sent_to("E")
def _sent(db, person_id: int, seq: int):  # noqa: ANN001, ANN202
    return escalations.projects_sent_to(db, person_id, seq)


RECORD_VERBS = ("list", "show", "ack", "resolve", "列表", "详情", "确认", "解决")
RECORD_ARGS = re.compile(r"(?i)^(open|all|未解决|全部|(P\d+/)?E\d+)$")


def _looks_like_a_record_command(tokens: list[Token]) -> bool:
    """`escalate list`, `上报 列表`, `escalate ack E2 …`: meant `escalation …`, not a new
    escalation titled "list"."""
    if tokens[0].word not in RECORD_VERBS:
        return False
    return len(tokens) == 1 or (not tokens[1].quoted and bool(RECORD_ARGS.match(tokens[1].text)))


def _parse_escalate(tokens: list[Token]) -> dict[str, object]:
    if not tokens:
        raise CommandError("parse.missing", name=Label("field", "text"))
    if _looks_like_a_record_command(tokens):
        raise CommandError("escalation.record_verb", line=" ".join(t.text for t in tokens))
    raw: dict[str, object] = {}
    first = tokens[0]
    if not first.quoted and ITEM_ID.match(first.text):
        raw["item"], tokens = first.text, tokens[1:]
        if not tokens:
            raise CommandError("parse.missing", name=Label("field", "reason"))
    words = [t.word for t in tokens]
    def splits(i: int) -> bool:  # `to @user`, `to dept X`, `dept X` end the text
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if words[i] in ("dept", "部门"):
            return after is not None
        return after is not None and (after.mention or after.word in ("dept", "部门"))

    cut = next((i for i, w in enumerate(words) if w in ("to", "给", "dept", "部门") and i
                and splits(i)), None)
    cut = None if "item" in raw else cut
    text_tokens = tokens if cut is None else tokens[:cut]
    raw["text"] = " ".join(t.text for t in text_tokens)
    if cut is not None:
        rest = tokens[cut + 1:]
        if not rest:
            raise CommandError("parse.missing", name=Label("field", "target"))
        if words[cut] in ("to", "给") and rest[0].word in ("dept", "部门"):
            rest = rest[1:]
            words[cut] = "dept"
        if words[cut] in ("dept", "部门"):
            raw["dept"] = " ".join(t.text for t in rest)
        elif len(rest) == 1:
            raw["who"] = rest[0]
        else:
            raise CommandError("parse.unexpected", value=rest[1].text)
    return raw


def _record(ctx: Context, **fields: object) -> Escalation:
    now = ctx.now()
    record = escalations.add(ctx.db, Escalation(
        project_id=ctx.project.id, seq=next_seq(ctx.db, ctx.project.id, "E"),
        raised_by=ctx.actor.id, created_at=now, last_notified_at=now, **fields))
    escalations.event(ctx.db, record, "raised", now, level=record.level, actor_id=ctx.actor.id,
                      note=record.reason)
    return record


@command("escalate", "[<item:item>] <text:text> [to <who:user>] [dept <dept:dept>]",
         permission="contribute", parse=_parse_escalate)
def escalate(ctx: Context, args: Args) -> Reply:
    item: ActionItem | None = args.item
    if item is not None:
        if item.status not in ("open", "in_progress", "blocked"):
            raise CommandError("escalation.item_closed", id=f"A{item.seq}",
                               status=Label("status", item.status))
        ctx.record("item", item.id, "status", item.status, "blocked")
        ctx.record("item", item.id, "blocked_reason", item.blocked_reason, args.text)
        item.status, item.blocked_reason, item.updated_at = "blocked", args.text, ctx.now()
        ctx.db.add(item)
        record = _record(ctx, subject_kind="item", subject_id=item.id, item_id=item.id,
                         level="lead", reason=args.text)
    else:
        record = _record(ctx, subject_kind="conflict", level="target", reason=args.text,
                         target_id=args.who.id if args.who else None,
                         target_dept_id=args.dept.id if args.dept else None)
    owner = None
    directory = Directory(ctx.db, [ctx.project.id], [item.owner_id] if item else [])
    if item is not None:
        owner = directory.people.get(item.owner_id)
    if args.who:
        directory.people[args.who.id] = args.who
    if args.dept:
        directory.add_dept(ctx.db, args.dept)
    recipients = directory.targets(ctx.project.id, record.level, owner, record)
    data = dm_data(record, ctx.project, item, owner, ctx.today(), raised_by=ctx.actor.display_name)
    ctx.notices += notify(ctx.db, record, ctx.project, recipients, "raised", ctx.now(), data,
                          skip=ctx.actor.id)
    channels = projects.bindings(ctx.db, ctx.project.id)
    ctx.notices += to_channels(channels, "escalation_raised", data, ctx.project.locale,
                               f"esc-raised:{record.id}")
    return ctx.say("escalation.raised", id=f"E{record.seq}",
                   names=", ".join(p.display_name for p, _ in recipients) or "-")


def _states(tokens: list[Token]) -> dict[str, object]:
    word = tokens[0].word if tokens else "open"
    if len(tokens) > 1 or word not in ("open", "all", "未解决", "进行中", "全部"):
        raise CommandError("parse.bad_choice", value=" ".join(t.text for t in tokens),
                           choices=(Label("option", "open"), Label("option", "all")))
    return {"which": "all" if word in ("all", "全部") else "open"}


@command("escalation list", "[<which:open|all>]", permission="read", scope="reads-all",
         parse=_states)
def listing(ctx: Context, args: Args) -> list[Reply]:
    states = escalations.OPEN_STATES if args.which == "open" else (*escalations.OPEN_STATES,
                                                                   "resolved")
    replies = []
    for project in ctx.projects_in_scope():
        records = escalations.listing(ctx.db, [project.id], states, LIST_LIMIT)
        rows = escalation_view.rows(ctx.db, records, project, ctx.clock.today(project.timezone))
        replies.append(ctx.reply_about(project, "escalation_list", project=project.key,
                                       rows=rows, which=args.which))
    return replies


def _find(ctx: Context, raw: object) -> Escalation:
    parsed = parse_record_id(raw)
    if parsed is None or parsed[1] != "E":
        raise CommandError("escalation.bad_id", value=raw)
    record = escalations.by_seq(ctx.db, ctx.project.id, parsed[2]) if ctx.project else None
    if record is None:
        raise CommandError("escalation.unknown", id=f"E{parsed[2]}",
                           project=ctx.project.key if ctx.project else "-")
    return record


def _is_manager(ctx: Context) -> bool:
    return ctx.membership is not None and ctx.membership.role in MANAGERS


@command("escalation show", "<id:word>", permission="none", scope="target", target="id")
def show(ctx: Context, args: Args) -> Reply:
    record = _find(ctx, args.id)
    sent = ctx.actor.id in {e.person_id for e in escalations.events_of(ctx.db, record.id)}
    if ctx.membership is None and not sent:
        raise CommandError("perm.not_member")
    (row,) = escalation_view.rows(ctx.db, [record], ctx.project, ctx.today())
    return ctx.reply("escalation_show", project=ctx.project.key, row=row,
                     ref=record_ref(record, ctx.project),
                     history=escalation_view.history(ctx.db, record, ctx.project))


@command("escalation ack", "<id:word> eta <eta:date>", permission="none", scope="target",
         target="id")
def ack(ctx: Context, args: Args) -> Reply:
    record = _find(ctx, args.id)
    if not _is_manager(ctx) and ctx.actor.id not in escalations.notified_at_level(ctx.db, record):
        raise CommandError("escalation.not_target", id=f"E{record.seq}")
    if record.state == "resolved":
        raise CommandError("escalation.resolved", id=f"E{record.seq}")
    now = ctx.now()
    record.state, record.ack_by, record.ack_at = "acknowledged", ctx.actor.id, now
    record.eta = args.eta
    ctx.db.add(record)
    escalations.event(ctx.db, record, "ack", now, level=record.level, actor_id=ctx.actor.id,
                      note=args.eta.isoformat())
    return ctx.say("escalation.acked", "channel" if not ctx.inbound.is_dm else "private",
                   id=f"E{record.seq}", name=ctx.actor.display_name, eta=args.eta)


@command("escalation resolve", "<id:word> <resolution:text>", permission="manage",
         scope="target", target="id")
def resolve_(ctx: Context, args: Args) -> Reply:
    record = _find(ctx, args.id)
    if record.state == "resolved":
        raise CommandError("escalation.resolved", id=f"E{record.seq}")
    resolve(ctx.db, record, args.resolution, ctx.now(), ctx.actor.id)
    escalations.event(ctx.db, record, "resolved", ctx.now(), actor_id=ctx.actor.id,
                      note=args.resolution)
    return ctx.say("escalation.resolved_now", "channel" if not ctx.inbound.is_dm else "private",
                   id=f"E{record.seq}", resolution=args.resolution)


# short forms, so the Chinese verbs read as commands: 确认 E3 eta 明天, 解决 E3 "…"
command("ack", "<id:word> eta <eta:date>", permission="none", scope="target", target="id",
        id="escalation.ack")(ack)
command("resolve", "<id:word> <resolution:text>", permission="manage", scope="target",
        target="id", id="escalation.resolve")(resolve_)
