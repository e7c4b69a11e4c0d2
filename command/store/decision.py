"""Decision sessions: the session, its participants and their ballots.

Owns: the ``decision_sessions``, ``decision_participants`` and ``decision_votes`` tables
and their reads and writes; every change (created, opened, next round, closed with its
result, joined, each ballot, a plan sent for approval) writes its audit entry in the same
transaction. A participant has one ballot per round: a unique key on (session,
participant, round) and an insert-or-update make a second ballot replace the first, so
concurrent voters lose nothing and count once. A ballot takes a shared lock on its
session's row and closing takes an exclusive one (PostgreSQL), so a ballot either lands
before the close or sees the session closed. Must not: check ballots or count them (see
:mod:`command.decision`), or decide who may do what (see :mod:`command.app.decision`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from command.errors import StoreError
from command.store._tables import Base, _name_time_columns, _time
from command.store._types import stamp
from command.store.audit import append_audit, to_json_data

__all__ = ["SessionRecord", "ParticipantRecord", "VoteRecord", "create_session", "get_session",
           "session_by_code", "list_sessions", "set_state", "join", "participants",
           "cast_vote", "list_votes", "mark_sent"]


class DecisionSessionRow(Base):
    """A session: ``options`` and ``criteria`` are lists of mappings as
    :mod:`command.decision.session` numbers them; ``result`` is set when it closes."""

    __tablename__ = "decision_sessions"
    session_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(12), nullable=False, unique=True)
    question: Mapped[str] = mapped_column(Text, nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False)
    round: Mapped[int] = mapped_column(Integer, nullable=False)
    options: Mapped[list] = mapped_column(JSON, nullable=False)
    criteria: Mapped[list] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = _time()
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    opened_at: Mapped[datetime | None] = _time(nullable=True)
    closed_at: Mapped[datetime | None] = _time(nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    sent_plan_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("plans.plan_id"),
                                                     nullable=True)
    __table_args__ = (
        CheckConstraint("state IN ('draft', 'open', 'closed')", name="state"),
        CheckConstraint("round >= 1", name="round_positive"),
    )


class DecisionParticipantRow(Base):
    __tablename__ = "decision_participants"
    session_id: Mapped[int] = mapped_column(Integer, ForeignKey("decision_sessions.session_id"),
                                            primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64), ForeignKey("users.name"),
                                           primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    weight: Mapped[float] = mapped_column(Float, nullable=False)
    joined_at: Mapped[datetime | None] = _time(nullable=True)
    __table_args__ = (CheckConstraint("weight > 0", name="weight_positive"),)


class DecisionVoteRow(Base):
    """A participant's ballot in one round; ``revisions`` counts the ballots it replaced."""

    __tablename__ = "decision_votes"
    vote_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(Integer, ForeignKey("decision_sessions.session_id"),
                                            nullable=False)
    user_name: Mapped[str] = mapped_column(String(64), ForeignKey("users.name"), nullable=False)
    round: Mapped[int] = mapped_column(Integer, nullable=False)
    ballot: Mapped[dict] = mapped_column(JSON, nullable=False)
    cast_at: Mapped[datetime] = _time()
    revisions: Mapped[int] = mapped_column(Integer, nullable=False)
    __table_args__ = (UniqueConstraint("session_id", "user_name", "round"),)


_name_time_columns()


@dataclass(frozen=True)
class SessionRecord:
    session_id: int
    code: str
    question: str
    method: str
    state: str
    round: int
    options: tuple[dict, ...]
    criteria: tuple[dict, ...]
    created_at: datetime
    created_by: str
    opened_at: datetime | None
    closed_at: datetime | None
    result: dict | None
    sent_plan_id: int | None


@dataclass(frozen=True)
class ParticipantRecord:
    session_id: int
    user_name: str
    role: str
    weight: float
    joined_at: datetime | None


@dataclass(frozen=True)
class VoteRecord:
    vote_id: int
    session_id: int
    user_name: str
    round: int
    ballot: dict
    cast_at: datetime
    revisions: int


