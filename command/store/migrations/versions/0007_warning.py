"""Risk early warning: sensors, readings (a time series keyed by sensor and time, the
de-duplication key of the ingest), alerts, faults and the avoidance chains with their
steps.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sensor_readings',
    sa.Column('sensor_id', sa.String(length=64), nullable=False),
    sa.Column('measured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('sensor_id', 'measured_at', name=op.f('pk_sensor_readings'))
    )
    op.create_table('sensors',
    sa.Column('sensor_id', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('site', sa.String(length=64), nullable=False),
    sa.Column('hazard_id', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('calibrated_on', sa.String(length=10), nullable=False),
    sa.Column('interval_s', sa.Float(), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('sensor_id', name=op.f('pk_sensors'))
    )
    op.create_table('warning_alerts',
    sa.Column('alert_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('sensor_id', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=100), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalations', sa.Integer(), nullable=False),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cleared', sa.Boolean(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("level IN ('blue', 'yellow', 'orange', 'red')", name=op.f('ck_warning_alerts_level')),
    sa.CheckConstraint("state IN ('open', 'escalated', 'acknowledged', 'resolved')", name=op.f('ck_warning_alerts_state')),
    sa.ForeignKeyConstraint(['sensor_id'], ['sensors.sensor_id'], name=op.f('fk_warning_alerts_sensor_id_sensors')),
    sa.PrimaryKeyConstraint('alert_id', name=op.f('pk_warning_alerts'))
    )
    op.create_index(op.f('ix_warning_alerts_sensor_id'), 'warning_alerts', ['sensor_id'], unique=False)
    op.create_index('ix_warning_alerts_state', 'warning_alerts', ['state'], unique=False)
    op.create_table('warning_faults',
    sa.Column('fault_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('sensor_id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['sensor_id'], ['sensors.sensor_id'], name=op.f('fk_warning_faults_sensor_id_sensors')),
    sa.PrimaryKeyConstraint('fault_id', name=op.f('pk_warning_faults'))
    )
    op.create_index(op.f('ix_warning_faults_sensor_id'), 'warning_faults', ['sensor_id'], unique=False)
    op.create_table('avoidance_chains',
    sa.Column('chain_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stop_requested_by', sa.String(length=100), nullable=True),
    sa.Column('incident_id', sa.String(length=64), nullable=True),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('running', 'done', 'stopped', 'failed')", name=op.f('ck_avoidance_chains_status')),
    sa.ForeignKeyConstraint(['alert_id'], ['warning_alerts.alert_id'], name=op.f('fk_avoidance_chains_alert_id_warning_alerts')),
    sa.PrimaryKeyConstraint('chain_id', name=op.f('pk_avoidance_chains'))
    )
    op.create_index(op.f('ix_avoidance_chains_alert_id'), 'avoidance_chains', ['alert_id'], unique=False)
    op.create_table('avoidance_steps',
    sa.Column('step_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('chain_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['chain_id'], ['avoidance_chains.chain_id'], name=op.f('fk_avoidance_steps_chain_id_avoidance_chains')),
    sa.PrimaryKeyConstraint('step_id', name=op.f('pk_avoidance_steps'))
    )
    op.create_index(op.f('ix_avoidance_steps_chain_id'), 'avoidance_steps', ['chain_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_avoidance_steps_chain_id'), table_name='avoidance_steps')
    op.drop_table('avoidance_steps')
    op.drop_index(op.f('ix_avoidance_chains_alert_id'), table_name='avoidance_chains')
    op.drop_table('avoidance_chains')
    op.drop_index(op.f('ix_warning_faults_sensor_id'), table_name='warning_faults')
    op.drop_table('warning_faults')
    op.drop_index('ix_warning_alerts_state', table_name='warning_alerts')
    op.drop_index(op.f('ix_warning_alerts_sensor_id'), table_name='warning_alerts')
    op.drop_table('warning_alerts')
    op.drop_table('sensors')
    op.drop_table('sensor_readings')
