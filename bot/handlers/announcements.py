"""Announcements (正式发文): send one, confirm reading it, and who has.

`read` follows the recipient, not the project role (COMMANDS.md): it is registered with
scope "target", so `P2/N3` works from anywhere and a bare `N3` in a DM finds the
announcement sent to the caller, member of the project or not.
"""

from __future__ import annotations

from types import SimpleNamespace as Args

from bot import catalog, targets
from bot.announcements_view import (
    announcement_row,
    local_time,
    pages,
    ref,
    send_notices,
    status_lines,
)
from bot.context import Context
from bot.errors import CommandError
from bot.handlers.announce_parse import parse_announce
from bot.mentions import resolve
from bot.messages import Reply
from bot.outbox.enqueue import renderer
from bot.registry import command
from storage import announcements, people, projects
from storage.announcements import Announcement
from storage.models import Person
from storage.sequences import next_seq


@targets.sent_to("N")
def _sent(db, person_id: int, seq: int):  # noqa: ANN001, ANN202
    return announcements.projects_sent(db, person_id, seq)


def _recipients(ctx: Context, args: Args) -> tuple[list[Person], str, str]:
    """The people, the target as stored, and as the project's language says it."""
    locale = ctx.project.locale
    if args.everyone:
        members = [p for _, p in projects.members(ctx.db, ctx.project.id)]
        return members, "all", catalog.text(locale, "announce_text.to_all")
    if args.depts:
        found = []
        for name in args.depts:
            dept = people.department(ctx.db, name)
            if dept is None:
                known = ", ".join(d.name for d in people.departments(ctx.db)) or "-"
                raise CommandError("dept.unknown", value=name, known=known)
            found.append(dept)
        names = ",".join(d.name for d in found)
        everyone = announcements.people_in_departments(ctx.db, [d.id for d in found])
        return everyone, f"dept {names}", catalog.text(locale, "announce_text.to_dept",
                                                       names=names)
    chosen = {}
    for token in args.people:
        person = resolve(ctx.db, token, ctx.inbound, create=True)
        chosen.setdefault(person.id, person)
    shown = " ".join(f"@{p.display_name}" for p in chosen.values())
    return list(chosen.values()), shown, shown


@command("announce", "<title:text> <text:text> [confirm-by <confirm_by:date>]",
         permission="manage", id="announce.send", parse=parse_announce)
def announce(ctx: Context, args: Args) -> Reply:
    people_to, stored, label = _recipients(ctx, args)
    if not people_to:
        raise CommandError("announce.nobody", target=label)
    announcement = Announcement(
        project_id=ctx.project.id, seq=next_seq(ctx.db, ctx.project.id, "N"),
        title=args.title, text=args.text, link=args.link, target=stored[:200],
        confirm_by=args.confirm_by, required=bool(args.required), sent_at=ctx.now(),
        sent_by=ctx.actor.id,
    )
    rows = announcements.add(ctx.db, announcement, [(p.id, p.department_id) for p in people_to])
    ctx.record("announcement", announcement.id, "sent", None, f"N{announcement.seq} {stored}")
    ctx.notices.extend(send_notices(ctx.db, ctx.project, announcement, rows, ctx.actor, label))
    return ctx.say("announce.sent", id=f"N{announcement.seq}", title=announcement.title,
                   count=len(rows), target=label, confirm_by=announcement.confirm_by or "-")


def find(ctx: Context, raw: str) -> Announcement:
    parsed = targets.parse_record_id(raw)
    if parsed is None or parsed[1] != "N":
        raise CommandError("announce.bad_id", value=raw)
    found = announcements.by_seq(ctx.db, ctx.project.id, parsed[2])
    if found is None:
        raise CommandError("announce.unknown", id=f"N{parsed[2]}", project=ctx.project.key)
    return found


@command("read", "<id:word>", permission="none", scope="target", target="id", id="read")
def read(ctx: Context, args: Args) -> Reply:
    announcement = find(ctx, args.id)
    shown = ref(ctx.project, announcement)
    row = announcements.recipient(ctx.db, announcement.id, ctx.actor.id)
    if row is None:
        raise CommandError("announce.not_sent_to_you", id=shown)
    if row.confirmed_at is not None:
        when = local_time(row.confirmed_at, ctx.project)
        return ctx.say("announce.already_read", id=shown, title=announcement.title,
                       date=when.date())
    row.confirmed_at = ctx.now()
    ctx.db.add(row)
    ctx.record("announcement", announcement.id, "read", None, ctx.actor.display_name)
    return ctx.say("announce.read", id=shown, title=announcement.title)


@command("announce status", "<id:word>", permission="read", scope="target", target="id",
         id="announce.status")
def announce_status(ctx: Context, args: Args) -> list[Reply]:
    announcement = find(ctx, args.id)
    rows = announcements.recipients_of(ctx.db, [announcement.id])[announcement.id]
    done = sum(r.confirmed_at is not None for r in rows)
    head = {
        **announcement_row(ctx.project, announcement, done, len(rows)),
        "sent_on": local_time(announcement.sent_at, ctx.project).date(),
    }
    lines = status_lines(ctx.db, rows)
    fits = getattr(renderer(ctx.inbound.platform), "fits", None)

    def page_fits(chosen: list[dict]) -> bool:
        data = {**head, "lines": chosen, "page": 1}
        return True if fits is None else bool(fits("announcement_status", data, ctx.locale))

    chunks = pages(lines, page_fits)
    return [ctx.reply("announcement_status", **head, lines=chunk, page=n)
            for n, chunk in enumerate(chunks, start=1)]
