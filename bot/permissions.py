"""COMMANDS.md's permission table, enforced in one place (the dispatcher calls `authorize`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlmodel import Session, col, select

from bot.errors import CommandError
from bot.messages import Label
from storage.items import ACTIVE
from storage.models import ActionItem, Membership

ROLES = ("process-owner", "lead", "member", "viewer")
MANAGERS = frozenset({"process-owner", "lead"})
CONTRIBUTORS = MANAGERS | {"member"}


def _role(membership: Membership | None) -> str | None:
    return membership.role if membership else None


def _need(membership: Membership | None, allowed: frozenset[str], needed: str) -> None:
    if membership is None:
        raise CommandError("perm.not_member")
    if membership.role not in allowed:
        raise CommandError(f"perm.needs_{needed}", role=Label("role", membership.role))


def _read(membership: Membership | None, _item: ActionItem | None, _today: date) -> None:
    if membership is None:
        raise CommandError("perm.not_member")


def _contribute(membership: Membership | None, _item: ActionItem | None, _today: date) -> None:
    _need(membership, CONTRIBUTORS, "member")


def _manage(membership: Membership | None, _item: ActionItem | None, _today: date) -> None:
    _need(membership, MANAGERS, "lead")


def _own_item(membership: Membership | None, item: ActionItem | None, _today: date) -> None:
    if membership is not None and item is not None and item.owner_id == membership.person_id:
        return
    _need(membership, MANAGERS, "owner")


def _due(membership: Membership | None, item: ActionItem | None, today: date) -> None:
    if _role(membership) in MANAGERS:
        return
    _own_item(membership, item, today)
    if item is not None and item.status in ACTIVE and item.due_date < today:
        raise CommandError("perm.overdue_due", id=f"A{item.seq}")


def _anyone(_membership: Membership | None, _item: ActionItem | None, _today: date) -> None:
    return None


RULES: dict[str, Callable[[Membership | None, ActionItem | None, date], None]] = {
    "none": _anyone,
    "read": _read,
    "report": _read,  # feedback: anyone in the project, viewers too
    "contribute": _contribute,
    "own-item": _own_item,
    "due": _due,
    "manage": _manage,
}


def authorize_process_owner(membership: Membership | None) -> None:
    """The table's `project phase rollout force` row: the process owner, nobody else."""
    _need(membership, frozenset({"process-owner"}), "process_owner")


def authorize(
    permission: str, membership: Membership | None, item: ActionItem | None, today: date
) -> None:
    """Raise CommandError unless `membership` may do what `permission` names."""
    RULES[permission](membership, item, today)


# --- Organisation-wide acts (calendar overrides) ------------------------------------
# COMMANDS.md: organisation administrators (TASKFORCE_ADMINS, platform user ids); with
# none configured, any lead or process owner of any project.


def authorize_org_admin(
    db: Session,
    admins: frozenset[str],
    user_id: str,
    person_id: int,
    refusals: tuple[str, str] = ("perm.needs_admin", "perm.needs_admin_or_lead"),
    **params: object,
) -> None:
    """Raise CommandError unless the caller may change organisation-wide settings;
    `refusals`: the keys that say so with and without administrators configured."""
    if admins:
        if user_id not in admins:
            raise CommandError(refusals[0], **params)
        return
    query = select(Membership.id).where(
        Membership.person_id == person_id, col(Membership.role).in_(MANAGERS)
    )
    if db.exec(query.limit(1)).first() is None:
        raise CommandError(refusals[1], **params)
