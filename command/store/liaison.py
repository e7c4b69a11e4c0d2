"""Liaison between agencies: tasks given to an agency, mutual-aid requests between
agencies, and messages to an agency.

Owns: the ``liaison_tasks``, ``mutual_aid`` and ``liaison_messages`` tables and their
reads and writes; every change writes its audit entry in the same transaction. A decided
plan gives each agency at most one task (a unique key on plan and agency), so issuing a
plan's tasks twice writes nothing the second time. Must not: decide which steps are
allowed or who may take them (see :mod:`command.liaison`), or read the clock behind a
caller's back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from command.errors import StoreError
from command.store._tables import Base, _fk, _name_time_columns, _time
from command.store._types import stamp
from command.store.audit import append_audit, to_json_data

__all__ = ["TaskRecord", "AidRecord", "MessageRecord", "issue_task", "get_task", "list_tasks",
           "update_task", "task_for_plan", "request_aid", "get_aid", "list_aid", "update_aid",
           "send_message", "list_messages"]


class LiaisonTaskRow(Base):
    """A task of one agency: from a decided plan (``plan_id``, ``detail`` its
    assignments) or from the commander."""

    __tablename__ = "liaison_tasks"
    task_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = _fk("agencies.agency_id")
    source: Mapped[str] = mapped_column(String(20), nullable=False)
    plan_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("plans.plan_id"),
                                                nullable=True)
    incident_id: Mapped[str | None] = _fk("incidents.incident_id", nullable=True, index=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    detail: Mapped[list] = mapped_column(JSON, nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False)
    progress_pct: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    issued_at: Mapped[datetime] = _time()
    issued_by: Mapped[str] = mapped_column(String(100), nullable=False)
    acknowledged_at: Mapped[datetime | None] = _time(nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    updated_at: Mapped[datetime] = _time()
    __table_args__ = (
        CheckConstraint("state IN ('issued', 'acknowledged', 'in_progress', 'done', "
                        "'cancelled')", name="state"),
        CheckConstraint("source IN ('plan', 'commander')", name="source"),
        UniqueConstraint("plan_id", "agency_id"),
    )


class MutualAidRow(Base):
    __tablename__ = "mutual_aid"
    aid_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    from_agency: Mapped[str] = _fk("agencies.agency_id")
    to_agency: Mapped[str] = _fk("agencies.agency_id")
    incident_id: Mapped[str | None] = _fk("incidents.incident_id", nullable=True, index=False)
    what: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    requested_at: Mapped[datetime] = _time()
    requested_by: Mapped[str] = mapped_column(String(100), nullable=False)
    updated_at: Mapped[datetime] = _time()
    updated_by: Mapped[str] = mapped_column(String(100), nullable=False)
    __table_args__ = (
        CheckConstraint("state IN ('requested', 'accepted', 'en_route', 'done', 'declined')",
                        name="state"),
    )


class LiaisonMessageRow(Base):
    """A message to one agency (``agency_id``) or to every agency (None)."""

    __tablename__ = "liaison_messages"
    message_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str | None] = _fk("agencies.agency_id", nullable=True)
    sender: Mapped[str] = mapped_column(String(100), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    sent_at: Mapped[datetime] = _time()


_name_time_columns()


@dataclass(frozen=True)
class TaskRecord:
    task_id: int
    agency_id: str
    source: str
    plan_id: int | None
    incident_id: str | None
    title: str
    detail: tuple[dict, ...]
    state: str
    progress_pct: int | None
    note: str | None
    issued_at: datetime
    issued_by: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    updated_at: datetime


@dataclass(frozen=True)
class AidRecord:
    aid_id: int
    from_agency: str
    to_agency: str
    incident_id: str | None
    what: str
    state: str
    answer: str | None
    requested_at: datetime
    requested_by: str
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class MessageRecord:
    message_id: int
    agency_id: str | None
    sender: str
    text: str
    sent_at: datetime


def _task(r: LiaisonTaskRow) -> TaskRecord:
    return TaskRecord(r.task_id, r.agency_id, r.source, r.plan_id, r.incident_id, r.title,
                      tuple(dict(d) for d in r.detail), r.state, r.progress_pct, r.note,
                      r.issued_at, r.issued_by, r.acknowledged_at, r.acknowledged_by,
                      r.updated_at)


def _aid(r: MutualAidRow) -> AidRecord:
    return AidRecord(r.aid_id, r.from_agency, r.to_agency, r.incident_id, r.what, r.state,
                     r.answer, r.requested_at, r.requested_by, r.updated_at, r.updated_by)


def _in_state(session: Session, row_cls, key: int, expect: str, what: str):
    """The row ``key`` of ``row_cls``, locked (PostgreSQL), when its state is ``expect``:
    a step checked against a state another writer has just left is refused."""
    row = session.get(row_cls, key, with_for_update=(
        session.get_bind().dialect.name == "postgresql"))
    if row is None:
        raise StoreError(f"no {what} {key}")
    if row.state != expect:
        raise StoreError(f"{what} {key} is '{row.state}' now, not '{expect}'")
    return row


def issue_task(session: Session, *, agency_id: str, title: str, actor: str,
               source: str = "commander", detail: Sequence[Mapping[str, Any]] = (),
               plan_id: int | None = None, incident_id: str | None = None,
               now: datetime | None = None) -> TaskRecord:
    """Give ``agency_id`` a task (``liaison.task_issued``, audited as ``actor``).

    Raises
    ------
    StoreError
        For an unknown agency, plan or incident (refused by the database), a plan that
        gave this agency a task already, or a naive ``now``.
    """
    now = stamp(now)
    row = LiaisonTaskRow(agency_id=agency_id, source=source, plan_id=plan_id,
                         incident_id=incident_id, title=title,
                         detail=to_json_data(list(detail)), state="issued", issued_at=now,
                         issued_by=actor, updated_at=now)
    session.add(row)
    session.flush()
    append_audit(session, actor=actor, action="liaison.task_issued",
                 subject=f"task:{row.task_id}",
                 payload={"agency_id": agency_id, "source": source, "plan_id": plan_id,
                          "incident_id": incident_id, "title": title}, at=now)
    return _task(row)


def get_task(session: Session, task_id: int, *, lock: bool = False) -> TaskRecord:
    """Task ``task_id`` (its row locked to the end of the transaction with ``lock``).

    Raises
    ------
    StoreError
        If there is no such task.
    """
    stmt = select(LiaisonTaskRow).where(LiaisonTaskRow.task_id == task_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise StoreError(f"no liaison task {task_id}")
    return _task(row)


def task_for_plan(session: Session, plan_id: int, agency_id: str) -> TaskRecord | None:
    """The task plan ``plan_id`` gave ``agency_id``, or None."""
    row = session.scalars(select(LiaisonTaskRow).where(
        LiaisonTaskRow.plan_id == plan_id, LiaisonTaskRow.agency_id == agency_id)).one_or_none()
    return None if row is None else _task(row)


def list_tasks(session: Session, *, agency_id: str | None = None,
               states: Sequence[str] | None = None, limit: int = 200) -> list[TaskRecord]:
    """Tasks (of one agency; in ``states``), newest first."""
    stmt = select(LiaisonTaskRow).order_by(LiaisonTaskRow.task_id.desc()).limit(limit)
    if agency_id is not None:
        stmt = stmt.where(LiaisonTaskRow.agency_id == agency_id)
    if states is not None:
        stmt = stmt.where(LiaisonTaskRow.state.in_(list(states)))
    return [_task(r) for r in session.scalars(stmt)]


def update_task(session: Session, task_id: int, *, action: str, to: str, actor: str,
                expect: str, note: str = "", progress_pct: int | None = None,
                now: datetime | None = None) -> TaskRecord:
    """Record a step of a task the lifecycle accepted from state ``expect``
    (``liaison.task_<action>``, audited as ``actor``).

    Raises
    ------
    StoreError
        If there is no such task, or its state is no longer ``expect``.
    """
    now = stamp(now)
    row = _in_state(session, LiaisonTaskRow, task_id, expect, "liaison task")
    row.state, row.updated_at = to, now
    if action == "acknowledge":
        row.acknowledged_at, row.acknowledged_by = now, actor
    if progress_pct is not None:
        row.progress_pct = progress_pct
    if note:
        row.note = note
    append_audit(session, actor=actor, action=f"liaison.task_{action}",
                 subject=f"task:{task_id}",
                 payload={"agency_id": row.agency_id, "state": to, "note": note,
                          "progress_pct": progress_pct}, at=now)
    return _task(row)


def request_aid(session: Session, *, from_agency: str, to_agency: str, what: str, actor: str,
                incident_id: str | None = None, now: datetime | None = None) -> AidRecord:
    """Record a mutual-aid request (``liaison.aid_request``, audited as ``actor``).

    Raises
    ------
    StoreError
        For an unknown agency or incident (refused by the database) or a naive ``now``.
    """
    now = stamp(now)
    row = MutualAidRow(from_agency=from_agency, to_agency=to_agency, incident_id=incident_id,
                       what=what, state="requested", requested_at=now, requested_by=actor,
                       updated_at=now, updated_by=actor)
    session.add(row)
    session.flush()
    append_audit(session, actor=actor, action="liaison.aid_request", subject=f"aid:{row.aid_id}",
                 payload={"from": from_agency, "to": to_agency, "what": what,
                          "incident_id": incident_id}, at=now)
    return _aid(row)


def get_aid(session: Session, aid_id: int) -> AidRecord:
    """Request ``aid_id``.

    Raises
    ------
    StoreError
        If there is no such request.
    """
    row = session.get(MutualAidRow, aid_id)
    if row is None:
        raise StoreError(f"no mutual-aid request {aid_id}")
    return _aid(row)


def list_aid(session: Session, *, agency_id: str | None = None,
             limit: int = 200) -> list[AidRecord]:
    """Requests from or to ``agency_id`` (all without), newest first."""
    stmt = select(MutualAidRow).order_by(MutualAidRow.aid_id.desc()).limit(limit)
    if agency_id is not None:
        stmt = stmt.where(or_(MutualAidRow.from_agency == agency_id,
                              MutualAidRow.to_agency == agency_id))
    return [_aid(r) for r in session.scalars(stmt)]


def update_aid(session: Session, aid_id: int, *, action: str, to: str, actor: str,
               expect: str, note: str = "", now: datetime | None = None) -> AidRecord:
    """Record a step of a request accepted from state ``expect`` (``liaison.aid_<action>``).

    Raises
    ------
    StoreError
        If there is no such request, or its state is no longer ``expect``.
    """
    now = stamp(now)
    row = _in_state(session, MutualAidRow, aid_id, expect, "mutual-aid request")
    row.state, row.updated_at, row.updated_by = to, now, actor
    if note:
        row.answer = note
    append_audit(session, actor=actor, action=f"liaison.aid_{action}", subject=f"aid:{aid_id}",
                 payload={"from": row.from_agency, "to": row.to_agency, "state": to,
                          "note": note}, at=now)
    return _aid(row)


def send_message(session: Session, *, agency_id: str | None, text: str, actor: str,
                 now: datetime | None = None) -> MessageRecord:
    """A message to ``agency_id`` (every agency when None): ``liaison.message``."""
    now = stamp(now)
    row = LiaisonMessageRow(agency_id=agency_id, sender=actor, text=text, sent_at=now)
    session.add(row)
    session.flush()
    append_audit(session, actor=actor, action="liaison.message",
                 subject=f"message:{row.message_id}",
                 payload={"agency_id": agency_id, "text": text}, at=now)
    return MessageRecord(row.message_id, agency_id, actor, text, now)


def list_messages(session: Session, *, agency_id: str | None = None,
                  limit: int = 50) -> list[MessageRecord]:
    """Messages to ``agency_id`` and to everyone (all without), newest first."""
    stmt = select(LiaisonMessageRow).order_by(LiaisonMessageRow.message_id.desc()).limit(limit)
    if agency_id is not None:
        stmt = stmt.where(or_(LiaisonMessageRow.agency_id == agency_id,
                              LiaisonMessageRow.agency_id.is_(None)))
    return [MessageRecord(r.message_id, r.agency_id, r.sender, r.text, r.sent_at)
            for r in session.scalars(stmt)]
