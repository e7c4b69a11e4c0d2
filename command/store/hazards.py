"""Risk control in the store: hidden hazards, their timeline and evidence, escalations,
the grid's daily reports and the kept roll-up summaries.

Owns: the tables ``hazards``, ``hazard_events``, ``hazard_evidence``,
``hazard_escalations``, ``daily_reports`` and ``grid_summaries`` and their reads and
writes. Every write appends its audit entry in the same transaction (the caller's
session), so a step, its timeline row, its evidence row and its audit entry land together
or not at all.

Must not: decide whether a step is allowed (:mod:`command.hazards.lifecycle` does, and
:mod:`command.app.hazards` asks it before calling here), keep files (the app writes an
evidence file under the data directory before the transaction and removes it if the
transaction fails), or read the clock behind the caller's back (``now`` is an argument).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from command.errors import StoreError
from command.store._tables import Base, _fk, _name_time_columns, _time
from command.store._types import stamp, utc
from command.store.audit import append_audit

__all__ = [
    "HazardRecord", "EventRecord", "EvidenceRecord", "EscalationRecord", "DailyReportRecord",
    "KeptSummary", "next_hazard_id", "create_hazard", "record_step", "get_hazard",
    "list_hazards", "timeline", "evidence_of", "get_evidence", "record_escalation",
    "escalations_of", "save_daily_report", "list_daily_reports", "keep_summaries",
    "kept_summaries",
]


class HazardRow(Base):
    """One hidden hazard in its current state; its history is ``hazard_events``."""

    __tablename__ = "hazards"
    hazard_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    grid_id: Mapped[str] = _fk("grid_cells.grid_id")
    kind: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    level: Mapped[str | None] = mapped_column(String(10), nullable=True)
    reported_by: Mapped[str] = _fk("users.name")
    enterprise_id: Mapped[str | None] = _fk("enterprises.enterprise_id", nullable=True)
    found_at: Mapped[datetime] = _time()
    updated_at: Mapped[datetime] = _time()
    due_at: Mapped[datetime | None] = _time(nullable=True)
    responsible: Mapped[str | None] = mapped_column(String(100), nullable=True)
    escalation_level: Mapped[str] = mapped_column(String(12), nullable=False)
    closed_at: Mapped[datetime | None] = _time(nullable=True)
    possible_duplicates: Mapped[list] = mapped_column(JSON, nullable=False)


class HazardEventRow(Base):
    """One accepted step of a hazard: who, as which role, when, from which state to which,
    with the note and the step's data."""

    __tablename__ = "hazard_events"
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hazard_id: Mapped[str] = _fk("hazards.hazard_id")
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str] = mapped_column(String(20), nullable=False)
    actor: Mapped[str] = _fk("users.name")
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)
    at: Mapped[datetime] = _time()


