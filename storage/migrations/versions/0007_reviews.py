"""parallel reviews: review, reviewslot, reviewdecision

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:15:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('within_days', sa.Integer(), nullable=False),
    sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('round_opened_on', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['actionitem.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['requester_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'seq')
    )
    op.create_index('ix_review_state_due', 'review', ['state', 'due_date'], unique=False)
    op.create_table('reviewslot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('delegate_id', sa.Integer(), nullable=True),
    sa.Column('no_head', sa.Boolean(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('working_days', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['delegate_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_reviewslot_review', 'reviewslot', ['review_id', 'id'], unique=False)
    op.create_index('ix_reviewslot_reviewer', 'reviewslot', ['reviewer_id'], unique=False)
    op.create_index('ix_reviewslot_delegate', 'reviewslot', ['delegate_id'], unique=False)
    op.create_table('reviewdecision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('working_days', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ),
    sa.ForeignKeyConstraint(['slot_id'], ['reviewslot.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_reviewdecision_review', 'reviewdecision', ['review_id', 'id'], unique=False)
    op.create_index('ix_reviewdecision_project_at', 'reviewdecision', ['project_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_reviewdecision_project_at', table_name='reviewdecision')
    op.drop_index('ix_reviewdecision_review', table_name='reviewdecision')
    op.drop_table('reviewdecision')
    op.drop_index('ix_reviewslot_delegate', table_name='reviewslot')
    op.drop_index('ix_reviewslot_reviewer', table_name='reviewslot')
    op.drop_index('ix_reviewslot_review', table_name='reviewslot')
    op.drop_table('reviewslot')
    op.drop_index('ix_review_state_due', table_name='review')
    op.drop_table('review')
