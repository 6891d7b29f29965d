"""Command handlers. Importing this package registers every command."""

from bot.handlers import (  # noqa: F401
    actions,
    agenda,
    announcements,
    calendar,
    digests,
    escalation_policy,
    escalations,
    help,
    item_changes,
    listing,
    meetings,
    members,
    projects,
    quiet,
    quiz_reports,
    quiz_taking,
    quizzes,
    review_admin,
    reviews,
)
