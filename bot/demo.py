"""`taskforce demo`: seed the demo project, then a console (or a scripted walk-through)."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TextIO

from bot import catalog
from bot.adapters.console import ConsoleAdapter
from bot.runtime import build
from bot.settings import Settings

SCRIPTS = catalog.TEMPLATES_DIR / "demo"


def _lines(name: str) -> list[str]:
    return (SCRIPTS / name).read_text(encoding="utf-8").splitlines()


def run_demo(settings: Settings, database: Path, stdin: TextIO, out: TextIO) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    settings = settings.model_copy(update={"locale": settings.locale or "zh-CN"})
    runtime = build(settings)
    runtime.clock.set(runtime.clock.now())  # pinned, so the seed can travel in time
    seeding = ConsoleAdapter(runtime.dispatcher, "王磊", "launch-approval", io.StringIO())
    seeding.run(_lines("seed.tf"))
    locale = settings.locale
    out.write(catalog.text(locale, "demo.seeded", db=str(database)) + "\n\n")
    if stdin.isatty():
        out.write(catalog.text(locale, "demo.interactive") + "\n")
        console = ConsoleAdapter(runtime.dispatcher, seeding.user, seeding.channel, out)
        console.run(stdin, prompt=lambda: out.write("tf> ") or out.flush())
    else:
        walkthrough = ConsoleAdapter(
            runtime.dispatcher, seeding.user, seeding.channel, out, echo=True
        )
        walkthrough.run(_lines("walkthrough.tf"))
    next_command = console_command(database, seeding.user, seeding.channel)
    out.write("\n" + catalog.text(locale, "demo.done", command=next_command) + "\n")


def console_command(database: Path, user: str, channel: str) -> str:
    """What a newcomer types next: the console on the demo's data, as runnable from here."""
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("taskforce")
    if program.name != "taskforce":
        program = Path(".venv/bin/taskforce")
    elif program.is_absolute() and program.is_relative_to(Path.cwd()):
        program = program.relative_to(Path.cwd())
    shown = program.as_posix() if "/" in program.as_posix() else f"./{program}"
    return (
        f"TASKFORCE_DATABASE_URL=sqlite:///{database} {shown} console"
        f" --as {user} --channel {channel}"
    )
