"""Risk control: hidden hazards, their timeline, evidence and escalations, the grid's daily
reports and kept summaries, and the notification outbox.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('grid_summaries',
    sa.Column('summary_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('grid_id', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('kept_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['grid_id'], ['grid_cells.grid_id'], name=op.f('fk_grid_summaries_grid_id_grid_cells')),
    sa.PrimaryKeyConstraint('summary_id', name=op.f('pk_grid_summaries')),
    sa.UniqueConstraint('grid_id', 'day', name='uq_grid_summaries_cell_day')
    )
    with op.batch_alter_table('grid_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grid_summaries_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_grid_summaries_grid_id'), ['grid_id'], unique=False)

    op.create_table('daily_reports',
    sa.Column('report_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('grid_id', sa.String(length=64), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('member_id', sa.String(length=64), nullable=False),
    sa.Column('filed_by', sa.String(length=64), nullable=False),
    sa.Column('patrol_done', sa.Boolean(), nullable=False),
    sa.Column('hazards_found', sa.Integer(), nullable=False),
    sa.Column('issues', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['filed_by'], ['users.name'], name=op.f('fk_daily_reports_filed_by_users')),
    sa.ForeignKeyConstraint(['grid_id'], ['grid_cells.grid_id'], name=op.f('fk_daily_reports_grid_id_grid_cells')),
    sa.ForeignKeyConstraint(['member_id'], ['grid_members.member_id'], name=op.f('fk_daily_reports_member_id_grid_members')),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_daily_reports')),
    sa.UniqueConstraint('grid_id', 'report_date', 'member_id', name='uq_daily_reports_cell_day_member')
    )
    with op.batch_alter_table('daily_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_daily_reports_filed_by'), ['filed_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_reports_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_reports_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_reports_report_date'), ['report_date'], unique=False)

    op.create_table('hazards',
    sa.Column('hazard_id', sa.String(length=64), nullable=False),
    sa.Column('grid_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=True),
    sa.Column('reported_by', sa.String(length=64), nullable=False),
    sa.Column('enterprise_id', sa.String(length=64), nullable=True),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('responsible', sa.String(length=100), nullable=True),
    sa.Column('escalation_level', sa.String(length=12), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('possible_duplicates', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.enterprise_id'], name=op.f('fk_hazards_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['grid_id'], ['grid_cells.grid_id'], name=op.f('fk_hazards_grid_id_grid_cells')),
    sa.ForeignKeyConstraint(['reported_by'], ['users.name'], name=op.f('fk_hazards_reported_by_users')),
    sa.PrimaryKeyConstraint('hazard_id', name=op.f('pk_hazards'))
    )
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazards_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazards_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazards_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazards_reported_by'), ['reported_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazards_state'), ['state'], unique=False)

    op.create_table('notifications',
    sa.Column('notification_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('user_name', sa.String(length=64), nullable=True),
    sa.Column('person', sa.String(length=100), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('message_key', sa.String(length=80), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('in_app', 'sms', 'email')", name=op.f('ck_notifications_channel')),
    sa.CheckConstraint("state IN ('pending', 'sent', 'failed', 'read')", name=op.f('ck_notifications_state')),
    sa.ForeignKeyConstraint(['user_name'], ['users.name'], name=op.f('fk_notifications_user_name_users')),
    sa.PrimaryKeyConstraint('notification_id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_subject'), ['subject'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_user_name'), ['user_name'], unique=False)

    op.create_table('hazard_escalations',
    sa.Column('escalation_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('hazard_id', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.hazard_id'], name=op.f('fk_hazard_escalations_hazard_id_hazards')),
    sa.PrimaryKeyConstraint('escalation_id', name=op.f('pk_hazard_escalations')),
    sa.UniqueConstraint('hazard_id', 'level', name='uq_hazard_escalations_hazard_level')
    )
    with op.batch_alter_table('hazard_escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_escalations_hazard_id'), ['hazard_id'], unique=False)

    op.create_table('hazard_events',
    sa.Column('event_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('hazard_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor'], ['users.name'], name=op.f('fk_hazard_events_actor_users')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.hazard_id'], name=op.f('fk_hazard_events_hazard_id_hazards')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_hazard_events'))
    )
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_events_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_events_hazard_id'), ['hazard_id'], unique=False)

    op.create_table('hazard_evidence',
    sa.Column('evidence_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('hazard_id', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=60), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['hazard_events.event_id'], name=op.f('fk_hazard_evidence_event_id_hazard_events')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.hazard_id'], name=op.f('fk_hazard_evidence_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.name'], name=op.f('fk_hazard_evidence_uploaded_by_users')),
    sa.PrimaryKeyConstraint('evidence_id', name=op.f('pk_hazard_evidence'))
    )
    with op.batch_alter_table('hazard_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_evidence_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_evidence_hazard_id'), ['hazard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_evidence_uploaded_by'), ['uploaded_by'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('hazard_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazard_evidence_uploaded_by'))
        batch_op.drop_index(batch_op.f('ix_hazard_evidence_hazard_id'))
        batch_op.drop_index(batch_op.f('ix_hazard_evidence_event_id'))

    op.drop_table('hazard_evidence')
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazard_events_hazard_id'))
        batch_op.drop_index(batch_op.f('ix_hazard_events_actor'))

    op.drop_table('hazard_events')
    with op.batch_alter_table('hazard_escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazard_escalations_hazard_id'))

    op.drop_table('hazard_escalations')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_name'))
        batch_op.drop_index(batch_op.f('ix_notifications_subject'))
        batch_op.drop_index(batch_op.f('ix_notifications_state'))

    op.drop_table('notifications')
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazards_state'))
        batch_op.drop_index(batch_op.f('ix_hazards_reported_by'))
        batch_op.drop_index(batch_op.f('ix_hazards_kind'))
        batch_op.drop_index(batch_op.f('ix_hazards_grid_id'))
        batch_op.drop_index(batch_op.f('ix_hazards_enterprise_id'))

    op.drop_table('hazards')
    with op.batch_alter_table('daily_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_reports_report_date'))
        batch_op.drop_index(batch_op.f('ix_daily_reports_member_id'))
        batch_op.drop_index(batch_op.f('ix_daily_reports_grid_id'))
        batch_op.drop_index(batch_op.f('ix_daily_reports_filed_by'))

    op.drop_table('daily_reports')
    with op.batch_alter_table('grid_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grid_summaries_grid_id'))
        batch_op.drop_index(batch_op.f('ix_grid_summaries_day'))

    op.drop_table('grid_summaries')
