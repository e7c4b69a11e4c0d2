"""Users and their sessions.

Owns: the ``users`` and ``user_sessions`` tables and their reads and writes; each change
of a user (created, disabled, enabled, password set, locked) writes its audit entry in
the same transaction. Must not: hash or check passwords, or decide whether a log-in
succeeds (see :mod:`command.app.access`). Sessions are stored by the SHA-256 of their
token, so a copy of the database opens no session.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from command.errors import StoreError
from command.store._tables import Base, _name_time_columns, _time
from command.store._types import stamp, utc
from command.store.audit import append_audit

__all__ = ["UserRecord", "SessionRecord", "create_user", "get_user", "list_users",
           "set_user_enabled", "set_password_hash", "record_login_failure",
           "record_login_success", "create_session", "get_session", "end_session",
           "end_sessions_of", "token_digest"]



class UserRow(Base):
    __tablename__ = "users"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    agency_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("agencies.agency_id"),
                                                  nullable=True)
    enterprise_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("enterprises.enterprise_id"), nullable=True)
    grid_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("grid_cells.grid_id"),
                                                nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False)
    locked_until: Mapped[datetime | None] = _time(nullable=True)
    created_at: Mapped[datetime] = _time(nullable=False)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    password_changed_at: Mapped[datetime] = _time(nullable=False)
    __table_args__ = (
        CheckConstraint("role IN ('commander', 'duty_officer', 'staff', 'planner', 'expert', "
                        "'liaison', 'enterprise', 'grid_member', 'admin', 'wall')",
                        name="role"),
    )


class UserSessionRow(Base):
    __tablename__ = "user_sessions"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64), ForeignKey("users.name"), nullable=False,
                                           index=True)
    created_at: Mapped[datetime] = _time(nullable=False)
    expires_at: Mapped[datetime] = _time(nullable=False)
    ended_at: Mapped[datetime | None] = _time(nullable=True)
    client: Mapped[str] = mapped_column(String(100), nullable=False)


@dataclass(frozen=True)
class UserRecord:
    """A user as the store keeps it (the hash included: the store's callers check it)."""

    name: str
    display_name: str
    role: str
    agency_id: str | None
    enterprise_id: str | None
    grid_id: str | None
    password_hash: str
    enabled: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    created_by: str
    password_changed_at: datetime


@dataclass(frozen=True)
class SessionRecord:
    user_name: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    client: str


# errors name table.column for these tables too
_name_time_columns()


def token_digest(token: str) -> str:
    """The SHA-256 (hex) under which a session token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _record(row: UserRow) -> UserRecord:
    return UserRecord(row.name, row.display_name, row.role, row.agency_id, row.enterprise_id,
                      row.grid_id, row.password_hash, row.enabled, row.failed_logins,
                      row.locked_until, row.created_at, row.created_by,
                      row.password_changed_at)


def _row(session: Session, name: str) -> UserRow:
    row = session.get(UserRow, name)
    if row is None:
        raise StoreError(f"no user named '{name}'")
    return row


def create_user(session: Session, *, name: str, display_name: str, role: str,
                password_hash: str, actor: str, agency_id: str | None = None,
                enterprise_id: str | None = None, grid_id: str | None = None,
                now: datetime | None = None) -> UserRecord:
    """Add a user (enabled), audited as ``actor``.

    Raises
    ------
    StoreError
        If the name is taken.
    """
    now = stamp(now)
    if session.get(UserRow, name) is not None:
        raise StoreError(f"a user named '{name}' exists already")
    row = UserRow(name=name, display_name=display_name, role=role, agency_id=agency_id,
                  enterprise_id=enterprise_id, grid_id=grid_id, password_hash=password_hash,
                  enabled=True, failed_logins=0, locked_until=None, created_at=now,
                  created_by=actor, password_changed_at=now)
    session.add(row)
    session.flush()
    append_audit(session, actor=actor, action="user.created", subject=f"user:{name}",
                 payload={"role": role, "agency_id": agency_id, "enterprise_id": enterprise_id,
                          "grid_id": grid_id}, at=now)
    return _record(row)


def get_user(session: Session, name: str) -> UserRecord | None:
    """The user named ``name``, or None."""
    row = session.get(UserRow, name)
    return None if row is None else _record(row)


def list_users(session: Session) -> list[UserRecord]:
    """Every user, by name."""
    return [_record(r) for r in session.scalars(select(UserRow).order_by(UserRow.name))]


def set_user_enabled(session: Session, name: str, enabled: bool, *, actor: str,
                     now: datetime | None = None) -> UserRecord:
    """Disable (every open session of the user ends) or enable a user, audited."""
    now = stamp(now)
    row = _row(session, name)
    row.enabled = enabled
    if enabled:
        row.failed_logins, row.locked_until = 0, None
    else:
        end_sessions_of(session, name, now=now)
    append_audit(session, actor=actor, action="user.enabled" if enabled else "user.disabled",
                 subject=f"user:{name}", at=now)
    return _record(row)


def set_password_hash(session: Session, name: str, password_hash: str, *, actor: str,
                      now: datetime | None = None) -> UserRecord:
    """Set a new password hash (every open session of the user ends, a lock is lifted),
    audited without the hash."""
    now = stamp(now)
    row = _row(session, name)
    row.password_hash, row.password_changed_at = password_hash, now
    row.failed_logins, row.locked_until = 0, None
    end_sessions_of(session, name, now=now)
    append_audit(session, actor=actor, action="user.password", subject=f"user:{name}", at=now)
    return _record(row)


def record_login_failure(session: Session, name: str, *, lock_until: datetime | None,
                         client: str, now: datetime | None = None) -> UserRecord:
    """Count a failed log-in of a known user; lock it until ``lock_until`` when given.
    Audited (``login.failed``, and ``user.locked`` when it locks)."""
    now = stamp(now)
    row = _row(session, name)
    row.failed_logins += 1
    append_audit(session, actor=name, action="login.failed", subject=f"user:{name}",
                 payload={"client": client, "failures": row.failed_logins}, at=now)
    if lock_until is not None:
        row.locked_until = utc(lock_until, field="lock_until")
        append_audit(session, actor="system", action="user.locked", subject=f"user:{name}",
                     payload={"until": row.locked_until}, at=now)
    return _record(row)


def record_login_success(session: Session, name: str, *, password_hash: str | None = None,
                         now: datetime | None = None) -> None:
    """Reset the failure count of ``name`` (and store a re-hashed password when the
    parameters were raised)."""
    row = _row(session, name)
    row.failed_logins, row.locked_until = 0, None
    if password_hash is not None:
        row.password_hash = password_hash


def create_session(session: Session, token: str, user_name: str, *, expires_at: datetime,
                   client: str, now: datetime | None = None) -> SessionRecord:
    """Open a session for ``user_name`` under ``token`` (stored as its digest), audited
    as ``login``."""
    now = stamp(now)
    row = UserSessionRow(token_sha256=token_digest(token), user_name=user_name, created_at=now,
                         expires_at=utc(expires_at, field="expires_at"), ended_at=None,
                         client=client[:100])
    session.add(row)
    session.flush()
    append_audit(session, actor=user_name, action="login", subject=f"user:{user_name}",
                 payload={"client": client[:100], "expires_at": row.expires_at}, at=now)
    return SessionRecord(user_name, now, row.expires_at, None, row.client)


def get_session(session: Session, token: str) -> SessionRecord | None:
    """The session of ``token``, ended or not, or None."""
    row = session.get(UserSessionRow, token_digest(token))
    if row is None:
        return None
    return SessionRecord(row.user_name, row.created_at, row.expires_at, row.ended_at,
                         row.client)


def end_session(session: Session, token: str, *, now: datetime | None = None) -> bool:
    """End the session of ``token`` (log-out), audited; False when there was none open."""
    now = stamp(now)
    row = session.get(UserSessionRow, token_digest(token))
    if row is None or row.ended_at is not None:
        return False
    row.ended_at = now
    append_audit(session, actor=row.user_name, action="logout",
                 subject=f"user:{row.user_name}", at=now)
    return True


def end_sessions_of(session: Session, name: str, *, now: datetime | None = None) -> int:
    """End every open session of user ``name``; returns how many."""
    now = stamp(now)
    rows = session.scalars(select(UserSessionRow).where(UserSessionRow.user_name == name,
                                                        UserSessionRow.ended_at.is_(None)))
    n = 0
    for row in rows:
        row.ended_at, n = now, n + 1
    return n