def _record(row: DecisionSessionRow) -> SessionRecord:
    return SessionRecord(row.session_id, row.code, row.question, row.method, row.state,
                         row.round, tuple(dict(o) for o in row.options),
                         tuple(dict(c) for c in row.criteria), row.created_at, row.created_by,
                         row.opened_at, row.closed_at,
                         None if row.result is None else dict(row.result), row.sent_plan_id)


def _participant(row: DecisionParticipantRow) -> ParticipantRecord:
    return ParticipantRecord(row.session_id, row.user_name, row.role, row.weight,
                             row.joined_at)


def _vote(row: DecisionVoteRow) -> VoteRecord:
    return VoteRecord(row.vote_id, row.session_id, row.user_name, row.round, dict(row.ballot),
                      row.cast_at, row.revisions)


def _row(session: Session, session_id: int, lock: str | None = None) -> DecisionSessionRow:
    stmt = select(DecisionSessionRow).where(DecisionSessionRow.session_id == session_id)
    if lock is not None and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(read=(lock == "share"))
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise StoreError(f"no decision session {session_id}")
    return row


def create_session(session: Session, *, code: str, question: str, method: str,
                   options: Sequence[Mapping], criteria: Sequence[Mapping],
                   participants: Sequence[Mapping], actor: str,
                   now: datetime | None = None) -> SessionRecord:
    """Record a new session in ``draft`` with its listed participants
    (``decision.created``, audited as ``actor``, the chair).

    Raises
    ------
    StoreError
        If the code is taken, a participant is not a user, or ``now`` is naive.
    """
    now = stamp(now)
    row = DecisionSessionRow(code=code, question=question, method=method, state="draft",
                             round=1, options=to_json_data(list(options)),
                             criteria=to_json_data(list(criteria)), created_at=now,
                             created_by=actor)
    session.add(row)
    session.flush()
    for p in participants:
        session.add(DecisionParticipantRow(session_id=row.session_id, user_name=p["user"],
                                           role=p["role"], weight=float(p["weight"])))
    session.flush()
    append_audit(session, actor=actor, action="decision.created",
                 subject=f"decision:{row.session_id}",
                 payload={"question": question, "method": method, "options": row.options,
                          "criteria": row.criteria,
                          "participants": to_json_data(list(participants))}, at=now)
    return _record(row)


def get_session(session: Session, session_id: int, *, lock: str | None = None) -> SessionRecord:
    """Session ``session_id``; ``lock`` ``share`` or ``update`` locks its row (PostgreSQL)
    to the end of the transaction.

    Raises
    ------
    StoreError
        If there is no such session.
    """
    return _record(_row(session, session_id, lock))


def session_by_code(session: Session, code: str) -> SessionRecord | None:
    """The session with join code ``code`` (case as given), or None."""
    row = session.scalars(select(DecisionSessionRow)
                          .where(DecisionSessionRow.code == code)).one_or_none()
    return None if row is None else _record(row)


def list_sessions(session: Session, *, state: str | None = None,
                  limit: int = 50) -> list[SessionRecord]:
    """Sessions, newest first (only those in ``state``)."""
    stmt = select(DecisionSessionRow).order_by(DecisionSessionRow.session_id.desc()).limit(limit)
    if state is not None:
        stmt = stmt.where(DecisionSessionRow.state == state)
    return [_record(r) for r in session.scalars(stmt)]


def set_state(session: Session, session_id: int, *, action: str, to: str, round_: int,
              actor: str, result: Mapping[str, Any] | None = None,
              expect: str | None = None, now: datetime | None = None) -> SessionRecord:
    """Move a session to ``to`` / ``round_`` (a step the lifecycle accepted), with its
    ``result`` when it closes; audited as ``decision.<action>`` (the result in the
    payload). The row is locked first; ``expect`` is the state the step was checked
    from, so a step raced by another is refused.

    Raises
    ------
    StoreError
        If there is no such session, or its state is no longer ``expect``.
    """
    now = stamp(now)
    row = _row(session, session_id, "update")
    if expect is not None and row.state != expect:
        raise StoreError(f"decision session {session_id} is '{row.state}' now, not '{expect}'")
    row.state, row.round = to, round_
    if action == "open":
        row.opened_at = now
    if to == "closed":
        row.closed_at = now
        row.result = to_json_data(dict(result or {}))
    append_audit(session, actor=actor, action=f"decision.{action}",
                 subject=f"decision:{session_id}",
                 payload={"state": to, "round": round_,
                          **({"result": row.result} if to == "closed" else {})}, at=now)
    return _record(row)


