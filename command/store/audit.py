"""The append-only, hash-chained audit log (痕迹化管理).

Every change of state writes one entry (who, when, what, about what, details) in the
same transaction as the change. Entry ``n`` stores ``hash = SHA-256(prev_hash ||
canonical_json(entry))`` with ``prev_hash`` the hash of entry ``n - 1`` (64 zeros for the
first), so editing, removing or reordering any entry breaks the chain at that entry, which
:func:`verify_audit` finds. The database refuses UPDATE and DELETE on the log with
triggers (created by the migration) and the ORM refuses them too.

The chain cannot prove that the newest entries were not cut off the end; compare
:func:`last_change_id` with a value kept elsewhere if that matters.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Delete, Update, event, func, select, text
from sqlalchemy.orm import Session

from command.clock import as_utc
from command.errors import StoreError
from command.store._tables import AuditRow
from command.store._types import stamp, utc

__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "append_audit",
    "verify_audit",
    "list_audit",
    "last_change_id",
    "canonical_json",
    "entry_hash",
]

GENESIS_HASH = "0" * 64

# Any constant: the key of the PostgreSQL advisory lock that serialises audit writers.
_PG_AUDIT_LOCK_KEY = 0x636D6461  # "cmda"


@dataclass(frozen=True)
class AuditEntry:
    """One audit entry as plain data; ``at`` is timezone-aware UTC."""

    audit_id: int
    at: datetime
    actor: str
    action: str
    subject: str
    payload: dict
    prev_hash: str
    hash: str


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, datetime):
        return utc(value, field="payload").isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text; dataclasses, datetimes and numpy values are
    converted. The same value always gives the same text on every back-end."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False, default=_jsonable)


def to_json_data(value: Any) -> Any:
    """``value`` as plain JSON data (what a JSON column stores and gives back)."""
    return json.loads(canonical_json(value))


def _at_text(at: datetime) -> str:
    # The text hashed for an entry's time: one text per instant, whatever zone ``at``
    # is given in; it must never change, or every existing chain breaks.
    return as_utc(at, field="at").strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash: str, *, audit_id: int, at: datetime, actor: str, action: str,
               subject: str, payload: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over the previous hash and the canonical JSON of the entry."""
    body = canonical_json({"id": audit_id, "at": _at_text(at), "actor": actor,
                           "action": action, "subject": subject, "payload": payload})
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_AUDIT_LOCK_KEY})
    # SQLite: the session already holds the write lock (BEGIN IMMEDIATE, see _engine).


def append_audit(session: Session, *, actor: str, action: str, subject: str = "",
                 payload: Mapping[str, Any] | None = None,
                 at: datetime | None = None) -> AuditEntry:
    """Append one entry to the log in the session's transaction.

    Parameters
    ----------
    actor
        Who did it (user name, ``system``, ``cli:<user>``); must not be empty.
    action
        What was done, e.g. ``incident.created``, ``plan.approved``, ``dataset.loaded``.
    subject
        What it was done to, e.g. ``incident:I-20250101-0001``.
    payload
        Details as JSON data (dataclasses, datetimes and numpy values are converted).
    at
        When (aware, any zone; stored and hashed as UTC); the clock by default.

    Raises
    ------
    StoreError
        If ``actor`` or ``action`` is empty, or ``at`` (or a datetime in ``payload``) is
        naive.
    """
    if not actor or not str(actor).strip():
        raise StoreError("an audit entry needs an actor (who made the change)")
    if not action:
        raise StoreError("an audit entry needs an action")
    data = to_json_data(dict(payload or {}))
    at = stamp(at, field="at")
    _lock_chain(session)
    last = session.execute(
        select(AuditRow.audit_id, AuditRow.hash).order_by(AuditRow.audit_id.desc()).limit(1)
    ).first()
    audit_id, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    digest = entry_hash(prev, audit_id=audit_id, at=at, actor=actor, action=action,
                        subject=subject, payload=data)
    row = AuditRow(audit_id=audit_id, at=at, actor=actor, action=action, subject=subject,
                   payload=data, prev_hash=prev, hash=digest)
    session.add(row)
    session.flush()
    return AuditEntry(audit_id, at, actor, action, subject, data, prev, digest)


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.audit_id, row.at, row.actor, row.action, row.subject,
                      row.payload, row.prev_hash, row.hash)


def verify_audit(session: Session, *, batch: int = 1000) -> tuple[bool, int | None]:
    """Recompute the whole chain.

    Returns
    -------
    (ok, first_bad_id)
        ``(True, None)`` when every entry's ``prev_hash`` is its predecessor's hash and
        its ``hash`` matches its content; otherwise ``(False, id)`` of the first entry
        that does not (an edited entry, or the one after a removed entry).
    """
    prev = GENESIS_HASH
    expected_id = 1
    stmt = select(AuditRow).order_by(AuditRow.audit_id).execution_options(yield_per=batch)
    for row in session.scalars(stmt):
        digest = entry_hash(prev, audit_id=row.audit_id, at=row.at, actor=row.actor,
                            action=row.action, subject=row.subject, payload=row.payload)
        if row.audit_id != expected_id or row.prev_hash != prev or row.hash != digest:
            return False, row.audit_id
        prev = row.hash
        expected_id += 1
        session.expunge(row)
    return True, None


def list_audit(session: Session, *, limit: int = 50, before_id: int | None = None,
               subject: str | None = None) -> list[AuditEntry]:
    """The newest entries first (``limit`` of them, older than ``before_id`` if given)."""
    stmt = select(AuditRow).order_by(AuditRow.audit_id.desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(AuditRow.audit_id < before_id)
    if subject is not None:
        stmt = stmt.where(AuditRow.subject == subject)
    return [_entry(r) for r in session.scalars(stmt)]


def last_change_id(session: Session) -> int:
    """The id of the newest audit entry (0 for an empty log).

    Every change of state writes an entry, so a screen polls this one cheap query and
    reloads only when the number moves.
    """
    return int(session.scalar(select(func.coalesce(func.max(AuditRow.audit_id), 0))))


# -- the ORM refuses to change the log ----------------------------------------------------


@event.listens_for(AuditRow, "before_update")
def _refuse_update(_mapper, _connection, target: AuditRow) -> None:
    raise StoreError(f"audit entry {target.audit_id} cannot be changed: the log is append-only")


@event.listens_for(AuditRow, "before_delete")
def _refuse_delete(_mapper, _connection, target: AuditRow) -> None:
    raise StoreError(f"audit entry {target.audit_id} cannot be deleted: the log is append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state) -> None:
    stmt = state.statement
    if isinstance(stmt, (Update, Delete)) and getattr(stmt.table, "name", None) == "audit_log":
        raise StoreError("the audit log is append-only: UPDATE and DELETE are refused")
