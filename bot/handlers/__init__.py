"""Command handlers. Importing this package registers every command."""

from bot.handlers import actions, help, listing, members, projects  # noqa: F401
