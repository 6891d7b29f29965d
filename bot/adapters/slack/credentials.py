"""`taskforce doctor`'s Slack check: is the bot token accepted (`auth.test`)?"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.adapters.slack.app import web_client
from bot.settings import Settings


def check(settings: Settings) -> tuple[bool, str]:
    """(accepted, what Slack said) for SLACK_BOT_TOKEN at SLACK_API_URL."""
    if not (settings.slack_signing_secret or settings.slack_app_token):
        return False, "SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) is not set"
    try:
        answer = web_client(settings, timeout=10).auth_test()
    except SlackApiError as error:
        return False, f"auth.test refused the token: {error.response.get('error')}"
    except Exception as error:
        return False, f"{settings.slack_api_url} could not be reached: {type(error).__name__}"
    return True, f"token accepted for team {answer.get('team')!r}, bot user {answer.get('user_id')}"
