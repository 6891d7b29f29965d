"""Configuration from the environment (and a `.env` file); fails fast when wrong."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        "sqlite:///taskforce.db", validation_alias=_env("TASKFORCE_DATABASE_URL")
    )
    locale: str | None = Field(None, validation_alias=_env("TASKFORCE_LOCALE"))
    timezone: str = Field("Asia/Shanghai", validation_alias=_env("TASKFORCE_TIMEZONE"))
    now: datetime | None = Field(None, validation_alias=_env("TASKFORCE_NOW"))
    # organisation administrators: platform user ids, comma-separated
    admins: str = Field("", validation_alias=_env("TASKFORCE_ADMINS"))
    # text, or json for one JSON object a line (bot/logs.py)
    log_format: str = Field("text", validation_alias=_env("TASKFORCE_LOG_FORMAT"))
    # Slack: processes doing the commands' work after the ack (bot/workers.py); 0: threads
    # of the serving process itself
    workers: int = Field(1, ge=0, le=32, validation_alias=_env("TASKFORCE_WORKERS"))

    slack_bot_token: str | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: str | None = Field(None, validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_app_token: str | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_url: str = Field("https://slack.com/api/", validation_alias=_env("SLACK_API_URL"))

    dingtalk_client_id: str | None = Field(None, validation_alias=_env("DINGTALK_CLIENT_ID"))
    dingtalk_client_secret: str | None = Field(
        None, validation_alias=_env("DINGTALK_CLIENT_SECRET")
    )
    dingtalk_robot_code: str | None = Field(None, validation_alias=_env("DINGTALK_ROBOT_CODE"))
    dingtalk_api_url: str = Field(
        "https://api.dingtalk.com", validation_alias=_env("DINGTALK_API_URL")
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"TASKFORCE_TIMEZONE={value!r} is not an IANA time zone") from exc
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str | None) -> str | None:
        if value is not None and value not in ("en", "zh-CN"):
            raise ValueError(f"TASKFORCE_LOCALE={value!r}: use en or zh-CN")
        return value

    @field_validator("log_format")
    @classmethod
    def _known_log_format(cls, value: str) -> str:
        if value not in ("text", "json"):
            raise ValueError(f"TASKFORCE_LOG_FORMAT={value!r}: use text or json")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql")):
            raise ValueError("TASKFORCE_DATABASE_URL must be sqlite:/// or postgresql+psycopg://")
        return value

    def admin_ids(self) -> frozenset[str]:
        """TASKFORCE_ADMINS as a set of platform user ids (empty: none configured)."""
        return frozenset(part.strip() for part in self.admins.split(",") if part.strip())

    def detect_platform(self) -> str:
        if self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token):
            return "slack"
        if self.dingtalk_client_id and self.dingtalk_client_secret:
            return "dingtalk"
        return "console"
