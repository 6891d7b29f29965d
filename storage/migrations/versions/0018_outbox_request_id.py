"""outbox rows carry the request id of the command or job run that queued them

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 13:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0018'
down_revision: Union[str, Sequence[str], None] = '0017'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(
            sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('request_id')
