"""The `taskforce` command line."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from pydantic import ValidationError

from bot.outbox_cli import outbox_app
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.delivery import Sender

PLATFORMS = ("slack", "dingtalk")  # besides the console
app = typer.Typer(no_args_is_help=True, add_completion=False, help="Taskforce chat bot.")
db_app = typer.Typer(no_args_is_help=True, help="Database maintenance.")
app.add_typer(db_app, name="db")
app.add_typer(outbox_app, name="outbox")


def _settings(**overrides: object) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        for problem in error.errors():
            typer.echo(f"configuration error: {problem['msg']}", err=True)
        raise typer.Exit(2) from None


def _logging(level: int = logging.WARNING, settings: Settings | None = None) -> None:
    """Plain lines, or JSON lines with TASKFORCE_LOG_FORMAT=json (bot/logs.py)."""
    from bot.logs import FORMATS, setup_logging

    fmt = settings.log_format if settings else os.environ.get("TASKFORCE_LOG_FORMAT", "text")
    setup_logging(level, fmt if fmt in FORMATS else "text")


@app.command()
def console(
    as_: str = typer.Option("me", "--as", help="Your console user name."),
    channel: str = typer.Option("general", "--channel", help="Channel name; 'dm' for a DM."),
) -> None:
    """One command per line on stdin; replies on stdout. Works without a TTY."""
    from bot.adapters.console import ConsoleAdapter
    from bot.runtime import build

    _logging()
    runtime = build(_settings())
    adapter = ConsoleAdapter(runtime.dispatcher, as_.lstrip("@"), channel.lstrip("#"), sys.stdout)
    interactive = sys.stdin.isatty()
    adapter.run(
        sys.stdin, prompt=(lambda: print("tf> ", end="", flush=True)) if interactive else None
    )


@app.command()
def demo(
    database: Path = typer.Option(
        Path("taskforce-demo.db"), help="Demo database file (recreated)."
    ),
) -> None:
    """Seed the demo project and open the console (a scripted walk-through without a TTY)."""
    from bot.demo import run_demo

    _logging()
    run_demo(_settings(database_url=f"sqlite:///{database}"), database, sys.stdin, sys.stdout)


@app.command()
def run(
    platform: str = typer.Option(
        None, help="slack, dingtalk or console (default: from the environment)."
    ),
    port: int = typer.Option(3000, help="HTTP port for Slack's HTTP mode."),
    health_port: int = typer.Option(
        None, "--health-port", help="Serve /healthz and /metrics on this port."
    ),
) -> None:
    """Run the bot on a platform."""
    settings = _settings()
    chosen = platform or settings.detect_platform()
    if chosen == "console":
        _run_console(settings)
        return
    if chosen not in PLATFORMS:
        typer.echo(f"unknown platform {chosen!r}: use slack, dingtalk or console", err=True)
        raise typer.Exit(2)
    _run_platform(settings, chosen, port, health_port)


def _run_platform(
    settings: Settings, platform: str, port: int, health_port: int | None = None
) -> None:
    """A chat platform's adapter (bot/serving.py), its configuration checked first."""
    from bot.serving import serve
    from storage.schema_version import MigrationFailed

    _logging(logging.INFO, settings)
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        senders = {platform: _sender(platform, settings)}
    except ValueError as error:  # each adapter's configuration error says what is missing
        typer.echo(f"configuration error: {error}", err=True)
        raise typer.Exit(2) from None
    try:
        serve(settings, platform, senders, port, health_port)
    except MigrationFailed as error:  # an unreachable or unwritable database at start
        typer.echo(f"database error: {error}", err=True)
        raise typer.Exit(1) from None


def _run_console(settings: Settings) -> None:
    """The console, with the scheduler running in the background (delivering to stdout)."""
    from bot.adapters.console import ConsoleAdapter
    from bot.jobs.scheduler import start_scheduler
    from bot.runtime import build

    _logging()
    runtime = build(settings)
    adapter = ConsoleAdapter(runtime.dispatcher, "me", "general", sys.stdout)
    scheduler = start_scheduler(runtime, {"console": adapter.sender})
    try:
        interactive = sys.stdin.isatty()
        adapter.run(
            sys.stdin, prompt=(lambda: print("tf> ", end="", flush=True)) if interactive else None
        )
    finally:
        scheduler.shutdown(wait=True)


