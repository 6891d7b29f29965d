"""Which project a command acts on (COMMANDS.md: "Where a command runs")."""

from __future__ import annotations

from sqlmodel import Session

from bot.converters import RECORD_KINDS, project_key_in
from bot.errors import CommandError
from bot.messages import Inbound
from bot.registry import Command
from bot.targets import parse_record_id, projects_sent
from storage import projects
from storage.models import Person, Project


def _named_project(db: Session, command: Command, raw: dict[str, object]) -> Project | None:
    for param in command.params:
        key = (
            project_key_in(raw[param.name], param.kind)
            if param.kind in RECORD_KINDS and param.name in raw
            else None
        )
        if key:
            found = projects.by_key(db, key)
            if found is None:
                raise CommandError("project.unknown", key=key)
            return found
    return None


def _project_by_key(db: Session, key: str) -> Project:
    found = projects.by_key(db, key.strip())
    if found is None:
        raise CommandError("project.unknown", key=key)
    return found


def _dm_project(db: Session, actor: Person, command: Command) -> Project | None:
    mine = projects.projects_of(db, actor.id)
    chosen = [p for p, _ in mine if p.id == actor.current_project_id]
    if chosen:
        return chosen[0]
    if len(mine) == 1:
        return mine[0][0]
    if command.scope == "optional":
        return None
    if not mine:
        raise CommandError("scope.no_projects")
    raise CommandError("scope.ambiguous_project", projects=", ".join(p.key for p, _ in mine))


def _target_project(
    db: Session, inbound: Inbound, actor: Person, command: Command, raw: dict[str, object]
) -> Project | None:
    """Rights by target: `P2/E3`, the bound channel, or in a DM what was sent to the caller."""
    parsed = parse_record_id(raw.get(command.target or "", ""))
    bound = None if inbound.is_dm else projects.by_channel(db, inbound.platform, inbound.channel_id)
    if parsed and parsed[0]:
        named = _project_by_key(db, parsed[0])
        if bound and bound.id != named.id:
            raise CommandError("scope.other_project", value=named.key, project=bound.key)
        return named
    if bound is not None:
        return bound
    if not inbound.is_dm:
        raise CommandError("scope.no_project")
    if parsed:
        found = list(dict.fromkeys(projects_sent(db, actor.id, parsed[1], parsed[2])))
        if len(found) == 1:
            return db.get(Project, found[0])
        if len(found) > 1:
            keys = [p.key for p in (db.get(Project, pid) for pid in found) if p]
            raise CommandError("scope.ambiguous_target", projects=", ".join(keys),
                               value=f"{parsed[1]}{parsed[2]}")
    return _dm_project(db, actor, command)


def resolve_project(
    db: Session, inbound: Inbound, actor: Person, command: Command, raw: dict[str, object]
) -> Project | None:
    if command.scope == "named":
        named = _project_by_key(db, str(raw["key"]))
        bound = (
            None if inbound.is_dm else projects.by_channel(db, inbound.platform, inbound.channel_id)
        )
        if bound and bound.id != named.id:
            raise CommandError("scope.channel_is_other", value=named.key, project=bound.key)
        return named
    if command.scope == "target":
        return _target_project(db, inbound, actor, command, raw)
    named = _named_project(db, command, raw)
    if not inbound.is_dm:
        bound = projects.by_channel(db, inbound.platform, inbound.channel_id)
        if bound is None and command.scope != "optional":
            raise CommandError("scope.no_project")
        if bound and named and named.id != bound.id:
            raise CommandError("scope.other_project", value=named.key, project=bound.key)
        return bound
    if named:
        return named
    if command.scope == "reads-all":
        return None
    return _dm_project(db, actor, command)
