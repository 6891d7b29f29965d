"""The DingTalk adapter (dingtalk-stream, stream mode: no public URL needed).

Only this package imports dingtalk_stream, and only after `config` has pointed
the SDK at DINGTALK_API_URL, so `import bot.adapters.dingtalk` alone never
loads the SDK. Entry points:

- `run_dingtalk(runtime)`: blocking; `taskforce run --platform dingtalk`.
- `make_sender(settings)`: the outbox's DingTalk sender (bot/delivery.py).
- `DingTalkRenderer()`: notices for DingTalk targets as the payloads that sender
  posts; the outbox uses it for every DingTalk target (`bot.outbox.enqueue.RENDERERS`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.adapters.dingtalk.config import ConfigError, DingTalkConfig, prepare_environment
from bot.adapters.dingtalk.render import DingTalkRenderer

if TYPE_CHECKING:
    from bot.adapters.dingtalk.sender import DingTalkSender
    from bot.runtime import Runtime
    from bot.settings import Settings

__all__ = ["ConfigError", "DingTalkRenderer", "make_sender", "run_dingtalk"]


def run_dingtalk(runtime: Runtime) -> None:
    """Serve DingTalk until interrupted; raises ConfigError when credentials are missing."""
    config = DingTalkConfig.from_settings(runtime.settings)
    prepare_environment(config.api_url)
    from bot.adapters.dingtalk.app import run

    run(runtime, config)


def make_sender(settings: Settings) -> DingTalkSender:
    from bot.adapters.dingtalk.openapi import OpenApi
    from bot.adapters.dingtalk.sender import DingTalkSender

    config = DingTalkConfig.from_settings(settings)
    return DingTalkSender(OpenApi(config), config.robot_code)
