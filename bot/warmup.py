"""What a long-running process (`taskforce run`, the console) does once at start-up, so
that its first commands do not pay it.

- the ORM's mapper configuration, the message catalogues, the working-day calendars, the
  notice templates, a pooled database connection;
- a rehearsal, as the newest project's process owner, of the write command people use
  most (`action add`) in a command's transaction that is rolled back, then of the read
  commands that need no words of their own (and the lists people ask for most) in its
  channel and in a DM, each in a read-only transaction that is rolled back
  (`Dispatcher.rehearse`): nothing changes, and their statements are compiled and cached
  as they will be asked (SQLAlchemy caches compiled statements per engine by shape, not
  by value) and, on PostgreSQL, prepared and run until the server has settled on their
  plans (`warm_runs` times);
- last, the start-up objects are moved out of the garbage collector's way (`gc.freeze`):
  a full collection then walks only what the process made since, not every imported
  module's objects, which held a command up for tens of milliseconds.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.orm import configure_mappers

import bot.handlers  # noqa: F401  (registers the commands it rehearses)
from bot import catalog, registry
from bot.clock import Clock
from bot.dispatch import Dispatcher
from bot.messages import Inbound, Mention
from bot.outbox.enqueue import renderer
from bot.render import Renderer
from bot.workdays import CALENDARS, calendar_for
from storage import projects
from storage.engine import reading, warm_runs
from storage.models import ChannelBinding, Person

ASKED_MOST = ("action list mine", "action list overdue")  # beyond each read command's words
_OWNER = "owner"  # the mention the write rehearsals name the owner by


def warm(dispatcher: Dispatcher, platforms: Sequence[str] = ("console",)) -> None:
    """Everything above, for a process that renders notices for `platforms`."""
    configure_mappers()
    for locale in catalog.LOCALES:
        catalog.messages(locale)
    for name in CALENDARS:
        calendar_for(name)
    for platform in platforms:
        for found in renderers_in(renderer(platform)):
            compile_templates(found)
    rehearse(dispatcher)
    gc.collect()
    gc.freeze()


def renderers_in(found: object, depth: int = 3) -> list[Renderer]:
    """The template renderers a platform's notice renderer is made of (Slack's: its text
    and its Block Kit flavour)."""
    if isinstance(found, Renderer):
        return [found]
    if depth == 0 or not hasattr(found, "__dict__"):
        return []
    return [r for part in vars(found).values() for r in renderers_in(part, depth - 1)]


def compile_templates(found: Renderer) -> int:
    """Compile (and cache) every template `found` may pick; how many."""
    folders = {found.platform, "default", *catalog.LOCALES}  # where `candidates` look
    names = [
        n for n in found.env.list_templates()
        if n.endswith(found.suffix) and n.split("/")[0] in folders
    ]
    for name in names:
        found.env.get_template(name)
    return len(names)


def rehearse(dispatcher: Dispatcher) -> int:
    """Rehearse the write commands people use most, then the read commands, each in a
    transaction that is rolled back (bot.dispatch.Dispatcher.rehearse); how many ran to
    their end (none on an empty database)."""
    with reading(dispatcher.engine) as db:
        found = projects.newest_bound_owner(db)
    if found is None:
        return 0
    binding, owner = found
    texts = [" ".join(c.words) for c in registry.COMMANDS.values() if _bare_read(c)]
    runs, repeats = 0, warm_runs(dispatcher.engine)
    for text in _written_most(dispatcher.clock):
        for _ in range(repeats):
            inbound = _in_channel(binding, owner, text, mention=True)
            runs += dispatcher.rehearse(inbound, write=True)
    for text in [*texts, *ASKED_MOST]:
        for inbound in [_in_channel(binding, owner, text)] * repeats + [_in_dm(owner, text)]:
            runs += dispatcher.rehearse(inbound)
    return runs


def _bare_read(command: registry.Command) -> bool:
    """A read command that runs without words of its own (the rest would only be
    refused for want of them)."""
    return command.permission == "read" and all(p.optional for p in command.params)


def _written_most(clock: Clock) -> list[str]:
    due = clock.now().date() + timedelta(days=7)
    return [f'action add "warm-up" owner @{_OWNER} due {due.isoformat()}']


def _in_channel(binding: ChannelBinding, owner: Person, text: str,
                mention: bool = False) -> Inbound:
    mentions = {}
    if mention:  # the owner named as the platform names people: on the console by name
        if binding.platform == "console" and owner.display_name.split() == [owner.display_name]:
            text = text.replace(f"@{_OWNER}", f"@{owner.display_name}")
        else:  # Slack <@U1>, DingTalk atUsers
            mentions = {_OWNER: Mention(owner.user_id, owner.display_name)}
    return Inbound(platform=binding.platform, user_id=owner.user_id, text=text,
                   user_name=owner.display_name, channel_id=binding.channel_id,
                   mentions=mentions)


def _in_dm(owner: Person, text: str) -> Inbound:
    return Inbound(platform=owner.platform, user_id=owner.user_id, user_name=owner.display_name,
                   text=text, channel_id=f"dm:{owner.user_id}", is_dm=True)
