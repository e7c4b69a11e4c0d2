"""Enforcement: the blacklist, the inspectors with their exclusions, and the inspection
draws.

Owns: the ``blacklist``, ``inspectors``, ``inspector_exclusions`` and
``inspection_draws`` tables and their reads and writes; each change (an enterprise
listed or lifted, an inspector added, enabled or disabled, an exclusion added, a draw
recorded) writes its audit entry in the same transaction. Must not: decide whether an
entry may be added or lifted, or draw anything (see :mod:`command.risk.enforcement` and
:mod:`command.app.enforcement`). A draw is kept with its seed and its whole input, so
anyone can re-run it and get the same pairs (双随机一公开: the public part).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from command import model
from command.errors import StoreError
from command.store._tables import (
    AgencyRow,
    Base,
    EnterpriseRow,
    _fk,
    _name_time_columns,
    _str,
    _text,
    _time,
)
from command.store._types import stamp, utc
from command.store.audit import append_audit, to_json_data

__all__ = ["BlacklistRecord", "InspectorRecord", "ExclusionRecord", "DrawRecord",
           "add_listing", "lift_listing", "list_blacklist", "add_inspector",
           "set_inspector_active", "add_exclusion", "list_inspectors", "get_inspector",
           "save_draw", "get_draw", "last_draw", "list_draws", "list_enterprises",
           "agency_ids"]


class BlacklistRow(Base):
    __tablename__ = "blacklist"
    entry_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = _fk("enterprises.enterprise_id")
    reason: Mapped[str] = _text()
    listed_at: Mapped[datetime] = _time()
    expires_at: Mapped[datetime] = _time()
    decided_by: Mapped[str] = _str(100)
    lifted_at: Mapped[datetime | None] = _time(nullable=True)
    lifted_by: Mapped[str | None] = _str(100, nullable=True)
    lift_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class InspectorRow(Base):
    __tablename__ = "inspectors"
    inspector_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = _str(100)
    agency_id: Mapped[str] = _fk("agencies.agency_id")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False)


class InspectorExclusionRow(Base):
    """An enterprise an inspector must not inspect (a conflict of interest)."""

    __tablename__ = "inspector_exclusions"
    inspector_id: Mapped[str] = mapped_column(String(64), ForeignKey("inspectors.inspector_id"),
                                              primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("enterprises.enterprise_id"), primary_key=True, index=True)
    reason: Mapped[str] = _text()


class InspectionDrawRow(Base):
    """A double-random draw: ``parameters`` is its whole input (enterprises, inspectors
    with exclusions, the previous pairs, counts, limit), ``result`` what it drew."""

    __tablename__ = "inspection_draws"
    draw_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seed: Mapped[int] = mapped_column(BigInteger, nullable=False)
    drawn_at: Mapped[datetime] = _time()
    drawn_by: Mapped[str] = _str(100)
    parameters: Mapped[dict] = mapped_column(JSON, nullable=False)
    result: Mapped[dict] = mapped_column(JSON, nullable=False)


# errors name table.column for these tables too
_name_time_columns()


@dataclass(frozen=True)
class BlacklistRecord:
    """One blacklist entry; in force from ``listed_at`` until ``expires_at`` or its
    lifting (:func:`command.risk.enforcement.listing_state`)."""

    entry_id: int
    enterprise_id: str
    reason: str
    listed_at: datetime
    expires_at: datetime
    decided_by: str
    lifted_at: datetime | None
    lifted_by: str | None
    lift_reason: str | None


@dataclass(frozen=True)
class ExclusionRecord:
    inspector_id: str
    enterprise_id: str
    reason: str


@dataclass(frozen=True)
class InspectorRecord:
    inspector_id: str
    name: str
    agency_id: str
    active: bool
    exclusions: tuple[ExclusionRecord, ...]


@dataclass(frozen=True)
class DrawRecord:
    draw_id: int
    seed: int
    drawn_at: datetime
    drawn_by: str
    parameters: dict
    result: dict


def list_enterprises(session: Session) -> list[model.Enterprise]:
    """The enterprises of the loaded data set, by id (those that can be listed or drawn)."""
    fields = [c.name for c in EnterpriseRow.__table__.columns]
    return [model.Enterprise(**{f: getattr(r, f) for f in fields})
            for r in session.scalars(select(EnterpriseRow).order_by(EnterpriseRow.enterprise_id))]


def agency_ids(session: Session) -> set[str]:
    """The ids of the agencies of the loaded data set (an inspector belongs to one)."""
    return set(session.scalars(select(AgencyRow.agency_id)))


def _listing(row: BlacklistRow) -> BlacklistRecord:
    return BlacklistRecord(row.entry_id, row.enterprise_id, row.reason, row.listed_at,
                           row.expires_at, row.decided_by, row.lifted_at, row.lifted_by,
                           row.lift_reason)


def add_listing(session: Session, *, enterprise_id: str, reason: str, listed_at: datetime,
                expires_at: datetime, decided_by: str, actor: str,
                now: datetime | None = None) -> BlacklistRecord:
    """Put ``enterprise_id`` on the blacklist from ``listed_at`` to ``expires_at``
    (decided by ``decided_by``), audited as ``actor`` (``blacklist.listed``).

    Raises
    ------
    StoreError
        If a time is naive; an unknown enterprise is refused by the database.
    """
    now = stamp(now)
    row = BlacklistRow(enterprise_id=enterprise_id, reason=reason,
                       listed_at=utc(listed_at, field="listed_at"),
                       expires_at=utc(expires_at, field="expires_at"), decided_by=decided_by)
    session.add(row)
    session.flush()
    append_audit(session, actor=actor, action="blacklist.listed",
                 subject=f"enterprise:{enterprise_id}",
                 payload={"entry_id": row.entry_id, "reason": reason,
                          "listed_at": row.listed_at, "expires_at": row.expires_at,
                          "decided_by": decided_by}, at=now)
    return _listing(row)


def lift_listing(session: Session, entry_id: int, *, reason: str, actor: str,
                 now: datetime | None = None) -> BlacklistRecord:
    """Lift entry ``entry_id`` at ``now`` (``blacklist.lifted``, audited as ``actor``).

    Raises
    ------
    StoreError
        If there is no such entry or it was lifted already.
    """
    now = stamp(now)
    row = session.get(BlacklistRow, entry_id)
    if row is None:
        raise StoreError(f"no blacklist entry {entry_id}")
    if row.lifted_at is not None:
        raise StoreError(f"blacklist entry {entry_id} was lifted already")
    row.lifted_at, row.lifted_by, row.lift_reason = now, actor, reason
    append_audit(session, actor=actor, action="blacklist.lifted",
                 subject=f"enterprise:{row.enterprise_id}",
                 payload={"entry_id": entry_id, "reason": reason}, at=now)
    return _listing(row)


def list_blacklist(session: Session, *, enterprise_id: str | None = None) -> list[BlacklistRecord]:
    """Every entry (of ``enterprise_id`` when given), newest listing first."""
    stmt = select(BlacklistRow).order_by(BlacklistRow.listed_at.desc(),
                                         BlacklistRow.entry_id.desc())
    if enterprise_id is not None:
        stmt = stmt.where(BlacklistRow.enterprise_id == enterprise_id)
    return [_listing(r) for r in session.scalars(stmt)]


def _exclusions(session: Session, inspector_id: str | None = None) -> list[ExclusionRecord]:
    stmt = select(InspectorExclusionRow).order_by(InspectorExclusionRow.inspector_id,
                                                  InspectorExclusionRow.enterprise_id)
    if inspector_id is not None:
        stmt = stmt.where(InspectorExclusionRow.inspector_id == inspector_id)
    return [ExclusionRecord(r.inspector_id, r.enterprise_id, r.reason)
            for r in session.scalars(stmt)]


def get_inspector(session: Session, inspector_id: str) -> InspectorRecord | None:
    """The inspector ``inspector_id`` with their exclusions, or None."""
    row = session.get(InspectorRow, inspector_id)
    if row is None:
        return None
    return InspectorRecord(row.inspector_id, row.name, row.agency_id, row.active,
                           tuple(_exclusions(session, inspector_id)))


def list_inspectors(session: Session, *, active_only: bool = False) -> list[InspectorRecord]:
    """Every inspector (the active ones only when asked), by id, with their exclusions."""
    stmt = select(InspectorRow).order_by(InspectorRow.inspector_id)
    if active_only:
        stmt = stmt.where(InspectorRow.active.is_(True))
    by_inspector: dict[str, list[ExclusionRecord]] = {}
    for x in _exclusions(session):
        by_inspector.setdefault(x.inspector_id, []).append(x)
    return [InspectorRecord(r.inspector_id, r.name, r.agency_id, r.active,
                            tuple(by_inspector.get(r.inspector_id, ())))
            for r in session.scalars(stmt)]


def add_inspector(session: Session, *, inspector_id: str, name: str, agency_id: str,
                  actor: str, now: datetime | None = None) -> InspectorRecord:
    """Add an active inspector of ``agency_id`` (``inspector.added``).

    Raises
    ------
    StoreError
        If the id is taken.
    """
    now = stamp(now)
    if session.get(InspectorRow, inspector_id) is not None:
        raise StoreError(f"an inspector '{inspector_id}' exists already")
    session.add(InspectorRow(inspector_id=inspector_id, name=name, agency_id=agency_id,
                             active=True))
    session.flush()
    append_audit(session, actor=actor, action="inspector.added",
                 subject=f"inspector:{inspector_id}",
                 payload={"name": name, "agency_id": agency_id}, at=now)
    return get_inspector(session, inspector_id)


def set_inspector_active(session: Session, inspector_id: str, active: bool, *, actor: str,
                         now: datetime | None = None) -> InspectorRecord:
    """Make an inspector (in)eligible for draws (``inspector.enabled`` / ``.disabled``).

    Raises
    ------
    StoreError
        If there is no such inspector.
    """
    now = stamp(now)
    row = session.get(InspectorRow, inspector_id)
    if row is None:
        raise StoreError(f"no inspector '{inspector_id}'")
    row.active = active
    append_audit(session, actor=actor,
                 action="inspector.enabled" if active else "inspector.disabled",
                 subject=f"inspector:{inspector_id}", at=now)
    return get_inspector(session, inspector_id)


def add_exclusion(session: Session, *, inspector_id: str, enterprise_id: str, reason: str,
                  actor: str, now: datetime | None = None) -> ExclusionRecord:
    """Record that ``inspector_id`` must not inspect ``enterprise_id``
    (``inspector.excluded``).

    Raises
    ------
    StoreError
        If that exclusion exists already; unknown ids are refused by the database.
    """
    now = stamp(now)
    if session.get(InspectorExclusionRow, (inspector_id, enterprise_id)) is not None:
        raise StoreError(f"inspector '{inspector_id}' is excluded from '{enterprise_id}' "
                         "already")
    session.add(InspectorExclusionRow(inspector_id=inspector_id, enterprise_id=enterprise_id,
                                      reason=reason))
    session.flush()
    append_audit(session, actor=actor, action="inspector.excluded",
                 subject=f"inspector:{inspector_id}",
                 payload={"enterprise_id": enterprise_id, "reason": reason}, at=now)
    return ExclusionRecord(inspector_id, enterprise_id, reason)


def _draw(row: InspectionDrawRow) -> DrawRecord:
    return DrawRecord(row.draw_id, row.seed, row.drawn_at, row.drawn_by, row.parameters,
                      row.result)


def save_draw(session: Session, *, seed: int, parameters: Any, result: Any, actor: str,
              now: datetime | None = None) -> DrawRecord:
    """Keep a draw with its seed, whole input and result (dataclasses are stored as JSON
    data), audited as ``actor`` (``inspection.drawn``, with the pairs)."""
    now = stamp(now)
    row = InspectionDrawRow(seed=int(seed), drawn_at=now, drawn_by=actor,
                            parameters=to_json_data(parameters), result=to_json_data(result))
    session.add(row)
    session.flush()
    append_audit(session, actor=actor, action="inspection.drawn", subject=f"draw:{row.draw_id}",
                 payload={"seed": int(seed), "enterprises": row.result.get("enterprises"),
                          "pairs": row.result.get("pairs"),
                          "unstaffed": row.result.get("unstaffed")}, at=now)
    return _draw(row)


def get_draw(session: Session, draw_id: int) -> DrawRecord | None:
    """Draw ``draw_id``, or None."""
    row = session.get(InspectionDrawRow, draw_id)
    return None if row is None else _draw(row)


def last_draw(session: Session) -> DrawRecord | None:
    """The most recent draw, or None."""
    row = session.scalars(select(InspectionDrawRow)
                          .order_by(InspectionDrawRow.draw_id.desc()).limit(1)).first()
    return None if row is None else _draw(row)


def list_draws(session: Session, *, limit: int = 50) -> list[DrawRecord]:
    """The ``limit`` most recent draws, newest first."""
    stmt = select(InspectionDrawRow).order_by(InspectionDrawRow.draw_id.desc()).limit(limit)
    return [_draw(r) for r in session.scalars(stmt)]
