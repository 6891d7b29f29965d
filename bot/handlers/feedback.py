"""The pilot feedback log (问题记录表): report, list, show and stats.

Anyone in the project reports, viewers too, in a channel or in a DM with the bot (a DM
write goes to the caller's only project, the one chosen with `use`, or the one a
`P2/F3` id names). Triage is in bot/handlers/feedback_triage.py.
"""

from __future__ import annotations

from types import SimpleNamespace as Args

from bot.context import Context
from bot.feedback_view import LIST_LIMIT, detail, ref, rows, stats
from bot.messages import Label, Reply
from bot.registry import command
from storage import feedback
from storage.feedback import OPEN_STATES, Feedback
from storage.sequences import next_seq

FILTERS = {"open": (OPEN_STATES, None), "all": (None, None), "high": (OPEN_STATES, "high")}


@command(
    "feedback",
    "<text:text> [severity <severity:high|medium|low>] [step <step:text>]",
    permission="report",
    id="feedback.report",
)
def report(ctx: Context, args: Args) -> Reply:
    found = feedback.add(
        ctx.db,
        Feedback(
            project_id=ctx.project.id,
            seq=next_seq(ctx.db, ctx.project.id, "F"),
            text=args.text,
            severity=args.severity or "medium",
            step=args.step,
            reporter_id=ctx.actor.id,
            created_at=ctx.now(),
        ),
    )
    ctx.record("feedback", found.id, "reported", None, args.text)
    return ctx.say(
        "feedback.reported",
        "channel",
        id=f"F{found.seq}",
        ref=ref(ctx.project, found),
        severity=Label("severity", found.severity),
        text=found.text,
    )


@command("feedback list", "[<filter:open|all|high>]", permission="read")
def feedback_list(ctx: Context, args: Args) -> Reply:
    which = args.filter or "open"
    states, severity = FILTERS[which]
    found, total = feedback.listing(
        ctx.db, ctx.project.id, states=states, severity=severity, limit=LIST_LIMIT
    )
    return ctx.reply(
        "feedback_list",
        filter=which,
        reports=rows(ctx.db, ctx.project, found),
        total=total,
        project=ctx.project.key,
    )


@command("feedback show", "<feedback:feedback>", permission="read")
def feedback_show(ctx: Context, args: Args) -> Reply:
    return ctx.reply("feedback_show", **detail(ctx.db, ctx.project, args.feedback))


@command("feedback stats", permission="read")
def feedback_stats(ctx: Context, args: Args) -> Reply:
    return ctx.reply("feedback_stats", **stats(ctx.db, ctx.project))