class HazardEvidenceRow(Base):
    """A file kept with a step: where under the data directory, its type, size and hash."""

    __tablename__ = "hazard_evidence"
    evidence_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hazard_id: Mapped[str] = _fk("hazards.hazard_id")
    event_id: Mapped[int] = mapped_column(Integer, ForeignKey("hazard_events.event_id"),
                                          nullable=False, index=True)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    media_type: Mapped[str] = mapped_column(String(60), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    path: Mapped[str] = mapped_column(String(300), nullable=False)
    uploaded_by: Mapped[str] = _fk("users.name")
    uploaded_at: Mapped[datetime] = _time()


class HazardEscalationRow(Base):
    """A hazard raised to a grid level because a deadline passed; once per level."""

    __tablename__ = "hazard_escalations"
    escalation_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hazard_id: Mapped[str] = _fk("hazards.hazard_id")
    level: Mapped[str] = mapped_column(String(12), nullable=False)
    due_at: Mapped[datetime] = _time()
    escalated_at: Mapped[datetime] = _time()
    notified: Mapped[list] = mapped_column(JSON, nullable=False)
    __table_args__ = (UniqueConstraint("hazard_id", "level",
                                       name="uq_hazard_escalations_hazard_level"),)


class DailyReportRow(Base):
    """A grid member's daily report for a community cell and a Beijing date."""

    __tablename__ = "daily_reports"
    report_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    grid_id: Mapped[str] = _fk("grid_cells.grid_id")
    report_date: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    member_id: Mapped[str] = _fk("grid_members.member_id")
    filed_by: Mapped[str] = _fk("users.name")
    patrol_done: Mapped[bool] = mapped_column(Boolean, nullable=False)
    hazards_found: Mapped[int] = mapped_column(Integer, nullable=False)
    issues: Mapped[str] = mapped_column(Text, nullable=False)
    sent_at: Mapped[datetime] = _time()
    __table_args__ = (UniqueConstraint("grid_id", "report_date", "member_id",
                                       name="uq_daily_reports_cell_day_member"),)


class GridSummaryRow(Base):
    """The kept roll-up figures of one cell and Beijing day (replaced when kept again)."""

    __tablename__ = "grid_summaries"
    summary_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    grid_id: Mapped[str] = _fk("grid_cells.grid_id")
    day: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    level: Mapped[str] = mapped_column(String(12), nullable=False)
    figures: Mapped[dict] = mapped_column(JSON, nullable=False)
    kept_at: Mapped[datetime] = _time()
    __table_args__ = (UniqueConstraint("grid_id", "day", name="uq_grid_summaries_cell_day"),)


# errors name table.column for these tables too
_name_time_columns()


@dataclass(frozen=True)
class HazardRecord:
    hazard_id: str
    grid_id: str
    kind: str
    description: str
    lat: float
    lon: float
    state: str
    level: str | None
    reported_by: str
    enterprise_id: str | None
    found_at: datetime
    updated_at: datetime
    due_at: datetime | None
    responsible: str | None
    escalation_level: str
    closed_at: datetime | None
    possible_duplicates: tuple[str, ...]


@dataclass(frozen=True)
class EventRecord:
    event_id: int
    hazard_id: str
    action: str
    from_state: str | None
    to_state: str
    actor: str
    role: str
    note: str
    data: dict
    at: datetime


@dataclass(frozen=True)
class EvidenceRecord:
    evidence_id: int
    hazard_id: str
    event_id: int
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    path: str
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class EscalationRecord:
    hazard_id: str
    level: str
    due_at: datetime
    escalated_at: datetime
    notified: tuple[str, ...]


@dataclass(frozen=True)
class DailyReportRecord:
    grid_id: str
    report_date: date
    member_id: str
    filed_by: str
    patrol_done: bool
    hazards_found: int
    issues: str
    sent_at: datetime


@dataclass(frozen=True)
class KeptSummary:
    grid_id: str
    day: date
    level: str
    figures: dict
    kept_at: datetime


def _hazard(row: HazardRow) -> HazardRecord:
    return HazardRecord(row.hazard_id, row.grid_id, row.kind, row.description, row.lat,
                        row.lon, row.state, row.level, row.reported_by, row.enterprise_id,
                        row.found_at, row.updated_at, row.due_at, row.responsible,
                        row.escalation_level, row.closed_at, tuple(row.possible_duplicates))


def _event(row: HazardEventRow) -> EventRecord:
    return EventRecord(row.event_id, row.hazard_id, row.action, row.from_state, row.to_state,
                       row.actor, row.role, row.note, dict(row.data), row.at)


def _evidence(row: HazardEvidenceRow) -> EvidenceRecord:
    return EvidenceRecord(row.evidence_id, row.hazard_id, row.event_id, row.filename,
                          row.media_type, row.size_bytes, row.sha256, row.path,
                          row.uploaded_by, row.uploaded_at)


def next_hazard_id(session: Session, day: date) -> str:
    """The next free id of the Beijing ``day``: ``HZ-YYYYMMDD-NNNN``."""
    prefix = f"HZ-{day:%Y%m%d}-"
    last = session.scalar(select(func.max(HazardRow.hazard_id))
                          .where(HazardRow.hazard_id.like(f"{prefix}%")))
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:04d}"


def _add_evidence(session: Session, hazard_id: str, event_id: int,
                  evidence: Iterable[Mapping[str, Any]], actor: str,
                  at: datetime) -> list[dict]:
    kept = []
    for ev in evidence:
        row = HazardEvidenceRow(hazard_id=hazard_id, event_id=event_id,
                                filename=ev["filename"], media_type=ev["media_type"],
                                size_bytes=ev["size_bytes"], sha256=ev["sha256"],
                                path=ev["path"], uploaded_by=actor, uploaded_at=at)
        session.add(row)
        session.flush()
        kept.append({"evidence_id": row.evidence_id, "filename": row.filename,
                     "media_type": row.media_type, "size_bytes": row.size_bytes,
                     "sha256": row.sha256})
    return kept


