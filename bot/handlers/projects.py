"""project create/bind/unbind/info/phase, and `use` (`project kpi`: bot/handlers/kpis.py)."""

from __future__ import annotations

from types import SimpleNamespace as Args

from bot.context import Context, default_calendar
from bot.errors import CommandError
from bot.handlers.readiness import to_rollout
from bot.messages import Label, Reply
from bot.registry import command
from bot.views import kpi_rows
from storage import people, projects
from storage.models import Department, Person, Project

LOCALES = {"en": "en", "zh-cn": "zh-CN", "zh": "zh-CN"}


def _default_locale(ctx: Context) -> str:
    """No project decides yet: the language the command was written in (bot.dispatch)."""
    return ctx.locale


@command(
    "project create",
    "<name:text> [key <key:key>] [owner <owner:newuser>] [goal <goal:text>] "
    "[lead-dept <lead_dept:text>] [tz <tz:zone>] [calendar <calendar:cn|weekends>] "
    "[locale <locale:zh-cn|en>]",
    permission="none",
    scope="optional",
)
def create(ctx: Context, args: Args) -> Reply:
    if ctx.inbound.is_dm:
        raise CommandError("project.create_in_dm")
    bound = projects.by_channel(ctx.db, ctx.inbound.platform, ctx.inbound.channel_id)
    if bound:
        raise CommandError("project.channel_taken", project=bound.key)
    key = args.key or projects.next_key(ctx.db)
    if projects.by_key(ctx.db, key):
        raise CommandError("project.key_taken", key=key)
    tz = args.tz or ctx.settings.timezone
    owner = args.owner or ctx.actor
    lead_dept, dept_created = _lead_dept(ctx, args.lead_dept, owner)
    project = projects.create(
        ctx.db,
        Project(
            key=key,
            name=args.name,
            goal=args.goal,
            timezone=tz,
            lead_department_id=lead_dept.id if lead_dept else None,
            calendar=args.calendar or default_calendar(tz),
            locale=LOCALES[args.locale] if args.locale else _default_locale(ctx),
            created_at=ctx.now(),
        ),
    )
    projects.bind(ctx.db, project.id, ctx.inbound.platform, ctx.inbound.channel_id, None)
    projects.set_membership(ctx.db, project.id, owner.id, "process-owner")
    if owner.id != ctx.actor.id:
        projects.set_membership(ctx.db, project.id, ctx.actor.id, "lead")
    ctx.project = project
    ctx.record("project", project.id, "created", None, project.name)
    ctx.locale = project.locale
    if dept_created:
        ctx.record("dept", lead_dept.id, "created", None, lead_dept.name)
    return ctx.reply(
        "project_created",
        "channel",
        project=project,
        owner=owner.display_name,
        dept_created=lead_dept.name if dept_created else None,
    )


def _lead_dept(ctx: Context, name: str | None, head: Person) -> tuple[Department | None, bool]:
    """The lead department by name, created (headed by the process owner) when new."""
    if not name:
        return None, False
    found = people.department(ctx.db, name)
    if found is not None:
        return found, False
    if len(name) > 80:
        raise CommandError(
            "input.too_long", name=Label("field", "lead_dept"), limit=80, length=len(name)
        )
    return people.add_department(ctx.db, name, head.id), True


@command("project bind", "<key:key>", permission="manage", scope="named")
def bind(ctx: Context, args: Args) -> Reply:
    if ctx.inbound.is_dm:
        raise CommandError("project.bind_in_dm")
    bound = projects.by_channel(ctx.db, ctx.inbound.platform, ctx.inbound.channel_id)
    if bound:
        raise CommandError("project.channel_taken", project=bound.key)
    projects.bind(ctx.db, ctx.project.id, ctx.inbound.platform, ctx.inbound.channel_id, None)
    ctx.record("project", ctx.project.id, "channel", None, ctx.inbound.channel_id)
    return ctx.say("project.bound", "channel", project=ctx.project.key, name=ctx.project.name)


@command("project unbind", permission="manage")
def unbind(ctx: Context, args: Args) -> Reply:
    if ctx.inbound.is_dm:
        raise CommandError("project.unbind_in_dm")
    if len(projects.bindings(ctx.db, ctx.project.id)) <= 1:
        raise CommandError("project.last_channel", project=ctx.project.key)
    projects.unbind(ctx.db, ctx.inbound.platform, ctx.inbound.channel_id)
    ctx.record("project", ctx.project.id, "channel", ctx.inbound.channel_id, None)
    return ctx.say("project.unbound", "channel", project=ctx.project.key)


@command("project info", permission="read", scope="reads-all")
def info(ctx: Context, args: Args) -> list[Reply]:
    return [_info(ctx, project) for project in ctx.projects_in_scope()]


def _info(ctx: Context, project: Project) -> Reply:
    members = projects.members(ctx.db, project.id)
    owner = next((p.display_name for m, p in members if m.role == "process-owner"), "-")
    lead_dept = people.departments_by_ids(ctx.db, [project.lead_department_id])
    return ctx.reply_about(
        project,
        "project_info",
        project=project,
        owner=owner,
        member_count=len(members),
        lead_dept=lead_dept[project.lead_department_id].name if lead_dept else None,
        channels=[b.channel_name or b.channel_id for b in projects.bindings(ctx.db, project.id)],
        kpis=kpi_rows(ctx.db, project.id, ctx.clock.today(project.timezone)),
    )


@command("use", "<key:key>", permission="read", scope="named")
def use(ctx: Context, args: Args) -> Reply:
    if not ctx.inbound.is_dm:
        raise CommandError("project.use_in_dm")
    ctx.actor.current_project_id = ctx.project.id
    ctx.db.add(ctx.actor)
    return ctx.say("project.using", project=ctx.project.key, name=ctx.project.name)


@command(
    "project phase",
    "<phase:diagnose|design|pilot|rollout|sustain> [force <reason:text>]",
    permission="manage",
)
def phase(ctx: Context, args: Args) -> Reply:
    if args.phase == "rollout":  # through the readiness gate
        return to_rollout(ctx, args.reason)
    if args.reason is not None:
        raise CommandError("readiness.force_rollout_only", phase=Label("phase", args.phase))
    old, ctx.project.phase = ctx.project.phase, args.phase
    ctx.db.add(ctx.project)
    ctx.record("project", ctx.project.id, "phase", old, args.phase)
    return ctx.say(
        "project.phase_set", "channel", project=ctx.project.key, phase=Label("phase", args.phase)
    )
