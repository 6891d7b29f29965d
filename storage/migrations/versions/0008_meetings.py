"""weekly meeting: slot, agenda topics, meetings, attendance, decisions, meeting items

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:20:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _str(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table('meetingslot',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('at', _str(5), nullable=False),
    sa.Column('tz', _str(64), nullable=True),
    sa.Column('agenda_hours', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('reminder_minutes', sa.Integer(), nullable=False),
    sa.Column('next_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('project_id')
    )
    with op.batch_alter_table('meetingslot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetingslot_next_at'), ['next_at'], unique=False)

    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('occurs_on', sa.Date(), nullable=False),
    sa.Column('at', _str(5), nullable=False),
    sa.Column('tz', _str(64), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('scheduled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('close_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('moved_from', sa.Date(), nullable=True),
    sa.Column('holiday', _str(80), nullable=True),
    sa.Column('state', _str(12), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('started_by', sa.Integer(), nullable=True),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['started_by'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'occurs_on')
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_state_close', ['state', 'close_at'], unique=False)

    op.create_table('agendatopic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('topic', _str(200), nullable=False),
    sa.Column('presenter_id', sa.Integer(), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=False),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('state', _str(8), nullable=False),
    sa.Column('carried_from', sa.Integer(), nullable=True),
    sa.Column('done_in', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['presenter_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['added_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['carried_from'], ['meeting.id'], ),
    sa.ForeignKeyConstraint(['done_in'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'seq')
    )
    with op.batch_alter_table('agendatopic', schema=None) as batch_op:
        batch_op.create_index('ix_agendatopic_project_state', ['project_id', 'state'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'person_id')
    )
    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('text', _str(1000), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('source', _str(16), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index('ix_decision_project_at', ['project_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meetingitem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['actionitem.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'item_id')
    )


def downgrade() -> None:
    op.drop_table('meetingitem')
    op.drop_table('decision')
    op.drop_table('attendance')
    op.drop_table('agendatopic')
    op.drop_table('meeting')
    op.drop_table('meetingslot')
