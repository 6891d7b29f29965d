"""DingTalk settings, checked once, and the endpoint the SDK must use.

`DINGTALK_API_URL` governs every call: the stream gateway
(`/v1.0/gateway/connections/open`), the token, and the robot OpenAPI. Our
stream client and OpenAPI client are given the URL explicitly. dingtalk-stream
0.24 also reads `DINGTALK_OPENAPI_ENDPOINT` once, when it is imported, for its
own helpers; `prepare_environment` sets it first so even those agree.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from bot.settings import Settings

SDK_ENDPOINT_ENV = "DINGTALK_OPENAPI_ENDPOINT"


class ConfigError(ValueError):
    """DingTalk cannot start with these settings; the message says what to set."""


@dataclass(frozen=True)
class DingTalkConfig:
    client_id: str
    client_secret: str
    robot_code: str
    api_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> DingTalkConfig:
        missing = [
            name
            for name, value in (
                ("DINGTALK_CLIENT_ID", settings.dingtalk_client_id),
                ("DINGTALK_CLIENT_SECRET", settings.dingtalk_client_secret),
            )
            if not value
        ]
        if missing:
            raise ConfigError("DingTalk needs " + " and ".join(missing) + " (see README)")
        api_url = (settings.dingtalk_api_url or "").strip().rstrip("/")
        if not api_url.startswith(("http://", "https://")):
            raise ConfigError(f"DINGTALK_API_URL={api_url!r} must start with https://")
        client_id = str(settings.dingtalk_client_id)
        return cls(
            client_id=client_id,
            client_secret=str(settings.dingtalk_client_secret),
            # an internal app's robot code is its client id unless DingTalk shows another
            robot_code=settings.dingtalk_robot_code or client_id,
            api_url=api_url,
        )

    def url(self, path: str) -> str:
        return self.api_url + path


def prepare_environment(api_url: str) -> bool:
    """Point the SDK at `api_url` before it is imported; False when it already was."""
    if "dingtalk_stream" in sys.modules:
        return os.environ.get(SDK_ENDPOINT_ENV) == api_url
    os.environ[SDK_ENDPOINT_ENV] = api_url
    return True
