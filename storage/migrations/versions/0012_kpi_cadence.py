"""KPI cadences: who records a KPI and how often

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 12:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('kpi_cadence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('every', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=False),
    sa.Column('set_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['set_by'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kpi_id', name='uq_kpi_cadence_kpi')
    )
    with op.batch_alter_table('kpi_cadence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_cadence_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_cadence_project_id'), ['project_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kpi_cadence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_cadence_project_id'))
        batch_op.drop_index(batch_op.f('ix_kpi_cadence_owner_id'))
    op.drop_table('kpi_cadence')
