"""`taskforce doctor`: is this installation ready to serve?

Each check prints one line, `ok`, `warn` or `FAIL`, with what it found; the exit code is
1 when any check failed (a warning does not fail), 0 otherwise. Checks: the configuration,
the database (reachable, migrated), the configured platforms' credentials (accepted by the
platform, or by the fake its URL points at), the clock and time zone, and the working-day
calendar's data for this year and next.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.clock import Clock, as_utc
from bot.holiday_data import has_chinesecalendar, package_year
from bot.settings import Settings
from bot.workdays import calendar_for, refresh_overrides
from storage.engine import make_engine, reading
from storage.migrate import revisions

Line = tuple[str, str, str]  # (ok | warn | FAIL, what, detail)
MAX_SKEW = 60.0  # seconds between this machine's clock and the database server's
PLATFORM_CHECKS = {
    "slack": "bot.adapters.slack.credentials",
    "dingtalk": "bot.adapters.dingtalk.credentials",
}


def run_doctor(out: TextIO, settings: Settings | None = None) -> int:
    """Print every check's line to `out`; 1 if any failed."""
    failed = False
    for status, what, detail in checks(settings):
        out.write(f"{status:<5} {what}: {detail}\n")
        failed = failed or status == "FAIL"
    out.write("doctor: " + ("something failed (see FAIL above)\n" if failed else "all good\n"))
    return 1 if failed else 0


def checks(settings: Settings | None = None) -> Iterator[Line]:
    if settings is None:
        try:
            settings = Settings()
        except ValidationError as error:
            for problem in error.errors():
                yield "FAIL", "configuration", str(problem["msg"])
            return
    yield "ok", "configuration", f"database {_safe_url(settings.database_url)}"
    engine = make_engine(settings.database_url)
    database_ok = False
    for line in _database(engine):
        database_ok = line[0] == "ok"
        yield line
    yield from _platforms(settings)
    yield from _clock(settings, engine if database_ok else None)
    if database_ok:
        yield from _calendar(settings, engine)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _database(engine: Engine) -> Iterator[Line]:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        yield "FAIL", "database", f"not reachable: {type(error).__name__}: {error}"[:300]
        return
    current, heads = revisions(engine)
    if current != heads:
        found = ",".join(sorted(current)) or "empty"
        wanted = ",".join(sorted(heads))
        yield "FAIL", "database", f"at {found}, needs {wanted}: run `taskforce db upgrade`"
        return
    yield "ok", "database", f"reachable, migrated ({','.join(sorted(current))})"


def _platforms(settings: Settings) -> Iterator[Line]:
    configured = {
        "slack": bool(settings.slack_bot_token),
        "dingtalk": bool(settings.dingtalk_client_id or settings.dingtalk_client_secret),
    }
    if not any(configured.values()):
        yield "ok", "platform", "none configured (the console only)"
        return
    for name, module in PLATFORM_CHECKS.items():
        if configured[name]:
            check: Callable[[Settings], tuple[bool, str]] = importlib.import_module(module).check
            accepted, detail = check(settings)
            yield ("ok" if accepted else "FAIL"), name, detail


def _clock(settings: Settings, engine: Engine | None) -> Iterator[Line]:
    zone = ZoneInfo(settings.timezone)
    now = Clock(settings.now, default_tz=settings.timezone).now()
    local = now.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    if settings.now is not None:
        yield "warn", "clock", f"pinned by TASKFORCE_NOW to {local} (tests and demos only)"
    else:
        yield "ok", "clock", f"{local} in {settings.timezone}"
    if engine is None or engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        server = as_utc(connection.execute(text("SELECT now()")).scalar_one())
    skew = abs((server - datetime.now(UTC)).total_seconds())
    if skew > MAX_SKEW:
        yield "FAIL", "clock", f"the database server's clock is {skew:.0f} s off this machine's"


def _calendar(settings: Settings, engine: Engine) -> Iterator[Line]:
    with reading(engine) as db:
        refresh_overrides(db)
    china = calendar_for("cn")
    this_year = Clock(settings.now, default_tz=settings.timezone).today(settings.timezone).year
    for year in (this_year, this_year + 1):
        if has_chinesecalendar(year):
            yield "ok", f"calendar {year}", "official arrangement (chinesecalendar)"
        elif not china.is_provisional(year):
            yield "ok", f"calendar {year}", "arrangement settled (overrides or holidays package)"
        elif package_year(year):
            yield (
                "warn",
                f"calendar {year}",
                "provisional: statutory holidays from holidays.China, no 调休 working days; "
                "type the published arrangement with `calendar holiday` / `calendar workday`",
            )
        else:
            yield "FAIL", f"calendar {year}", "no holiday data at all for this year"
