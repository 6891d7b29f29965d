"""`taskforce quiz import` and `taskforce quiz template`: what they print."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from bot import catalog
from bot.clock import Clock
from bot.quiz_bank import Problem
from bot.quiz_files import BankFileError, import_bank, write_template
from bot.settings import Settings
from storage.engine import make_engine
from storage.migrate import upgrade


def _locale(settings: Settings) -> str:
    return settings.locale or "en"


def describe(problem: Problem, path: Path, locale: str) -> str:
    where = catalog.text(locale, f"quiz_import.{problem.place}", at=problem.at)
    parts = [f"{path.name}: {where}"]
    if problem.question is not None:
        parts.append(catalog.text(locale, "quiz_import.question", n=problem.question))
    message = catalog.text(locale, f"quiz_import.{problem.key}", **problem.params)
    return ", ".join(parts) + f": {message}"


def run_import(settings: Settings, path: Path, out: TextIO, err: TextIO) -> int:
    locale = _locale(settings)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        result = import_bank(engine, Clock(settings.now, settings.timezone), path)
    except BankFileError as error:
        message = catalog.text(locale, f"quiz_import.{error.key}", **error.params)
        err.write(f"{path.name}: {message}\n")
        err.write(catalog.text(locale, "quiz_import.failed", count=1) + "\n")
        return 1
    except OSError as error:
        err.write(f"{path}: {error.strerror}\n")
        return 1
    finally:
        engine.dispose()
    if result.spec is None:
        for problem in result.problems:
            err.write(describe(problem, path, locale) + "\n")
        err.write(catalog.text(locale, "quiz_import.failed", count=len(result.problems)) + "\n")
        return 1
    spec = result.spec
    kinds = {k: sum(1 for q in spec.questions if q.type == k)
             for k in ("single", "multiple", "true_false")}
    out.write(catalog.text(locale, "quiz_import.imported", key=spec.key, version=spec.version,
                           title=spec.title, questions=len(spec.questions), **kinds) + "\n")
    return 0


def run_template(settings: Settings, path: Path, out: TextIO, err: TextIO) -> int:
    locale = _locale(settings)
    if path.suffix.lower() != ".xlsx":
        err.write(f"{path.name}: " + catalog.text(locale, "quiz_import.not_xlsx") + "\n")
        return 2
    write_template(path)
    out.write(catalog.text(locale, "quiz_import.template_written", path=path) + "\n")
    return 0
