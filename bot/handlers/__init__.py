"""Command handlers. Importing this package registers every command."""

from bot.handlers import (  # noqa: F401
    actions,
    digests,
    escalation_policy,
    escalations,
    help,
    item_changes,
    listing,
    members,
    projects,
    quiet,
)
