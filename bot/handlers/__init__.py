"""Command handlers. Importing this package registers every command."""

from bot.handlers import actions, digests, help, listing, members, projects, quiet  # noqa: F401
