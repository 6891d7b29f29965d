"""Alembic environment: migrates the URL it is given, against storage.models' metadata."""

from alembic import context
from sqlmodel import SQLModel

import storage.announcements  # noqa: F401  (registers the tables)
import storage.calendar  # noqa: F401  (registers the tables)
import storage.delivery_tables  # noqa: F401  (registers the tables)
import storage.escalations  # noqa: F401  (registers the tables)
import storage.feedback  # noqa: F401  (registers the tables)
import storage.grouped  # noqa: F401  (registers the tables)
import storage.kpis  # noqa: F401  (registers the tables)
import storage.meetings  # noqa: F401  (registers the tables)
import storage.models  # noqa: F401  (registers the tables)
import storage.pace  # noqa: F401  (registers the tables)
import storage.quizzes  # noqa: F401  (registers the tables)
import storage.readiness  # noqa: F401  (registers the tables)
import storage.reviews  # noqa: F401  (registers the tables)
import storage.sequences  # noqa: F401  (registers the tables)
from storage.engine import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:  # noqa: ANN001
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
