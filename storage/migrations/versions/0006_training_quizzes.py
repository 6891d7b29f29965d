"""training quizzes: banks, questions, assignments, assignees, attempts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 10:15:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('quizbank',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('shuffle', sa.Boolean(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('imported_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', 'version')
    )
    op.create_index('ix_quizbank_key', 'quizbank', ['key'], unique=False)
    op.create_table('quizquestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('explain', sa.Text(), nullable=True),
    sa.Column('departments', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('roles', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['quizbank.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bank_id', 'number')
    )
    op.create_table('quizassignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['bank_id'], ['quizbank.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_quizassignment_project_id', 'quizassignment', ['project_id'], unique=False)
    op.create_index('ix_quizassignment_due', 'quizassignment', ['due_date'], unique=False)
    op.create_table('quizassignee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('questions', sa.Text(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['quizassignment.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assignment_id', 'person_id')
    )
    op.create_index('ix_quizassignee_assignment_id', 'quizassignee', ['assignment_id'], unique=False)
    op.create_index('ix_quizassignee_person_id', 'quizassignee', ['person_id'], unique=False)
    op.create_table('quizattempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('order', sa.Text(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.Column('picked', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('deadline', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['quizassignee.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assignee_id', 'number')
    )
    op.create_index('ix_quizattempt_assignee_id', 'quizattempt', ['assignee_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_quizattempt_assignee_id', table_name='quizattempt')
    op.drop_table('quizattempt')
    op.drop_index('ix_quizassignee_person_id', table_name='quizassignee')
    op.drop_index('ix_quizassignee_assignment_id', table_name='quizassignee')
    op.drop_table('quizassignee')
    op.drop_index('ix_quizassignment_due', table_name='quizassignment')
    op.drop_index('ix_quizassignment_project_id', table_name='quizassignment')
    op.drop_table('quizassignment')
    op.drop_table('quizquestion')
    op.drop_index('ix_quizbank_key', table_name='quizbank')
    op.drop_table('quizbank')