def participants(session: Session, session_id: int) -> list[ParticipantRecord]:
    """The session's participants, listed or joined, by name."""
    stmt = (select(DecisionParticipantRow)
            .where(DecisionParticipantRow.session_id == session_id)
            .order_by(DecisionParticipantRow.user_name))
    return [_participant(r) for r in session.scalars(stmt)]


def join(session: Session, session_id: int, user_name: str, *, role: str, weight: float,
         now: datetime | None = None) -> ParticipantRecord:
    """``user_name`` joins: a listed participant keeps their role and weight (and is
    marked joined), anyone else is added with ``role`` and ``weight``; audited as
    ``decision.joined`` the first time only.

    Raises
    ------
    StoreError
        If there is no such session or user.
    """
    now = stamp(now)
    _row(session, session_id)
    row = session.get(DecisionParticipantRow, (session_id, user_name))
    if row is None:
        row = DecisionParticipantRow(session_id=session_id, user_name=user_name, role=role,
                                     weight=float(weight))
        session.add(row)
    if row.joined_at is None:
        row.joined_at = now
        session.flush()
        append_audit(session, actor=user_name, action="decision.joined",
                     subject=f"decision:{session_id}",
                     payload={"role": row.role, "weight": row.weight}, at=now)
    return _participant(row)


def cast_vote(session: Session, session_id: int, user_name: str, *, round_: int,
              ballot: Mapping[str, Any], now: datetime | None = None) -> VoteRecord:
    """Record ``user_name``'s ballot in round ``round_``, replacing an earlier one of the
    same round (one statement: INSERT ... ON CONFLICT DO UPDATE), audited as
    ``decision.vote`` with the ballot and whether it replaced one.

    The caller checks, in the same transaction and after :func:`get_session` with
    ``lock="share"``, that the session is open and the user a participant.
    """
    now = stamp(now)
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    data = to_json_data(dict(ballot))
    stmt = insert(DecisionVoteRow).values(session_id=session_id, user_name=user_name,
                                          round=round_, ballot=data, cast_at=now, revisions=0)
    stmt = stmt.on_conflict_do_update(
        index_elements=["session_id", "user_name", "round"],
        set_={"ballot": stmt.excluded.ballot, "cast_at": stmt.excluded.cast_at,
              "revisions": DecisionVoteRow.revisions + 1},
    ).returning(DecisionVoteRow.vote_id, DecisionVoteRow.revisions)
    vote_id, revisions = session.execute(stmt).one()
    append_audit(session, actor=user_name, action="decision.vote",
                 subject=f"decision:{session_id}",
                 payload={"round": round_, "ballot": data, "replaced": revisions > 0}, at=now)
    return VoteRecord(vote_id, session_id, user_name, round_, data, now, revisions)


def list_votes(session: Session, session_id: int, *, round_: int | None = None
               ) -> list[VoteRecord]:
    """The session's ballots (of one round), by round then participant."""
    stmt = (select(DecisionVoteRow).where(DecisionVoteRow.session_id == session_id)
            .order_by(DecisionVoteRow.round, DecisionVoteRow.user_name))
    if round_ is not None:
        stmt = stmt.where(DecisionVoteRow.round == round_)
    return [_vote(r) for r in session.scalars(stmt)]


def mark_sent(session: Session, session_id: int, plan_id: int, *, actor: str,
              now: datetime | None = None) -> SessionRecord:
    """Record that the decided plan ``plan_id`` went for approval
    (``decision.sent_for_approval``).

    Raises
    ------
    StoreError
        If there is no such session, or it sent a plan already.
    """
    now = stamp(now)
    row = _row(session, session_id, "update")
    if row.sent_plan_id is not None:
        raise StoreError(f"decision session {session_id} sent plan {row.sent_plan_id} "
                         "for approval already")
    row.sent_plan_id = plan_id
    append_audit(session, actor=actor, action="decision.sent_for_approval",
                 subject=f"decision:{session_id}", payload={"plan_id": plan_id}, at=now)
    return _record(row)
