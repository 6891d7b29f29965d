"""parse → scope → authorize → handler, for one inbound command, in one transaction.

The transaction is a command's (storage.engine): when the database stays busy for a
few seconds, the command writes nothing and is answered "busy, try again"."""

from __future__ import annotations

import difflib
import logging
import time
from dataclasses import dataclass, replace
from types import SimpleNamespace

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import registry
from bot.catalog import normalize_locale, written_in
from bot.clock import Clock
from bot.context import Context
from bot.converters import convert
from bot.errors import CommandError
from bot.grammar import match
from bot.logs import request_scope
from bot.messages import Inbound, Label, Reply
from bot.metrics import command_done
from bot.outbox.enqueue import enqueue
from bot.permissions import authorize
from bot.quiz_hook import as_answer
from bot.scope import resolve_project
from bot.settings import Settings
from bot.tokens import Token, tokenize
from bot.workdays import refresh_overrides
from storage import opening, people, projects, seen
from storage.engine import is_busy, reading, rehearsing, transaction

log = logging.getLogger(__name__)
MAX_TEXT = 4000
NUL = "\x00"  # PostgreSQL text cannot hold U+0000; SQLite would store it unseen
PREFIXES = ("/tf", "tf")
BOT_NAMES = ("taskforce",)


@dataclass
class _Attempt:
    """What is known so far about a command, for answering its failure."""

    locale: str
    command: registry.Command | None = None


def _strip_prefix(tokens: list[Token]) -> list[Token]:
    """Without a leading `tf`/`/tf` or an @-mention of the bot itself (`@Taskforce 待办 列表`)."""
    if tokens and tokens[0].mention and tokens[0].text.lower() in BOT_NAMES:
        tokens = tokens[1:]
    if tokens and tokens[0].word in PREFIXES:
        return tokens[1:]
    return tokens


def _plain_words(text: str) -> list[str]:
    words = [w.lower() for w in text.split()[:5]]
    if words and words[0].lstrip("@＠") in BOT_NAMES:
        words = words[1:]
    return words[1:] if words and words[0] in PREFIXES else words


def _storable(inbound: Inbound) -> Inbound:
    """The platform's ids and names without NUL (the tokenizer refuses command text with
    one, bot/tokens.py)."""
    fields = {"user_id": inbound.user_id, "user_name": inbound.user_name,
              "channel_id": inbound.channel_id}
    if not any(NUL in (value or "") for value in fields.values()):
        return inbound
    return replace(inbound, **{k: v.replace(NUL, "") if v else v for k, v in fields.items()})


def command_named(text: str) -> registry.Command | None:
    """The command `text` names, read as `handle` reads it (outside a quiz's answer), or
    None; from the text alone: nothing runs, the database is not asked."""
    try:
        tokens = _strip_prefix(tokenize(text))
    except CommandError:
        return None
    return registry.find([t.word for t in tokens])[0] if tokens else None


def _closest(words: list[str]) -> registry.Command | None:
    """The command the person most likely meant, chosen by the verb they typed first
    (`member lst` → member list, never action list), then by the word after it."""
    typed = [registry.VERB_ALIASES.get(w, w) for w in words[:2]]
    if not typed:
        return None
    heads = sorted({c.words[0] for c in registry.COMMANDS.values()})
    head = typed[0] if typed[0] in heads else next(
        iter(difflib.get_close_matches(typed[0], heads, n=1, cutoff=0.6)), None
    )
    family = [c for c in registry.COMMANDS.values() if c.words[0] == head]
    subs = {c.words[1]: c for c in family if len(c.words) > 1}
    if len(typed) > 1 and subs:
        hit = difflib.get_close_matches(typed[1], list(subs), n=1, cutoff=0.5)
        if hit:
            return subs[hit[0]]
    single = [c for c in family if len(c.words) == 1]
    return single[0] if single else None


