"""pilot feedback log: feedback

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 12:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('triaged_by', sa.Integer(), nullable=True),
    sa.Column('triaged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('duplicate_of', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['duplicate_of'], ['feedback.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['actionitem.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['reporter_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['triaged_by'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'seq')
    )
    op.create_index('ix_feedback_project_state', 'feedback', ['project_id', 'state', 'severity'], unique=False)
    op.create_index('ix_feedback_project_created', 'feedback', ['project_id', 'created_at'], unique=False)
    op.create_index('ix_feedback_item', 'feedback', ['item_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_feedback_item', table_name='feedback')
    op.drop_index('ix_feedback_project_created', table_name='feedback')
    op.drop_index('ix_feedback_project_state', table_name='feedback')
    op.drop_table('feedback')
