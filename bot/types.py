"""Type aliases shared across the core. Aliases only."""

from typing import Literal

Platform = Literal["console", "slack", "dingtalk"]
Locale = Literal["en", "zh-CN"]
Role = Literal["process-owner", "lead", "member", "viewer"]
ItemStatus = Literal["open", "in_progress", "blocked", "done", "cancelled"]
Visibility = Literal["channel", "private"]
CalendarName = Literal["cn", "weekends"]
Phase = Literal["diagnose", "design", "pilot", "rollout", "sustain"]
