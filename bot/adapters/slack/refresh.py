"""What a clicked message may re-run to show itself fresh: a closed set of read-only views.

A list's buttons carry in their `block_id` the command that rendered the list
(limits.with_refresh), so that after a click the list is re-rendered in place. That
text comes back from the client, so it is trusted for nothing: it is re-run only when
it names one of `VIEWS` — decided from the text before anything runs — and its answer
is used only when it is that view's template.
"""

from __future__ import annotations

from bot.adapters.slack.limits import refresh_of
from bot.dispatch import command_named

VIEWS = {"action.list": "action_list", "action.show": "action_show", "status": "status"}
TEMPLATES = frozenset(VIEWS.values())  # the replies whose messages may carry a refresh


def refresh_command(block_id: object) -> str | None:
    """The read-only command in a clicked block's id, or None (nothing to re-run)."""
    command = refresh_of(block_id) if isinstance(block_id, str) else None
    if command is None:
        return None
    named = command_named(command)
    return command if named is not None and named.id in VIEWS else None
