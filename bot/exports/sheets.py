"""The exporter table. A feature registers `@exporter("<kind>")`, a function that turns
its records into one `Sheet`; `taskforce export` picks exporters by kind and writes them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from storage.models import Project

Cell = str | int | float | date | datetime | None


@dataclass(frozen=True)
class ExportRequest:
    """What the operator asked for; `locale` is the project's, for the headers."""

    project: Project | None
    locale: str
    quiz: str | None = None


@dataclass
class Sheet:
    title: str  # the sheet's name (Excel allows 31 characters)
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


Exporter = Callable[[Session, ExportRequest], Sheet]
EXPORTERS: dict[str, Exporter] = {}
# kinds that need a project (`--project`); the others say what they need themselves
NEEDS_PROJECT: set[str] = set()


def exporter(kind: str, *, needs_project: bool = True) -> Callable[[Exporter], Exporter]:
    """Register the decorated function as the exporter of `kind`."""

    def register(function: Exporter) -> Exporter:
        if kind in EXPORTERS:
            raise ValueError(f"exporter {kind!r} registered twice")
        EXPORTERS[kind] = function
        if needs_project:
            NEEDS_PROJECT.add(kind)
        return function

    return register