def _add_event(session: Session, hazard_id: str, *, action: str, from_state: str | None,
               to_state: str, actor: str, role: str, note: str, data: Mapping[str, Any],
               evidence: Iterable[Mapping[str, Any]], at: datetime) -> EventRecord:
    row = HazardEventRow(hazard_id=hazard_id, action=action, from_state=from_state,
                         to_state=to_state, actor=actor, role=role, note=note,
                         data=_json_data(data), at=at)
    session.add(row)
    session.flush()
    kept = _add_evidence(session, hazard_id, row.event_id, evidence, actor, at)
    append_audit(session, actor=actor, action=f"hazard.{action}", subject=f"hazard:{hazard_id}",
                 payload={"from": from_state, "to": to_state, "role": role, "note": note,
                          "data": _json_data(data), "evidence": kept}, at=at)
    return _event(row)


def _json_data(data: Mapping[str, Any]) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items()}


def create_hazard(session: Session, *, hazard_id: str, grid_id: str, kind: str,
                  description: str, lat: float, lon: float, reported_by: str, role: str,
                  note: str, enterprise_id: str | None, due_at: datetime | None,
                  possible_duplicates: Iterable[str] = (),
                  evidence: Iterable[Mapping[str, Any]] = (),
                  now: datetime | None = None) -> HazardRecord:
    """Record a newly found hazard, its first timeline row (``find``), its evidence and
    the audit entry ``hazard.find`` (as ``reported_by``).

    Raises
    ------
    StoreError
        If the id is taken or ``now``/``due_at`` is naive; an unknown cell or user is
        refused by the database.
    """
    now = stamp(now)
    if session.get(HazardRow, hazard_id) is not None:
        raise StoreError(f"hazard {hazard_id} exists already")
    row = HazardRow(hazard_id=hazard_id, grid_id=grid_id, kind=kind, description=description,
                    lat=float(lat), lon=float(lon), state="found", level=None,
                    reported_by=reported_by, enterprise_id=enterprise_id, found_at=now,
                    updated_at=now, due_at=None if due_at is None else utc(due_at,
                                                                           field="due_at"),
                    responsible=None, escalation_level="community", closed_at=None,
                    possible_duplicates=list(possible_duplicates))
    session.add(row)
    session.flush()
    _add_event(session, hazard_id, action="find", from_state=None, to_state="found",
               actor=reported_by, role=role, note=note,
               data={"grid_id": grid_id, "kind": kind, "description": description,
                     "lat": float(lat), "lon": float(lon),
                     "possible_duplicates": list(possible_duplicates)},
               evidence=evidence, at=now)
    return _hazard(row)


def _locked(session: Session, hazard_id: str) -> HazardRow:
    row = session.scalars(select(HazardRow).where(HazardRow.hazard_id == hazard_id)
                          .with_for_update()).first()
    if row is None:
        raise StoreError(f"no hazard {hazard_id!r}")
    return row


def record_step(session: Session, hazard_id: str, *, expect_state: str, action: str,
                to_state: str, actor: str, role: str, note: str, data: Mapping[str, Any],
                due_at: datetime | None, evidence: Iterable[Mapping[str, Any]] = (),
                now: datetime | None = None) -> tuple[HazardRecord, EventRecord]:
    """Move hazard ``hazard_id`` from ``expect_state`` to ``to_state`` by ``action``, with
    its timeline row, evidence and audit entry (``hazard.<action>``, as ``actor``).

    The row is locked first (``SELECT ... FOR UPDATE`` on PostgreSQL), and the step is
    refused if the hazard is no longer in ``expect_state``: two people acting on the same
    hazard at once cannot both move it.

    ``data`` are the step's checked fields: ``level`` (assess), ``responsible`` and
    ``deadline`` (remediate) also update the hazard; ``due_at`` is the deadline of the
    state reached (None: none).

    Raises
    ------
    StoreError
        If there is no such hazard, or it is not in ``expect_state``.
    """
    now = stamp(now)
    row = _locked(session, hazard_id)
    if row.state != expect_state:
        raise StoreError(f"hazard {hazard_id} is '{row.state}' now, not '{expect_state}': "
                         "someone else moved it; look again")
    row.state = to_state
    row.updated_at = now
    row.due_at = None if due_at is None else utc(due_at, field="due_at")
    if action == "assess":
        row.level = data["level"]
    if action == "remediate":
        row.responsible = data["responsible"]
    if to_state == "closed":
        row.closed_at = now
    elif row.closed_at is not None:
        row.closed_at = None  # reopened: its old closure no longer counts
    event = _add_event(session, hazard_id, action=action, from_state=expect_state,
                       to_state=to_state, actor=actor, role=role, note=note, data=data,
                       evidence=evidence, at=now)
    session.flush()
    return _hazard(row), event