def _sender(platform: str, settings: Settings) -> Sender:
    if platform == "slack":
        from bot.adapters.slack import make_sender as slack_sender

        return slack_sender(settings)
    from bot.adapters.dingtalk import make_sender as dingtalk_sender

    return dingtalk_sender(settings)


@app.command()
def tick(
    at: str = typer.Option(None, "--at", help="The instant, ISO-8601 (default: now)."),
) -> None:
    """Run every scheduled job due at that instant, once; then deliver the outbox."""
    from bot.tick import run_tick

    _logging()
    settings = _settings(now=at)
    raise typer.Exit(run_tick(settings, sys.stdout, sys.stderr, _platform_senders(settings)))


def _platform_senders(settings: Settings) -> dict[str, Sender]:
    """The senders of the platforms whose credentials are configured (adapters load lazily)."""
    senders = {}
    if settings.slack_bot_token:
        senders["slack"] = _sender("slack", settings)
    if settings.dingtalk_client_id and settings.dingtalk_client_secret:
        senders["dingtalk"] = _sender("dingtalk", settings)
    return senders


@app.command()
def status() -> None:
    """Outbox (queued, failed, last errors) and the job periods that ran."""
    from bot.outbox.report import print_status

    _logging()
    print_status(_settings(), sys.stdout)


@app.command()
def export(
    args: list[str] = typer.Argument(..., help="KIND… FILE.xlsx|.csv"),
    project: str = typer.Option(None, "--project", help="The project's key."),
    quiz: str = typer.Option(None, "--quiz", help="The quiz's key (quiz-results)."),
) -> None:
    """Export records (items, feedback, kpis, reviews, quiz-results, …) to Excel or CSV."""
    from bot.exports.run import ExportError
    from bot.exports.run import export as run_export
    from storage.engine import make_engine

    if len(args) < 2:
        typer.echo("usage: taskforce export KIND… --project KEY FILE.xlsx|.csv", err=True)
        raise typer.Exit(2)
    settings = _settings()
    default_locale = settings.locale or "en"
    try:
        count = run_export(
            make_engine(settings.database_url), args[:-1], Path(args[-1]), project, quiz,
            default_locale,
        )
    except ExportError as error:
        typer.echo(f"export: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {count} rows to {args[-1]}")


@app.command()
def doctor() -> None:
    """Check the configuration, the database, the platform credentials, the clock and the
    calendar data; exit non-zero when anything fails."""
    from bot.doctor import run_doctor

    _logging()
    raise typer.Exit(run_doctor(sys.stdout))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    from storage.engine import make_engine
    from storage.migrate import upgrade

    settings = _settings()
    upgrade(make_engine(settings.database_url))
    typer.echo(f"database at {settings.database_url} is up to date")


# -- training quizzes: question banks ---------------------------------------------
quiz_app = typer.Typer(no_args_is_help=True, help="Training quiz question banks.")
app.add_typer(quiz_app, name="quiz")


@quiz_app.command("import")
def quiz_import(path: Path = typer.Argument(..., help="A bank: .yaml/.yml or .xlsx")) -> None:
    """Check a question bank and import it, all or nothing."""
    from bot.quiz_cli import run_import

    settings = _settings()
    raise typer.Exit(run_import(settings, path, sys.stdout, sys.stderr))


@quiz_app.command("template")
def quiz_template(path: Path = typer.Argument(..., help="The workbook to write (.xlsx)")) -> None:
    """Write the empty bank workbook: the columns and one example row."""
    from bot.quiz_cli import run_template

    raise typer.Exit(run_template(_settings(), path, sys.stdout, sys.stderr))


if __name__ == "__main__":
    app()
