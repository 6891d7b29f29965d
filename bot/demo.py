"""`taskforce demo`: seed the demo project, then a console (or a scripted walk-through)."""

from __future__ import annotations

import io
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
        return
    walkthrough = ConsoleAdapter(runtime.dispatcher, seeding.user, seeding.channel, out, echo=True)
    walkthrough.run(_lines("walkthrough.tf"))
    out.write(catalog.text(locale, "demo.done") + "\n")
