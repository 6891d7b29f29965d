"""Departments (organisation-wide) and project memberships."""

from __future__ import annotations

from types import SimpleNamespace as Args

from bot.context import Context
from bot.errors import CommandError
from bot.messages import Label, Reply
from bot.notices import dm
from bot.permissions import authorize, authorize_org_admin
from bot.registry import command
from storage import people, projects
from storage.models import Department, Person, Project

ROLE_ORDER = {"process-owner": 0, "lead": 1, "member": 2, "viewer": 3}


# Departments are organisation-wide: in a channel without a project or a DM without one,
# anyone may add one (the first step of setting up a project); in a project, leads do.
# Changing an existing department's head is an organisation-wide act (COMMANDS.md).
@command("dept add", "<name:text> head <head:newuser>", permission="none", scope="optional")
def dept_add(ctx: Context, args: Args) -> Reply:
    if len(args.name) > 80:
        raise CommandError(
            "input.too_long", name=Label("field", "name"), limit=80, length=len(args.name)
        )
    dept = people.department(ctx.db, args.name)
    if dept is None:
        if ctx.project is not None:
            authorize("manage", ctx.membership, None, ctx.today())
        dept = people.add_department(ctx.db, args.name, args.head.id)
        ctx.record("dept", dept.id, "created", None, dept.name)
        ctx.record("dept", dept.id, "head", None, args.head.display_name)
        return ctx.say("dept.added", "channel", name=dept.name, head=args.head.display_name)
    if dept.head_id == args.head.id:
        return ctx.say("dept.exists", name=dept.name, head=args.head.display_name)
    _may_change_head(ctx, dept)
    old = people.by_ids(ctx.db, [dept.head_id]).get(dept.head_id)
    dept.head_id = args.head.id
    ctx.db.add(dept)
    ctx.record("dept", dept.id, "head", old.display_name if old else None, args.head.display_name)
    if old is not None and old.id != ctx.actor.id:  # the previous head is told
        ctx.notices.append(dm(old, "dept_head_notice", ctx.locale, name=dept.name,
                              head=args.head.display_name, actor=ctx.actor.display_name))
    return ctx.say("dept.head_changed", "channel", name=dept.name, head=args.head.display_name)


def _may_change_head(ctx: Context, dept: Department) -> None:
    """The department's current head hands over; its creator sets the first head; else
    an organisation administrator (with none configured: a lead of any project)."""
    if dept.head_id == ctx.actor.id:
        return
    if dept.head_id is None and people.department_creator(ctx.db, dept.id) == ctx.actor.id:
        return
    authorize_org_admin(
        ctx.db, ctx.settings.admin_ids(), ctx.inbound.user_id, ctx.actor.id,
        ("dept.head_needs_admin", "dept.head_needs_admin_or_lead"), name=dept.name,
    )


@command(
    "member add",
    "<person:newuser> dept <dept:dept> [role <role:lead|member|viewer>]",
    permission="manage",
)
def member_add(ctx: Context, args: Args) -> Reply:
    person: Person = args.person
    current = projects.membership(ctx.db, ctx.project.id, person.id)
    if current and current.role == "process-owner" and args.role:
        raise CommandError("member.owner_role", name=person.display_name)
    role = args.role or (current.role if current else "member")
    if current and current.role == role and person.department_id == args.dept.id:
        return ctx.say(
            "member.exists", name=person.display_name, role=Label("role", role), dept=args.dept.name
        )
    if person.department_id != args.dept.id:
        old = people.departments_by_ids(ctx.db, [person.department_id]).get(person.department_id)
        ctx.record("person", person.id, "dept", old.name if old else None, args.dept.name)
        person.department_id = args.dept.id
        ctx.db.add(person)
    projects.set_membership(ctx.db, ctx.project.id, person.id, role)
    ctx.record("member", person.id, "role", current.role if current else None, role)
    key = "member.updated" if current else "member.added"
    return ctx.say(
        key,
        "channel",
        name=person.display_name,
        role=Label("role", role),
        dept=args.dept.name,
        project=ctx.project.key,
    )


@command(
    "member role", "<person:member> <role:process-owner|lead|member|viewer>", permission="manage"
)
def member_role(ctx: Context, args: Args) -> Reply:
    person: Person = args.person
    current = projects.membership(ctx.db, ctx.project.id, person.id)
    if current.role == args.role:
        return ctx.say("member.same_role", name=person.display_name, role=Label("role", args.role))
    if args.role == "process-owner" and ctx.membership.role != "process-owner":
        raise CommandError("member.owner_only")
    if current.role == "process-owner":
        raise CommandError("member.needs_owner")
    if args.role == "process-owner":
        for previous in projects.with_role(ctx.db, ctx.project.id, "process-owner"):
            projects.set_membership(ctx.db, ctx.project.id, previous.person_id, "lead")
            ctx.record("member", previous.person_id, "role", "process-owner", "lead")
    projects.set_membership(ctx.db, ctx.project.id, person.id, args.role)
    ctx.record("member", person.id, "role", current.role, args.role)
    return ctx.say(
        "member.role_set", "channel", name=person.display_name, role=Label("role", args.role)
    )


@command("member list", permission="read", scope="reads-all")
def member_list(ctx: Context, args: Args) -> list[Reply]:
    return [_members(ctx, project) for project in ctx.projects_in_scope()]


def _members(ctx: Context, project: Project) -> Reply:
    rows = projects.members(ctx.db, project.id)
    depts = people.departments_by_ids(ctx.db, (p.department_id for _, p in rows))
    members = sorted(
        (
            {
                "name": p.display_name,
                "role": m.role,
                "dept": depts[p.department_id].name if p.department_id in depts else "-",
            }
            for m, p in rows
        ),
        key=lambda r: (ROLE_ORDER[r["role"]], r["dept"], r["name"]),
    )
    return ctx.reply_about(project, "member_list", project=project, members=members)
