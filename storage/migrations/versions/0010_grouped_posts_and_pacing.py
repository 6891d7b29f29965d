"""grouped morning posts (pending listings) and shared delivery pacing

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 10:20:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('overdue_pending',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['actionitem.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item_id', 'due_date', name='uq_overdue_pending')
    )
    with op.batch_alter_table('overdue_pending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_overdue_pending_project_id'), ['project_id'], unique=False)

    op.create_table('outbox_pace',
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=130), nullable=False),
    sa.Column('next_allowed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('platform', 'target')
    )


def downgrade() -> None:
    op.drop_table('outbox_pace')
    with op.batch_alter_table('overdue_pending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_overdue_pending_project_id'))
    op.drop_table('overdue_pending')
