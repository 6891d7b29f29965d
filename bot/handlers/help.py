"""`help` and `help <command>`."""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace as Args

from bot import registry
from bot.context import Context
from bot.errors import CommandError
from bot.messages import Reply
from bot.registry import command
from bot.tokens import tokenize

SECTIONS = {
    "projects": ("project", "use", "status", "dept", "member"),
    "actions": ("action", "add", "done", "start"),
}


def _unique(commands: Iterable[registry.Command]) -> list[registry.Command]:
    """Each command once: a short form shares its long form's id (and usage line)."""
    return list({c.id: c for c in reversed(list(commands))}.values())[::-1]


def _section_of(cmd: registry.Command) -> str:
    return next((name for name, heads in SECTIONS.items() if cmd.words[0] in heads), "other")


@command("help", "[<topic:text>]", permission="none", scope="optional")
def help_(ctx: Context, args: Args) -> Reply:
    if args.topic:
        words = [registry.VERB_ALIASES.get(t.word, t.word) for t in tokenize(args.topic)]
        found, length = registry.find(words)
        if found is not None and length == len(words):
            return ctx.reply("help_command", command=found.id)
        starting = [
            c.id
            for c in _unique(registry.COMMANDS.values())
            if c.words[: len(words)] == tuple(words)
        ]
        if not starting:
            raise CommandError("help.unknown", value=args.topic)
        return ctx.reply("help", sections={"matching": starting})
    sections: dict[str, list[str]] = {name: [] for name in (*SECTIONS, "other")}
    for cmd in _unique(registry.COMMANDS.values()):
        sections.setdefault(_section_of(cmd), []).append(cmd.id)
    return ctx.reply("help", sections={k: v for k, v in sections.items() if v})