def get_hazard(session: Session, hazard_id: str) -> HazardRecord | None:
    """Hazard ``hazard_id``, or None."""
    row = session.get(HazardRow, hazard_id)
    return None if row is None else _hazard(row)


def list_hazards(session: Session, *, states: Iterable[str] | None = None,
                 grid_ids: Iterable[str] | None = None, kind: str | None = None,
                 reported_by: str | None = None, enterprise_id: str | None = None,
                 due_before: datetime | None = None) -> list[HazardRecord]:
    """Hazards, newest first, filtered by any of: states, cells, kind, reporter,
    enterprise, and a due time before ``due_before``."""
    stmt = select(HazardRow).order_by(HazardRow.found_at.desc(), HazardRow.hazard_id.desc())
    if states is not None:
        stmt = stmt.where(HazardRow.state.in_(list(states)))
    if grid_ids is not None:
        stmt = stmt.where(HazardRow.grid_id.in_(list(grid_ids)))
    if kind is not None:
        stmt = stmt.where(HazardRow.kind == kind)
    if reported_by is not None:
        stmt = stmt.where(HazardRow.reported_by == reported_by)
    if enterprise_id is not None:
        stmt = stmt.where(HazardRow.enterprise_id == enterprise_id)
    if due_before is not None:
        stmt = stmt.where(HazardRow.due_at < utc(due_before, field="due_before"))
    return [_hazard(r) for r in session.scalars(stmt)]


def timeline(session: Session, hazard_id: str) -> list[EventRecord]:
    """The steps of a hazard, oldest first."""
    stmt = (select(HazardEventRow).where(HazardEventRow.hazard_id == hazard_id)
            .order_by(HazardEventRow.event_id))
    return [_event(r) for r in session.scalars(stmt)]


def evidence_of(session: Session, hazard_id: str) -> list[EvidenceRecord]:
    """The evidence files of a hazard, oldest first."""
    stmt = (select(HazardEvidenceRow).where(HazardEvidenceRow.hazard_id == hazard_id)
            .order_by(HazardEvidenceRow.evidence_id))
    return [_evidence(r) for r in session.scalars(stmt)]


def get_evidence(session: Session, evidence_id: int) -> EvidenceRecord | None:
    """Evidence ``evidence_id``, or None."""
    row = session.get(HazardEvidenceRow, evidence_id)
    return None if row is None else _evidence(row)


def record_escalation(session: Session, hazard_id: str, *, level: str, due_at: datetime,
                      notified: Iterable[str], now: datetime | None = None) -> bool:
    """Raise hazard ``hazard_id`` to grid ``level`` (audited ``hazard.escalated`` as
    ``system``). Returns False, writing nothing, if it was raised to that level before:
    a hazard is escalated once per level."""
    now = stamp(now)
    seen = session.scalar(select(HazardEscalationRow.escalation_id).where(
        HazardEscalationRow.hazard_id == hazard_id, HazardEscalationRow.level == level))
    if seen is not None:
        return False
    row = _locked(session, hazard_id)
    row.escalation_level = level
    notified = list(notified)
    session.add(HazardEscalationRow(hazard_id=hazard_id, level=level,
                                    due_at=utc(due_at, field="due_at"), escalated_at=now,
                                    notified=notified))
    append_audit(session, actor="system", action="hazard.escalated",
                 subject=f"hazard:{hazard_id}",
                 payload={"level": level, "due_at": utc(due_at, field="due_at").isoformat(),
                          "notified": notified}, at=now)
    session.flush()
    return True


