"""Turn an @mention token into a Person: platform id first, then a known display name."""

from __future__ import annotations

from sqlmodel import Session

from bot.errors import CommandError
from bot.messages import Inbound, Label
from bot.tokens import Token
from storage import people, projects
from storage.models import Person

MAX_USER_ID = 64


def _platform_identity(token: Token, inbound: Inbound) -> tuple[str, str | None, bool] | None:
    """(user id, display name, whether the platform itself identified the user)."""
    if token.user_id:
        return token.user_id, token.text if token.text != token.user_id else None, True
    mention = inbound.mentions.get(token.text)
    if mention:
        return mention.user_id, mention.display_name, True
    if inbound.platform == "console" and token.mention:
        return token.text, token.text, False  # a console user is a name
    return None


def resolve(db: Session, token: Token, inbound: Inbound, *, create: bool,
            within: int | None = None) -> Person:
    """The person `token` names; with `create`, someone new is added. `within`: a
    project whose membership of the person is read along (`projects.people_in`).

    A user the platform identified (Slack `<@U1>`, DingTalk atUsers) is found by
    that id only, never by a name another person may share.
    """
    if not token.mention and not token.text:
        raise CommandError("user.expected", value=token.text)
    identity = _platform_identity(token, inbound)
    if identity and len(identity[0]) > MAX_USER_ID:
        raise CommandError(
            "input.too_long",
            name=Label("field", "@user"),
            limit=MAX_USER_ID,
            length=len(identity[0]),
        )
    if identity:
        found = _by_id(db, inbound.platform, identity[0], within)
        if found:
            return found
        if identity[2]:
            if create:
                return people.ensure(db, inbound.platform, identity[0], identity[1])
            raise CommandError("user.unknown", value=token.text)
    candidates = (people.by_name(db, inbound.platform, token.text) if within is None
                  else projects.people_in(db, within, inbound.platform, "name", token.text))
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        names = ", ".join(f"{p.display_name} ({p.user_id})" for p in candidates)
        raise CommandError("user.ambiguous", value=token.text, candidates=names)
    if identity and create:
        return people.ensure(db, inbound.platform, identity[0], identity[1])
    raise CommandError("user.unknown", value=token.text)


def _by_id(db: Session, platform: str, user_id: str, within: int | None) -> Person | None:
    if within is None:
        return people.by_platform_id(db, platform, user_id)
    return next(iter(projects.people_in(db, within, platform, "user_id", user_id)), None)
