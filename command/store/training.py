"""Safety training: the quiz attempts of each user and their scores.

Owns: the ``quiz_attempts`` table and its reads and writes; starting an attempt and
finishing it each write their audit entry in the same transaction. An attempt keeps its
seed and the ids of the questions drawn, so the quiz it showed can be drawn again and its
score checked. Must not: draw or score anything (see :mod:`command.risk.cases`), or
decide who may take a quiz (see :mod:`command.app.training`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Integer, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from command.errors import StoreError
from command.store._tables import Base, _fk, _name_time_columns, _time
from command.store._types import stamp
from command.store.audit import append_audit

__all__ = ["AttemptRecord", "start_attempt", "finish_attempt", "get_attempt", "list_attempts"]


class QuizAttemptRow(Base):
    """One quiz: drawn with ``seed`` at ``started_at``; ``answers`` (question id ->
    letter or None), ``score`` and ``finished_at`` are set when it is submitted."""

    __tablename__ = "quiz_attempts"
    attempt_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_name: Mapped[str] = _fk("users.name")
    started_at: Mapped[datetime] = _time()
    finished_at: Mapped[datetime | None] = _time(nullable=True)
    seed: Mapped[int] = mapped_column(BigInteger, nullable=False)
    question_ids: Mapped[list] = mapped_column(JSON, nullable=False)
    answers: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    total: Mapped[int] = mapped_column(Integer, nullable=False)


# errors name table.column for this table too
_name_time_columns()


@dataclass(frozen=True)
class AttemptRecord:
    attempt_id: int
    user_name: str
    started_at: datetime
    finished_at: datetime | None
    seed: int
    question_ids: tuple[str, ...]
    answers: dict | None
    score: int | None
    total: int


def _record(row: QuizAttemptRow) -> AttemptRecord:
    return AttemptRecord(row.attempt_id, row.user_name, row.started_at, row.finished_at,
                         row.seed, tuple(row.question_ids),
                         None if row.answers is None else dict(row.answers), row.score,
                         row.total)


def start_attempt(session: Session, *, user_name: str, seed: int, question_ids: list[str],
                  now: datetime | None = None) -> AttemptRecord:
    """Record that ``user_name`` started the quiz of ``question_ids`` drawn with ``seed``
    (``quiz.started``, audited as the user).

    Raises
    ------
    StoreError
        If ``now`` is naive; an unknown user is refused by the database.
    """
    now = stamp(now)
    row = QuizAttemptRow(user_name=user_name, started_at=now, seed=seed,
                         question_ids=list(question_ids), total=len(question_ids))
    session.add(row)
    session.flush()
    append_audit(session, actor=user_name, action="quiz.started",
                 subject=f"quiz:{row.attempt_id}",
                 payload={"seed": seed, "question_ids": list(question_ids)}, at=now)
    return _record(row)


def finish_attempt(session: Session, attempt_id: int, *, answers: dict, score: int,
                   now: datetime | None = None) -> AttemptRecord:
    """Record the answers and score of attempt ``attempt_id`` (``quiz.finished``, audited
    as its user).

    Raises
    ------
    StoreError
        If there is no such attempt or it was finished already.
    """
    now = stamp(now)
    row = session.get(QuizAttemptRow, attempt_id)
    if row is None:
        raise StoreError(f"no quiz attempt {attempt_id}")
    if row.finished_at is not None:
        raise StoreError(f"quiz attempt {attempt_id} was submitted already")
    row.answers, row.score, row.finished_at = dict(answers), score, now
    append_audit(session, actor=row.user_name, action="quiz.finished",
                 subject=f"quiz:{attempt_id}",
                 payload={"score": score, "total": row.total, "answers": dict(answers)}, at=now)
    return _record(row)


def get_attempt(session: Session, attempt_id: int) -> AttemptRecord | None:
    """Attempt ``attempt_id``, or None."""
    row = session.get(QuizAttemptRow, attempt_id)
    return None if row is None else _record(row)


def list_attempts(session: Session, *, user_name: str | None = None,
                  finished: bool | None = None) -> list[AttemptRecord]:
    """Attempts (of ``user_name``; only finished or unfinished ones with ``finished``),
    newest first."""
    stmt = select(QuizAttemptRow).order_by(QuizAttemptRow.attempt_id.desc())
    if user_name is not None:
        stmt = stmt.where(QuizAttemptRow.user_name == user_name)
    if finished is not None:
        stmt = stmt.where(QuizAttemptRow.finished_at.is_not(None) if finished
                          else QuizAttemptRow.finished_at.is_(None))
    return [_record(r) for r in session.scalars(stmt)]
