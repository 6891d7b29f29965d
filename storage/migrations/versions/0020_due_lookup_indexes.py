"""indexes for the every-tick look-ups: open escalation records by last notice (renotify
reads only the due ones) and quiz attempts still open by deadline (the grading of expired
attempts reads only those), and assignees by assignment, passed and department (whether a
quiz record's department has all passed, asked of every open quiz record each tick)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 16:10:00
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0020'
down_revision: Union[str, Sequence[str], None] = '0019'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_escalation_state_notified', 'escalation',
                    ['state', 'last_notified_at'], unique=False)
    op.create_index('ix_quizattempt_open_deadline', 'quizattempt',
                    ['submitted_at', 'deadline'], unique=False)
    op.create_index('ix_quizassignee_passed', 'quizassignee',
                    ['assignment_id', 'passed', 'department_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_quizassignee_passed', table_name='quizassignee')
    op.drop_index('ix_quizattempt_open_deadline', table_name='quizattempt')
    op.drop_index('ix_escalation_state_notified', table_name='escalation')
