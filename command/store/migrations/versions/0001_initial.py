"""Initial store: reference data, incidents, plans, unit status events, audit log.

Also creates the triggers that make the audit log append-only in the database itself
(UPDATE, DELETE and, on PostgreSQL, TRUNCATE are refused), so that not even raw SQL
can rewrite the trail without first dropping them.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

APPEND_ONLY = "audit_log is append-only"

# Tables in creation order; downgrade drops them in reverse.
TABLES = (
    "agencies", "audit_log", "enterprises", "grid_cells", "hospitals", "incident_rates",
    "incidents", "items", "plans", "population_areas", "response_packages", "shelters",
    "bases", "depots", "grid_members", "hazard_sources", "plan_incidents",
    "unit_status_events", "stocks", "teams",
)


def upgrade() -> None:
    op.create_table("agencies",
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_agencies"))
    )
    op.create_table("audit_log",
        sa.Column("audit_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_log_prev_hash"))
    )
    op.create_table("enterprises",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id", name=op.f("pk_enterprises"))
    )
    op.create_table("grid_cells",
        sa.Column("grid_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["grid_cells.grid_id"], name=op.f("fk_grid_cells_parent_id_grid_cells")),
        sa.PrimaryKeyConstraint("grid_id", name=op.f("pk_grid_cells"))
    )
    op.create_index(op.f("ix_grid_cells_parent_id"), "grid_cells", ["parent_id"], unique=False)

    op.create_table("hospitals",
        sa.Column("hospital_id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("grade", sa.String(length=40), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("beds", sa.Integer(), nullable=False),
        sa.Column("emergency_beds", sa.Integer(), nullable=False),
        sa.Column("burn", sa.Boolean(), nullable=False),
        sa.Column("trauma", sa.Boolean(), nullable=False),
        sa.Column("poisoning", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("hospital_id", name=op.f("pk_hospitals"))
    )
    op.create_table("incident_rates",
        sa.Column("incident_type", sa.String(length=40), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("per_year", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("incident_type", "district", name=op.f("pk_incident_rates"))
    )
    op.create_table("incidents",
        sa.Column("incident_id", sa.String(length=64), nullable=False),
        sa.Column("incident_type", sa.String(length=40), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("is_drill", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_incidents_status")),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incidents"))
    )
    op.create_index("ix_incidents_drill_status", "incidents", ["is_drill", "status"], unique=False)

    op.create_table("items",
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("unit_en", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_items"))
    )
    op.create_table("plans",
        sa.Column("plan_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("solver_status", sa.String(length=40), nullable=False),
        sa.Column("is_drill", sa.Boolean(), nullable=False),
        sa.Column("proposed_payload", sa.JSON(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint("status IN ('proposed', 'approved', 'modified', 'rejected')", name=op.f("ck_plans_status")),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plans"))
    )
    op.create_table("population_areas",
        sa.Column("area_id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("area_id", name=op.f("pk_population_areas"))
    )
    op.create_table("response_packages",
        sa.Column("incident_type", sa.String(length=40), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("capability", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("incident_type", "grade", "capability", name=op.f("pk_response_packages"))
    )
    op.create_table("shelters",
        sa.Column("shelter_id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("capacity_persons", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("shelter_id", name=op.f("pk_shelters"))
    )
    op.create_table("bases",
        sa.Column("base_id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.agency_id"], name=op.f("fk_bases_agency_id_agencies")),
        sa.PrimaryKeyConstraint("base_id", name=op.f("pk_bases"))
    )
    op.create_index(op.f("ix_bases_agency_id"), "bases", ["agency_id"], unique=False)

    op.create_table("depots",
        sa.Column("depot_id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.agency_id"], name=op.f("fk_depots_agency_id_agencies")),
        sa.PrimaryKeyConstraint("depot_id", name=op.f("pk_depots"))
    )
    op.create_index(op.f("ix_depots_agency_id"), "depots", ["agency_id"], unique=False)

    op.create_table("grid_members",
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("grid_id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["grid_id"], ["grid_cells.grid_id"], name=op.f("fk_grid_members_grid_id_grid_cells")),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_grid_members"))
    )
    op.create_index(op.f("ix_grid_members_grid_id"), "grid_members", ["grid_id"], unique=False)

    op.create_table("hazard_sources",
        sa.Column("hazard_id", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("substance_zh", sa.String(length=200), nullable=False),
        sa.Column("substance_en", sa.String(length=200), nullable=False),
        sa.Column("cas", sa.String(length=40), nullable=False),
        sa.Column("hazard_class", sa.String(length=40), nullable=False),
        sa.Column("quantity_t", sa.Float(), nullable=False),
        sa.Column("critical_quantity_t", sa.Float(), nullable=False),
        sa.Column("people_500m", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.enterprise_id"], name=op.f("fk_hazard_sources_enterprise_id_enterprises")),
        sa.PrimaryKeyConstraint("hazard_id", name=op.f("pk_hazard_sources"))
    )
    op.create_index(op.f("ix_hazard_sources_enterprise_id"), "hazard_sources", ["enterprise_id"], unique=False)

    op.create_table("plan_incidents",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.incident_id"], name=op.f("fk_plan_incidents_incident_id_incidents")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.plan_id"], name=op.f("fk_plan_incidents_plan_id_plans")),
        sa.PrimaryKeyConstraint("plan_id", "incident_id", name=op.f("pk_plan_incidents"))
    )
    op.create_index(op.f("ix_plan_incidents_incident_id"), "plan_incidents", ["incident_id"], unique=False)

    op.create_table("unit_status_events",
        sa.Column("event_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("incident_id", sa.String(length=64), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.incident_id"], name=op.f("fk_unit_status_events_incident_id_incidents")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.plan_id"], name=op.f("fk_unit_status_events_plan_id_plans")),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_unit_status_events"))
    )
    op.create_index(op.f("ix_unit_status_events_unit_id"), "unit_status_events", ["unit_id"], unique=False)

    op.create_table("stocks",
        sa.Column("depot_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_stocks_quantity_not_negative")),
        sa.ForeignKeyConstraint(["depot_id"], ["depots.depot_id"], name=op.f("fk_stocks_depot_id_depots")),
        sa.ForeignKeyConstraint(["item_id"], ["items.item_id"], name=op.f("fk_stocks_item_id_items")),
        sa.PrimaryKeyConstraint("depot_id", "item_id", name=op.f("pk_stocks"))
    )
    op.create_index(op.f("ix_stocks_item_id"), "stocks", ["item_id"], unique=False)

    op.create_table("teams",
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("capability", sa.String(length=40), nullable=False),
        sa.Column("crew", sa.Integer(), nullable=False),
        sa.Column("base_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.String(length=64), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.agency_id"], name=op.f("fk_teams_agency_id_agencies")),
        sa.ForeignKeyConstraint(["base_id"], ["bases.base_id"], name=op.f("fk_teams_base_id_bases")),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.incident_id"], name=op.f("fk_teams_incident_id_incidents")),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_teams"))
    )
    op.create_index(op.f("ix_teams_agency_id"), "teams", ["agency_id"], unique=False)
    op.create_index(op.f("ix_teams_base_id"), "teams", ["base_id"], unique=False)
    op.create_index(op.f("ix_teams_incident_id"), "teams", ["incident_id"], unique=False)
    _create_audit_triggers()


def _create_audit_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege'; "
            "END $$"
        )
        op.execute("CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE "
                   "ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()")
        op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse()")
    else:  # pragma: no cover - the engine refuses other back-ends
        raise NotImplementedError(f"no audit triggers for {dialect}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse()")
    for table in reversed(TABLES):
        op.drop_table(table)
