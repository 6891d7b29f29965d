"""Command handlers. Importing this package registers every command."""

from bot.handlers import (  # noqa: F401
    actions,
    agenda,
    calendar,
    digests,
    escalation_policy,
    escalations,
    help,
    item_changes,
    kpis,
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
