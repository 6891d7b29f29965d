"""`taskforce export`: check the request, run the exporters, write the file."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from sqlalchemy.engine import Engine

import bot.exports
from bot.exports.sheets import EXPORTERS, NEEDS_PROJECT, ExportRequest
from bot.exports.writer import FORMATS, write_csv, write_xlsx
from storage import projects
from storage.engine import reading


class ExportError(Exception):
    """A request that cannot be exported; the message says why."""


def load_exporters() -> None:
    """Import every module of bot.exports, so each registers its kinds."""
    for module in pkgutil.iter_modules(bot.exports.__path__):
        importlib.import_module(f"bot.exports.{module.name}")


def export(
    engine: Engine, kinds: list[str], path: Path, project_key: str | None,
    quiz: str | None, default_locale: str,
) -> int:
    """Write the sheets of `kinds` to `path`; the number of rows written."""
    load_exporters()
    unknown = [k for k in kinds if k not in EXPORTERS]
    if unknown:
        raise ExportError(
            f"unknown kind {', '.join(unknown)}; known: {', '.join(sorted(EXPORTERS))}"
        )
    if path.suffix.lower() not in FORMATS:
        raise ExportError(f"{path.name}: the file must end in {' or '.join(FORMATS)}")
    if path.suffix.lower() == ".csv" and len(kinds) > 1:
        raise ExportError("a .csv file holds one kind; use .xlsx for several")
    with reading(engine) as db:  # read-only: never holds the write lock
        project = projects.by_key(db, project_key.upper()) if project_key else None
        if project_key and project is None:
            raise ExportError(f"there is no project {project_key}")
        if project is None and any(k in NEEDS_PROJECT for k in kinds):
            raise ExportError("--project <key> is needed for " + ", ".join(kinds))
        request = ExportRequest(project, project.locale if project else default_locale, quiz)
        sheets = [EXPORTERS[kind](db, request) for kind in kinds]
    if path.suffix.lower() == ".csv":
        write_csv(sheets[0], path)
    else:
        write_xlsx(sheets, path)
    return sum(len(s.rows) for s in sheets)
