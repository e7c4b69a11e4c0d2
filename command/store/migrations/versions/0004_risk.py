"""The risk register, its grade history, and the enterprises' self-inspections.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRADES = "'red', 'orange', 'yellow', 'blue'"


def upgrade() -> None:
    op.create_table(
        "risk_points",
        sa.Column("risk_id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=True),
        sa.Column("hazard_type", sa.String(length=100), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("responsible", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("controls", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint(f"grade IN ({GRADES})", name=op.f("ck_risk_points_grade")),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"],
                                name=op.f("fk_risk_points_enterprise_id_enterprises")),
        sa.PrimaryKeyConstraint("risk_id", name=op.f("pk_risk_points")),
    )
    op.create_index(op.f("ix_risk_points_district"), "risk_points", ["district"])
    op.create_index(op.f("ix_risk_points_enterprise_id"), "risk_points", ["enterprise_id"])
    op.create_index(op.f("ix_risk_points_grade"), "risk_points", ["grade"])
    op.create_table(
        "risk_grade_history",
        sa.Column("change_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("risk_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("grade_from", sa.String(length=10), nullable=True),
        sa.Column("grade_to", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["risk_id"], ["risk_points.risk_id"],
                                name=op.f("fk_risk_grade_history_risk_id_risk_points")),
        sa.PrimaryKeyConstraint("change_id", name=op.f("pk_risk_grade_history")),
    )
    op.create_index(op.f("ix_risk_grade_history_risk_id"), "risk_grade_history", ["risk_id"])
    op.create_table(
        "self_inspections",
        sa.Column("inspection_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("industry", sa.String(length=40), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("proposal", sa.JSON(), nullable=False),
        sa.Column("proposed_grade", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("final_grade", sa.String(length=10), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint("state IN ('submitted', 'confirmed', 'regraded', 'returned')",
                           name=op.f("ck_self_inspections_state")),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"],
                                name=op.f("fk_self_inspections_enterprise_id_enterprises")),
        sa.PrimaryKeyConstraint("inspection_id", name=op.f("pk_self_inspections")),
    )
    op.create_index(op.f("ix_self_inspections_enterprise_id"), "self_inspections",
                    ["enterprise_id"])
    op.create_index(op.f("ix_self_inspections_state"), "self_inspections", ["state"])


def downgrade() -> None:
    op.drop_table("self_inspections")
    op.drop_table("risk_grade_history")
    op.drop_table("risk_points")
