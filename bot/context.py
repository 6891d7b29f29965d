"""What a handler sees: the caller, the project in scope, the clock and the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.clock import Clock
from bot.errors import CommandError
from bot.messages import Inbound, Notice, Reply
from bot.settings import Settings
from bot.types import Visibility
from bot.workdays import WorkCalendar, calendar_for
from storage import history, projects
from storage.models import Membership, Person, Project


@dataclass
class Context:
    db: Session
    clock: Clock
    settings: Settings
    inbound: Inbound
    actor: Person
    locale: str
    project: Project | None = None
    membership: Membership | None = None
    notices: list[Notice] = field(default_factory=list)

    @property
    def timezone(self) -> str:
        return self.project.timezone if self.project else self.settings.timezone

    @property
    def calendar(self) -> WorkCalendar:
        name = self.project.calendar if self.project else default_calendar(self.timezone)
        return calendar_for(name)

    def today(self) -> date:
        return self.clock.today(self.timezone)

    def now(self) -> datetime:
        return self.clock.now()

    def record(self, entity: str, entity_id: int, field: str, old: object, new: object) -> None:
        """Append to the history: the caller changed `field` of an entity, now."""
        history.record(
            self.db,
            entity=entity,
            entity_id=entity_id,
            field=field,
            at=self.now(),
            actor_id=self.actor.id,
            project_id=self.project.id if self.project else None,
            old=old,
            new=new,
        )

    def projects_in_scope(self) -> list[Project]:
        """The project in scope, or (a read in a DM) every project of the caller."""
        if self.project is not None:
            return [self.project]
        mine = [p for p, _ in projects.projects_of(self.db, self.actor.id)]
        if not mine:
            raise CommandError("scope.no_projects")
        return mine

    def reply_about(self, about: Project, template: str, /, **data: Any) -> Reply:
        """A private reply about one of several projects, in that project's language."""
        return Reply(template=template, data=data, visibility="private", locale=about.locale)

    def reply(self, template: str, visibility: Visibility = "private", **data: Any) -> Reply:
        return Reply(template=template, data=data, visibility=visibility, locale=self.locale)

    def say(self, key: str, visibility: Visibility = "private", **params: Any) -> Reply:
        """A one-line reply straight from the catalogue."""
        return self.reply("message", visibility, key=key, params=params)


def default_calendar(timezone: str) -> str:
    return "cn" if timezone in ("Asia/Shanghai", "Asia/Chongqing", "PRC") else "weekends"
