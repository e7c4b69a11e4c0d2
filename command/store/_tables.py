"""SQLAlchemy 2 declarative tables of the store.

One table per type of :mod:`command.model` (the reference data loaded by ``db init``),
then the live state: incidents, plans, unit status events and the append-only, hash-chained
audit log. The initial Alembic revision creates exactly these tables; a test compares the
two so they cannot drift apart.

Every time column is a :class:`~command.store._types.UTCDateTime`: aware UTC in and out,
a naive time refused with the column named (stored as ``DateTime(timezone=True)`` always
was: SQLite keeps naive UTC). Column names follow the dataclass field names so that
loading is a plain copy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from command import model
from command.store._types import UTCDateTime

# Explicit constraint names, so migrations on both back-ends name them the same way.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _id(**kw: Any) -> Mapped[str]:
    return mapped_column(String(64), primary_key=True, **kw)


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Mapped[Any]:
    return mapped_column(String(64), ForeignKey(target), nullable=nullable, index=index)


def _str(length: int = 200, *, nullable: bool = False) -> Mapped[Any]:
    return mapped_column(String(length), nullable=nullable)


def _text() -> Mapped[str]:
    return mapped_column(Text, nullable=False)


def _float() -> Mapped[float]:
    return mapped_column(Float, nullable=False)


def _int() -> Mapped[int]:
    return mapped_column(Integer, nullable=False)


def _bool() -> Mapped[bool]:
    return mapped_column(Boolean, nullable=False)


def _time(*, nullable: bool = False) -> Mapped[Any]:
    # A new type object per column: _name_time_columns writes the column's name into it.
    return mapped_column(UTCDateTime(), nullable=nullable)


# -- reference data (one table per model type) -----------------------------------------


class AgencyRow(Base):
    __tablename__ = "agencies"
    agency_id: Mapped[str] = _id()
    name_zh: Mapped[str] = _str()
    name_en: Mapped[str] = _str()
    kind: Mapped[str] = _str(40)
    contact_name: Mapped[str] = _str()
    contact_phone: Mapped[str] = _str(40)
    source: Mapped[str] = _text()


class BaseRow(Base):
    __tablename__ = "bases"
    base_id: Mapped[str] = _id()
    name_zh: Mapped[str] = _str()
    name_en: Mapped[str] = _str()
    kind: Mapped[str] = _str(40)
    agency_id: Mapped[str] = _fk("agencies.agency_id")
    district: Mapped[str] = _str(100)
    lat: Mapped[float] = _float()
    lon: Mapped[float] = _float()
    source: Mapped[str] = _text()


class TeamRow(Base):
    """A unit. ``status``, ``incident_id`` and ``status_changed_at`` are live state: a
    reload of the data set sets them only for new units, never for existing ones."""

    __tablename__ = "teams"
    unit_id: Mapped[str] = _id()
    name_zh: Mapped[str] = _str()
    agency_id: Mapped[str] = _fk("agencies.agency_id")
    capability: Mapped[str] = _str(40)
    crew: Mapped[int] = _int()
    base_id: Mapped[str] = _fk("bases.base_id")
    status: Mapped[str] = _str(20)
    source: Mapped[str] = _text()
    incident_id: Mapped[str | None] = _fk("incidents.incident_id", nullable=True)
    status_changed_at: Mapped[datetime | None] = _time(nullable=True)


class ItemRow(Base):
    __tablename__ = "items"
    item_id: Mapped[str] = _id()
    name_zh: Mapped[str] = _str()
    name_en: Mapped[str] = _str()
    unit: Mapped[str] = _str(20)
    unit_en: Mapped[str] = _str(40)


class DepotRow(Base):
    __tablename__ = "depots"
    depot_id: Mapped[str] = _id()
    name_zh: Mapped[str] = _str()
    name_en: Mapped[str] = _str()
    level: Mapped[str] = _str(20)
    agency_id: Mapped[str] = _fk("agencies.agency_id")
    district: Mapped[str] = _str(100)
    lat: Mapped[float] = _float()
    lon: Mapped[float] = _float()
    source: Mapped[str] = _text()


class StockRow(Base):
    __tablename__ = "stocks"
    depot_id: Mapped[str] = mapped_column(String(64), ForeignKey("depots.depot_id"),
                                          primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), ForeignKey("items.item_id"),
                                         primary_key=True, index=True)
    quantity: Mapped[float] = _float()
    source: Mapped[str] = _text()
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)


class HospitalRow(Base):
    __tablename__ = "hospitals"
    hospital_id: Mapped[str] = _id()
    name_zh: Mapped[str] = _str()
    name_en: Mapped[str] = _str()
    grade: Mapped[str] = _str(40)
    district: Mapped[str] = _str(100)
    lat: Mapped[float] = _float()
    lon: Mapped[float] = _float()
    beds: Mapped[int] = _int()
    emergency_beds: Mapped[int] = _int()
    burn: Mapped[bool] = _bool()
    trauma: Mapped[bool] = _bool()
    poisoning: Mapped[bool] = _bool()
    source: Mapped[str] = _text()


class ShelterRow(Base):
    __tablename__ = "shelters"
    shelter_id: Mapped[str] = _id()
    name_zh: Mapped[str] = _str()
    name_en: Mapped[str] = _str()
    district: Mapped[str] = _str(100)
    lat: Mapped[float] = _float()
    lon: Mapped[float] = _float()
    capacity_persons: Mapped[int] = _int()
    source: Mapped[str] = _text()


class EnterpriseRow(Base):
    __tablename__ = "enterprises"
    enterprise_id: Mapped[str] = _id()
    name_zh: Mapped[str] = _str()
    name_en: Mapped[str] = _str()
    industry: Mapped[str] = _str(100)
    district: Mapped[str] = _str(100)
    lat: Mapped[float] = _float()
    lon: Mapped[float] = _float()
    employees: Mapped[int] = _int()
    source: Mapped[str] = _text()


class HazardSourceRow(Base):
    __tablename__ = "hazard_sources"
    hazard_id: Mapped[str] = _id()
    enterprise_id: Mapped[str] = _fk("enterprises.enterprise_id")
    name_zh: Mapped[str] = _str()
    substance_zh: Mapped[str] = _str()
    substance_en: Mapped[str] = _str()
    cas: Mapped[str] = _str(40)
    hazard_class: Mapped[str] = _str(40)
    quantity_t: Mapped[float] = _float()
    critical_quantity_t: Mapped[float] = _float()
    people_500m: Mapped[int] = _int()
    lat: Mapped[float] = _float()
    lon: Mapped[float] = _float()
    source: Mapped[str] = _text()


class GridCellRow(Base):
    __tablename__ = "grid_cells"
    grid_id: Mapped[str] = _id()
    level: Mapped[str] = _str(20)
    parent_id: Mapped[str | None] = _fk("grid_cells.grid_id", nullable=True)
    name_zh: Mapped[str] = _str()
    district: Mapped[str] = _str(100)
    lat: Mapped[float] = _float()
    lon: Mapped[float] = _float()
    source: Mapped[str] = _text()


class GridMemberRow(Base):
    __tablename__ = "grid_members"
    member_id: Mapped[str] = _id()
    grid_id: Mapped[str] = _fk("grid_cells.grid_id")
    name_zh: Mapped[str] = _str()
    role: Mapped[str] = _str(100)
    phone: Mapped[str] = _str(40)
    source: Mapped[str] = _text()


class PopulationAreaRow(Base):
    __tablename__ = "population_areas"
    area_id: Mapped[str] = _id()
    name_zh: Mapped[str] = _str()
    name_en: Mapped[str] = _str()
    level: Mapped[str] = _str(20)
    district: Mapped[str] = _str(100)
    population: Mapped[int] = _int()
    year: Mapped[int] = _int()
    lat: Mapped[float] = _float()
    lon: Mapped[float] = _float()
    source: Mapped[str] = _text()


class ResponsePackageRow(Base):
    __tablename__ = "response_packages"
    incident_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    grade: Mapped[int] = mapped_column(Integer, primary_key=True)
    capability: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = _int()
    source: Mapped[str] = _text()


class IncidentRateRow(Base):
    __tablename__ = "incident_rates"
    incident_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    district: Mapped[str] = mapped_column(String(100), primary_key=True)
    per_year: Mapped[float] = _float()
    source: Mapped[str] = _text()


# -- live state --------------------------------------------------------------------------


class IncidentRow(Base):
    __tablename__ = "incidents"
    incident_id: Mapped[str] = _id()
    incident_type: Mapped[str] = _str(40)
    lat: Mapped[float] = _float()
    lon: Mapped[float] = _float()
    priority: Mapped[int] = _int()
    grade: Mapped[int] = _int()
    description: Mapped[str] = _text()
    status: Mapped[str] = _str(20)
    is_drill: Mapped[bool] = _bool()
    created_at: Mapped[datetime] = _time()
    created_by: Mapped[str] = _str(100)
    closed_at: Mapped[datetime | None] = _time(nullable=True)
    closed_by: Mapped[str | None] = _str(100, nullable=True)
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        Index("ix_incidents_drill_status", "is_drill", "status"),
    )


class PlanRow(Base):
    """A dispatch plan. ``proposed_payload`` is what the optimiser proposed and never
    changes; ``payload`` is the plan in force (equal to it unless the commander modified it)."""

    __tablename__ = "plans"
    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = _str(20)
    solver_status: Mapped[str] = _str(40)
    is_drill: Mapped[bool] = _bool()
    proposed_payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    changes: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = _time()
    created_by: Mapped[str] = _str(100)
    decided_at: Mapped[datetime | None] = _time(nullable=True)
    decided_by: Mapped[str | None] = _str(100, nullable=True)
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'approved', 'modified', 'rejected')",
                        name="status"),
    )


class PlanIncidentRow(Base):
    __tablename__ = "plan_incidents"
    plan_id: Mapped[int] = mapped_column(Integer, ForeignKey("plans.plan_id"), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(64), ForeignKey("incidents.incident_id"),
                                             primary_key=True, index=True)


class UnitStatusEventRow(Base):
    """One status change of a unit. ``unit_id`` is deliberately not a foreign key: the
    history outlives a unit that a later data set no longer lists."""

    __tablename__ = "unit_status_events"
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = _time()
    unit_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    from_status: Mapped[str] = _str(20)
    to_status: Mapped[str] = _str(20)
    actor: Mapped[str] = _str(100)
    incident_id: Mapped[str | None] = _fk("incidents.incident_id", nullable=True, index=False)
    plan_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("plans.plan_id"),
                                                nullable=True)


class AuditRow(Base):
    """Append-only, hash-chained log. ``audit_id`` is assigned by the writer (last + 1)
    under a lock so that it can be part of the hash; ``prev_hash`` is unique, so two
    writers can never fork the chain."""

    __tablename__ = "audit_log"
    audit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = _time()
    actor: Mapped[str] = _str(100)
    action: Mapped[str] = _str(100)
    subject: Mapped[str] = _str(200)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


def _name_time_columns() -> None:
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, UTCDateTime):
                column.type.column = f"{table.name}.{column.name}"


_name_time_columns()

#: Reference tables in load order (parents first); deletions run in reverse.
#: (Dataset attribute, model dataclass, row class); the columns of each table are the
#: dataclass's fields (plus the live columns of teams), which a test checks.
REFERENCE_TABLES: tuple[tuple[str, type, type[Base]], ...] = (
    ("agencies", model.Agency, AgencyRow),
    ("bases", model.Base, BaseRow),
    ("teams", model.Team, TeamRow),
    ("items", model.Item, ItemRow),
    ("depots", model.Depot, DepotRow),
    ("stocks", model.Stock, StockRow),
    ("hospitals", model.Hospital, HospitalRow),
    ("shelters", model.Shelter, ShelterRow),
    ("enterprises", model.Enterprise, EnterpriseRow),
    ("hazard_sources", model.HazardSource, HazardSourceRow),
    ("grid_cells", model.GridCell, GridCellRow),
    ("grid_members", model.GridMember, GridMemberRow),
    ("population", model.PopulationArea, PopulationAreaRow),
    ("response_packages", model.ResponsePackageLine, ResponsePackageRow),
    ("incident_rates", model.IncidentRate, IncidentRateRow),
)

#: Live columns of teams that a data set reload must not overwrite.
TEAM_LIVE_COLUMNS = frozenset({"status", "incident_id", "status_changed_at"})

LIVE_TABLES: tuple[tuple[str, type[Base]], ...] = (
    ("incidents", IncidentRow),
    ("plans", PlanRow),
    ("plan_incidents", PlanIncidentRow),
    ("unit_status_events", UnitStatusEventRow),
    ("audit_log", AuditRow),
)
