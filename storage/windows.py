"""The first rows of each project in one window statement, and the same built once.

`first_per_project` numbers a model's rows per project (`row_number() OVER (PARTITION
BY project ...)`) and counts them (`count() OVER` the same partition), so a section of
2,000 projects costs one statement, not 2,000 (SQLite ≥ 3.25 and PostgreSQL both have
window functions).

`Window` is such a statement for the hot paths, built once with its values bound at each
run (`bindparam`): building a window statement and computing its cache key cost several
times what running it costs once compiled (measured: 3.4 ms a run built afresh, 0.6 ms
prebuilt, for one project's agenda section on SQLite).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import bindparam, literal_column, union_all
from sqlalchemy.sql import Select
from sqlmodel import Session, SQLModel, col, func, select

from storage.models import Person

Found = dict[tuple[int, str], tuple[list, int]]  # (project id, section) -> (first rows, total)


def constant(word: str) -> Any:
    """A section name written into the statement (a constant, not a parameter: PostgreSQL
    cannot type a parameter in PARTITION BY)."""
    return literal_column(f"'{word}'")


def ids(key: str = "ids") -> Any:
    """A list of values bound at each run (`IN` expanded to its length)."""
    return bindparam(key, expanding=True)


def _ranked(model: type[SQLModel], where: list, order: Sequence, section: Any) -> Select:
    partition = (model.project_id, section)  # type: ignore[attr-defined]
    return select(
        col(model.id).label("row_id"),  # type: ignore[attr-defined]
        section.label("section"),
        func.row_number().over(partition_by=partition, order_by=order).label("rank"),
        func.count().over(partition_by=partition).label("total"),
    ).where(*where)


def statement(model: type[SQLModel], where: list, order: Sequence, limit: Any,
              section: Any = None) -> Select:
    """The window statement: each project's first `limit` rows of `model` matching `where`
    in `order`, with its section and how many its section holds."""
    section = constant("") if section is None else section
    return _outer(model, _ranked(model, where, order, section).subquery(), limit)


def sections_statement(model: type[SQLModel], wheres: dict[str, list], order: Sequence,
                       limit: Any) -> Select:
    """`statement` for several named sections at once (UNION ALL), a row in each section
    it matches: each project's first `limit` rows of every section."""
    parts = [_ranked(model, where, order, constant(name)) for name, where in wheres.items()]
    return _outer(model, union_all(*parts).subquery(), limit)


def _outer(model: type[SQLModel], inner: Any, limit: Any) -> Select:
    return (
        select(model, inner.c.section, inner.c.total)
        .join(inner, col(model.id) == inner.c.row_id)  # type: ignore[attr-defined]
        .where(inner.c.rank <= limit)
        .order_by(inner.c.section, inner.c.rank)
    )


def collect(rows: Any) -> Found:
    found: Found = {}
    for row, section, total in rows:
        found.setdefault((row.project_id, section), ([], total))[0].append(row)
    return found


def first_per_project(db: Session, model: type[SQLModel], where: list, order: Sequence,
                      limit: int, section: Any = None) -> Found:
    """(project id, section) -> (the first `limit` rows of `model` matching `where` in
    `order`, how many match), in one statement built for this call; `section` an
    expression that splits a project's rows further (none: every row is in section "")."""
    return collect(db.exec(statement(model, where, order, limit, section)).all())


AlongRead = Callable[[Session, list], None]  # what to do with the rows read along


@dataclass(frozen=True)
class Along:
    """Rows of another model read in the window's statement (an outer join): the one
    whose id is in the window model's column `by`, handed to `then` (which keeps them:
    the session's identity map holds a row only while something else does)."""

    model: type[SQLModel]
    by: str
    then: AlongRead


def owners(then: AlongRead) -> Along:
    """Each row's owner (a Person by the model's `owner_id`)."""
    return Along(Person, "owner_id", then)


class Window:
    """A `first_per_project` statement built on first use and kept: `where`, `order` and
    `section` give its clauses, with `bindparam`s (or `ids()`) for the values each run
    binds; the limit is bound as `limit`. With `along`, the rows each row names are
    read in the same statement."""

    def __init__(self, model: type[SQLModel], where: Callable[[], list],
                 order: Callable[[], Sequence], section: Callable[[], Any] | None = None,
                 along: Along | None = None) -> None:
        self.model, self.where, self.order, self.section = model, where, order, section
        self.along = along

    @cached_property
    def statement(self) -> Select:
        section = self.section() if self.section else None
        built = statement(self.model, self.where(), self.order(), bindparam("limit"), section)
        return self._with_along(built)

    def _with_along(self, built: Select) -> Select:
        if self.along is None:
            return built
        other = self.along.model
        named = col(other.id) == getattr(self.model, self.along.by)  # type: ignore[attr-defined]
        return built.add_columns(other).outerjoin(other, named)

    def run(self, db: Session, limit: int, **values: Any) -> Found:
        rows = db.exec(self.statement, params={"limit": limit, **values}).all()
        if self.along is not None:
            self.along.then(db, [row[3] for row in rows if row[3] is not None])
            rows = [row[:3] for row in rows]
        return collect(rows)


class Sections(Window):
    """A `Window` of several named sections in one statement (`sections_statement`):
    `wheres` gives each section's clauses."""

    def __init__(self, model: type[SQLModel], wheres: Callable[[], dict[str, list]],
                 order: Callable[[], Sequence], along: Along | None = None) -> None:
        super().__init__(model, lambda: [], order, along=along)
        self.wheres = wheres

    @cached_property
    def statement(self) -> Select:
        built = sections_statement(self.model, self.wheres(), self.order(), bindparam("limit"))
        return self._with_along(built)
