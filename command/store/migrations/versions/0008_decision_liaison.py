"""Group decisions (sessions, participants, ballots) and liaison (agency tasks, mutual
aid, messages).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decision_sessions",
        sa.Column("session_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("sent_plan_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('draft', 'open', 'closed')",
                           name=op.f("ck_decision_sessions_state")),
        sa.CheckConstraint("round >= 1", name=op.f("ck_decision_sessions_round_positive")),
        sa.ForeignKeyConstraint(["sent_plan_id"], ["plans.plan_id"],
                                name=op.f("fk_decision_sessions_sent_plan_id_plans")),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_decision_sessions")),
        sa.UniqueConstraint("code", name=op.f("uq_decision_sessions_code")),
    )
    op.create_table(
        "decision_participants",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("weight > 0", name=op.f("ck_decision_participants_weight_positive")),
        sa.ForeignKeyConstraint(["session_id"], ["decision_sessions.session_id"],
                                name=op.f("fk_decision_participants_session_id_decision_sessions")),
        sa.ForeignKeyConstraint(["user_name"], ["users.name"],
                                name=op.f("fk_decision_participants_user_name_users")),
        sa.PrimaryKeyConstraint("session_id", "user_name", name=op.f("pk_decision_participants")),
    )
    op.create_index(op.f("ix_decision_participants_user_name"), "decision_participants",
                    ["user_name"])
    op.create_table(
        "decision_votes",
        sa.Column("vote_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("ballot", sa.JSON(), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revisions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["decision_sessions.session_id"],
                                name=op.f("fk_decision_votes_session_id_decision_sessions")),
        sa.ForeignKeyConstraint(["user_name"], ["users.name"],
                                name=op.f("fk_decision_votes_user_name_users")),
        sa.PrimaryKeyConstraint("vote_id", name=op.f("pk_decision_votes")),
        sa.UniqueConstraint("session_id", "user_name", "round",
                            name=op.f("uq_decision_votes_session_id")),
    )
    op.create_table(
        "liaison_tasks",
        sa.Column("task_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("progress_pct", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('issued', 'acknowledged', 'in_progress', 'done', "
                           "'cancelled')", name=op.f("ck_liaison_tasks_state")),
        sa.CheckConstraint("source IN ('plan', 'commander')",
                           name=op.f("ck_liaison_tasks_source")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.agency_id"],
                                name=op.f("fk_liaison_tasks_agency_id_agencies")),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.incident_id"],
                                name=op.f("fk_liaison_tasks_incident_id_incidents")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.plan_id"],
                                name=op.f("fk_liaison_tasks_plan_id_plans")),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_liaison_tasks")),
        sa.UniqueConstraint("plan_id", "agency_id", name=op.f("uq_liaison_tasks_plan_id")),
    )
    op.create_index(op.f("ix_liaison_tasks_agency_id"), "liaison_tasks", ["agency_id"])
    op.create_table(
        "mutual_aid",
        sa.Column("aid_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("from_agency", sa.String(length=64), nullable=False),
        sa.Column("to_agency", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.String(length=64), nullable=True),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("state IN ('requested', 'accepted', 'en_route', 'done', "
                           "'declined')", name=op.f("ck_mutual_aid_state")),
        sa.ForeignKeyConstraint(["from_agency"], ["agencies.agency_id"],
                                name=op.f("fk_mutual_aid_from_agency_agencies")),
        sa.ForeignKeyConstraint(["to_agency"], ["agencies.agency_id"],
                                name=op.f("fk_mutual_aid_to_agency_agencies")),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.incident_id"],
                                name=op.f("fk_mutual_aid_incident_id_incidents")),
        sa.PrimaryKeyConstraint("aid_id", name=op.f("pk_mutual_aid")),
    )
    op.create_index(op.f("ix_mutual_aid_from_agency"), "mutual_aid", ["from_agency"])
    op.create_index(op.f("ix_mutual_aid_to_agency"), "mutual_aid", ["to_agency"])
    op.create_table(
        "liaison_messages",
        sa.Column("message_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=True),
        sa.Column("sender", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.agency_id"],
                                name=op.f("fk_liaison_messages_agency_id_agencies")),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_liaison_messages")),
    )
    op.create_index(op.f("ix_liaison_messages_agency_id"), "liaison_messages", ["agency_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_liaison_messages_agency_id"), table_name="liaison_messages")
    op.drop_table("liaison_messages")
    op.drop_index(op.f("ix_mutual_aid_to_agency"), table_name="mutual_aid")
    op.drop_index(op.f("ix_mutual_aid_from_agency"), table_name="mutual_aid")
    op.drop_table("mutual_aid")
    op.drop_index(op.f("ix_liaison_tasks_agency_id"), table_name="liaison_tasks")
    op.drop_table("liaison_tasks")
    op.drop_table("decision_votes")
    op.drop_index(op.f("ix_decision_participants_user_name"), table_name="decision_participants")
    op.drop_table("decision_participants")
    op.drop_table("decision_sessions")
