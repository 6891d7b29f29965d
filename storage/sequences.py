"""Short per-project ids of every kind (E3, T4, R2, F5, N1): one counter per project and kind.

Items keep their own counter on the project row (A-ids); every later kind takes its
numbers here, so a feature adds no column to `project` to number its records.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel


class IdSequence(SQLModel, table=True):
    project_id: int = Field(foreign_key="project.id", primary_key=True)
    kind: str = Field(max_length=8, primary_key=True)  # the id's letter: "E", "T", "R", …
    last: int = 0


def next_seq(db: Session, project_id: int, kind: str) -> int:
    """Atomically take the next number of `kind` in the project (1, 2, …).

    One upsert: the row lock it takes serialises concurrent writers on PostgreSQL,
    and SQLite's writers are serialised already.
    """
    dialect = db.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(IdSequence)
        .values(project_id=project_id, kind=kind, last=1)
        .on_conflict_do_update(
            index_elements=["project_id", "kind"], set_={"last": IdSequence.last + 1}
        )
        .returning(IdSequence.last)
    )
    return db.exec(statement).scalar_one()
