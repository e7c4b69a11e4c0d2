"""Enforcement: the blacklist, inspectors and their exclusions, inspection draws.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blacklist",
        sa.Column("entry_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(length=100), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"],
                                name=op.f("fk_blacklist_enterprise_id_enterprises")),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_blacklist")),
    )
    op.create_index(op.f("ix_blacklist_enterprise_id"), "blacklist", ["enterprise_id"])
    op.create_table(
        "inspectors",
        sa.Column("inspector_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.agency_id"],
                                name=op.f("fk_inspectors_agency_id_agencies")),
        sa.PrimaryKeyConstraint("inspector_id", name=op.f("pk_inspectors")),
    )
    op.create_index(op.f("ix_inspectors_agency_id"), "inspectors", ["agency_id"])
    op.create_table(
        "inspector_exclusions",
        sa.Column("inspector_id", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["inspector_id"], ["inspectors.inspector_id"],
                                name=op.f("fk_inspector_exclusions_inspector_id_inspectors")),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"],
                                name=op.f("fk_inspector_exclusions_enterprise_id_enterprises")),
        sa.PrimaryKeyConstraint("inspector_id", "enterprise_id",
                                name=op.f("pk_inspector_exclusions")),
    )
    op.create_index(op.f("ix_inspector_exclusions_enterprise_id"), "inspector_exclusions",
                    ["enterprise_id"])
    op.create_table(
        "inspection_draws",
        sa.Column("draw_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drawn_by", sa.String(length=100), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("draw_id", name=op.f("pk_inspection_draws")),
    )


def downgrade() -> None:
    op.drop_table("inspection_draws")
    op.drop_index(op.f("ix_inspector_exclusions_enterprise_id"),
                  table_name="inspector_exclusions")
    op.drop_table("inspector_exclusions")
    op.drop_index(op.f("ix_inspectors_agency_id"), table_name="inspectors")
    op.drop_table("inspectors")
    op.drop_index(op.f("ix_blacklist_enterprise_id"), table_name="blacklist")
    op.drop_table("blacklist")
