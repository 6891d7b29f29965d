"""escalation records by kind, state and creation time: the quiz job's every-run check
reads only the quiz records raised lately, not every open one (it replaces the index by
kind and state, which it serves as well)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 11:50:00
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0021'
down_revision: Union[str, Sequence[str], None] = '0020'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_escalation_kind_state_created', 'escalation',
                    ['subject_kind', 'state', 'created_at'], unique=False)
    op.drop_index('ix_escalation_kind_state', table_name='escalation')


def downgrade() -> None:
    op.create_index('ix_escalation_kind_state', 'escalation',
                    ['subject_kind', 'state'], unique=False)
    op.drop_index('ix_escalation_kind_state_created', table_name='escalation')
