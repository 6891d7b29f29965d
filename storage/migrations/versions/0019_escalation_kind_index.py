"""index of escalation records by subject kind and state: the quiz job's look-up of open
quiz records (every tick) reads those, not every open item escalation

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 15:20:00
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0019'
down_revision: Union[str, Sequence[str], None] = '0018'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_escalation_kind_state', 'escalation', ['subject_kind', 'state'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_escalation_kind_state', table_name='escalation')
