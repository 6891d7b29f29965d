"""`taskforce doctor`'s DingTalk check: does the app get an access token?"""

from __future__ import annotations

from bot.adapters.dingtalk.config import DingTalkConfig
from bot.adapters.dingtalk.openapi import OpenApi
from bot.settings import Settings


def check(settings: Settings) -> tuple[bool, str]:
    """(accepted, what DingTalk said) for DINGTALK_CLIENT_ID/SECRET at DINGTALK_API_URL."""
    try:
        config = DingTalkConfig.from_settings(settings)
        OpenApi(config).token()
    except Exception as error:
        return False, f"no access token from {settings.dingtalk_api_url}: {error}"[:300]
    return True, f"access token issued for app {config.client_id}"
