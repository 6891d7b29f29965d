"""name keys: departments and KPIs looked up by one normalised key (casefold + NFKC)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 12:30:00

SQLite's `lower()` folds ASCII only: `Über` was never found again as typed. Each name
now has a key computed in Python (storage.names.name_key), backfilled here for every
existing row. Two existing names with one key (`Über` and `über`, which the old unique
constraint allowed) keep the older one's key; the later row's key gets `#<id>` so the
unique index can be built and nothing is deleted.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from storage.names import KEY_LENGTH, name_key

revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _backfill(table: str, name_column: str, scope: str | None, unique: bool = True) -> None:
    conn = op.get_bind()
    scope_sql = f", {scope}" if scope else ""
    rows = conn.execute(sa.text(f"SELECT id, {name_column}{scope_sql} FROM {table} ORDER BY id"))
    taken: set[tuple[object, str]] = set()
    for row in rows.fetchall():
        key = name_key(row[1])
        group = row[2] if scope else None
        if unique and (group, key) in taken:
            key = f"{key}#{row[0]}"
        taken.add((group, key))
        conn.execute(
            sa.text(f"UPDATE {table} SET name_key = :key WHERE id = :id"),
            {"key": key, "id": row[0]},
        )


def upgrade() -> None:
    key_type = sqlmodel.sql.sqltypes.AutoString(length=KEY_LENGTH)
    for table in ('department', 'kpi'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('name_key', key_type, nullable=True))
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sqlmodel.sql.sqltypes.AutoString(length=80),
                              type_=key_type, existing_nullable=False)
    _backfill('department', 'name', None)
    _backfill('kpi', 'name', 'project_id')
    _backfill('person', 'display_name', None, unique=False)  # same function, wider column
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=key_type, nullable=False)
        batch_op.create_index('ux_department_name_key', ['name_key'], unique=True)
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=key_type, nullable=False)
        batch_op.create_index('ux_kpi_project_name_key', ['project_id', 'name_key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.drop_index('ux_kpi_project_name_key')
        batch_op.drop_column('name_key')
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_index('ux_department_name_key')
        batch_op.drop_column('name_key')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sqlmodel.sql.sqltypes.AutoString(length=KEY_LENGTH),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=80), existing_nullable=False)
