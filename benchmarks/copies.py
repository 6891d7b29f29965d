"""A throwaway copy of a prepared benchmark database: a file copy on SQLite, a database
made from it as a template on PostgreSQL (CREATE DATABASE … TEMPLATE)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def copy_of(base: str, n: int) -> Iterator[str]:
    """A copy of the prepared database for one scenario (removed afterwards)."""
    if not base.startswith("postgresql"):
        path = Path(base.removeprefix("sqlite:///"))
        copy = path.with_name(f"{path.stem}-{n}.db")
        shutil.copy(path, copy)
        try:
            yield f"sqlite:///{copy}"
        finally:
            copy.unlink(missing_ok=True)
        return
    url = make_url(base)
    name = f"{url.database}_{n}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