def escalations_of(session: Session, hazard_id: str | None = None) -> list[EscalationRecord]:
    """Escalations (of one hazard), oldest first."""
    stmt = select(HazardEscalationRow).order_by(HazardEscalationRow.escalation_id)
    if hazard_id is not None:
        stmt = stmt.where(HazardEscalationRow.hazard_id == hazard_id)
    return [EscalationRecord(r.hazard_id, r.level, r.due_at, r.escalated_at,
                             tuple(r.notified)) for r in session.scalars(stmt)]


def save_daily_report(session: Session, *, grid_id: str, report_date: date, member_id: str,
                      filed_by: str, patrol_done: bool, hazards_found: int, issues: str,
                      now: datetime | None = None) -> tuple[DailyReportRecord, bool]:
    """Keep a daily report (``grid.daily_report``, audited as ``filed_by``); a second
    report of the same cell, day and member replaces the first. Returns the record and
    whether it replaced one."""
    now = stamp(now)
    row = session.scalars(select(DailyReportRow).where(
        DailyReportRow.grid_id == grid_id, DailyReportRow.report_date == report_date,
        DailyReportRow.member_id == member_id).with_for_update()).first()
    replaced = row is not None
    if row is None:
        row = DailyReportRow(grid_id=grid_id, report_date=report_date, member_id=member_id)
        session.add(row)
    row.filed_by, row.patrol_done, row.hazards_found = filed_by, patrol_done, hazards_found
    row.issues, row.sent_at = issues, now
    session.flush()
    append_audit(session, actor=filed_by, action="grid.daily_report",
                 subject=f"grid:{grid_id}",
                 payload={"date": report_date.isoformat(), "member_id": member_id,
                          "patrol_done": patrol_done, "hazards_found": hazards_found,
                          "issues": issues, "replaced": replaced}, at=now)
    return _report(row), replaced


def _report(row: DailyReportRow) -> DailyReportRecord:
    return DailyReportRecord(row.grid_id, row.report_date, row.member_id, row.filed_by,
                             row.patrol_done, row.hazards_found, row.issues, row.sent_at)


def list_daily_reports(session: Session, *, report_date: date | None = None,
                       grid_ids: Iterable[str] | None = None) -> list[DailyReportRecord]:
    """Daily reports (of a day, of cells), by cell and member."""
    stmt = select(DailyReportRow).order_by(DailyReportRow.report_date, DailyReportRow.grid_id,
                                           DailyReportRow.member_id)
    if report_date is not None:
        stmt = stmt.where(DailyReportRow.report_date == report_date)
    if grid_ids is not None:
        stmt = stmt.where(DailyReportRow.grid_id.in_(list(grid_ids)))
    return [_report(r) for r in session.scalars(stmt)]


def keep_summaries(session: Session, day: date, summaries: Iterable[Mapping[str, Any]], *,
                   actor: str, now: datetime | None = None) -> int:
    """Keep the roll-up of ``day`` (each mapping has ``grid_id``, ``level`` and the
    figures), replacing what was kept for that day; audited ``grid.summaries_kept``."""
    now = stamp(now)
    kept = {r.grid_id: r for r in session.scalars(
        select(GridSummaryRow).where(GridSummaryRow.day == day))}
    n = 0
    for s in summaries:
        row = kept.get(s["grid_id"])
        if row is None:
            row = GridSummaryRow(grid_id=s["grid_id"], day=day)
            session.add(row)
        row.level, row.figures, row.kept_at = s["level"], dict(s), now
        n += 1
    session.flush()
    append_audit(session, actor=actor, action="grid.summaries_kept", subject=f"day:{day}",
                 payload={"cells": n}, at=now)
    return n


def kept_summaries(session: Session, day: date, *,
                   level: str | None = None) -> list[KeptSummary]:
    """The kept roll-up of ``day`` (of one level), by cell id."""
    stmt = (select(GridSummaryRow).where(GridSummaryRow.day == day)
            .order_by(GridSummaryRow.grid_id))
    if level is not None:
        stmt = stmt.where(GridSummaryRow.level == level)
    return [KeptSummary(r.grid_id, r.day, r.level, dict(r.figures), r.kept_at)
            for r in session.scalars(stmt)]