class Dispatcher:
    def __init__(self, engine: Engine, clock: Clock, settings: Settings) -> None:
        self.engine = engine
        self.clock = clock
        self.settings = settings

    def default_locale(self, inbound: Inbound) -> str:
        """The language when no project decides: the configured one, else the one the
        command is written in, else the platform's."""
        if self.settings.locale:
            return self.settings.locale
        written = written_in(inbound.text[: MAX_TEXT * 2])
        if written:
            return written
        if inbound.locale_hint:
            return normalize_locale(inbound.locale_hint)
        return "zh-CN" if inbound.platform == "dingtalk" else "en"

    def handle(self, inbound: Inbound, once: str | None = None) -> list[Reply]:
        """The replies to one command; never raises.

        `once`: the platform's request key. Its claim (storage.seen) is the command's
        first write, so a request another process already took is dropped (no replies)
        and a command that answered "busy" can still be retried.
        Each command runs under a request id (bot/logs.py) that its log lines and its
        outbox rows carry, and is counted in the metrics by name and outcome."""
        inbound = _storable(inbound)
        once = once.replace(NUL, "") if once else once
        attempt = _Attempt(locale=self.default_locale(inbound))
        started = time.perf_counter()
        with request_scope():
            outcome, replies = self._handle(inbound, once, attempt)
            name = attempt.command.id if attempt.command else "unknown"
            seconds = time.perf_counter() - started
            log.info("command %s: %s in %.1f ms", name, outcome, seconds * 1000)
        command_done(name, outcome, seconds)
        return replies

    def rehearse(self, inbound: Inbound, *, write: bool = False) -> bool:
        """Run a command in a transaction that is rolled back (read-only unless `write`),
        its replies dropped: nothing changes, and its statements are compiled, cached and
        prepared (the start-up warm-up, bot/warmup.py). Whether it ran to its end."""
        try:
            with rehearsing(self.engine) if write else reading(self.engine) as db:
                self._run(db, inbound, _Attempt(locale=self.default_locale(inbound)))
        except Exception:  # a refusal or a write the read-only transaction refused
            log.debug("rehearsal of %r ended early", inbound.text, exc_info=True)
            return False
        return True

    def _handle(
        self, inbound: Inbound, once: str | None, attempt: _Attempt
    ) -> tuple[str, list[Reply]]:
        try:
            with transaction(self.engine, command=True) as db:
                if once is not None and not seen.claim(db, once, self.clock.now()):
                    log.info("request %s was taken by another process; dropped", once)
                    return "dropped", []
                return "ok", self._run(db, inbound, attempt)
        except CommandError as error:
            return "error", [self._error(error, attempt)]
        except Exception as error:
            if is_busy(error):
                return "busy", [self._busy(inbound, attempt)]
            log.exception("command failed: %r from %s", inbound.text[:200], inbound.user_id)
            reply = Reply("message", {"key": "error.internal", "params": {}}, locale=attempt.locale)
            return "internal", [reply]

    def _locale_before_parsing(self, db: Session, inbound: Inbound) -> str | None:
        """The language of the project the command will most likely run in, so that even
        a command that cannot be parsed is answered in it."""
        if not inbound.is_dm:
            bound = projects.by_channel(db, inbound.platform, inbound.channel_id)
            return bound.locale if bound else None
        person = people.by_platform_id(db, inbound.platform, inbound.user_id)
        if person is None:
            return None
        mine = [p for p, _ in projects.projects_of(db, person.id)]
        chosen = [p for p in mine if p.id == person.current_project_id] or mine
        return chosen[0].locale if len(chosen) == 1 else None

    def _busy(self, inbound: Inbound, attempt: _Attempt) -> Reply:
        log.warning("database busy: %r from %s answered busy", inbound.text[:60], inbound.user_id)
        try:  # reading never waits for the write lock (WAL; PostgreSQL MVCC)
            with reading(self.engine) as db:
                attempt.locale = self._locale_before_parsing(db, inbound) or attempt.locale
        except Exception:
            log.debug("no project language for the busy answer", exc_info=True)
        attempt.command = None  # no usage line: the command was fine
        return self._error(CommandError("busy.try_again"), attempt)

    def _error(self, error: CommandError, attempt: _Attempt) -> Reply:
        command = registry.by_id(error.usage) if error.usage else attempt.command
        data = {"key": error.key, "params": error.params, "usage": command.id if command else None}
        return Reply("error", data, visibility="private", locale=attempt.locale)

    def _run(self, db: Session, inbound: Inbound, attempt: _Attempt) -> list[Reply]:
        channel = None if inbound.is_dm else inbound.channel_id
        opening.read_ahead(db, inbound.platform, inbound.user_id, channel)
        attempt.locale = self._locale_before_parsing(db, inbound) or attempt.locale
        if len(inbound.text) > MAX_TEXT:
            raise CommandError(
                "input.too_long",
                name=Label("field", "text"),
                limit=MAX_TEXT,
                length=len(inbound.text),
            )
        refresh_overrides(db)  # the working-day calendar sees other replicas' overrides
        try:
            tokens = _strip_prefix(tokenize(inbound.text))
        except CommandError:
            attempt.command = registry.find(_plain_words(inbound.text))[0]
            raise
        if inbound.is_dm:  # an open quiz attempt takes answer-shaped text (bot/quiz_hook.py)
            tokens = as_answer(db, inbound, tokens) or tokens
        words = [t.word for t in tokens]
        command, length = registry.find(words) if tokens else (registry.by_id("help"), 0)
        if command is None:
            attempt.command = _closest(words)
            raise CommandError("parse.unknown_command", value=" ".join(t.text for t in tokens[:2]))
        attempt.command = command
        if inbound.guest and not (command.permission == "read" or command.id == "help"):
            raise CommandError("perm.guest")
        rest = tokens[length:]
        raw = command.custom_parse(rest) if command.custom_parse else match(command.params, rest)
        if isinstance(raw.get("locale"), str):  # the language the command asks for
            attempt.locale = normalize_locale(str(raw["locale"]))
        actor = people.ensure(db, inbound.platform, inbound.user_id, inbound.user_name)
        project = resolve_project(db, inbound, actor, command, raw)
        if project is not None:
            attempt.locale = project.locale
        ctx = Context(
            db=db,
            clock=self.clock,
            settings=self.settings,
            inbound=inbound,
            actor=actor,
            locale=attempt.locale,
            project=project,
            membership=projects.membership(db, project.id, actor.id) if project else None,
        )
        args = {p.name: None for p in command.params}
        for param in command.params:
            if raw.get(param.name) is not None:
                args[param.name] = convert(ctx, param.kind, param.name, raw[param.name])
        for name, value in raw.items():
            args.setdefault(name, value)
        if project is not None or command.scope not in ("reads-all", "optional"):
            authorize(command.permission, ctx.membership, args.get("item"), ctx.today())
        result = command.handler(ctx, SimpleNamespace(**args))
        # notices go to the outbox in this transaction: with the change, or not at all
        enqueue(db, ctx.notices, ctx.now(), self.settings.timezone, project.id if project else None)
        return result if isinstance(result, list) else [result]
