"""Command handlers. Importing this package registers every command."""

from bot.handlers import (  # noqa: F401
    actions,
    digests,
    help,
    item_changes,
    listing,
    members,
    projects,
    quiet,
    review_admin,
    reviews,
)
