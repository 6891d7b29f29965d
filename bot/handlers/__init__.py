"""Command handlers. Importing this package registers every command."""

from bot.handlers import (  # noqa: F401
    actions,
    agenda,
    digests,
    help,
    item_changes,
    listing,
    meetings,
    members,
    projects,
    quiet,
)
