"""index of done items by project and time: the digest's "done since" reads what is recent

Revision ID: 0017
Revises: 0015
Create Date: 2026-11-30 12:40:00
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0017'
down_revision: Union[str, Sequence[str], None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_item_project_status_done', 'actionitem',
                    ['project_id', 'status', 'done_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_item_project_status_done', table_name='actionitem')
