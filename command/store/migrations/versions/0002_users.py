"""Users and their sessions (log-in and roles).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("commander", "duty_officer", "staff", "planner", "expert", "liaison", "enterprise",
         "grid_member", "admin", "wall")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=True),
        sa.Column("enterprise_id", sa.String(length=64), nullable=True),
        sa.Column("grid_id", sa.String(length=64), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")",
                           name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.agency_id"],
                                name=op.f("fk_users_agency_id_agencies")),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"],
                                name=op.f("fk_users_enterprise_id_enterprises")),
        sa.ForeignKeyConstraint(["grid_id"], ["grid_cells.grid_id"],
                                name=op.f("fk_users_grid_id_grid_cells")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_users")),
    )
    op.create_table(
        "user_sessions",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["user_name"], ["users.name"],
                                name=op.f("fk_user_sessions_user_name_users")),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_user_sessions")),
    )
    op.create_index(op.f("ix_user_sessions_user_name"), "user_sessions", ["user_name"])


def downgrade() -> None:
    op.drop_index(op.f("ix_user_sessions_user_name"), table_name="user_sessions")
    op.drop_table("user_sessions")
    op.drop_table("users")
